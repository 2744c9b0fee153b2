#!/usr/bin/python3
"""Builds a bootable xen-arm system image: the VMM's ELF plus a boot image holding the
domains of one configuration file (domains/*.cfg) and their kernels.

    mkimage.py --vmm build/goldfish/xen-arm.elf --config domains/bench3.cfg \\
               --kernel-dir build/minios/pv --board goldfish --ram-base 0x0 \\
               -o build/goldfish/images/bench3.elf [--depfile FILE]
    mkimage.py --check --config domains/bench3.cfg [--kernel-dir DIR] [--board B]

The boot image format is xen-arm/include/boot_image.hh; this script reads its constants
and struct layouts from that header (and DIRECTMAP from layout.hh) every time it runs, so
the two cannot drift apart. See domains/README.md for the configuration format.

Kernels are packed as minimal ELF files (ELF header, PT_LOAD program headers and bytes)
and identical ones once; ramdisks go in whole 4 KiB frames (domains/README.md).

Exit status: 0 success, 1 a configuration, kernel, ramdisk or VMM error (nothing is written),
2 a usage error or an unreadable/unparsable header. Python 3 standard library only.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import operator
import os
import pathlib
import re
import struct
import sys
import tempfile
import zlib

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
INCLUDE = REPO / "xen-arm" / "include"
BOARDS = REPO / "xen-arm" / "board"
ELFNOTE_H = REPO / "hypercalls" / "xen-arm" / "elfnote.h"

ELF_HEADER = struct.Struct("<16sHHIIIIIHHHHHH")  # Elf32_Ehdr, 52 bytes
PROGRAM_HEADER = struct.Struct("<IIIIIIII")      # Elf32_Phdr, 32 bytes
SECTION_HEADER_SIZE = 40                         # sizeof(Elf32_Shdr)
ET_EXEC, EM_ARM, PT_LOAD, PF_R = 2, 40, 1, 4
SHT_NOTE = 7
PAGE = 4096


class FormatError(Exception):
    """boot_image.hh (or layout.hh) is not what this script knows how to read."""


class Failure(Exception):
    """A problem with an input file; the messages are printed as they are."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


# =========================================================================================
# The boot image format, read from the C++ headers
# =========================================================================================

_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.LShift: operator.lshift, ast.RShift: operator.rshift,
           ast.BitOr: operator.or_, ast.BitAnd: operator.and_}


