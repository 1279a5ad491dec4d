# `pip install --no-build-isolation .` from bindings/python (see rapport_build.py).
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rapport_build import setup_rapport  # noqa: E402

setup_rapport(package_dir="rapport")
