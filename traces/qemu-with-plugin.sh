#!/bin/sh
# QEMU for tools/run-qemu.sh with the xatrace plugin added, so that run-qemu.sh stays the one
# place that knows each board's machine options:
#
#   QEMU=traces/qemu-with-plugin.sh XATRACE_QEMU=/path/qemu-system-arm \
#       XATRACE_PLUGIN="build/traces/libxatrace.so,csv=run.csv" tools/run-qemu.sh --test ...
#
# Without XATRACE_PLUGIN it runs QEMU unchanged (the baseline of the slowdown measurement
# goes through the same script).
set -eu
if [ -n "${XATRACE_PLUGIN:-}" ]; then
    exec "$XATRACE_QEMU" "$@" -plugin "$XATRACE_PLUGIN"
fi
exec "$XATRACE_QEMU" "$@"
