"""Helpers for the µC/OS-II system tests (ucos-port/); no tests of its own. Which kernel the
guests are built against, where they are, how to boot them natively or as domains of
xen-arm, and what the demo's checksum must be.

The kernel: the compatible one (ucos-port/kernel, images in build/ucos), or, when
tests/conftest.py was given --ucos-src=PATH (or UCOS_SRC=PATH is in the environment), the
µC/OS-II sources at PATH, built by `make ucos UCOS_SRC=PATH` into a directory of their own
(build/ucos-src-<hash of PATH>), so build/ucos is left alone. conftest.py checks the tree
and names the kernel in the test output; the images are built (make, a no-op when up to
date) the first time a test needs one."""
import functools
import hashlib
import os
import pathlib
import re
import subprocess

import images
import vmm

REPO = vmm.REPO
TICK_NS = 10_000_000  # OS_TICKS_PER_SEC = 100 (ucos-port/cfg/os_cfg.h)
MASK32 = 0xFFFFFFFF


def kernel_src() -> pathlib.Path | None:
    """The µC/OS-II source tree the tests run against, or None for the compatible kernel."""
    src = os.environ.get("UCOS_SRC", "").strip()
    return pathlib.Path(src).resolve() if src else None


def check_kernel_src(src: pathlib.Path) -> str | None:
    """Why `src` is not a usable uC-OS2 tree (None if it is)."""
    for name in ("ucos_ii.h", "ucos_ii.c"):
        if not (src / "Source" / name).is_file():
            return f"{src}: no Source/{name} there (want a uC-OS2 v2.9x checkout)"
    return None


def os_version(header: pathlib.Path) -> int:
    m = re.search(r"^#define\s+OS_VERSION\s+(\d+)u?\b", header.read_text(errors="replace"), re.M)
    assert m, f"{header}: no OS_VERSION"
    return int(m.group(1))


def kernel_version() -> int:
    src = kernel_src()
    return os_version(src / "Source" / "ucos_ii.h" if src else REPO / "ucos-port" / "kernel" / "ucos_ii.h")


def out_dir() -> pathlib.Path:
    src = kernel_src()
    if src is None:
        return REPO / "build" / "ucos"
    return REPO / "build" / f"ucos-src-{hashlib.sha1(str(src).encode()).hexdigest()[:8]}"


def kernel_label() -> str:
    """What the guest's banner calls its kernel (UCOS_KERNEL_LABEL in ucos-port/build.mk)."""
    return "uC/OS-II" if kernel_src() else "uC/OS-II-compatible kernel (independent)"


def kernel_description() -> str:
    v = kernel_version()
    name = f"OS_VERSION {v} (V{v // 10000}.{v // 100 % 100:02d})"
    src = kernel_src()
    if src is None:
        return f"compatible kernel (ucos-port/kernel), {name}, images in {out_dir().relative_to(REPO)}"
    return f"vendor sources at {src}, {name}, images in {out_dir().relative_to(REPO)}"


def bench_kernel_column() -> str:
    """The kernel column of ucos-port/README.md's task-switch table for the kernel under test."""
    v = kernel_version()
    return f"µC/OS-II V{v // 10000}.{v // 100 % 100:02d}" if kernel_src() else "compatible"


@functools.cache
def built() -> pathlib.Path:
    """Builds the images against the kernel under test (once per session); their directory."""
    src = kernel_src()
    if src is not None and (why := check_kernel_src(src)):
        raise RuntimeError(why)
    out = out_dir()
    proc = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), "ucos",
                           f"UCOS_SRC={src or ''}", f"UCOS_OUT={out.relative_to(REPO)}"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"make ucos against the {kernel_description()} failed:\n{proc.stdout}{proc.stderr}")
    choice = (out / "kernel-choice").read_text().split()
    assert choice[0] == ("real" if src else "compat"), f"{out}: built against {choice}, not the {kernel_description()}"
    return out


def native_image(platform: str) -> pathlib.Path:
    path = built() / "native" / platform / "ucos.elf"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make ucos'")
    return path


def pv_image() -> pathlib.Path:
    path = built() / "pv" / "ucos.elf"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make ucos'")
    return path


def run_native(platform: str, cmdline: str, timeout: float = 60.0) -> vmm.Run:
    return vmm.boot(platform, cmdline, timeout=timeout, image_path=native_image(platform))


