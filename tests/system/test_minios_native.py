"""mini-OS directly on each board, without the VMM: the baseline of the Secure Xen on ARM benchmark
(case 0). The same common code and apps as the pv build, on the board's own UART, timer
and interrupt controller; command line and exit through semihosting."""
import re

import pytest

from vmm import ICOUNT_NS_PER_INSN, PLATFORMS, REPO, boot

BENCH_ITERATIONS = 100_000
# The benchmark loop is 6 instructions an iteration (ldr/add/str/ldr/cmp/b on a volatile
# counter); 4 threads x 2 loops. Everything else (printk, thread switches) is small.
BENCH_LOOP_INSNS = 4 * 2 * BENCH_ITERATIONS * 6


def native_image(platform: str):
    path = REPO / "build" / "minios" / "native" / platform / "minios.elf"
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run 'make minios'")
    return path


def run_native(platform: str, append: str):
    return boot(platform, append, timeout=60.0, image_path=native_image(platform))


@pytest.fixture(scope="module", params=PLATFORMS)
def bench_twice(request):
    platform = request.param
    return platform, run_native(platform, "app=bench"), run_native(platform, "app=bench")


def test_bench_runs_every_thread_and_exits_cleanly(bench_twice):
    platform, run, _ = bench_twice
    assert run.status == 0, run.output
    bench = [line for line in run.lines if line.startswith("bench: ")]
    # Cooperative round robin: each thread runs start, loop, end, loop before it yields.
    expected = []
    for t in range(4):
        expected += [f"bench: dom 0 thread {t} start", f"bench: dom 0 thread {t} end"]
    assert bench[:8] == expected, run.output
    assert re.fullmatch(r"bench: dom 0 elapsed \d+ ns", bench[8]), run.output
    assert bench[9:] == ["bench: dom 0 done"], run.output
    assert f"minios: native {platform}, dom 0 ({platform}), app=bench" in run.lines


def test_bench_runs_are_byte_identical(bench_twice):
    _, first, second = bench_twice
    assert first.status == second.status == 0
    assert first.output == second.output


def test_bench_loop_is_not_optimised_away(bench_twice):
    _, run, _ = bench_twice
    ns = int(re.search(r"^bench: dom 0 elapsed (\d+) ns$", run.output, re.M).group(1))
    instructions = ns // ICOUNT_NS_PER_INSN
    assert BENCH_LOOP_INSNS <= instructions < BENCH_LOOP_INSNS * 11 // 10, instructions


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bench_is_the_default_app(platform):
    run = run_native(platform, "")
    assert run.status == 0, run.output
    assert "bench: dom 0 done" in run.lines


@pytest.mark.parametrize("platform", PLATFORMS)
def test_heartbeat_sleeps_on_the_board_timer(platform):
    run = run_native(platform, "app=heartbeat count=3 period=20")
    assert run.status == 0, run.output
    beats = re.findall(r"^heartbeat: dom 0 beat (\d+) at (\d+) ns$", run.output, re.M)
    assert [int(i) for i, _ in beats] == [1, 2, 3], run.output
    times = [int(t) for _, t in beats]
    for earlier, later in zip(times, times[1:]):
        assert abs((later - earlier) - 20_000_000) <= 1_000_000, times
    assert run.lines[-1] == "heartbeat: dom 0 done", run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_unknown_app_is_a_failure(platform):
    run = run_native(platform, "app=no-such-app")
    assert run.status != 0, run.output
    assert "minios: fatal: no app 'no-such-app' in this build" in run.lines


@pytest.mark.parametrize("platform", ["goldfish"])
def test_pv_only_apps_are_not_in_the_native_build(platform):
    run = run_native(platform, "app=attack what=read-vmm")
    assert run.status != 0, run.output
    assert "minios: fatal: no app 'attack' in this build" in run.lines
