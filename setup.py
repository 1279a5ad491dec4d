# `pip install --no-build-isolation .` from the repository root: builds the Python package in
# bindings/python (the logic lives in bindings/python/rapport_build.py).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "bindings", "python"))
from rapport_build import setup_rapport  # noqa: E402

setup_rapport(package_dir="bindings/python/rapport")
