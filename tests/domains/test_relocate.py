"""Moving a kernel into its kernel window (domains/bootimage/relocate.py).

The oracle is the linker itself: a kernel linked for window 0 with its relocations kept
(-Wl,-q) and moved into window N must load exactly the bytes the same kernel has when
linked for window N directly."""
import pathlib
import struct
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "domains"))
sys.path.insert(0, str(REPO / "tests" / "domains"))
from bootimage import relocate as rel  # noqa: E402
from test_mkimage import D, DOMAIN_FMT, K_OFF, K_SIZE, guest_note, mk, parse_image, vmm  # noqa: E402,F401

WINDOW = 0x04000000

# Code and data that hold addresses of the image (literal pools, initialised pointers, a
# function pointer, a pointer into the middle of an array, a pointer to .bss), one that
# holds an absolute address (an absolute symbol: it must not move), and calls and branches
# (PC-relative: nothing to do).
SOURCE = r"""
extern char abs_device[];              /* --defsym: an absolute address (a device's) */
int counter = 5;
int *ptr = &counter;
static const char msg[] = "hello, window";
const char *middle = msg + 7;
int zeroed[16];
int *into_bss = &zeroed[3];
const void *device = abs_device;
void tick(void);
void (*handler)(void) = tick;
void tick(void) { counter++; }
__attribute__((noinline)) int sum(void) { return *ptr + middle[0] + zeroed[1]; }
int _start(void) {
    handler();
    tick();
    return sum() + (int)(long)device + (int)(long)&handler;
}
"""


def link(work: pathlib.Path, name: str, base: int, keep_relocs: bool = True) -> pathlib.Path:
    src = work / "k.c"
    src.write_text(SOURCE)
    note = work / "note.S"
    note.write_text(guest_note())
    out = work / f"{name}.elf"
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=arm926ej-s", "-marm", "-O2", "-ffreestanding", "-nostdlib", "-static",
                    f"-Wl,-Ttext=0x{base:08x}", "-Wl,-e,_start", "-Wl,--build-id=none", "-Wl,-z,max-page-size=4096",
                    "-Wl,--defsym=abs_device=0x10001234", "-Wl,--defsym=abs_label=0xC0000010", "-Wl,--no-warn-rwx-segments"]
                   + (["-Wl,-q"] if keep_relocs else []) + [str(src), str(note), "-o", str(out)],
                   check=True, capture_output=True)
    return out


def loaded(data: bytes) -> tuple[int, list[tuple[int, int, bytes]]]:
    """(entry, [(vaddr, memsz, file bytes)] of the PT_LOAD segments)."""
    e = rel.ELF_HEADER.unpack_from(data)
    segs = []
    for i in range(e[10]):
        p = rel.PROGRAM_HEADER.unpack_from(data, e[5] + i * rel.PROGRAM_HEADER.size)
        if p[0] == rel.PT_LOAD:
            segs.append((p[2], p[5], data[p[1]:p[1] + p[4]]))
    return e[4], segs


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("relocate")


@pytest.mark.parametrize("window", [1, 2, 7, 14])
def test_a_moved_kernel_is_the_kernel_linked_there(work, window):
    at0 = link(work, "w0", 0xC0000000).read_bytes()
    there = link(work, f"w{window}", 0xC0000000 + window * WINDOW).read_bytes()
    moved, words, problem = rel.relocate(at0, window)
    assert problem is None
    assert words >= 6  # the pointers above and the literal pool entries
    assert loaded(moved) == loaded(there)
    # Only those words changed, each by exactly the window's offset.
    (_, before), (_, after) = loaded(at0), loaded(moved)
    changed = 0
    for (_, _, a), (_, _, b) in zip(before, after):
        for off in range(0, len(a) - 3, 4):
            x, y = struct.unpack_from("<I", a, off)[0], struct.unpack_from("<I", b, off)[0]
            if x != y:
                assert y - x == window * WINDOW
                changed += 1
    assert changed == words


def test_an_absolute_symbol_does_not_move(work):
    at0 = link(work, "w0", 0xC0000000).read_bytes()
    moved, _, problem = rel.relocate(at0, 3)
    assert problem is None
    words = [struct.unpack_from("<I", s[2], o)[0] for s in loaded(moved)[1] for o in range(0, len(s[2]) - 3, 4)]
    assert 0x10001234 in words and 0x10001234 + 3 * WINDOW not in words


