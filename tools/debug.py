#!/usr/bin/python3
"""Debugs xen-arm in QEMU with gdb-multiarch: what `make debug` runs.

    tools/debug.py [--platform goldfish] [--image build/<board>/images/NAME.elf] [--port 1234]
                   [--port-explicit] [--append ARGS] [--log FILE] [--batch CMDFILE]

Without --image it debugs the bare VMM (build/<board>/xen-arm.elf); with one, that whole
system image (make debug SYSTEM=... packs it first, as make run does). gdb gets the VMM's
symbols and those of every guest kernel in the image (read from mkimage's depfile
<image>.d), and tools/xen-arm.gdb (xa-current, xa-domains, xa-frame).

QEMU (tools/run-qemu.sh --debug, halted at reset) runs in a session of its own, its console
going to --log (default build/<board>/debug-console.log), so Ctrl-C in gdb interrupts the
target and reaches neither QEMU nor make. gdb connects once the gdbstub accepts connections;
QEMU is stopped when gdb exits.

The gdbstub port: --port (default 1234) if it is free. If it is busy, --port-explicit (the
user chose it) stops with an error; otherwise the next free port is used and named.

--batch CMDFILE runs `gdb-multiarch -batch` with the same setup and then CMDFILE (tests).
Exit status: gdb's, or 1 when QEMU could not be started or the port is taken.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import board_table  # the Makefile's board table (this folder)

REPO = pathlib.Path(__file__).resolve().parents[1]
PLATFORMS = board_table.PLATFORMS
STARTUP_TIMEOUT_S = 30.0
PORT_SEARCH = 100


def say(msg: str) -> None:
    print(f"debug: {msg}", file=sys.stderr, flush=True)


class Failure(Exception):
    pass


# ---- the gdbstub port ----------------------------------------------------------------------

def port_free(port: int) -> bool:
    """True if QEMU could listen on 127.0.0.1:port (it sets SO_REUSEADDR too, so a socket
    in TIME_WAIT does not count; a listener on that port, IPv4 or dual-stack IPv6, does)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port(port: int, explicit: bool) -> int:
    if port_free(port):
        return port
    if explicit:
        raise Failure(f"port {port} (GDB_PORT) is in use by another program; "
                      f"choose a free one, e.g. make debug GDB_PORT={port + 1}, or leave GDB_PORT unset")
    for candidate in range(port + 1, min(port + 1 + PORT_SEARCH, 65536)):
        if port_free(candidate):
            say(f"port {port} is in use; the gdbstub listens on port {candidate} instead")
            return candidate
    raise Failure(f"ports {port}..{port + PORT_SEARCH} are all in use; set GDB_PORT to a free port")


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


# ---- what to debug ---------------------------------------------------------------------------

def repo_path(p: str | pathlib.Path) -> pathlib.Path:
    p = pathlib.Path(p)
    return p if p.is_absolute() else REPO / p


def kernels_from_depfile(depfile: pathlib.Path, vmm_elf: pathlib.Path) -> list[pathlib.Path]:
    """The kernel ELFs of an image, from the first rule of mkimage's depfile."""
    text = depfile.read_text().replace("\\\n", " ")
    first = text.splitlines()[0] if text else ""
    _, _, deps = first.partition(": ")
    out = []
    for dep in re.split(r"(?<!\\) +", deps.strip()):
        dep = dep.replace("\\ ", " ")
        if not dep.endswith(".elf"):
            continue
        path = repo_path(dep).resolve()
        if path != vmm_elf.resolve() and path not in out:
            out.append(path)
    return out


def kernel_windows(depfile: pathlib.Path) -> dict[pathlib.Path, list[int]]:
    """Each kernel's windows (start_info.h: one per domain running it), from the comment
    lines mkimage writes into its depfile."""
    out: dict[pathlib.Path, list[int]] = {}
    for line in depfile.read_text().splitlines():
        m = re.fullmatch(r"# domain \d+ window (\d+) kernel (.+)", line)
        if m:
            out.setdefault(repo_path(m.group(2)).resolve(), []).append(int(m.group(1)))
    return out


def system_image(image: pathlib.Path, vmm_elf: pathlib.Path) -> list[pathlib.Path]:
    """The guest kernels of a system image, from the depfile mkimage wrote beside it."""
    if not image.is_file():
        raise Failure(f"no image {image}: make builds it (make debug SYSTEM=...)")
    depfile = image.with_suffix(".d")
    if not depfile.is_file():
        raise Failure(f"no {depfile}: pack the image with mkimage's --depfile (as make does)")
    return kernels_from_depfile(depfile, vmm_elf)


# ---- QEMU and gdb -----------------------------------------------------------------------------

def log_tail(log: pathlib.Path, lines: int = 15) -> str:
    try:
        text = log.read_text(errors="replace").replace("\r\n", "\n").rstrip("\n").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text[-lines:]) or "    (empty)"


