#!/bin/sh
# Runs an image on one of xen-arm's boards in the project's QEMU. The single place that
# knows QEMU's options (each board's machine and RAM come from the Makefile's board table):
# make run, make debug and the tests use it.
#
#   tools/run-qemu.sh [--test|--interactive [--log FILE]|--debug PORT] PLATFORM IMAGE [APPEND]
#
#   --test          console on stdio, no monitor, deterministic time (-icount sleep=off:
#                   idle time jumps to the next timer deadline, so runs repeat exactly)
#   --interactive   console and monitor on the terminal (Ctrl-A X quits, Ctrl-A C the
#                   monitor); time paced to the host clock so a person sees seconds as
#                   seconds; --log FILE also writes the console to FILE
#   --debug PORT    CPU halted at reset, gdbstub on 127.0.0.1:PORT; time as --interactive;
#                   console output on stdout, no monitor and no input (tools/debug.py sends
#                   it to a log file, so the terminal and Ctrl-C belong to gdb)
# QEMU=/path/to/qemu-system-arm overrides the project's cached build; QEMU_EXTRA adds
# options (word-split), e.g. QEMU_EXTRA='-d guest_errors -D qemu.log'.
#
# The exit status is the VMM's (xen-arm/include/exit_status.hh; tools/exit-status.py says
# what each means), or 1 when QEMU could not run the image (this script's own errors too).
set -eu

mode=test
port=1234
log=
case "${1:-}" in
    --test) mode=test; shift ;;
    --interactive) mode=interactive; shift
        if [ "${1:-}" = --log ]; then log=$2; shift 2; fi ;;
    --debug) mode=debug; port=$2; shift 2 ;;
esac
if [ $# -lt 2 ]; then
    echo "usage: $0 [--test|--interactive [--log FILE]|--debug PORT] PLATFORM IMAGE [APPEND]" >&2
    exit 1
fi
platform=$1
image=$2
append=${3:-}

here=$(cd "$(dirname "$0")/.." && pwd)
qemu=${QEMU:-$("$here/goldfish/build-qemu.sh" --path)}
if [ ! -x "$qemu" ]; then
    echo "run-qemu: $qemu is not built; run 'make qemu'" >&2
    exit 1
fi
if [ ! -f "$image" ]; then
    echo "run-qemu: no image $image; run 'make PLATFORM=$platform'" >&2
    exit 1
fi

# The board's row of the Makefile's board table: board.<name> := RAM_BASE RAM_MIB QEMU_MACHINE.
table_value() {
    sed -n "s/^$1[[:space:]]*:=[[:space:]]*//p" "$here/Makefile"
}
case "$platform" in
    *[!A-Za-z0-9_-]*|'') row= ;;
    *) row=$(table_value "board\\.$platform") ;;
esac
if [ -z "$row" ]; then
    echo "run-qemu: unknown platform '$platform' ($(table_value PLATFORMS | sed 's/ /, /g'))" >&2
    exit 1
fi
# shellcheck disable=SC2086  # the row's fields
set -- $row
machine="-M $3 -m ${2}M"

# shift=3: one instruction = 8 ns of virtual time, i.e. 125 MIPS, about what an ARM926EJ-S
# at 200 MHz retires at a CPI of 1.6 (the Secure Xen on ARM benchmark's case 1).
case "$mode" in
    test) io="-display none -serial stdio -monitor none -icount shift=3,sleep=off" ;;
    interactive)
        if [ -n "$log" ]; then
            mkdir -p "$(dirname "$log")"
            : > "$log"
            # -nographic's console and monitor, with QEMU writing the console to the log.
            io="-display none -chardev stdio,id=con,mux=on,signal=on,logfile=$log -serial chardev:con"
            io="$io -mon chardev=con,mode=readline -icount shift=3"
        else
            io="-nographic -icount shift=3"
        fi ;;
    debug) io="-display none -serial stdio -monitor none -icount shift=3 -S -gdb tcp:127.0.0.1:$port" ;;
esac

# shellcheck disable=SC2086  # word splitting of the option strings is intended
exec "$qemu" $machine $io -no-reboot -rtc clock=vm \
    -semihosting-config enable=on,target=native ${QEMU_EXTRA:-} \
    -kernel "$image" -append "$append"