def _evaluate(expr: str, names: dict[str, int], where: str) -> int:
    """Value of a C++ integer constant expression such as `4 * MiB` or `1u << 1`."""
    text = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", expr.strip()).replace("'", "")

    def value(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and node.id in names:
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](value(node.left), value(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            return ~value(node.operand) & 0xFFFFFFFF
        raise FormatError(f"{where}: cannot evaluate '{expr.strip()}'")

    try:
        return value(ast.parse(text, mode="eval").body)
    except SyntaxError:
        raise FormatError(f"{where}: cannot evaluate '{expr.strip()}'") from None


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)


_CTYPE_SIZE = {"u8": 1, "char": 1, "u16": 2, "u32": 4, "u64": 8}


@dataclasses.dataclass
class Field:
    name: str
    ctype: str
    count: int | None   # None: a scalar; n: an array of n
    offset: int

    @property
    def size(self) -> int:
        return _CTYPE_SIZE[self.ctype] * (self.count or 1)


@dataclasses.dataclass
class Struct:
    """A C struct of u8/u16/u32/u64/char fields, little-endian and without padding."""
    name: str
    fields: list[Field]
    size: int

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise FormatError(f"boot_image.hh: {self.name} has no field '{name}'")

    def pack(self, **values) -> bytes:
        """Every field must be given except reserved*, which are zero. A char[] field
        takes bytes, NUL-padded; they must end with a NUL if they fill the field."""
        out = bytearray(self.size)
        for f in self.fields:
            if f.name not in values:
                if f.name.startswith("reserved"):
                    continue
                raise FormatError(f"boot_image.hh: {self.name}.{f.name} is a field that "
                                  "mkimage.py does not know how to fill")
            v = values.pop(f.name)
            if f.ctype == "char":
                if len(v) > (f.count or 1) or (len(v) == f.count and not v.endswith(b"\0")):
                    raise ValueError(f"{self.name}.{f.name}: {v!r} does not fit")
                out[f.offset:f.offset + len(v)] = v
            elif f.count is None:
                out[f.offset:f.offset + f.size] = v.to_bytes(f.size, "little")
            else:
                for i, item in enumerate(v):
                    size = _CTYPE_SIZE[f.ctype]
                    out[f.offset + i * size:f.offset + (i + 1) * size] = item.to_bytes(size, "little")
        if values:
            raise FormatError(f"boot_image.hh: {self.name} has no field(s) {', '.join(values)}")
        return bytes(out)


@dataclasses.dataclass
class Format:
    """Everything mkimage.py takes from boot_image.hh and layout.hh."""
    constants: dict[str, int]
    magic: bytes
    header: Struct
    domain: Struct
    directmap_base: int
    directmap_size: int

    def __getattr__(self, name: str) -> int:   # fmt.kBootImageOffset etc.
        constants = self.__dict__.get("constants", {})
        if name in constants:
            return constants[name]
        raise AttributeError(name)

    def text_limit(self, struct_: Struct, field: str) -> int:
        """Longest string a char[] field holds (one byte is the NUL)."""
        return (struct_.field(field).count or 1) - 1


_CONSTANT = re.compile(r"inline\s+constexpr\s+(?:u8|u16|u32|u64|int|unsigned)\s+(\w+)\s*=\s*([^;]+);")


def _constants(text: str, names: dict[str, int], where: str) -> dict[str, int]:
    found = {}
    for name, expr in _CONSTANT.findall(text):
        found[name] = names[name] = _evaluate(expr, names, f"{where}: {name}")
    return found


def load_format(include: pathlib.Path = INCLUDE) -> Format:
    names: dict[str, int] = {}
    try:
        types_text = _strip_comments((include / "types.hh").read_text())
        header_text = _strip_comments((include / "boot_image.hh").read_text())
        layout_text = _strip_comments((include / "layout.hh").read_text())
    except OSError as e:
        raise FormatError(f"cannot read {e.filename}: {e.strerror}") from None
    _constants(types_text, names, "types.hh")
    constants = _constants(header_text, names, "boot_image.hh")

    m = re.search(r"inline\s+constexpr\s+char\s+kMagic\s*\[\s*(\w+)\s*\]\s*=\s*\{([^}]*)\}\s*;", header_text)
    if not m:
        raise FormatError("boot_image.hh: no kMagic")
    chars = re.findall(r"'(\\0|\\x[0-9a-fA-F]{2}|[^'\\])'", m.group(2))
    magic = bytes(0 if c == "\\0" else int(c[2:], 16) if c.startswith("\\x") else ord(c) for c in chars)
    if len(magic) != _evaluate(m.group(1), names, "boot_image.hh: kMagic"):
        raise FormatError("boot_image.hh: kMagic's length differs from its initializer")

    structs = {}
    for sname, body in re.findall(r"\bstruct\s+(\w+)\s*\{([^}]*)\}\s*;", header_text):
        fields, offset = [], 0
        for decl in filter(None, (d.strip() for d in body.split(";"))):
            fm = re.fullmatch(r"(\w+)\s+(\w+)\s*(?:\[([^\]]+)\])?", decl)
            if not fm or fm.group(1) not in _CTYPE_SIZE:
                raise FormatError(f"boot_image.hh: struct {sname}: cannot read '{decl}'")
            where = f"boot_image.hh: {sname}.{fm.group(2)}"
            count = _evaluate(fm.group(3), names, where) if fm.group(3) else None
            f = Field(fm.group(2), fm.group(1), count, offset)
            if offset % _CTYPE_SIZE[f.ctype]:
                raise FormatError(f"boot_image.hh: {sname}.{f.name} would need padding")
            fields.append(f)
            offset += f.size
        structs[sname] = Struct(sname, fields, offset)
    asserts = re.findall(r"static_assert\s*\(\s*sizeof\s*\(\s*(\w+)\s*\)\s*==\s*([^);,]+)", header_text)
    for sname, expected in asserts:
        if sname in structs and structs[sname].size != _evaluate(expected, names, f"sizeof({sname})"):
            raise FormatError(f"boot_image.hh: fields of {sname} add up to {structs[sname].size} bytes, "
                              f"the header asserts {expected.strip()}")

    m = re.search(r"kDirectMap\s*\{\s*\"DIRECTMAP\"\s*,\s*([^,]+),\s*([^,]+),", layout_text)
    if not m:
        raise FormatError("layout.hh: no kDirectMap")
    base = _evaluate(m.group(1), names, "layout.hh: kDirectMap.start")
    size = _evaluate(m.group(2), names, "layout.hh: kDirectMap.size")

    needed = ("kBootImageOffset", "kBootImageMaxSize", "kVersion", "kMaxDomains",
              "kDomPrivileged", "kDomAutostart", "kDomFlagsMask", "kRamdiskSectorSize",
              "kRamdiskMaxSize", "kRamdiskAlign", "kSchedCount", *SCHEDULERS.values(),
              "kMemoryGranuleKb", "kMemoryMinKb", "kMemoryMaxKb", "kTimesliceMinUs", "kTimesliceMaxUs",
              "kPriorityMax", "kTimesliceDefaultUs", "kPriorityDefault")
    missing = [n for n in needed if n not in constants] + \
              [s for s in ("BootImageHeader", "BootDomain") if s not in structs]
    if missing:
        raise FormatError(f"boot_image.hh: missing {', '.join(missing)}")
    fmt = Format(constants, magic, structs["BootImageHeader"], structs["BootDomain"], base, size)
    if fmt.kBootImageOffset + fmt.kBootImageMaxSize > size:
        raise FormatError("boot_image.hh: the boot image would end outside DIRECTMAP")
    return fmt


def known_boards() -> list[str]:
    """The boards of the top-level Makefile's PLATFORMS (empty if it cannot be read)."""
    try:
        m = re.search(r"^PLATFORMS\s*:?=\s*(.*)$", (REPO / "Makefile").read_text(), re.M)
    except OSError:
        return []
    return m.group(1).split() if m else []


def board_ram_kb(board: str) -> int:
    """The board's RAM (BoardConfig.ram_size in xen-arm/board/<board>/board_config.hh)."""
    path = BOARDS / board / "board_config.hh"
    try:
        text = _strip_comments(path.read_text())
    except OSError as e:
        raise FormatError(f"cannot read {path}: {e.strerror}") from None
    m = re.search(r"\.ram_size\s*=\s*([^,}]+)", text)
    if not m:
        raise FormatError(f"{path.relative_to(REPO)}: no .ram_size")
    return _evaluate(m.group(1), {"KiB": 1024, "MiB": 1024 * 1024}, str(path.relative_to(REPO))) // 1024


@dataclasses.dataclass
class GuestNote:
    """The ELF note that marks a paravirtual guest (hypercalls/xen-arm/elfnote.h)."""
    name: bytes       # with its NUL
    type: int
    version: int      # the guest ABI version this VMM speaks


def load_guest_note(path: pathlib.Path = ELFNOTE_H) -> GuestNote:
    try:
        text = path.read_text()
    except OSError as e:
        raise FormatError(f"cannot read {e.filename}: {e.strerror}") from None
    found = dict(re.findall(r"^#define\s+(XA_ELFNOTE_NAME|XA_ELFNOTE_GUEST_ABI|XA_GUEST_ABI_VERSION)\s+(\S+)",
                            text, re.M))
    try:
        return GuestNote(found["XA_ELFNOTE_NAME"].strip('"').encode() + b"\0",
                         int(found["XA_ELFNOTE_GUEST_ABI"], 0), int(found["XA_GUEST_ABI_VERSION"], 0))
    except (KeyError, ValueError):
        raise FormatError("elfnote.h: XA_ELFNOTE_NAME, XA_ELFNOTE_GUEST_ABI or XA_GUEST_ABI_VERSION "
                          "missing or not a plain value") from None


def guest_abi_version(data: bytes, note: GuestNote) -> int | None:
    """The guest ABI version in an ELF file's guest note; None if it has none. Reads the
    section headers (the note is not loaded, so no program header covers it)."""
    if len(data) < ELF_HEADER.size:
        return None
    shoff = struct.unpack_from("<I", data, 32)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 46)
    if shentsize != SECTION_HEADER_SIZE or shoff + shnum * shentsize > len(data):
        return None
    for i in range(shnum):
        _, sh_type, _, _, offset, size = struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
        if sh_type != SHT_NOTE or offset + size > len(data):
            continue
        pos, end = offset, offset + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
            name_at = pos + 12
            desc_at = name_at + align4(namesz)
            if desc_at + descsz > end:
                break
            if data[name_at:name_at + namesz] == note.name and ntype == note.type and descsz == 4:
                return struct.unpack_from("<I", data, desc_at)[0]
            pos = desc_at + align4(descsz)
    return None


