"""Shared pytest fixtures: where the project's QEMU and build outputs are."""
import os
import pathlib
import subprocess

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
