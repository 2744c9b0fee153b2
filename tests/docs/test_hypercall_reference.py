"""docs/hypercalls.md against the guest ABI headers (hypercalls/xen-arm/*.h).

The headers are the definition: every hypercall number (XA_HYPERCALL_*) and every
sub-command number of the families below must appear in the reference with the header's
number, and the reference may list nothing the headers do not define. Host only (no QEMU).
"""
import pathlib
import re

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
HEADERS = REPO / "hypercalls" / "xen-arm"
REFERENCE = REPO / "docs" / "hypercalls.md"

# Sub-command families: header, and a pattern for the command macros' names (limits and
# sizes that share a prefix, such as XA_CONSOLEIO_MAX, are not commands).
FAMILIES = {
    "memory.h": r"MMU_NORMAL_PT_UPDATE|MMUEXT_\w+|XA_MMUEXT_SYNC_ICACHE",
    "event_channel.h": r"EVTCHNOP_\w+",
    "console.h": r"CONSOLEIO_\w+|XA_CONSOLEIO_write_raw|XENVER_\w+",
    "grant_table.h": r"GNTTABOP_\w+",
    "vcpu.h": r"VCPUOP_\w+",
    "sched.h": r"SCHEDOP_\w+",
    "physdev.h": r"PHYSDEVOP_\w+",
    "domctl.h": r"XEN_DOMCTL_\w+|XA_DOMCTL_(?!INTERFACE_VERSION$)\w+",
}

DEFINE = re.compile(r"^#define\s+(\w+)\s+\(?(0x[0-9a-fA-F]+|\d+)U?\)?\s*(?:/\*.*)?$")
# A reference table row: | number | `name` | ...
ROW = re.compile(r"^\|\s*(0x[0-9a-fA-F]+|\d+)\s*\|\s*`(\w+)`\s*\|")


def header_defines(name: str) -> dict[str, int]:
    found = {}
    for line in (HEADERS / name).read_text().splitlines():
        m = DEFINE.match(line.strip())
        if m:
            found[m.group(1)] = int(m.group(2), 0)
    return found


def header_hypercalls() -> dict[str, int]:
    return {name.removeprefix("XA_HYPERCALL_"): number
            for name, number in header_defines("hypercall.h").items()
            if name.startswith("XA_HYPERCALL_") and name != "XA_HYPERCALL_COUNT"}


def header_subcommands() -> dict[str, int]:
    found = {}
    for header, pattern in FAMILIES.items():
        for name, number in header_defines(header).items():
            if re.fullmatch(pattern, name) and name not in ("XA_CONSOLEIO_MAX", "XA_MMUEXT_MAX_BATCH",
                                                             "XA_MMUEXT_SYNC_MAX"):
                found[name] = number
    return found


def reference_rows() -> tuple[dict[str, int], dict[str, int]]:
    """(hypercalls, sub-commands) as the reference lists them: rows of the '## Hypercalls'
    table, and rows of every table under '## Sub-commands'."""
    section = None
    hypercalls, subcommands = {}, {}
    for line in REFERENCE.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        m = ROW.match(line)
        if not m:
            continue
        number, name = int(m.group(1), 0), m.group(2)
        table = hypercalls if section == "Hypercalls" else subcommands if section == "Sub-commands" else None
        assert table is not None, f"a numbered row outside the two sections: {line}"
        assert name not in table, f"{name} listed twice"
        table[name] = number
    return hypercalls, subcommands


def compare(kind: str, headers: dict[str, int], reference: dict[str, int]) -> list[str]:
    problems = [f"{kind} {n} = {v} is missing from {REFERENCE.name}" for n, v in headers.items()
                if n not in reference]
    problems += [f"{kind} {n} is in {REFERENCE.name} but not in the headers" for n in reference
                 if n not in headers]
    problems += [f"{kind} {n}: {REFERENCE.name} says {reference[n]}, the headers {headers[n]}"
                 for n in reference if n in headers and reference[n] != headers[n]]
    return problems


def test_the_headers_parse():
    """A guard against a parser that silently finds nothing."""
    calls = header_hypercalls()
    assert calls["set_trap_table"] == 0 and calls["trace_marker"] == 50 and len(calls) >= 16
    subs = header_subcommands()
    assert subs["EVTCHNOP_unmask"] == 9 and subs["XA_MMUEXT_SYNC_ICACHE"] == 0x100
    assert "XA_CONSOLEIO_MAX" not in subs


def test_every_hypercall_is_listed_with_its_number():
    hypercalls, _ = reference_rows()
    assert compare("hypercall", header_hypercalls(), hypercalls) == []


def test_every_subcommand_is_listed_with_its_number():
    _, subcommands = reference_rows()
    assert compare("sub-command", header_subcommands(), subcommands) == []


def test_every_listed_hypercall_below_the_table_size():
    count = header_defines("hypercall.h")["XA_HYPERCALL_COUNT"]
    hypercalls, _ = reference_rows()
    assert all(n < count for n in hypercalls.values()), hypercalls


@pytest.mark.parametrize("wrong", ["missing", "extra", "renumbered"])
def test_the_check_catches_mistakes(wrong):
    """compare() reports each kind of disagreement (so a passing run means something)."""
    headers = {"a": 1, "b": 2}
    reference = {"missing": {"a": 1}, "extra": {"a": 1, "b": 2, "c": 3},
                 "renumbered": {"a": 1, "b": 5}}[wrong]
    assert len(compare("hypercall", headers, reference)) == 1