def test_an_absolute_label_inside_the_image_is_refused(work):
    """A label a linker script defines outside every output section is absolute: the words
    that use it would stay in window 0, so the kernel is refused, not moved half."""
    src = work / "label.c"
    src.write_text("extern char abs_label[];\nconst void *label = abs_label;\nint _start(void) { return 0; }\n")
    out = work / "label.elf"
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=arm926ej-s", "-marm", "-O2", "-ffreestanding", "-nostdlib", "-static",
                    "-Wl,-Ttext=0xc0000000", "-Wl,-e,_start", "-Wl,-q", "-Wl,--defsym=abs_label=0xC0000010",
                    "-Wl,--no-warn-rwx-segments", str(src), "-o", str(out)], check=True, capture_output=True)
    data = out.read_bytes()
    assert rel.relocate(data, 2) == (data, 0, "refers to the absolute symbol abs_label (0xc0000010) inside the "
                                               "image, which would not move: define it inside an output section "
                                               "of the linker script")


def test_window_zero_and_a_kernel_without_relocations_stay(work):
    at0 = link(work, "w0", 0xC0000000).read_bytes()
    assert rel.relocate(at0, 0) == (at0, 0, None)
    plain = link(work, "plain", 0xC0000000, keep_relocs=False).read_bytes()
    assert rel.relocate(plain, 2) == (plain, 0, None)


def test_refusals(work):
    at0 = link(work, "w0", 0xC0000000).read_bytes()
    r = rel.Relocation(at0)
    # An unknown relocation type in a loaded section: refused, naming it.
    section = r.relocation_sections()[0]
    bad = bytearray(at0)
    off, info = struct.unpack_from("<II", bad, section[4])
    struct.pack_into("<II", bad, section[4], off, (info & ~0xFF) | 43)  # R_ARM_MOVT_ABS
    moved, words, problem = rel.relocate(bytes(bad), 1)
    assert (moved, words) == (bytes(bad), 0)
    assert problem == (f"has a relocation of type 43 at 0x{off:08x}, which the image builder cannot move "
                       "into another window")
    # Linked outside window 0, or asked for a window that does not exist.
    elsewhere = link(work, "w5", 0xC0000000 + 5 * WINDOW).read_bytes()
    assert "is not linked inside kernel window 0" in rel.relocate(elsewhere, 1)[2]
    assert rel.relocate(at0, 15)[2] == "cannot go to kernel window 15 (there are 15)"


def test_the_image_builder_gives_each_domain_its_window(tmp_path, work, vmm):
    kdir = tmp_path / "kernels"
    kdir.mkdir()
    (kdir / "k.elf").write_bytes(link(work, "w0", 0xC0000000).read_bytes())
    (kdir / "plain.elf").write_bytes(link(work, "plain", 0xC0000000, keep_relocs=False).read_bytes())
    cfg = "[system]\nname = windows\n"
    for i, kernel in enumerate(["k", "k", "k", "plain"]):
        cfg += (f"\n[domain d{i}]\nkernel = {kernel}\nmemory = 64K\nprivileged = {'yes' if i == 0 else 'no'}\n"
                "start = boot\n")
    result = mk(tmp_path, cfg, kernel_dir=kdir, vmm=vmm)
    assert result.status == 0, result.stderr
    image = parse_image(result.output, vmm, 0)
    records = [DOMAIN_FMT.unpack_from(image, 64 + D * i) for i in range(4)]
    entries = []
    for r in records:
        packed = image[r[K_OFF]:r[K_OFF] + r[K_SIZE]]
        entry, segs = loaded(packed)
        entries.append(entry)
        assert all(v >> 26 == entry >> 26 for v, _, _ in segs)
    base_entry = entries[0]
    assert entries == [base_entry, base_entry + WINDOW, base_entry + 2 * WINDOW, base_entry]
    # Relocated copies differ: three kernel copies (d0 and the unmovable d3 share one).
    assert "(3 kernel copies)" in result.stdout
    lines = result.stdout.splitlines()
    assert "window 0)" in lines[1] and "window 1 (" in lines[2] and "words moved)" in lines[2]
    assert "window 2 (" in lines[3] and "window 0 (its link address)" in lines[4]
