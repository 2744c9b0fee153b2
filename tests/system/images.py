"""Builds boot images (VMM + domains) for system tests with domains/mkimage.py, from a
configuration written inline by the test, and boots them."""
import pathlib
import subprocess

import vmm

REPO = vmm.REPO
RAM_BASE = {name: board.ram_base_arg for name, board in vmm.BOARDS.items()}  # mkimage's --ram-base
MINIOS_PV = REPO / "build" / "minios" / "pv"
# The mini-OS images a configuration names (minios/build.mk, tests/guests/build.mk): the
# guest with the product apps and dom0 by name (in MINIOS_PV), the test apps' image by path.
MINIOS = "minios"
DOM0 = "dom0"
MINIOS_TEST = str(REPO / "build" / "tests" / "minios-test.elf")
# The apps of the dom0 and test images (tests/guests/minios/); every other app is the guest's.
DOM0_APPS = {"dom0"}
TEST_APPS = {"attack", "canary", "domctl", "faultrun", "ft", "ftauto", "ftbeat", "ftio", "guest", "hcfuzz", "poll",
             "share", "work"}
TEST_GUESTS = REPO / "build" / "guests"
# dom0's block-device test image (domains/build.mk, domains/mkramdisk.py): 7 slices of 512
# sectors, one per guest id, a known pattern in every sector.
RAMDISK = REPO / "build" / "disks" / "vbd-pattern.img"
RAMDISK_SLICE = 512 * 512


def make_ramdisk() -> pathlib.Path:
    """RAMDISK, made (by its make rule) if it is missing or older than its generator."""
    subprocess.run(["make", "--no-print-directory", "-s", "-C", str(REPO), str(RAMDISK.relative_to(REPO))],
                   check=True, stdout=subprocess.DEVNULL)
    return RAMDISK


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


def minios_kernel(cmdline: str) -> str:
    """The mini-OS image holding the app a command line names (app=NAME; default bench)."""
    app = next((w[4:] for w in cmdline.split() if w.startswith("app=")), "bench")
    return DOM0 if app in DOM0_APPS else MINIOS_TEST if app in TEST_APPS else MINIOS


def domain(name: str, kernel: str, memory: str = "1M", cmdline: str = "", privileged: bool = False,
           start: str = "boot", timeslice: str = "10ms", ramdisk: pathlib.Path | str | None = None,
           priority: int | None = None) -> str:
    """One [domain] section (a relative ramdisk path is relative to the configuration)."""
    lines = [f"[domain {name}]", f"kernel = {kernel}", f"memory = {memory}", f"timeslice = {timeslice}",
             f"start = {start}"]
    if ramdisk is not None:
        lines.append(f"ramdisk = {ramdisk}")
    if privileged:
        lines.append("privileged = yes")
    if priority is not None:
        lines.append(f"priority = {priority}")
    if cmdline:
        lines.append(f'cmdline = "{cmdline}"')
    return "\n".join(lines) + "\n"


def run(platform: str, image: pathlib.Path, timeout: float = 120.0, console_input: bytes | None = None) -> vmm.Run:
    return vmm.run_qemu(platform, image, timeout=timeout, console_input=console_input)
