"""The measured figures the READMEs print, read back so the tests that measure them can
check them: a README table that does not match what the tools measure fails a test."""
import pathlib
import re

from vmm import PLATFORMS, REPO


def table_rows(readme: pathlib.Path, heading: str) -> list[list[str]]:
    """The body rows (cells stripped) of the first markdown table under `## heading`."""
    rows, in_section, in_table = [], False, False
    for line in readme.read_text().splitlines():
        if line.startswith("#"):
            if in_section and in_table:
                break
            in_section = line.lstrip("#").strip() == heading
            continue
        if not in_section:
            continue
        if line.startswith("|"):
            in_table = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            rows.append(cells)
        elif in_table:
            break
    if not rows:
        raise AssertionError(f"{readme}: no table under '## {heading}'")
    return rows[1:]  # without the header row


def row(rows: list[list[str]], starts_with: str) -> list[str]:
    found = [r for r in rows if r[0].startswith(starts_with)]
    assert len(found) == 1, f"one row starting with {starts_with!r} expected: {rows}"
    return found[0]


def per_board(cell: str) -> dict[str, int]:
    """'368 (goldfish), 391' -> goldfish 368, every other board 391; '91' -> 91 for all."""
    named, default = {}, None
    for m in re.finditer(r"(\d+)(?:\s*\(([^)]*)\))?", cell):
        value = int(m.group(1))
        boards = [b.strip() for b in (m.group(2) or "").split(",") if b.strip()]
        unknown = [b for b in boards if b not in PLATFORMS]
        assert not unknown, f"unknown board {unknown} in {cell!r}"
        for b in boards:
            named[b] = value
        if not boards:
            default = value
    result = {p: named.get(p, default) for p in PLATFORMS}
    assert None not in result.values(), f"{cell!r} does not give every board a figure"
    return result


def rounded(x: float) -> int:
    """Half up, as a README rounds a measured figure."""
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


TOP_README = REPO / "README.md"
UCOS_README = REPO / "ucos-port" / "README.md"
