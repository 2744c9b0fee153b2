"""Running QEMU with the xatrace plugin, and reading what it writes. Shared by run_traces.py
(make traces), bench.py (make bench) and the tests in tests/traces/."""
import csv
import dataclasses
import os
import pathlib
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import board_table  # noqa: E402  (the Makefile's board table)

TRACES = REPO / "traces"
PLUGIN = REPO / "build" / "traces" / "libxatrace.so"
WRAPPER = TRACES / "qemu-with-plugin.sh"
RUN_QEMU = REPO / "tools" / "run-qemu.sh"
HYPERCALLS_H = REPO / "hypercalls" / "xen-arm" / "hypercall.h"
BOARDS = board_table.BOARDS
PLATFORMS = board_table.PLATFORMS
CROSS_NM = "arm-none-eabi-nm"


def qemu_binary() -> str:
    return os.environ.get("XATRACE_QEMU") or subprocess.run(
        [str(REPO / "goldfish" / "build-qemu.sh"), "--path"], check=True, capture_output=True,
        text=True).stdout.strip()


def symbol(elf: pathlib.Path, name: str) -> int:
    """The address of a global symbol of an ARM ELF (arm-none-eabi-nm)."""
    out = subprocess.run([CROSS_NM, str(elf)], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise KeyError(f"{name} not in {elf}")


@dataclasses.dataclass
class Run:
    status: int
    output: str
    seconds: float


def run(platform: str, image: pathlib.Path, append: str = "", plugin_args: dict | None = None,
        timeout: float = 300.0, console_input: bytes | None = None) -> Run:
    """Boots `image` with tools/run-qemu.sh --test, with the plugin if plugin_args is given
    (a dict of key -> value or list of values), console_input typed at the console (none:
    an empty console). Returns status, console output and the wall-clock seconds QEMU took."""
    env = dict(os.environ, QEMU=str(WRAPPER), XATRACE_QEMU=qemu_binary())
    env.pop("XATRACE_PLUGIN", None)
    if plugin_args is not None:
        parts = [str(PLUGIN)]
        for key, value in plugin_args.items():
            for v in (value if isinstance(value, (list, tuple)) else [value]):
                text = f"0x{v:x}" if isinstance(v, int) else str(v)
                if "," in text:
                    raise ValueError(f"plugin argument {key}={text} contains a comma")
                parts.append(f"{key}={text}")
        env["XATRACE_PLUGIN"] = ",".join(parts)
    start = time.perf_counter()
    stdin = {"stdin": subprocess.DEVNULL} if console_input is None else {"input": console_input}
    proc = subprocess.run([str(RUN_QEMU), "--test", platform, str(image), append], env=env, **stdin,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=timeout)
    seconds = time.perf_counter() - start
    return Run(proc.returncode, proc.stdout.decode(errors="replace").replace("\r\n", "\n"), seconds)


@dataclasses.dataclass
class Row:
    domain: str
    thread: str
    unit: str
    instructions: int
    cycles: int
    icache_misses: int
    dcache_misses: int
    dcache_writebacks: int
    io_accesses: int
    tlb_misses: int

    @property
    def cpi(self) -> float:
        return self.cycles / self.instructions if self.instructions else 0.0


def read_csv(path: pathlib.Path) -> tuple[list[Row], Row]:
    """The plugin's CSV: (rows, total row)."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            rows.append(Row(r["domain"], r["thread"], r["unit"], int(r["instructions"]), int(r["cycles"]),
                            int(r["icache_misses"]), int(r["dcache_misses"]), int(r["dcache_writebacks"]),
                            int(r["io_accesses"]), int(r["tlb_misses"])))
    total = rows.pop()
    assert total.unit == "total", path
    return rows, total


@dataclasses.dataclass
class Event:
    seq: int
    kind: str
    value: int
    domain: str
    thread: int
    instructions: int
    cycles: int


def read_events(path: pathlib.Path) -> list[Event]:
    with open(path, newline="") as f:
        return [Event(int(r["seq"]), r["kind"], int(r["value"], 16), r["domain"], int(r["thread"]),
                      int(r["instructions"]), int(r["cycles"])) for r in csv.DictReader(f)]
