"""The boot image format as the C++ headers define it: constants and struct layouts from
xen-arm/include/boot_image.hh (with types.hh's units), DIRECTMAP from layout.hh, a board's
RAM from its board_config.hh and the guest note from hypercalls/xen-arm/elfnote.h. Read
each time mkimage.py runs, so the builder follows the headers the VMM is compiled from.
"""
from __future__ import annotations

import ast
import dataclasses
import operator
import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[2]
INCLUDE = REPO / "xen-arm" / "include"
BOARDS = REPO / "xen-arm" / "board"
ELFNOTE_H = REPO / "hypercalls" / "xen-arm" / "elfnote.h"

# [system] scheduler = NAME -> the boot_image.hh constant for BootImageHeader.scheduler.
SCHEDULERS = {"round-robin": "kSchedRoundRobin", "fixed-priority": "kSchedFixedPriority", "credit": "kSchedCredit",
              "sedf": "kSchedSedf"}


class FormatError(Exception):
    """boot_image.hh (or layout.hh) is not what mkimage.py knows how to read."""


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
    name_chars: str     # kNameChars: the characters of a domain name
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

    m = re.search(r"inline\s+constexpr\s+char\s+kNameChars\s*\[\s*\]\s*=\s*\"([ -!#-\[\]-~]*)\"\s*;",
                  header_text)
    if not m:
        raise FormatError("boot_image.hh: no kNameChars (a plain string of printable characters)")
    name_chars = m.group(1)

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
              "kPriorityMax", "kTimesliceDefaultUs", "kPriorityDefault", "kDomExtra", "kWeightMax",
              "kCapMaxPct", "kPeriodMinUs", "kPeriodMaxUs", "kSedfOverheadPerPeriodNs", "kWeightDefault")
    missing = [n for n in needed if n not in constants] + \
              [s for s in ("BootImageHeader", "BootDomain") if s not in structs]
    if missing:
        raise FormatError(f"boot_image.hh: missing {', '.join(missing)}")
    fmt = Format(constants, magic, name_chars, structs["BootImageHeader"], structs["BootDomain"], base, size)
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
