"""Boots a VMM image in the project's QEMU (through tools/run-qemu.sh --test) and
returns what it printed and how it exited."""
import dataclasses
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import board_table  # noqa: E402  (the Makefile's board table)

BOARDS = board_table.BOARDS
PLATFORMS = board_table.PLATFORMS

# shift=3 in tools/run-qemu.sh: one instruction = 8 ns of virtual time.
ICOUNT_NS_PER_INSN = 8


@dataclasses.dataclass
class Run:
    status: int
    output: str

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


def image(platform: str) -> pathlib.Path:
    path = REPO / "build" / platform / "xen-arm.elf"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make PLATFORM={platform}'")
    return path


def boot(platform: str, append: str, timeout: float = 60.0, console_input: bytes | None = None,
         image_path: pathlib.Path | None = None) -> Run:
    """console_input, if given, is typed at the board's console (QEMU's stdio serial).
    image_path boots another image (e.g. a native mini-OS) instead of the board's VMM."""
    return run_qemu(platform, image(platform) if image_path is None else image_path, append,
                    timeout=timeout, console_input=console_input)


def run_qemu(platform: str, path: pathlib.Path, append: str = "", timeout: float = 60.0,
             console_input: bytes | None = None) -> Run:
    """Every test's QEMU run: tools/run-qemu.sh --test (the board's machine options are
    there), console on stdout, console_input typed at the console if given."""
    proc = subprocess.run(
        [str(REPO / "tools" / "run-qemu.sh"), "--test", platform, str(path), append],
        input=console_input, stdin=None if console_input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout.decode(errors="replace").replace("\r\n", "\n"))
