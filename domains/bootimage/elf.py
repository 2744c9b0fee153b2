"""ELF files: checking the VMM and the kernels, finding a kernel's guest note, packing a
kernel as a minimal ELF, laying out and packing the boot image, and writing the output
ELF (the VMM's segments plus one with the boot image).
"""
from __future__ import annotations

import dataclasses
import pathlib
import struct
import zlib

from .config import Failure, Reporter, System, read_input
from .format import Format, GuestNote
from .relocate import relocate

ELF_HEADER = struct.Struct("<16sHHIIIIIHHHHHH")  # Elf32_Ehdr, 52 bytes
PROGRAM_HEADER = struct.Struct("<IIIIIIII")      # Elf32_Phdr, 32 bytes
SECTION_HEADER_SIZE = 40                         # sizeof(Elf32_Shdr)
ET_EXEC, EM_ARM, PT_LOAD, PF_R = 2, 40, 1, 4
SHT_NOTE = 7
PAGE = 4096


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


def pack_kernel(data: bytes) -> tuple[bytes, str | None]:
    """The kernel as the boot image holds it: a minimal ELF with the ELF header, its
    non-empty PT_LOAD program headers and their bytes, nothing else (no sections, symbols
    or debug information). Each segment's bytes start at an offset congruent to its address modulo
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
        if memsz == 0:
            continue  # an empty segment (a linker's artefact): nothing to load
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
        data = read_input(d.kernel_path, d.kernel_shown, "kernel", d.kernel_line, report)
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
            # Into its own kernel window: domain N's is window N (relocate.py).
            moved, d.relocated_words, problem = relocate(data, d.id)
            if problem is None:
                d.window = d.id if d.relocated_words else 0
                d.image, problem = pack_kernel(moved)
        if problem:
            report(d.kernel_line, f"kernel: {d.kernel_shown} {problem}")
            continue
        d.kernel_file_size = len(data)


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


def pack_boot_image(system: System, fmt: Format) -> bytes:
    lay = plan(system, fmt)
    assert lay.total <= fmt.kBootImageMaxSize
    body = bytearray(lay.total - fmt.header.size)
    base = fmt.header.size
    for d, kernel_offset, ramdisk_offset in zip(system.domains, lay.kernel_offsets, lay.ramdisk_offsets):
        flags = (fmt.kDomPrivileged if d.privileged else 0) | (fmt.kDomAutostart if d.autostart else 0) | \
            (fmt.kDomExtra if d.extra else 0)
        record = fmt.domain.pack(
            name=d.name.encode(), flags=flags, memory_kb=d.memory_kb, timeslice_us=d.timeslice_us,
            priority=d.priority, weight=d.weight, cap_pct=d.cap_pct, period_us=d.period_us,
            budget_us=d.budget_us, fault_tolerance=d.fault_tolerance, checkpoint_us=d.checkpoint_us,
            kernel_offset=kernel_offset, kernel_size=len(d.image),
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
