"""mini-OS domains under xen-arm on every board: seed 001's benchmark with 1, 2 and 3
domains, the shared-page handshake (events + grants), domain control from dom0."""
import re

import pytest

import images
from vmm import PLATFORMS

NAMES = ("dom0", "guest1", "guest2")


def bench_config(n: int) -> str:
    return "".join(images.domain(NAMES[i], "minios", privileged=(i == 0), cmdline="app=bench") for i in range(n))


def bench_lines(output: str, name: str, domid: int) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"[{name}] bench: dom {domid} ")]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("n", [1, 2, 3])
def test_benchmark_runs_in_every_domain(tmp_path, platform, n):
    run = images.run(platform, images.build(tmp_path, platform, f"bench{n}", bench_config(n)))
    assert run.status == 0, run.output
    assert f"({n} shut down, 0 crashed)" in run.output, run.output
    for d in range(n):
        lines = bench_lines(run.output, NAMES[d], d)
        for t in range(4):
            assert f"[{NAMES[d]}] bench: dom {d} thread {t} start" in lines, run.output
            assert f"[{NAMES[d]}] bench: dom {d} thread {t} end" in lines, run.output
        assert lines[-1] == f"[{NAMES[d]}] bench: dom {d} done", run.output
        assert f"dom{d} '{NAMES[d]}' shut down (poweroff)" in run.output


@pytest.mark.parametrize("platform", PLATFORMS)
def test_domains_interleave(tmp_path, platform):
    """With three domains the round-robin scheduler runs them side by side: another
    domain's benchmark output appears before dom0 has finished."""
    run = images.run(platform, images.build(tmp_path, platform, "bench3", bench_config(3)))
    assert run.status == 0, run.output
    lines = run.output.splitlines()
    done0 = lines.index("[dom0] bench: dom 0 done")
    first_other = min(i for i, l in enumerate(lines) if l.startswith(("[guest1] bench:", "[guest2] bench:")))
    assert first_other < done0, run.output


def test_two_runs_are_identical(tmp_path):
    image = images.build(tmp_path, "goldfish", "bench3", bench_config(3))
    a = images.run("goldfish", image)
    b = images.run("goldfish", image)
    assert a.status == b.status == 0
    assert a.output == b.output
