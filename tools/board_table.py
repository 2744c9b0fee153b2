"""The board table of the top-level Makefile, for the Python tools and tests: which boards
there are, where their RAM is and how big it is, which QEMU machine runs them. The
Makefile's `PLATFORMS :=` line lists the boards and each has one row

    board.<name> := RAM_BASE RAM_MIB QEMU_MACHINE

(make, tools/run-qemu.sh and this module read the same lines, so they cannot disagree)."""
import dataclasses
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[1]
MAKEFILE = REPO / "Makefile"


@dataclasses.dataclass(frozen=True)
class Board:
    name: str
    ram_base: int
    ram_mib: int
    qemu_machine: str

    @property
    def ram_base_arg(self) -> str:
        """The RAM base as mkimage.py's --ram-base takes it."""
        return f"0x{self.ram_base:X}"


def read(path: pathlib.Path = MAKEFILE) -> dict[str, Board]:
    text = path.read_text()
    listed = re.search(r"^PLATFORMS\s*:=\s*(.*?)\s*$", text, re.M)
    if listed is None:
        raise ValueError(f"{path}: no PLATFORMS line")
    rows = dict(re.findall(r"^board\.([\w-]+)\s*:=\s*(.*?)\s*$", text, re.M))
    boards = {}
    for name in listed.group(1).split():
        fields = rows.get(name, "").split()
        if len(fields) != 3:
            raise ValueError(f"{path}: board.{name} is not 'RAM_BASE RAM_MIB QEMU_MACHINE'")
        boards[name] = Board(name, int(fields[0], 0), int(fields[1]), fields[2])
    return boards


BOARDS = read()
PLATFORMS = tuple(BOARDS)
