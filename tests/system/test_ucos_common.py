"""Helpers for the µC/OS-II system tests (ucos-port/); no tests of its own. Where the guests
are, how to boot them natively or as domains of xen-arm, and what the demo's checksum must
be."""
import pathlib
import re
import subprocess

import images
import vmm

REPO = vmm.REPO
UCOS_PV = REPO / "build" / "ucos" / "pv" / "ucos.elf"
TICK_NS = 10_000_000  # OS_TICKS_PER_SEC = 100 (ucos-port/cfg/os_cfg.h)
MASK32 = 0xFFFFFFFF


def native_image(platform: str) -> pathlib.Path:
    path = REPO / "build" / "ucos" / "native" / platform / "ucos.elf"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make ucos'")
    return path


def pv_image() -> pathlib.Path:
    if not UCOS_PV.exists():
        raise FileNotFoundError(f"{UCOS_PV} missing: run 'make ucos'")
    return UCOS_PV


def run_native(platform: str, cmdline: str, timeout: float = 60.0) -> vmm.Run:
    return vmm.boot(platform, cmdline, timeout=timeout, image_path=native_image(platform))


def run_pv_alone(tmp_path: pathlib.Path, platform: str, cmdline: str, name: str = "ucos") -> vmm.Run:
    """The µC/OS-II guest as the only domain (dom0) of xen-arm."""
    config = images.domain("dom0", str(pv_image()), privileged=True, cmdline=cmdline)
    return images.run(platform, images.build(tmp_path, platform, name, config))


def build_config(tmp_path: pathlib.Path, platform: str, config: pathlib.Path) -> pathlib.Path:
    """Packs a configuration file of domains/ as it is (kernel paths relative to it)."""
    out = tmp_path / f"{config.stem}-{platform}.elf"
    subprocess.run(
        ["/usr/bin/python3", str(REPO / "domains" / "mkimage.py"), "--vmm", str(vmm.image(platform)),
         "--config", str(config), "--kernel-dir", str(images.MINIOS_PV), "--board", platform,
         "--ram-base", images.RAM_BASE[platform], "-o", str(out)],
        check=True, stdout=subprocess.DEVNULL)
    return out


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


def checksum_line(lines: list[str], dom: int) -> tuple[int, int, int] | None:
    """(seed, rounds, checksum) from a demo's result line."""
    for line in lines:
        m = re.fullmatch(rf"ucos-demo: dom {dom} seed (\d+) rounds (\d+) checksum 0x([0-9a-f]{{8}})", line)
        if m:
            return int(m.group(1)), int(m.group(2)), int(m.group(3), 16)
    return None