# =========================================================================================
# The configuration file
# =========================================================================================

@dataclasses.dataclass
class Value:
    text: str
    line: int


@dataclasses.dataclass
class Section:
    kind: str              # "system" or "domain"
    name: str | None       # the domain's name
    line: int
    keys: dict[str, Value] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Domain:
    id: int
    name: str
    line: int
    kernel: str = ""
    kernel_line: int = 0
    kernel_path: pathlib.Path | None = None   # None: not resolved (--check without --kernel-dir)
    kernel_shown: str = ""
    memory_kb: int = 0
    timeslice_us: int = 0       # (the defaults are the format's: parse_config)
    privileged: bool = False
    autostart: bool = True
    priority: int = 0
    cmdline: str = ""
    image: bytes = b""          # the kernel as packed: a minimal ELF (pack_kernel)
    kernel_file_size: int = 0   # the kernel file's size
    ramdisk: str = ""
    ramdisk_line: int = 0
    ramdisk_path: pathlib.Path | None = None
    ramdisk_shown: str = ""
    ramdisk_data: bytes = b""


@dataclasses.dataclass
class System:
    name: str
    boards: list[str]
    domains: list[Domain]
    scheduler: int = 0          # BootImageHeader.scheduler (kSched*)
    overcommit: bool = False    # [system] overcommit: only domains started at boot must fit
    line: int = 1               # of the [system] section (1 if there is none)


SYSTEM_KEYS = ("name", "board", "scheduler", "overcommit")
DOMAIN_KEYS = ("kernel", "memory", "timeslice", "privileged", "start", "priority", "cmdline", "ramdisk")
REQUIRED_DOMAIN_KEYS = ("kernel", "memory")
BOOLEANS = {"yes": True, "true": True, "on": True, "1": True,
            "no": False, "false": False, "off": False, "0": False}
STARTS = {"boot": True, "manual": False}
# [system] scheduler = NAME -> the boot_image.hh constant for BootImageHeader.scheduler.
SCHEDULERS = {"round-robin": "kSchedRoundRobin", "fixed-priority": "kSchedFixedPriority"}
SCHEDULER_DEFAULT = "round-robin"


