#!/bin/sh
# Runs an image on one of xen-arm's boards in the project's QEMU. The single place that
# knows each board's QEMU machine options: make run, make debug and the tests use it.
#
#   tools/run-qemu.sh [--test|--interactive|--debug PORT] PLATFORM IMAGE [APPEND]
#
#   --test          console on stdio, no monitor, deterministic time (-icount sleep=off:
#                   idle time jumps to the next timer deadline, so runs repeat exactly)
#   --interactive   -nographic (Ctrl-A X quits, Ctrl-A C the monitor); time paced to the
#                   host clock so a person sees seconds as seconds
#   --debug PORT    CPU halted at reset, gdbstub on 127.0.0.1:PORT; time as --interactive;
#                   console output on stdout, no monitor and no input (tools/debug.py sends
#                   it to a log file, so the terminal and Ctrl-C belong to gdb)
# QEMU=/path/to/qemu-system-arm overrides the project's cached build.
set -eu

mode=test
port=1234
case "${1:-}" in
    --test) mode=test; shift ;;
    --interactive) mode=interactive; shift ;;
    --debug) mode=debug; port=$2; shift 2 ;;
esac
if [ $# -lt 2 ]; then
    echo "usage: $0 [--test|--interactive|--debug PORT] PLATFORM IMAGE [APPEND]" >&2
    exit 2
fi
platform=$1
image=$2
append=${3:-}

here=$(cd "$(dirname "$0")/.." && pwd)
qemu=${QEMU:-$("$here/goldfish/build-qemu.sh" --path)}
if [ ! -x "$qemu" ]; then
    echo "run-qemu: $qemu is not built; run 'make qemu'" >&2
    exit 2
fi
if [ ! -f "$image" ]; then
    echo "run-qemu: no image $image; run 'make PLATFORM=$platform'" >&2
    exit 2
fi

case "$platform" in
    goldfish) machine="-M goldfish -m 128M" ;;
    imx21) machine="-M imx21ads -m 64M" ;;
    versatilepb) machine="-M versatilepb -m 128M" ;;
    *) echo "run-qemu: unknown platform '$platform' (goldfish, imx21, versatilepb)" >&2; exit 2 ;;
esac

# shift=3: one instruction = 8 ns of virtual time, i.e. 125 MIPS, about what an ARM926EJ-S
# at 200 MHz retires at a CPI of 1.6 (the Secure Xen on ARM benchmark's case 1).
case "$mode" in
    test) io="-display none -serial stdio -monitor none -icount shift=3,sleep=off" ;;
    interactive) io="-nographic -icount shift=3" ;;
    debug) io="-display none -serial stdio -monitor none -icount shift=3 -S -gdb tcp:127.0.0.1:$port" ;;
esac

# shellcheck disable=SC2086  # word splitting of the option strings is intended
exec "$qemu" $machine $io -no-reboot -rtc clock=vm \
    -semihosting-config enable=on,target=native \
    -kernel "$image" -append "$append"
