"""Builds and installs the Python package `doppel` (python/): the native module _doppel is built
by CMake with the `python` preset's settings, for the Python running this script.

    make python-install      # as root: /usr/bin/python3 -m pip install --no-build-isolation ...

Offline: with --no-build-isolation, pip uses the setuptools and wheel Debian installed.
"""

import glob
import os
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = os.path.dirname(os.path.abspath(__file__))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        jobs = os.environ.get("JOBS", "2")
        subprocess.check_call(
            ["cmake", "--preset", "python", f"-DPython_EXECUTABLE={sys.executable}"], cwd=ROOT
        )
        subprocess.check_call(["cmake", "--build", "build/python", "--target", "_doppel", "-j", jobs], cwd=ROOT)
        built = glob.glob(os.path.join(ROOT, "build", "python", "python", "doppel", "_doppel*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one built _doppel module, found {built}")
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    name="doppel",
    version="0.1.0",
    description="Near-duplicate documents and reused passages; a drop-in, faster datasketch",
    package_dir={"": "python"},
    packages=["doppel", "doppel.datasketch"],
    package_data={"doppel": ["py.typed", "*.pyi"], "doppel.datasketch": ["*.pyi"]},
    ext_modules=[Extension("doppel._doppel", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy", "scipy"],
    zip_safe=False,
)
