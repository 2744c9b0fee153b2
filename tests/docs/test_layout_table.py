"""README.md's virtual-address-layout table against xen-arm/include/layout.hh.

layout.hh is the definition: every Region it defines must have one row in the README's
table with its range and name, the row must say "unused: <reason>" with layout.hh's
reason exactly when the region is marked unused, and the table may list nothing
layout.hh does not define. Host only (no QEMU).
"""
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
LAYOUT = REPO / "xen-arm" / "include" / "layout.hh"
README = REPO / "README.md"

REGION = re.compile(r"inline constexpr Region (k\w+)\{(.*?)\};", re.S)
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
ROW = re.compile(r"^\|\s*(0x[0-9A-F]{8})-(0x[0-9A-F]{8})\s*\|\s*([A-Z_]+)[^|]*\|\s*(.*?)\s*\|$")


def split_fields(body: str) -> list[str]:
    """The initializer's fields, split at commas outside string literals."""
    fields, current, in_string, escaped = [], "", False, False
    for ch in body:
        if in_string:
            current += ch
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
            current += ch
        elif ch == ",":
            fields.append(current.strip())
            current = ""
        else:
            current += ch
    if current.strip():
        fields.append(current.strip())
    return fields


def number(expr: str) -> int:
    expr = expr.replace("MiB", str(1 << 20)).replace("KiB", str(1 << 10))
    if not re.fullmatch(r"[0-9a-fA-FxX*+\- ()]+", expr):
        raise ValueError(f"unexpected expression in layout.hh: {expr}")
    return int(eval(expr))  # only numbers and + - * ( ), checked above


def layout_regions() -> dict[str, tuple[int, int, str | None]]:
    """name -> (start, size, unused reason or None)."""
    regions = {}
    for _, body in REGION.findall(LAYOUT.read_text()):
        fields = split_fields(body)
        name = STRING.fullmatch(fields[0]).group(1)
        unused = "".join(STRING.findall(fields[4])) if len(fields) > 4 else None
        regions[name] = (number(fields[1]), number(fields[2]), unused)
    return regions


def readme_rows() -> dict[str, tuple[int, int, str]]:
    text = README.read_text()
    section = text.split("## The virtual address layout", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = ROW.match(line.strip())
        if m:
            assert m.group(3) not in rows, f"{m.group(3)} listed twice"
            rows[m.group(3)] = (int(m.group(1), 16), int(m.group(2), 16), m.group(4))
    return rows


def test_layout_defines_the_regions():
    regions = layout_regions()
    assert {"DIRECTMAP", "IOREMAP", "PERDOMAIN", "MAPCACHE", "GUEST_KERNEL", "RO_MPT"} <= regions.keys()
    assert regions["DIRECTMAP"][2] is None
    assert regions["FRAMETABLE"][2] is None  # the VMM's uncached alias of its RAM
    assert regions["RO_MPT"][2]


def test_every_region_has_its_row():
    rows = readme_rows()
    for name, (start, size, unused) in layout_regions().items():
        assert name in rows, f"README's layout table has no row for {name}"
        row_start, row_end, use = rows[name]
        assert (row_start, row_end) == (start, start + size - 1), f"{name}: README's range differs from layout.hh"
        if unused is None:
            assert not use.startswith("unused"), f"{name} is in use (layout.hh) but README says {use!r}"
        else:
            assert use == f"unused: {unused}", f"{name}: README should say 'unused: {unused}'"


def test_readme_lists_only_layout_regions():
    extra = readme_rows().keys() - layout_regions().keys()
    assert not extra, f"README's layout table lists regions layout.hh does not define: {sorted(extra)}"
