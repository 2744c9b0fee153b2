"""Moving a guest kernel into its kernel window (hypercalls/xen-arm/start_info.h).

Every domain's kernel runs in a 64 MiB window of its own, so that no two domains map the
same virtual address and a switch between them needs no cache flush on the ARM926's
virtually indexed, virtually tagged caches. Kernels are linked for window 0 (0xC0000000)
with their relocations kept (`-Wl,-q`); domain N's copy is moved into window N here:

- every R_ARM_ABS32 / R_ARM_TARGET1 word whose symbol is defined in a section (an address
  inside the image) gets the window's offset added; words against absolute or undefined
  symbols stay as they are, and an absolute symbol whose value lies inside the image (a
  linker-script label outside every output section) is refused: its uses would not move;
- PC-relative relocations (calls, branches, PREL31 unwind entries, REL32) need nothing:
  the whole image moves;
- any other relocation type in a loaded section is refused, naming it;
- the ELF entry and the PT_LOAD segments' addresses move by the same offset.

A kernel linked without its relocations cannot be moved: it keeps its link address and
shares window 0 with dom0 (the VMM then cleans the caches on switches between the two).
"""
from __future__ import annotations

import pathlib
import re
import struct

ELF_HEADER = struct.Struct("<16sHHIIIIIHHHHHH")
PROGRAM_HEADER = struct.Struct("<IIIIIIII")
SECTION_HEADER = struct.Struct("<IIIIIIIIII")
SYMBOL = struct.Struct("<IIIBBH")
REL = struct.Struct("<II")
PT_LOAD, SHT_RELA, SHT_REL, SHT_NOBITS, SHF_ALLOC = 1, 4, 9, 8, 2
SHN_UNDEF, SHN_ABS, SHN_COMMON = 0, 0xFFF1, 0xFFF2

R_ARM_ABS32, R_ARM_TARGET1 = 2, 38
# Relative to the place: unchanged when the whole image moves.
PC_RELATIVE = {0: "R_ARM_NONE", 1: "R_ARM_PC24", 3: "R_ARM_REL32", 10: "R_ARM_THM_CALL", 28: "R_ARM_CALL",
               29: "R_ARM_JUMP24", 30: "R_ARM_THM_JUMP24", 40: "R_ARM_V4BX", 42: "R_ARM_PREL31"}

START_INFO_H = pathlib.Path(__file__).resolve().parents[2] / "hypercalls" / "xen-arm" / "start_info.h"


def _abi_constant(name: str) -> int:
    m = re.search(rf"^#define {name} (0x[0-9A-Fa-f]+|\d+)U?\b", START_INFO_H.read_text(), re.M)
    if m is None:
        raise RuntimeError(f"{START_INFO_H}: no #define {name}")
    return int(m.group(1), 0)


KERNEL_BASE = _abi_constant("XA_GUEST_KERNEL_BASE")
WINDOW_SIZE = _abi_constant("XA_WINDOW_SIZE")
WINDOW_COUNT = _abi_constant("XA_WINDOW_COUNT")
# What a window holds below its device and VMM-provided MiBs: the domain's memory.
WINDOW_MEMORY = _abi_constant("XA_PASSTHROUGH_OFFSET")


def window_base(window: int) -> int:
    return KERNEL_BASE + window * WINDOW_SIZE


