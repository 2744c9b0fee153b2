"""Builds boot images (VMM + domains) for system tests with domains/mkimage.py, from a
configuration written inline by the test, and boots them."""
import pathlib
import subprocess

import vmm

REPO = vmm.REPO
RAM_BASE = {"goldfish": "0x0", "imx21": "0xC0000000", "versatilepb": "0x0"}
MINIOS_PV = REPO / "build" / "minios" / "pv"
TEST_GUESTS = REPO / "build" / "guests"


def build(tmp_path: pathlib.Path, platform: str, name: str, config: str,
          kernel_dir: pathlib.Path = MINIOS_PV) -> pathlib.Path:
    """Writes `config` to tmp_path/<name>.cfg and packs it for `platform`."""
    cfg = tmp_path / f"{name}.cfg"
    cfg.write_text(config)
    out = tmp_path / f"{name}-{platform}.elf"
    subprocess.run(
        ["/usr/bin/python3", str(REPO / "domains" / "mkimage.py"), "--vmm", str(vmm.image(platform)),
         "--config", str(cfg), "--kernel-dir", str(kernel_dir), "--board", platform,
         "--ram-base", RAM_BASE[platform], "-o", str(out)],
        check=True, stdout=subprocess.DEVNULL)
    return out


def domain(name: str, kernel: str, memory: str = "1M", cmdline: str = "", privileged: bool = False,
           start: str = "boot", timeslice: str = "10ms") -> str:
    """One [domain] section."""
    lines = [f"[domain {name}]", f"kernel = {kernel}", f"memory = {memory}", f"timeslice = {timeslice}",
             f"start = {start}"]
    if privileged:
        lines.append("privileged = yes")
    if cmdline:
        lines.append(f'cmdline = "{cmdline}"')
    return "\n".join(lines) + "\n"


def run(platform: str, image: pathlib.Path, timeout: float = 120.0) -> vmm.Run:
    proc = subprocess.run(
        [str(REPO / "tools" / "run-qemu.sh"), "--test", platform, str(image), ""],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return vmm.Run(proc.returncode, proc.stdout.decode(errors="replace").replace("\r\n", "\n"))
