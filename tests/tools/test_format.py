"""Every tracked C and C++ file follows the .clang-format nearest to it (tools/format.sh)."""
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_tree_follows_clang_format():
    if shutil.which("clang-format-14") is None:
        pytest.fail("clang-format-14 missing: tools/install-deps.sh test installs it")
    r = subprocess.run([str(ROOT / "tools/format.sh"), "--check"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_reports_a_misformatted_file(tmp_path):
    # The check must be able to fail: a copy of the tree's style, a badly laid-out file.
    shutil.copy(ROOT / ".clang-format", tmp_path / ".clang-format")
    src = tmp_path / "bad.cc"
    src.write_text("int  f( int x ){return x+1;}\n")
    r = subprocess.run(["clang-format-14", "--style=file", "--dry-run", "--Werror", str(src)],
                       capture_output=True, text=True)
    assert r.returncode != 0
