"""The Makefile's board table (read by make, tools/run-qemu.sh and tools/board_table.py)
says what each board's own board_config.hh says, and names exactly the boards the VMM has
a folder for, so the table and the VMM cannot drift apart."""
import pathlib
import re
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import board_table  # noqa: E402

UNITS = {"KiB": 1024, "MiB": 1024 * 1024}


def config_value(text: str, field: str) -> int:
    """A .field = EXPR of board::Config, EXPR a number or a product with KiB/MiB."""
    m = re.search(rf"\.{field}\s*=\s*([^,}}]+)", re.sub(r"//[^\n]*", "", text))
    assert m, field
    value = 1
    for factor in m.group(1).split("*"):
        factor = factor.strip()
        value *= UNITS[factor] if factor in UNITS else int(factor, 0)
    return value


def test_the_table_names_every_board_folder():
    folders = sorted(p.parent.name for p in (REPO / "xen-arm" / "board").glob("*/board_config.hh"))
    assert sorted(board_table.PLATFORMS) == folders


@pytest.mark.parametrize("name", board_table.PLATFORMS)
def test_the_table_agrees_with_board_config(name):
    board = board_table.BOARDS[name]
    text = (REPO / "xen-arm" / "board" / name / "board_config.hh").read_text()
    assert re.search(rf'\.name\s*=\s*"{name}"', text)
    assert config_value(text, "ram_base") == board.ram_base
    assert config_value(text, "ram_size") == board.ram_mib * UNITS["MiB"]


@pytest.mark.parametrize("name", board_table.PLATFORMS)
def test_make_and_run_qemu_read_the_same_row(name, tmp_path):
    board = board_table.BOARDS[name]
    out = subprocess.run(["make", "--no-print-directory", "-s", "-C", str(REPO), "-f", "Makefile", "-f", "-",
                          f"PLATFORM={name}", "show"],
                         input="show:\n\t@echo $(PLATFORMS) $(RAM_BASE)\n", capture_output=True, text=True,
                         check=True).stdout.split()
    assert out[:-1] == list(board_table.PLATFORMS)
    assert int(out[-1], 0) == board.ram_base
    # tools/run-qemu.sh with a stand-in QEMU that prints its options.
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    args = subprocess.run([str(REPO / "tools" / "run-qemu.sh"), "--test", name, str(image)],
                          env={"QEMU": "/bin/echo", "PATH": "/usr/bin:/bin"}, capture_output=True,
                          text=True, check=True).stdout.split()
    assert args[:4] == ["-M", board.qemu_machine, "-m", f"{board.ram_mib}M"]


def test_an_unknown_board_is_refused_with_the_list(tmp_path):
    image = tmp_path / "image.elf"
    image.write_bytes(b"")
    proc = subprocess.run([str(REPO / "tools" / "run-qemu.sh"), "--test", "n900", str(image)],
                          env={"QEMU": "/bin/echo", "PATH": "/usr/bin:/bin"}, capture_output=True, text=True)
    assert proc.returncode == 1
    assert f"unknown platform 'n900' ({', '.join(board_table.PLATFORMS)})" in proc.stderr
