"""setuptools glue shared by the repository root's setup.py and bindings/python/setup.py: builds
rapport._core with CMake (the same CMakeLists the developer build uses) and packages it with the
pure-Python `rapport` package. Offline: needs only Debian's cmake, pybind11-dev and libraries."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent  # bindings/python
ROOT = HERE.parent.parent  # the repository


def _version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    m = re.search(r"project\(\s*Rapport\s+VERSION\s+([0-9.]+)", text)
    return m.group(1) if m else "0.0.0"


class _CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class _CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        out_dir = target.parent
        out_dir.mkdir(parents=True, exist_ok=True)
        build_dir = Path(self.build_temp).resolve() / "cmake"
        build_type = "Debug" if self.debug else os.environ.get("RAPPORT_BUILD_TYPE", "Release")
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            f"-DCMAKE_BUILD_TYPE={build_type}",
            f"-DRAPPORT_PYTHON={sys.executable}",
            f"-DPython_EXECUTABLE={sys.executable}",
            "-DRAPPORT_BUILD_TESTS=OFF",
            "-DRAPPORT_BUILD_BENCHMARKS=OFF",
            "-DRAPPORT_BUILD_PYTHON=ON",
            f"-DRAPPORT_PYTHON_OUTPUT_DIR={out_dir}",
        ]
        if shutil.which("ninja") and not (build_dir / "CMakeCache.txt").exists():
            configure += ["-G", "Ninja"]
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "rapport_python", "-j", jobs])
        built = sorted(out_dir.glob("_core*.so")) + sorted(out_dir.glob("_core*.pyd"))
        if not built:
            raise RuntimeError(f"CMake did not produce rapport/_core in {out_dir}")
        if built[0] != target:
            shutil.move(str(built[0]), str(target))


def setup_rapport(package_dir: str) -> None:
    setup(
        version=_version(),
        packages=["rapport"],
        package_dir={"rapport": package_dir},
        package_data={"rapport": ["py.typed", "*.pyi"]},
        ext_modules=[_CMakeExtension("rapport._core")],
        cmdclass={"build_ext": _CMakeBuild},
        zip_safe=False,
    )