class Reporter:
    def __init__(self, shown_path: str):
        self.path = shown_path
        self.problems: list[tuple[int, str]] = []

    def __call__(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    def raise_if_any(self) -> None:
        if self.problems:
            ordered = sorted(enumerate(self.problems), key=lambda p: (p[1][0], p[0]))
            raise Failure([f"{self.path}:{line}: {msg}" for _, (line, msg) in ordered])


def _split_value(rest: str) -> tuple[str | None, str | None]:
    """The value of `key = <rest>`: quoted ("..." keeps '#' and spaces) or up to '#'.
    Returns (value, problem)."""
    rest = rest.strip()
    if rest.startswith('"'):
        end = rest.find('"', 1)
        if end < 0:
            return None, "no closing '\"'"
        after = rest[end + 1:].strip()
        if after and not after.startswith("#"):
            return None, f"unexpected '{after}' after the closing '\"'"
        return rest[1:end], None
    value = rest.split("#", 1)[0].strip()
    if not value:
        return None, "no value (write key = value; \"\" for an empty string)"
    return value, None


def read_sections(text: str, report: Reporter) -> list[Section]:
    """Splits the file into sections of key = value lines; reports syntax problems,
    unknown sections and duplicate keys or sections."""
    sections: list[Section] = []
    current: Section | None = None
    in_bad_section = False
    system_line = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            in_bad_section, current = True, None
            m = re.fullmatch(r"\[([^\]]*)\]\s*(#.*)?", line)
            if not m:
                report(number, f"bad section header '{line}' (expected [system] or [domain NAME])")
                continue
            words = m.group(1).split()
            if words == ["system"]:
                if system_line:
                    report(number, f"duplicate section [system] (first on line {system_line})")
                system_line = system_line or number
                current = Section("system", None, number)
            elif words and words[0] == "domain" and len(words) == 2:
                current = Section("domain", words[1], number)
            elif words == ["domain"]:
                report(number, "[domain] needs a name: [domain NAME]")
                continue
            else:
                report(number, f"unknown section [{m.group(1).strip()}] (expected [system] or [domain NAME])")
                continue
            in_bad_section = False
            sections.append(current)
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*=(.*)", line)
        if not m:
            report(number, f"expected 'key = value', a [section] or a # comment, not '{line}'")
            continue
        key, rest = m.group(1), m.group(2)
        value, problem = _split_value(rest)
        if problem:
            report(number, f"{key}: {problem}")
            continue
        if current is None:
            if not in_bad_section:   # (the keys of a bad section were reported with it)
                report(number, f"{key}: outside any section (start with [system] or [domain NAME])")
            continue
        if key in current.keys:
            report(number, f"{key}: duplicate key (first set on line {current.keys[key].line})")
            continue
        current.keys[key] = Value(value, number)
    return sections


def _size_kb(v: Value, key: str, fmt: Format, report: Reporter) -> int | None:
    m = re.fullmatch(r"(\d+)\s*(k|kib|m|mib)", v.text, re.I)
    if not m:
        report(v.line, f"{key}: '{v.text}' is not a size: "
                       "write a whole number with a K or M suffix, e.g. 512K or 1M")
        return None
    kb = int(m.group(1)) * (1024 if m.group(2).lower().startswith("m") else 1)
    if kb % fmt.kMemoryGranuleKb:
        report(v.line, f"{key}: '{v.text}' is not a multiple of {fmt.kMemoryGranuleKb}K")
    elif kb < fmt.kMemoryMinKb:
        report(v.line, f"{key}: '{v.text}' is below the minimum {fmt.kMemoryMinKb}K")
    elif kb > fmt.kMemoryMaxKb:
        report(v.line, f"{key}: '{v.text}' is above the maximum {fmt.kMemoryMaxKb // 1024}M")
    else:
        return kb
    return None


def _time_us(v: Value, key: str, fmt: Format, report: Reporter) -> int | None:
    m = re.fullmatch(r"(\d+)\s*(us|ms)", v.text, re.I)
    if not m:
        report(v.line, f"{key}: '{v.text}' is not a time: "
                       "write a whole number with a us or ms suffix, e.g. 10ms")
        return None
    us = int(m.group(1)) * (1000 if m.group(2).lower() == "ms" else 1)
    if us < fmt.kTimesliceMinUs:
        report(v.line, f"{key}: '{v.text}' is below the minimum {fmt.kTimesliceMinUs}us")
    elif us > fmt.kTimesliceMaxUs:
        report(v.line, f"{key}: '{v.text}' is above the maximum {fmt.kTimesliceMaxUs // 1000}ms")
    else:
        return us
    return None


def _choice(v: Value, key: str, choices: dict[str, bool], wanted: str, report: Reporter) -> bool | None:
    if v.text.lower() in choices:
        return choices[v.text.lower()]
    report(v.line, f"{key}: '{v.text}' is not {wanted}")
    return None


def _text(v: Value, key: str, limit: int, report: Reporter) -> str | None:
    if any(not " " <= c <= "~" for c in v.text):
        report(v.line, f"{key}: only printable ASCII characters are allowed")
    elif len(v.text) > limit:
        report(v.line, f"{key}: {len(v.text)} bytes, the limit is {limit}")
    else:
        return v.text
    return None


def _unknown_keys(section: Section, allowed: tuple[str, ...], report: Reporter) -> None:
    where = "[system]" if section.kind == "system" else "[domain]"
    for key, v in section.keys.items():
        if key not in allowed:
            report(v.line, f"{key}: unknown key in {where} (known: {', '.join(allowed)})")


def parse_config(text: str, shown_path: str, fmt: Format, board: str | None, report: Reporter) -> System:
    """The system a configuration describes, with every rule of boot_image.hh checked
    except the kernels' and ramdisks' files (see load_kernels, load_ramdisks). Problems go
    to report."""
    sections = read_sections(text, report)
    boards_known = known_boards()

    system_name = pathlib.Path(shown_path).stem
    system_name_line = 1
    boards: list[str] = []
    scheduler = getattr(fmt, SCHEDULERS[SCHEDULER_DEFAULT])
    overcommit = False
    system_line = 1
    name_limit = fmt.text_limit(fmt.header, "system_name")
    for s in (s for s in sections if s.kind == "system"):
        _unknown_keys(s, SYSTEM_KEYS, report)
        system_line = s.line
        if "overcommit" in s.keys:
            overcommit = bool(_choice(s.keys["overcommit"], "overcommit", BOOLEANS, "yes or no", report))
        if "name" in s.keys:
            system_name_line = s.keys["name"].line
            system_name = _text(s.keys["name"], "name", name_limit, report) or "?"
            if not s.keys["name"].text:
                report(system_name_line, "name: the system name is empty")
        if "board" in s.keys:
            v = s.keys["board"]
            boards = [b.strip() for b in v.text.split(",")]
            if any(not b for b in boards):
                report(v.line, f"board: '{v.text}' is not a comma-separated list of boards")
            for b in boards:
                if b and boards_known and b not in boards_known:
                    report(v.line, f"board: '{b}' is not a board ({', '.join(boards_known)})")
            if board is not None and all(boards) and board not in boards:
                report(v.line, f"board: this system is for {', '.join(boards)}, not {board}")
        if "scheduler" in s.keys:
            v = s.keys["scheduler"]
            if v.text in SCHEDULERS:
                scheduler = getattr(fmt, SCHEDULERS[v.text])
            else:
                report(v.line, f"scheduler: '{v.text}' is not a scheduler ({', '.join(SCHEDULERS)})")
    if system_name_line == 1 and not re.fullmatch(rf"[ -~]{{1,{name_limit}}}", system_name):
        report(1, f"name: the file name '{system_name}' does not make a system name of 1..{name_limit} "
                  "printable ASCII bytes: set [system] name")

    domain_sections = [s for s in sections if s.kind == "domain"]
    name_limit = fmt.text_limit(fmt.domain, "name")
    cmdline_limit = fmt.text_limit(fmt.domain, "cmdline")
    seen: dict[str, int] = {}
    domains: list[Domain] = []
    for s in domain_sections:
        d = Domain(len(domains), s.name or "", s.line, timeslice_us=fmt.kTimesliceDefaultUs,
                   priority=fmt.kPriorityDefault)
        domains.append(d)
        if not re.fullmatch(rf"[a-z0-9_-]{{1,{name_limit}}}", d.name):
            report(s.line, f"[domain {d.name}]: bad domain name '{d.name}': "
                           f"use 1..{name_limit} characters of a-z 0-9 _ -")
        elif d.name in seen:
            report(s.line, f"[domain {d.name}]: duplicate domain name (first on line {seen[d.name]})")
        seen.setdefault(d.name, s.line)
        if len(domains) == fmt.kMaxDomains + 1:
            report(s.line, f"[domain {d.name}]: too many domains: at most {fmt.kMaxDomains}")
        _unknown_keys(s, DOMAIN_KEYS, report)
        for key in REQUIRED_DOMAIN_KEYS:
            if key not in s.keys:
                report(s.line, f"[domain {d.name}]: missing required key '{key}'")
        k = s.keys
        if "kernel" in k:
            d.kernel, d.kernel_line = k["kernel"].text, k["kernel"].line
        if "memory" in k:
            d.memory_kb = _size_kb(k["memory"], "memory", fmt, report) or 0
        if "timeslice" in k:
            d.timeslice_us = _time_us(k["timeslice"], "timeslice", fmt, report) or fmt.kTimesliceDefaultUs
        if "privileged" in k:
            d.privileged = bool(_choice(k["privileged"], "privileged", BOOLEANS, "yes or no", report))
        if "start" in k:
            d.autostart = _choice(k["start"], "start", STARTS, "boot or manual", report) is not False
        if "priority" in k:
            v = k["priority"]
            if re.fullmatch(r"\d+", v.text) and int(v.text) <= fmt.kPriorityMax:
                d.priority = int(v.text)
            else:
                report(v.line, f"priority: '{v.text}' is not a whole number in 0..{fmt.kPriorityMax}")
        if "cmdline" in k:
            d.cmdline = _text(k["cmdline"], "cmdline", cmdline_limit, report) or ""
        if "ramdisk" in k:
            d.ramdisk, d.ramdisk_line = k["ramdisk"].text, k["ramdisk"].line

        line_of = lambda key: k[key].line if key in k else s.line  # noqa: E731
        if d.id == 0:
            if "privileged" in k and not BOOLEANS.get(k["privileged"].text.lower(), True):
                report(line_of("privileged"), "privileged: the first domain (dom0) must be privileged = yes")
            elif "privileged" not in k:
                report(s.line, f"[domain {d.name}]: the first domain (dom0) must say privileged = yes")
            if "start" in k and STARTS.get(k["start"].text.lower()) is False:
                report(line_of("start"), "start: the first domain (dom0) must have start = boot")
        elif d.privileged:
            report(line_of("privileged"), "privileged: only the first domain (dom0) may be privileged")

    if not domain_sections:
        report(max(1, len(text.splitlines())),
               f"no [domain NAME] section: a system has 1..{fmt.kMaxDomains} domains")
    return System(system_name, boards, domains, scheduler, overcommit, system_line)


def check_memory(system: System, board: str, ram_kb: int, vmm_kb: int, report: Reporter) -> None:
    """The domains' memory against what the board leaves for guests: its RAM less
    DIRECTMAP, which the VMM keeps (xen-arm/core/vmm.cc gives guests the rest, and every
    domain's memory is one contiguous run of it). Every domain must fit at once, or with
    [system] overcommit = yes those started at boot, and each of the others by itself."""
    free_kb = ram_kb - vmm_kb
    have = (f"the board {board} has {_amount(free_kb)} for guests "
            f"({_amount(ram_kb)} of RAM less the VMM's {_amount(vmm_kb)})")
    total = 0
    for d in system.domains:
        if system.overcommit and not d.autostart:
            if d.memory_kb > free_kb:
                report(d.line, f"[domain {d.name}]: memory: needs {_amount(d.memory_kb)}; {have}")
            continue
        total += d.memory_kb
        if total > free_kb:
            who = "the domains started at boot need" if system.overcommit else "the domains need"
            report(d.line, f"[domain {d.name}]: memory: with {d.name}, {who} {_amount(total)} in all; "
                           f"{have}" + ("" if system.overcommit else
                                        ". Domains started by hand can take turns: [system] overcommit = yes"))
            return


def resolve_kernels(system: System, config: pathlib.Path, shown_config: str,
                    kernel_dir: str | None, required: bool, report: Reporter) -> None:
    """Finds each domain's kernel file: a bare name is <kernel-dir>/<name>.elf, a value
    with '/' a path relative to the configuration file. Without --kernel-dir, bare names
    stay unresolved (--check) or are an error (building)."""
    for d in system.domains:
        if not d.kernel_line:
            continue   # no kernel key: reported already
        if "/" in d.kernel:
            shown = os.path.normpath(os.path.join(os.path.dirname(shown_config), d.kernel))
            path = config.parent / d.kernel
        elif not re.fullmatch(r"[A-Za-z0-9_.+-]+", d.kernel):
            report(d.kernel_line, f"kernel: '{d.kernel}' is not a kernel name or a path with '/'")
            continue
        elif kernel_dir is None:
            if required:
                report(d.kernel_line, f"kernel: '{d.kernel}' is a name, but no --kernel-dir was given")
            continue
        else:
            shown = os.path.join(kernel_dir, d.kernel + ".elf")
            path = pathlib.Path(shown)
        d.kernel_path, d.kernel_shown = path, shown


def elf_problem(data: bytes) -> str | None:
    """Why data is not an ARM ELF32 little-endian executable (None if it is one)."""
    if len(data) < ELF_HEADER.size or data[:4] != b"\x7fELF":
        return "is not an ELF file"
    if data[4] != 1 or data[5] != 1:
        return "is not a 32-bit little-endian ELF file"
    e = ELF_HEADER.unpack_from(data)
    e_type, e_machine, e_phoff, e_phentsize, e_phnum = e[1], e[2], e[5], e[9], e[10]
    if e_machine != EM_ARM:
        return f"is not an ARM ELF file (e_machine {e_machine})"
    if e_type != ET_EXEC:
        return f"is not an executable ELF file (e_type {e_type})"
    if e_phnum == 0 or e_phentsize != PROGRAM_HEADER.size or e_phoff + e_phnum * e_phentsize > len(data):
        return "has no valid program headers"
    return None


def _read_input(path: pathlib.Path, shown: str, key: str, line: int, report: Reporter) -> bytes | None:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        report(line, f"{key}: {shown} is a directory, not a file")
    except FileNotFoundError:
        report(line, f"{key}: {shown} does not exist")
    except OSError as e:
        report(line, f"{key}: cannot read {shown}: {e.strerror}")
    return None


def pack_kernel(data: bytes) -> tuple[bytes, str | None]:
    """The kernel as the boot image holds it: a minimal ELF with the ELF header, its
    PT_LOAD program headers and their bytes, nothing else (no sections, symbols or debug
    information). Each segment's bytes start at an offset congruent to its address modulo
    min(p_align, 4), and p_align says so. data must pass elf_problem(). Returns (packed,
    None) or (b"", the problem)."""
    e = ELF_HEADER.unpack_from(data)
    ident, e_type, machine, version, entry, phoff, _, flags, _, _, phnum = e[:11]
    loads = []
    for i in range(phnum):
        p = PROGRAM_HEADER.unpack_from(data, phoff + i * PROGRAM_HEADER.size)
        if p[0] != PT_LOAD:
            continue
        _, off, _, _, filesz, memsz, _, _ = p
        if off + filesz > len(data):
            return b"", f"has a PT_LOAD segment (program header {i}) whose bytes lie outside the file"
        if filesz > memsz:
            return b"", f"has a PT_LOAD segment (program header {i}) with more file bytes than memory"
        loads.append(p)
    if not loads:
        return b"", "has no PT_LOAD segment"
    out = bytearray(ELF_HEADER.size + len(loads) * PROGRAM_HEADER.size)
    headers = []
    for ptype, off, vaddr, paddr, filesz, memsz, pflags, align in loads:
        align = min(align, 4) if align > 1 else 1
        at = len(out)
        if filesz:
            at = _congruent(at, vaddr, align)
            out += bytes(at - len(out)) + data[off:off + filesz]
        headers.append((ptype, at, vaddr, paddr, filesz, memsz, pflags, align))
    ELF_HEADER.pack_into(out, 0, ident, e_type, machine, version, entry, ELF_HEADER.size, 0, flags,
                         ELF_HEADER.size, PROGRAM_HEADER.size, len(headers), SECTION_HEADER_SIZE, 0, 0)
    for i, h in enumerate(headers):
        PROGRAM_HEADER.pack_into(out, ELF_HEADER.size + i * PROGRAM_HEADER.size, *h)
    return bytes(out), None


def load_kernels(system: System, report: Reporter, note: GuestNote) -> None:
    """Reads and checks the resolved kernels and packs each (pack_kernel)."""
    for d in system.domains:
        if d.kernel_path is None:
            continue
        data = _read_input(d.kernel_path, d.kernel_shown, "kernel", d.kernel_line, report)
        if data is None:
            continue
        problem = elf_problem(data)
        if problem is None:
            version = guest_abi_version(data, note)
            if version is None:
                problem = ("is not a xen-arm paravirtual guest: it has no XenARM guest note "
                           "(hypercalls/xen-arm/elfnote.h). A kernel built for bare metal, such as "
                           "build/minios/native/<board>/minios.elf, faults at its first privileged "
                           "instruction in a domain; use the paravirtual build (build/minios/pv/minios.elf)")
            elif version != note.version:
                problem = (f"was built for xen-arm guest ABI version {version}; this VMM speaks "
                           f"version {note.version}")
        if problem is None:
            d.image, problem = pack_kernel(data)
        if problem:
            report(d.kernel_line, f"kernel: {d.kernel_shown} {problem}")
            continue
        d.kernel_file_size = len(data)


def resolve_ramdisks(system: System, config: pathlib.Path, shown_config: str) -> None:
    """A ramdisk is a path relative to the configuration file (or absolute)."""
    for d in system.domains:
        if d.ramdisk_line:
            d.ramdisk_shown = os.path.normpath(os.path.join(os.path.dirname(shown_config), d.ramdisk))
            d.ramdisk_path = config.parent / d.ramdisk


def load_ramdisks(system: System, fmt: Format, report: Reporter) -> None:
    sector, limit = fmt.kRamdiskSectorSize, fmt.kRamdiskMaxSize
    for d in system.domains:
        if d.ramdisk_path is None:
            continue
        data = _read_input(d.ramdisk_path, d.ramdisk_shown, "ramdisk", d.ramdisk_line, report)
        if data is None:
            continue
        if not data:
            report(d.ramdisk_line, f"ramdisk: {d.ramdisk_shown} is empty")
        elif len(data) % sector:
            report(d.ramdisk_line, f"ramdisk: {d.ramdisk_shown} is {len(data)} bytes, not a multiple of "
                                   f"{sector} (whole sectors)")
        elif len(data) > limit:
            report(d.ramdisk_line, f"ramdisk: {d.ramdisk_shown} is {len(data)} bytes, over the limit of "
                                   f"{limit} ({limit // (1024 * 1024)} MiB)")
        else:
            d.ramdisk_data = data


@dataclasses.dataclass
class Layout:
    """Where everything goes in the boot image: the header, the domain table, each
    distinct kernel once (4-byte aligned), then each ramdisk at a kRamdiskAlign boundary,
    padded with zeros to whole frames."""
    kernel_offsets: list[int]    # per domain (0: no kernel loaded, --check only)
    ramdisk_offsets: list[int]   # per domain, 0 for none
    kernels: list[tuple[int, bytes]]   # (offset, bytes) of each distinct kernel
    kernel_copies: int
    total: int


def plan(system: System, fmt: Format, report: Reporter | None = None) -> Layout:
    """The image's layout. With `report`, growing past kBootImageMaxSize is reported at the
    line of the kernel or ramdisk that crossed the limit (once, and only when nothing else
    was wrong)."""
    offset = fmt.header.size + len(system.domains) * fmt.domain.size
    limit = fmt.kBootImageMaxSize
    over = report is None or bool(report.problems)

    def grow(end: int, line: int, what: str) -> None:
        nonlocal over
        if end > limit and not over:
            over = True
            report(line, f"{what} the boot image grows to {end} bytes, over the limit of {limit} "
                         f"({limit // (1024 * 1024)} MiB)")

    copies: dict[bytes, int] = {}
    kernels: list[tuple[int, bytes]] = []
    kernel_offsets = []
    for d in system.domains:
        if not d.image:
            kernel_offsets.append(0)
            continue
        if d.image not in copies:
            copies[d.image] = offset
            kernels.append((offset, d.image))
            offset += align4(len(d.image))
            grow(offset, d.kernel_line, f"kernel: with {d.kernel_shown} ({len(d.image)} bytes packed)")
        kernel_offsets.append(copies[d.image])
    ramdisk_offsets = []
    align = fmt.kRamdiskAlign
    for d in system.domains:
        if not d.ramdisk_data:
            ramdisk_offsets.append(0)
            continue
        offset = _round_up(offset, align)
        ramdisk_offsets.append(offset)
        offset += _round_up(len(d.ramdisk_data), align)
        grow(offset, d.ramdisk_line, f"ramdisk: with {d.ramdisk_shown} ({len(d.ramdisk_data)} bytes)")
    return Layout(kernel_offsets, ramdisk_offsets, kernels, len(kernels), offset)


def align4(n: int) -> int:
    return (n + 3) & ~3


def _round_up(n: int, align: int) -> int:
    return (n + align - 1) // align * align


# =========================================================================================
# Packing
# =========================================================================================

def pack_boot_image(system: System, fmt: Format) -> bytes:
    lay = plan(system, fmt)
    assert lay.total <= fmt.kBootImageMaxSize
    body = bytearray(lay.total - fmt.header.size)
    base = fmt.header.size
    for d, kernel_offset, ramdisk_offset in zip(system.domains, lay.kernel_offsets, lay.ramdisk_offsets):
        flags = (fmt.kDomPrivileged if d.privileged else 0) | (fmt.kDomAutostart if d.autostart else 0)
        record = fmt.domain.pack(
            name=d.name.encode(), flags=flags, memory_kb=d.memory_kb, timeslice_us=d.timeslice_us,
            priority=d.priority, kernel_offset=kernel_offset, kernel_size=len(d.image),
            ramdisk_offset=ramdisk_offset, ramdisk_size=len(d.ramdisk_data), cmdline=d.cmdline.encode())
        at = fmt.header.size + d.id * fmt.domain.size - base
        body[at:at + len(record)] = record
        if d.ramdisk_data:
            body[ramdisk_offset - base:ramdisk_offset - base + len(d.ramdisk_data)] = d.ramdisk_data
    for offset, image in lay.kernels:
        body[offset - base:offset - base + len(image)] = image
    header = fmt.header.pack(
        magic=fmt.magic, version=fmt.kVersion, total_size=lay.total, domain_count=len(system.domains),
        crc32=zlib.crc32(body), system_name=system.name.encode(), scheduler=system.scheduler)
    assert len(header) == fmt.header.size
    return header + bytes(body)


def _load_vmm(path: str) -> tuple[bytes, tuple, list[tuple]]:
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError as e:
        raise Failure([f"mkimage: {path}: {e.strerror}"]) from None
    problem = elf_problem(data)
    if problem:
        raise Failure([f"mkimage: {path} {problem}"])
    ehdr = ELF_HEADER.unpack_from(data)
    phoff, phnum = ehdr[5], ehdr[10]
    phdrs = [PROGRAM_HEADER.unpack_from(data, phoff + i * PROGRAM_HEADER.size) for i in range(phnum)]
    return data, ehdr, phdrs


def build_elf(vmm_path: str, boot_image: bytes, ram_base: int, fmt: Format) -> bytes:
    """The VMM's PT_LOAD segments, unchanged, plus one PT_LOAD segment with the boot image
    at physical RAM base + kBootImageOffset (virtual DIRECTMAP + kBootImageOffset). No
    section headers: debug with the VMM's own ELF, which has the same addresses."""
    data, ehdr, phdrs = _load_vmm(vmm_path)
    image_phys = ram_base + fmt.kBootImageOffset
    loads = [p for p in phdrs if p[0] == PT_LOAD]
    problems = []
    for i, (_, off, vaddr, paddr, filesz, memsz, _, _) in enumerate(phdrs):
        if phdrs[i][0] != PT_LOAD or memsz == 0:
            continue
        if off + filesz > len(data) or filesz > memsz:
            problems.append(f"mkimage: {vmm_path}: program header {i} is damaged")
        elif paddr < ram_base:
            problems.append(f"mkimage: {vmm_path}: segment {i} at physical 0x{paddr:08x} lies below "
                            f"the RAM base 0x{ram_base:08x} (is --ram-base right for this VMM?)")
        elif paddr + memsz > image_phys:
            problems.append(f"mkimage: {vmm_path}: segment {i} "
                            f"(physical 0x{paddr:08x}-0x{paddr + memsz - 1:08x}) "
                            f"reaches into the boot image at 0x{image_phys:08x} "
                            f"(is --ram-base right for this VMM?)")
    others = [p for p in phdrs if p[0] != PT_LOAD]
    for p in others:
        if p[4] and not any(q[1] <= p[1] and p[1] + p[4] <= q[1] + q[4] for q in loads):
            problems.append(f"mkimage: {vmm_path}: program header of type 0x{p[0]:x} lies outside "
                            "every PT_LOAD segment")
    if not loads:
        problems.append(f"mkimage: {vmm_path} has no PT_LOAD segment")
    if problems:
        raise Failure(problems)

    count = len(phdrs) + 1
    out = bytearray(ELF_HEADER.size + count * PROGRAM_HEADER.size)
    new_phdrs = []
    for p in loads:
        ptype, off, vaddr, paddr, filesz, memsz, flags, align = p
        at = _congruent(len(out), vaddr, align)
        if filesz:
            out += bytes(at - len(out)) + data[off:off + filesz]
        elif at - align >= 0 and align > 1:
            at -= align   # no bytes (.bss): an offset inside the file is tidier
        new_phdrs.append((ptype, at, vaddr, paddr, filesz, memsz, flags, align))
    for p in others:   # e.g. PT_GNU_STACK (no bytes) or a table inside a loaded segment
        ptype, off, vaddr, paddr, filesz, memsz, flags, align = p
        if filesz:
            i = next(i for i, q in enumerate(loads) if q[1] <= off and off + filesz <= q[1] + q[4])
            off = new_phdrs[i][1] + (off - loads[i][1])
        new_phdrs.append((ptype, off, vaddr, paddr, filesz, memsz, flags, align))
    at = _congruent(len(out), 0, PAGE)
    out += bytes(at - len(out)) + boot_image
    new_phdrs.append((PT_LOAD, at, fmt.directmap_base + fmt.kBootImageOffset, image_phys,
                      len(boot_image), len(boot_image), PF_R, PAGE))

    ident, e_type, machine, version, entry, _, _, flags = ehdr[:8]
    ELF_HEADER.pack_into(out, 0, ident, e_type, machine, version, entry, ELF_HEADER.size, 0, flags,
                         ELF_HEADER.size, PROGRAM_HEADER.size, count, SECTION_HEADER_SIZE, 0, 0)
    for i, p in enumerate(new_phdrs):
        PROGRAM_HEADER.pack_into(out, ELF_HEADER.size + i * PROGRAM_HEADER.size, *p)
    return bytes(out)


def _congruent(at: int, vaddr: int, align: int) -> int:
    """The first file offset >= at that is congruent to vaddr modulo align."""
    if align <= 1:
        return at
    return at + ((vaddr - at) % align)


def write_atomically(path: str, data: bytes) -> None:
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".mkimage-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _make_escape(path: str) -> str:
    return path.replace(" ", "\\ ").replace("$", "$$")


def depfile_text(output: str, inputs: list[str]) -> str:
    """Make rules: the output depends on every input; each input also gets an empty rule
    so that deleting one makes make rerun mkimage (which then names it) instead of
    stopping with 'no rule to make target'."""
    lines = [f"{_make_escape(output)}: " + " ".join(_make_escape(i) for i in inputs)]
    lines += [f"{_make_escape(i)}:" for i in inputs]
    return "\n".join(lines) + "\n"


# =========================================================================================
# Command line
# =========================================================================================

def _size_text(kb: int) -> str:
    return f"{kb // 1024}M" if kb % 1024 == 0 else f"{kb}K"


def _amount(kb: int) -> str:
    return f"{kb // 1024} MiB" if kb % 1024 == 0 else f"{kb} KiB"


def _time_text(us: int) -> str:
    return f"{us // 1000}ms" if us % 1000 == 0 else f"{us}us"


def summary(system: System) -> list[str]:
    width = max(len(d.name) for d in system.domains)
    lines = []
    first_with: dict[bytes, int] = {}
    for d in system.domains:
        kernel = d.kernel_shown or d.kernel
        size = ""
        if d.image:
            shared = f", shared with id={first_with[d.image]}" if d.image in first_with else ""
            first_with.setdefault(d.image, d.id)
            size = f" ({d.kernel_file_size} bytes, {len(d.image)} packed{shared})"
        ramdisk = ""
        if d.ramdisk_line:
            ramdisk = f"  ramdisk={d.ramdisk_shown}" + (f" ({len(d.ramdisk_data)} bytes)" if d.ramdisk_data else "")
        lines.append(
            f"  id={d.id} {d.name:<{width}}  {'privileged' if d.privileged else 'guest':<10}  "
            f"start={'boot' if d.autostart else 'manual':<6}  memory={_size_text(d.memory_kb):<5} "
            f"timeslice={_time_text(d.timeslice_us):<6} priority={d.priority:<3}  "
            f"kernel={kernel}{size}{ramdisk}  cmdline='{d.cmdline}'")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mkimage.py", description="Pack a domain configuration and its kernels into a "
        "xen-arm boot image appended to the VMM's ELF (domains/README.md).")
    parser.add_argument("--config", required=True, help="the system's configuration, domains/NAME.cfg")
    parser.add_argument("--check", action="store_true", help="only validate the configuration "
                        "(kernels too when they can be found); write nothing")
    parser.add_argument("--vmm", help="the VMM's ELF, build/BOARD/xen-arm.elf")
    parser.add_argument("--kernel-dir", help="where 'kernel = NAME' finds NAME.elf")
    parser.add_argument("--board", help="the board being built for (checked against [system] board)")
    parser.add_argument("--ram-base", help="the board's physical RAM base, e.g. 0x0 or 0xC0000000")
    parser.add_argument("-o", "--output", help="the ELF to write")
    parser.add_argument("--depfile", help="also write make dependencies of the output here")
    args = parser.parse_args(argv)

    ram_base = None
    if not args.check:
        missing = [opt for opt, val in (("--vmm", args.vmm), ("--board", args.board),
                                        ("--ram-base", args.ram_base), ("-o", args.output)) if val is None]
        if missing:
            parser.error(f"building needs {', '.join(missing)} (or use --check)")
        try:
            ram_base = int(args.ram_base, 0)
        except ValueError:
            parser.error(f"--ram-base: '{args.ram_base}' is not a number")
        if ram_base % PAGE or not 0 <= ram_base <= 0xFFFFFFFF:
            parser.error(f"--ram-base: 0x{ram_base:x} is not a page-aligned 32-bit address")
    boards = known_boards()
    if args.board is not None and boards and args.board not in boards:
        parser.error(f"--board: '{args.board}' is not one of {', '.join(boards)}")

    try:
        fmt = load_format()
        note = load_guest_note()
        if args.board is not None:
            ram_kb, vmm_kb = board_ram_kb(args.board), fmt.directmap_size // 1024
    except FormatError as e:
        print(f"mkimage: {e}", file=sys.stderr)
        return 2

    try:
        try:
            raw = pathlib.Path(args.config).read_bytes()
        except OSError as e:
            raise Failure([f"mkimage: {args.config}: {e.strerror}"]) from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[:e.start].count(b"\n") + 1
            raise Failure([f"{args.config}:{line}: not UTF-8 text"]) from None
        report = Reporter(args.config)
        system = parse_config(text, args.config, fmt, args.board, report)
        resolve_kernels(system, pathlib.Path(args.config), args.config, args.kernel_dir,
                        required=not args.check, report=report)
        resolve_ramdisks(system, pathlib.Path(args.config), args.config)
        load_kernels(system, report, note)
        load_ramdisks(system, fmt, report)
        if args.board is not None and not report.problems:
            check_memory(system, args.board, ram_kb, vmm_kb, report)
        layout = plan(system, fmt, report)
        report.raise_if_any()
        if args.check:
            print(f"mkimage: {args.config}: ok: system '{system.name}', {len(system.domains)} "
                  f"domain{'s' if len(system.domains) > 1 else ''}")
            print("\n".join(summary(system)))
            return 0
        boot_image = pack_boot_image(system, fmt)
        assert len(boot_image) == layout.total
        elf = build_elf(args.vmm, boot_image, ram_base, fmt)
        if args.depfile:
            inputs = [args.config, args.vmm] + [d.kernel_shown for d in system.domains]
            inputs += [d.ramdisk_shown for d in system.domains if d.ramdisk_shown]
            write_atomically(args.depfile, depfile_text(args.output, list(dict.fromkeys(inputs))).encode())
        write_atomically(args.output, elf)
    except Failure as e:
        print("\n".join(e.messages), file=sys.stderr)
        return 1

    crc = int.from_bytes(boot_image[fmt.header.field("crc32").offset:][:4], "little")
    ramdisks = sum(1 for d in system.domains if d.ramdisk_data)
    contents = f"{layout.kernel_copies} kernel cop{'y' if layout.kernel_copies == 1 else 'ies'}" + \
        (f", {ramdisks} ramdisk{'s' if ramdisks > 1 else ''}" if ramdisks else "")
    print(f"mkimage: {args.output}: system '{system.name}' for {args.board}, {len(system.domains)} "
          f"domain{'s' if len(system.domains) > 1 else ''}, boot image {len(boot_image)} bytes "
          f"({contents}) at physical 0x{ram_base + fmt.kBootImageOffset:08x}, crc32 0x{crc:08x}")
    print("\n".join(summary(system)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