class Relocation:
    """A kernel ELF's loaded segments and the relocations into them, read once."""

    def __init__(self, data: bytes):
        self.data = data
        e = ELF_HEADER.unpack_from(data)
        self.entry, phoff, shoff, phnum = e[4], e[5], e[6], e[10]
        shentsize, shnum = e[11], e[12]
        self.loads = [p for p in (PROGRAM_HEADER.unpack_from(data, phoff + i * PROGRAM_HEADER.size)
                                  for i in range(phnum)) if p[0] == PT_LOAD]
        self.sections = []
        if shoff and shentsize == SECTION_HEADER.size and shoff + shnum * shentsize <= len(data):
            self.sections = [SECTION_HEADER.unpack_from(data, shoff + i * shentsize) for i in range(shnum)]

    @property
    def lo(self) -> int:
        return min(p[2] for p in self.loads)

    @property
    def hi(self) -> int:
        return max(p[2] + p[5] for p in self.loads)

    def symbol_name(self, symtab: tuple, st_name: int) -> str:
        if symtab[6] >= len(self.sections):  # sh_link: its string table
            return "?"
        strtab = self.sections[symtab[6]]
        start = strtab[4] + st_name
        end = self.data.find(b"\0", start, strtab[4] + strtab[5])
        return self.data[start:end if end >= 0 else start].decode(errors="replace") or "?"

    def relocation_sections(self) -> list[tuple]:
        """The SHT_REL(A) sections that apply to loaded sections with file bytes."""
        out = []
        for s in self.sections:
            if s[1] not in (SHT_REL, SHT_RELA) or s[7] >= len(self.sections):
                continue
            target = self.sections[s[7]]
            if target[2] & SHF_ALLOC and target[1] != SHT_NOBITS:
                out.append(s)
        return out

    def link_window(self) -> int | None:
        """The window every loaded byte lies in, or None."""
        lo = min(p[2] for p in self.loads)
        hi = max(p[2] + p[5] for p in self.loads)
        if lo < KERNEL_BASE:
            return None
        w = (lo - KERNEL_BASE) // WINDOW_SIZE
        return w if hi <= window_base(w) + WINDOW_MEMORY else None

    def words_to_move(self) -> tuple[list[int], str | None]:
        """File offsets of the words that hold addresses inside the image; or a problem."""
        offsets = []
        for rel in self.relocation_sections():
            if rel[1] == SHT_RELA:
                return [], "has RELA relocations, which ARM kernels do not use: cannot relocate it"
            target = self.sections[rel[7]]
            symtab = self.sections[rel[6]] if rel[6] < len(self.sections) else None
            if symtab is None:
                return [], "has relocations without a symbol table: cannot relocate it"
            for i in range(rel[5] // REL.size):
                r_offset, r_info = REL.unpack_from(self.data, rel[4] + i * REL.size)
                rtype, sym = r_info & 0xFF, r_info >> 8
                if rtype in PC_RELATIVE:
                    continue
                if rtype not in (R_ARM_ABS32, R_ARM_TARGET1):
                    return [], (f"has a relocation of type {rtype} at 0x{r_offset:08x}, which the image builder "
                                "cannot move into another window")
                st_name, st_value, _, _, _, shndx = SYMBOL.unpack_from(self.data, symtab[4] + sym * SYMBOL.size)
                if shndx == SHN_ABS and self.lo <= st_value < self.hi:
                    # A linker-script label defined outside every output section: its uses
                    # would keep pointing into window 0.
                    return [], (f"refers to the absolute symbol {self.symbol_name(symtab, st_name)} "
                                f"(0x{st_value:08x}) inside the image, which would not move: define it "
                                "inside an output section of the linker script")
                if shndx in (SHN_UNDEF, SHN_ABS, SHN_COMMON):
                    continue
                at = target[4] + (r_offset - target[3])
                if not target[3] <= r_offset <= target[3] + target[5] - 4:
                    return [], f"has a relocation at 0x{r_offset:08x} outside the section it applies to"
                offsets.append(at)
        return offsets, None


def relocate(data: bytes, window: int) -> tuple[bytes, int, str | None]:
    """data (a checked kernel ELF, linked for window 0) moved into `window`: (the new ELF,
    the words moved, None), or (data, 0, None) if it has no relocations to move it with, or
    (data, 0, the problem)."""
    if window == 0:
        return data, 0, None
    if not 0 < window < WINDOW_COUNT:
        return data, 0, f"cannot go to kernel window {window} (there are {WINDOW_COUNT})"
    r = Relocation(data)
    if not r.relocation_sections():
        return data, 0, None
    if r.link_window() != 0:
        return data, 0, (f"is not linked inside kernel window 0 (0x{KERNEL_BASE:08x}.."
                         f"0x{KERNEL_BASE + WINDOW_MEMORY - 1:08x}): cannot relocate it")
    words, problem = r.words_to_move()
    if problem:
        return data, 0, problem
    delta = window * WINDOW_SIZE
    out = bytearray(data)
    for at in words:
        (value,) = struct.unpack_from("<I", out, at)
        struct.pack_into("<I", out, at, (value + delta) & 0xFFFFFFFF)
    e = list(ELF_HEADER.unpack_from(out))
    e[4] += delta  # entry
    ELF_HEADER.pack_into(out, 0, *e)
    phoff, phnum = e[5], e[10]
    for i in range(phnum):
        p = list(PROGRAM_HEADER.unpack_from(out, phoff + i * PROGRAM_HEADER.size))
        if p[0] != PT_LOAD:
            continue
        if p[3] == p[2]:
            p[3] += delta
        p[2] += delta
        PROGRAM_HEADER.pack_into(out, phoff + i * PROGRAM_HEADER.size, *p)
    return bytes(out), len(words), None