def run_pv_alone(tmp_path: pathlib.Path, platform: str, cmdline: str, name: str = "ucos") -> vmm.Run:
    """The µC/OS-II guest as the only domain (dom0) of xen-arm."""
    config = images.domain("dom0", str(pv_image()), privileged=True, cmdline=cmdline)
    return images.run(platform, images.build(tmp_path, platform, name, config))


def build_config(tmp_path: pathlib.Path, platform: str, config: pathlib.Path) -> pathlib.Path:
    """Packs a configuration file of domains/ (kernel paths relative to it), its µC/OS-II
    guests being the images of the kernel under test."""
    out = tmp_path / f"{config.stem}-{platform}.elf"
    text = config.read_text()
    default = "../build/ucos/pv/ucos.elf"
    if default in text and pv_image() != REPO / "build" / "ucos" / "pv" / "ucos.elf":
        config = tmp_path / config.name
        config.write_text(text.replace(default, str(pv_image())))
    subprocess.run(
        ["/usr/bin/python3", str(REPO / "domains" / "mkimage.py"), "--vmm", str(vmm.image(platform)),
         "--config", str(config), "--kernel-dir", str(images.MINIOS_PV), "--board", platform,
         "--ram-base", images.RAM_BASE[platform], "-o", str(out)],
        check=True, stdout=subprocess.DEVNULL)
    return out


def assert_ends_cleanly(run) -> None:
    """domains/ucos.cfg and ft.cfg: all five domains shut down, none crashed, dom0's
    heartbeat and minios1's benchmark done."""
    assert run.status == 0, run.output
    assert "(5 shut down, 0 crashed)" in run.output, run.output
    assert "crashed:" not in run.output, run.output
    assert "[dom0] heartbeat: dom 0 done" in run.lines, run.output
    assert "[minios1] bench: dom 1 done" in run.lines, run.output


def guest_lines(run: vmm.Run, domain: str | None) -> list[str]:
    """A guest's lines without the VMM's "[name] " prefix (domain None: a native run)."""
    if domain is None:
        return run.lines
    prefix = f"[{domain}] "
    return [line[len(prefix):] for line in run.lines if line.startswith(prefix)]


def demo_checksum(seed: int, rounds: int) -> int:
    """What ucos-port/apps/demo.c must print (its header comment gives the recipe)."""
    x = ((seed * 2654435761) & MASK32) | 1
    pipeline = 0
    for r in range(rounds):
        for _ in range(8):
            x ^= (x << 13) & MASK32
            x ^= x >> 17
            x ^= (x << 5) & MASK32
            pipeline = ((pipeline * 33) & MASK32) ^ ((x * 2654435761 + r) & MASK32)
    shared = sum(w * 1000 + i for w in (14, 15) for i in range(rounds)) & MASK32
    return pipeline ^ ((shared * 0x9E3779B1) & MASK32)


# The user task of the demo's fault experiment (ucos-port/apps/demo.c, bsp.h's user code).
USER_STEPS = 8
USER_FAULT_AT = 5


def user_task_acc(seed: int, steps: int) -> int:
    """The user task's acc after `steps` steps: acc = acc * 33 ^ step, from acc = seed."""
    acc = seed
    for step in range(1, steps + 1):
        acc = ((acc * 33) & MASK32) ^ step
    return acc


def user_task_line(lines: list[str], dom: int) -> tuple[int, int, int, int, int] | None:
    """(steps done, steps, acc, checkpoints, rollbacks) from the demo's user-task line."""
    for line in lines:
        m = re.fullmatch(rf"ucos-demo: dom {dom} user task: (\d+)/(\d+) steps, acc 0x([0-9a-f]{{8}}), "
                         r"(\d+) checkpoints, (\d+) rollbacks", line)
        if m:
            return int(m[1]), int(m[2]), int(m[3], 16), int(m[4]), int(m[5])
    return None


def checksum_line(lines: list[str], dom: int) -> tuple[int, int, int] | None:
    """(seed, rounds, checksum) from a demo's result line."""
    for line in lines:
        m = re.fullmatch(rf"ucos-demo: dom {dom} seed (\d+) rounds (\d+) checksum 0x([0-9a-f]{{8}})", line)
        if m:
            return int(m.group(1)), int(m.group(2)), int(m.group(3), 16)
    return None
