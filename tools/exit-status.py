#!/usr/bin/python3
"""Says what an exit status of tools/run-qemu.sh (QEMU running the VMM) means.

    tools/exit-status.py STATUS

The VMM's own statuses and their meanings are read from xen-arm/include/exit_status.hh
(each kExit constant and the comment after it), so this list cannot drift from the VMM;
1 and 128+N come from QEMU itself.
"""
import pathlib
import re
import signal
import sys

HEADER = pathlib.Path(__file__).resolve().parents[1] / "xen-arm" / "include" / "exit_status.hh"


def vmm_statuses() -> dict[int, str]:
    found = re.findall(r"inline constexpr u32 kExit\w+ =\s*(\d+);[ \t]*//[ \t]*(.*)", HEADER.read_text())
    return {int(n): text.strip() for n, text in found}


def meaning(status: int) -> str:
    vmm = vmm_statuses()
    if status in vmm:
        return vmm[status]
    if status == 1:
        return "QEMU could not run the image (an option it does not take, a missing build): its message above says why"
    if status > 128:
        try:
            name = signal.Signals(status - 128).name
        except ValueError:
            name = f"signal {status - 128}"
        return f"QEMU was stopped by {name}"
    return "not a status the VMM or QEMU gives"


def main() -> int:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        print("usage: tools/exit-status.py STATUS", file=sys.stderr)
        return 2
    status = int(sys.argv[1])
    print(f"exit status {status}: {meaning(status)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
