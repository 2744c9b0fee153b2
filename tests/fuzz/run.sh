#!/bin/sh
# Runs fuzz targets one after the other, one process each, for SECONDS each:
#   tests/fuzz/run.sh SECONDS TARGET...
# Each starts from its seed corpus (tests/fuzz/corpus/<target>, read only) plus what
# earlier runs found (build/fuzz/corpus/<target>, where new inputs go), with its
# dictionary if there is one. Prints per target the executions and libFuzzer's final
# coverage (cov: edges, ft: features); a crash, leak, timeout or sanitizer report fails
# the run, and the input that caused it is kept as build/fuzz/artifacts/<target>/crash-*
# (tests/fuzz/README.md: reproducing it).
set -u
seconds=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/fuzz
status=0
for t in "$@"; do
    bin=$out/bin/$t
    seeds=$root/tests/fuzz/corpus/$t
    work=$out/corpus/$t
    art=$out/artifacts/$t
    log=$out/logs/$t.log
    mkdir -p "$work" "$art" "$out/logs"
    dict=""
    [ -f "$root/tests/fuzz/dict/$t.dict" ] && dict="-dict=$root/tests/fuzz/dict/$t.dict"
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the default, said aloud.
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$art/" $dict "$work" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*\(cov: [0-9]*\) \(ft: [0-9]*\).*/\1 \2/p')
    if [ "$rc" -eq 0 ]; then
        printf 'fuzz: %-18s %10s executions in %ss, %s\n' "$t" "${execs:-?}" "$seconds" "${cov:-no coverage line}"
    else
        status=1
        printf 'fuzz: %-18s FAILED (exit %s) after %s executions; log: %s\n' "$t" "$rc" "${execs:-?}" "${log#$root/}"
        grep -E '^(SUMMARY|==[0-9]+==ERROR|[a-z_]+: )' "$log" | head -n 5 | sed 's/^/fuzz:   /'
        for a in "$art"/*; do
            [ -e "$a" ] && printf 'fuzz:   input kept: %s (reproduce: %s %s)\n' "${a#$root/}" "${bin#$root/}" "${a#$root/}"
        done
    fi
done
exit $status
