"""tools/install-deps.sh names every Debian package a clean build and the tests use
(tools/check-deps.py: a clean copy built under strace, every file mapped to its package).
It watches what is used rather than what is installed, so extra packages on this machine
cannot hide a missing one; the second test shows it notices one that is left out."""
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
CHECK = REPO / "tools" / "check-deps.py"


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    """One traced clean build, shared by both tests (check-deps --keep reuses it)."""
    work = tmp_path_factory.mktemp("deps")
    first = subprocess.run([str(CHECK), "--keep", str(work)], capture_output=True, text=True, timeout=1500)
    yield work, first
    shutil.rmtree(work, ignore_errors=True)   # a whole build: not kept for pytest's history


def test_every_package_used_is_installed_by_install_deps(traced):
    _, result = traced
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "check-deps: complete: every package used is installed by tools/install-deps.sh" in result.stdout


@pytest.mark.parametrize("left_out,reported", [
    # The C++ headers (<compare>) and the C library headers (<string.h>) of the cross
    # compiler: Debian has them as Recommends only, which install-deps does not install.
    ("libstdc++-arm-none-eabi-dev", "libstdc++-arm-none-eabi-dev (e.g. /usr/"),
    ("libnewlib-arm-none-eabi", "libnewlib-dev (e.g. /usr/include/newlib/"),
    ("python3-matplotlib", "python3-matplotlib (e.g. /usr/lib/python3/dist-packages/matplotlib/"),
    ("cmake", "cmake (e.g. /usr/bin/cmake)"),
    # libFuzzer and the sanitizer runtimes of the fuzz build: only a Recommends of clang-14.
    ("libclang-rt-14-dev", "libclang-rt-14-dev (e.g. /usr/lib/llvm-14/lib/clang/14.0.6/"),
])
def test_a_package_left_out_of_install_deps_is_reported(traced, left_out, reported):
    work, _ = traced
    result = subprocess.run([str(CHECK), "--keep", str(work), "--omit", left_out], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert f"check-deps: used but not installed by tools/install-deps.sh: {reported}" in result.stdout, \
        result.stdout
