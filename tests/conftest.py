"""Shared pytest fixtures: where the project's QEMU and build outputs are; which µC/OS-II
kernel the µC/OS-II tests run against (--ucos-src)."""
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent


def qemu_binary() -> str:
    """The project's qemu-system-arm: $QEMU if set, else the cached build."""
    path = os.environ.get("QEMU")
    if not path:
        path = subprocess.check_output(
            [str(REPO / "goldfish" / "build-qemu.sh"), "--path"], text=True
        ).strip()
    if not os.access(path, os.X_OK):
        pytest.exit(f"qemu-system-arm not built at {path}: run 'make qemu' first", returncode=2)
    return path


@pytest.fixture(scope="session")
def qemu() -> str:
    return qemu_binary()


@pytest.fixture(scope="session")
def repo() -> pathlib.Path:
    return REPO


# ---- the µC/OS-II kernel under test (tests/system/test_ucos_common.py) ----

def pytest_addoption(parser):
    parser.addoption(
        "--ucos-src", metavar="PATH", default=None,
        help="run the µC/OS-II tests against the uC-OS2 sources at PATH (built into build/ucos-src-<hash>); "
             "default: $UCOS_SRC, else the compatible kernel in ucos-port/kernel")


def pytest_configure(config):
    """--ucos-src wins over $UCOS_SRC; either is checked here, so a wrong tree stops the run
    instead of the tests quietly using the compatible kernel."""
    src = config.getoption("--ucos-src")
    if src is not None:
        os.environ["UCOS_SRC"] = src
    if str(REPO / "tests" / "system") not in sys.path:
        sys.path.append(str(REPO / "tests" / "system"))
    import test_ucos_common as ucos  # (needs the path above)
    if (path := ucos.kernel_src()) is not None:
        if (why := ucos.check_kernel_src(path)) is not None:
            raise pytest.UsageError(f"--ucos-src/UCOS_SRC: {why}")
        os.environ["UCOS_SRC"] = str(path)


def _ucos_line() -> str:
    import test_ucos_common as ucos
    return f"µC/OS-II kernel: {ucos.kernel_description()}"


def pytest_report_header(config):
    return _ucos_line()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if any("test_ucos_" in r.nodeid for rs in terminalreporter.stats.values() for r in rs if hasattr(r, "nodeid")):
        terminalreporter.write_line(_ucos_line())
