"""Folder READMEs against what exists, so they stay true as files come and go.

- xen-arm/README.md names every source file of xen-arm/core, include, arch/arm and each
  board folder, and every board;
- hypercalls/README.md's domctl table lists every domctl command of
  hypercalls/xen-arm/domctl.h with the header's number, and nothing else;
- tests/README.md names every test file (and fuzz target, pytest helper) and every make
  target that runs or builds tests.
Host only (no QEMU).
"""
import pathlib
import re

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
VMM = REPO / "xen-arm"
TESTS = REPO / "tests"


def vmm_sources() -> list[str]:
    files = []
    for folder in ("core", "include", "arch/arm"):
        files += [p.name for p in sorted((VMM / folder).iterdir()) if p.is_file()]
    for board in sorted((VMM / "board").iterdir()):
        files += [p.name for p in sorted(board.iterdir()) if p.is_file()]
    return sorted(set(files))


@pytest.mark.parametrize("name", vmm_sources())
def test_vmm_readme_names_every_file(name):
    assert f"`{name}`" in (VMM / "README.md").read_text() or re.search(
        rf"`[^`]*\b{re.escape(name)}`", (VMM / "README.md").read_text()), f"xen-arm/README.md does not name {name}"


def test_vmm_readme_names_every_board():
    text = (VMM / "README.md").read_text()
    for board in sorted(p.name for p in (VMM / "board").iterdir() if p.is_dir()):
        assert f"`{board}`" in text, f"xen-arm/README.md does not name board {board}"


DOMCTL = re.compile(r"^#define\s+((?:XEN|XA)_DOMCTL_\w+)\s+(\d+)U?\s*$")
DOMCTL_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*`((?:XEN|XA)_DOMCTL_\w+)`\s*\|")


def test_hypercalls_readme_domctl_table():
    header = {}
    for line in (REPO / "hypercalls" / "xen-arm" / "domctl.h").read_text().splitlines():
        m = DOMCTL.match(line.strip())
        if m and m.group(1) != "XA_DOMCTL_INTERFACE_VERSION":
            header[m.group(1)] = int(m.group(2))
    assert {"XA_DOMCTL_getconfig", "XA_DOMCTL_getdevice", "XEN_DOMCTL_createdomain"} <= header.keys()
    table = {}
    for line in (REPO / "hypercalls" / "README.md").read_text().splitlines():
        m = DOMCTL_ROW.match(line.strip())
        if m:
            table[m.group(2)] = int(m.group(1))
    assert table == header


def files_under_tests() -> list[str]:
    names = []
    for p in sorted(TESTS.rglob("*")):
        rel = p.relative_to(TESTS)
        if not p.is_file() or rel.parts[0] in ("__pycache__",) or "__pycache__" in rel.parts:
            continue
        if rel.parts[0] == "fuzz" and len(rel.parts) > 2:
            continue  # corpus, dict, shim: fuzz/README.md's
        if re.fullmatch(r"(test_|fuzz_|fake_).*\.(py|cc|c|hh)|[a-z_]+\.py|abi_c_check\.c|cpu\.hh", p.name):
            names.append(p.name)
    return sorted(set(names))


@pytest.mark.parametrize("name", files_under_tests())
def test_tests_readme_names_every_file(name):
    assert f"`{name}`" in (TESTS / "README.md").read_text() or re.search(
        rf"`[^`]*{re.escape(name)}`", (TESTS / "README.md").read_text()), f"tests/README.md does not name {name}"


TEST_TARGET = re.compile(r"test|fuzz|attack|soak|bench|coherence")


def make_targets() -> list[str]:
    targets = set()
    for mk in [REPO / "Makefile", *REPO.glob("*/build.mk"), *REPO.glob("*/*/build.mk")]:
        if "build" in mk.relative_to(REPO).parts[:1]:
            continue
        for line in mk.read_text().splitlines():
            m = re.match(r"^([a-z][a-z0-9-]*)\s*:(?!=)", line)
            if m and TEST_TARGET.search(m.group(1)):
                targets.add(m.group(1))
    return sorted(targets)


def test_make_targets_found():
    assert {"host-test", "system-test", "fuzz-short", "store-test"} <= set(make_targets())


@pytest.mark.parametrize("target", make_targets())
def test_tests_readme_names_every_make_target(target):
    assert f"`make {target}`" in (TESTS / "README.md").read_text(), f"tests/README.md does not name make {target}"