def start_qemu(platform: str, image: pathlib.Path, port: int, append: str, log: pathlib.Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        # A session of its own: no controlling terminal, so no Ctrl-C from gdb's terminal.
        qemu = subprocess.Popen([str(REPO / "tools" / "run-qemu.sh"), "--debug", str(port), platform,
                                 str(image), append],
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        status = qemu.poll()
        if status is not None:
            raise Failure(f"QEMU exited (status {status}) before its gdbstub listened on port {port}; "
                          f"the end of {log}:\n{log_tail(log)}")
        if accepts_connections(port):
            return qemu
        if time.monotonic() > deadline:
            stop_qemu(qemu)
            raise Failure(f"QEMU's gdbstub did not accept connections on port {port} within "
                          f"{STARTUP_TIMEOUT_S:.0f} s; the end of {log}:\n{log_tail(log)}")
        time.sleep(0.1)


def stop_qemu(qemu: subprocess.Popen) -> None:
    if qemu.poll() is not None:
        return
    try:
        os.killpg(qemu.pid, signal.SIGTERM)
        qemu.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(qemu.pid, signal.SIGKILL)
        qemu.wait()
    except ProcessLookupError:
        pass


WINDOW_SIZE = 0x04000000  # XA_WINDOW_SIZE (hypercalls/xen-arm/start_info.h)


def gdb_command(gdb: str, vmm_elf: pathlib.Path, kernels: list[pathlib.Path], port: int,
                batch: pathlib.Path | None, windows: dict[pathlib.Path, list[int]] | None = None) -> list[str]:
    cmd = [gdb, "-q", "-nx"]
    if batch is not None:
        cmd.append("-batch")
    cmd += ["-ex", "set confirm off", "-ex", f"file {vmm_elf}"]
    for k in kernels:
        # Once per window the kernel runs in: the image builder moved each domain's copy.
        for w in sorted(set((windows or {}).get(k.resolve(), [0]))):
            cmd += ["-ex", f"add-symbol-file {k}" + (f" -o 0x{w * WINDOW_SIZE:x}" if w else "")]
    cmd += ["-ex", f"source {REPO / 'tools' / 'xen-arm.gdb'}"]
    if batch is None:
        cmd += ["-ex", "set confirm on"]
    cmd += ["-ex", f"target remote 127.0.0.1:{port}"]
    if batch is not None:
        cmd += ["-x", str(batch)]
    return cmd


def run_gdb(cmd: list[str], batch: bool) -> int:
    # Ctrl-C is gdb's: this script only waits (a handler, unlike SIG_IGN, is reset in gdb).
    signal.signal(signal.SIGINT, lambda *_: None)
    tty = None
    if not batch and os.isatty(0):
        tty = 0

    def foreground():
        # gdb in a process group of its own, the terminal's foreground one: Ctrl-C goes to
        # gdb only, not to make or this script.
        os.setpgid(0, 0)
        if tty is not None:
            old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            os.tcsetpgrp(tty, os.getpgrp())
            signal.signal(signal.SIGTTOU, old)

    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL if batch else None,
                            preexec_fn=foreground if tty is not None else None)
    try:
        return proc.wait()
    finally:
        if tty is not None:
            old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
            try:
                os.tcsetpgrp(tty, os.getpgrp())
            except OSError:
                pass
            signal.signal(signal.SIGTTOU, old)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Debug xen-arm in QEMU with gdb-multiarch.")
    ap.add_argument("--platform", default="goldfish", choices=PLATFORMS)
    ap.add_argument("--image", type=pathlib.Path, help="a system image (make packs it); none: the bare VMM")
    ap.add_argument("--port", type=int, default=1234)
    ap.add_argument("--port-explicit", action="store_true", help="the user chose --port: never pick another")
    ap.add_argument("--append", default="", help="the VMM command line")
    ap.add_argument("--log", help="QEMU's console log (default build/<board>/debug-console.log)")
    ap.add_argument("--batch", type=pathlib.Path, help="run gdb -batch with this command file")
    ap.add_argument("--gdb", default="gdb-multiarch")
    args = ap.parse_args(argv)

    # Killed or hung up: still stop QEMU (the finally clauses below), which has a session of its own.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: sys.exit(128 + signum))

    vmm_elf = REPO / "build" / args.platform / "xen-arm.elf"
    log = pathlib.Path(args.log) if args.log else REPO / "build" / args.platform / "debug-console.log"
    try:
        if not vmm_elf.is_file():
            raise Failure(f"no VMM {vmm_elf}: run 'make PLATFORM={args.platform}'")
        if args.image:
            image = args.image.resolve()
            kernels = system_image(image, vmm_elf)
            windows = kernel_windows(image.with_suffix(".d"))
        else:
            image, kernels, windows = vmm_elf, [], {}
        missing = [str(k) for k in kernels if not k.is_file()]
        if missing:
            raise Failure(f"guest kernel(s) missing: {', '.join(missing)}")
        port = choose_port(args.port, args.port_explicit)
        qemu = start_qemu(args.platform, image, port, args.append, log)
    except (Failure, subprocess.CalledProcessError) as e:
        say(str(e))
        return 1

    try:
        shown = image.relative_to(REPO) if image.is_relative_to(REPO) else image
        what = ", ".join(str(k.relative_to(REPO) if k.is_relative_to(REPO) else k) for k in kernels)
        say(f"QEMU halted at reset with {shown} on {args.platform}, gdbstub on 127.0.0.1:{port}")
        say(f"console output: {log}; symbols: the VMM{', ' + what if what else ''}")
        if kernels:
            say("each domain's kernel runs in its own window, its symbols loaded there (domain N: "
                "+N x 64 MiB); `xa-current` names the domain on the CPU (README \"Debugging\")")
        return run_gdb(gdb_command(args.gdb, vmm_elf, kernels, port, args.batch, windows), args.batch is not None)
    finally:
        stop_qemu(qemu)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
