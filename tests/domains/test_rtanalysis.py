"""domains/bootimage/rt.py and domains/schedtool.py: the periodic resource model's supply
bound function against a brute-force minimum over every legal supply pattern, the
EDF and fixed-priority tests and interfaces against unit-by-unit simulation of the task
set over the worst supply, hand-derived examples with their arithmetic, the response-time
bounds against simulations with other supply patterns and release offsets, and the
command: its table, JSON, verdicts, exit status and configuration errors."""
import itertools
import json
import math
import pathlib
import random
import subprocess
import sys
from fractions import Fraction

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "domains"))
from bootimage import config as image_config, rt  # noqa: E402

SCHEDTOOL = REPO / "domains" / "schedtool.py"
MKIMAGE = REPO / "domains" / "mkimage.py"
T = rt.Task


# ---- independent models -------------------------------------------------------------------

def brute_sbf(period: int, budget: int, t: int) -> int:
    """The least supply in a window of length t over every pattern that gives `budget`
    slots somewhere in each period: all placements of enough consecutive periods, every
    window start in the first one."""
    count = t // period + 2
    placements = list(itertools.combinations(range(period), budget))
    best = t
    for choice in itertools.product(placements, repeat=count):
        slots = [0] * (count * period)
        for k, place in enumerate(choice):
            for s in place:
                slots[k * period + s] = 1
        for start in range(period):
            best = min(best, sum(slots[start:start + t]))
    return best


def worst_pattern(period: int, budget: int, length: int) -> list[int]:
    """1 where the worst pattern supplies, from the start of its blackout: nothing for
    2(Π - Θ), then Θ at the end of every period (time counted from Θ into period 0,
    whose budget came first)."""
    slots = []
    for x in range(budget, budget + length):
        k, s = divmod(x, period)
        slots.append(1 if (k == 0 and s < budget) or (k > 0 and s >= period - budget) else 0)
    return slots


def simulate(tasks, supply, policy, horizon, offsets=None):
    """Unit-by-unit: jobs released at offset + k·p (deadline the next release); in each
    supplied slot the pending job of highest priority runs a unit (EDF: earliest
    deadline, ties to the lower index; FP: tasks listed highest first). Returns
    (every deadline met, each task's largest response time among its completed jobs)."""
    offsets = offsets or [0] * len(tasks)
    pending = []            # [deadline, index, release, remaining]
    worst = [0] * len(tasks)
    for now in range(horizon):
        for i, task in enumerate(tasks):
            if now >= offsets[i] and (now - offsets[i]) % task.period == 0:
                pending.append([now + task.period, i, now, task.wcet])
        for job in pending:
            if job[0] <= now:
                return False, worst
        if supply[now] and pending:
            job = min(pending, key=(lambda j: (j[0], j[1])) if policy == "edf" else (lambda j: (j[1], j[2])))
            job[3] -= 1
            if job[3] == 0:
                pending.remove(job)
                worst[job[1]] = max(worst[job[1]], now + 1 - job[2])
    return True, worst


def sim_schedulable(tasks, policy, period, budget):
    """Synchronous release at the start of the worst pattern's blackout, long enough for
    every t where dbf or rbf can first exceed the supply (lcm(H, Π) and a period more)."""
    horizon = 2 * math.lcm(*(t.period for t in tasks), period) + max(t.period for t in tasks)
    ordered = tasks if policy != "rm" else sorted(tasks, key=lambda t: t.period)
    return simulate(ordered, worst_pattern(period, budget, horizon), "edf" if policy == "edf" else "fp",
                    horizon)[0]


def sim_minimal_budget(tasks, policy, period):
    for budget in range(1, period + 1):
        if sim_schedulable(tasks, policy, period, budget):
            return budget
    return None


# ---- the supply bound function ------------------------------------------------------------

@pytest.mark.parametrize("period,budget", [(3, 1), (4, 1), (4, 2), (4, 3), (5, 2), (5, 3), (5, 5)])
def test_sbf_is_the_least_supply_of_any_legal_pattern(period, budget):
    for t in range(0, 3 * period + 1):
        assert rt.sbf(period, budget, t) == brute_sbf(period, budget, t), t
        # ... and the worst pattern, from its blackout, supplies exactly that.
        assert sum(worst_pattern(period, budget, t)) == rt.sbf(period, budget, t), t


def test_sbf_at_known_points():
    # Γ(5, 2): no supply for 2(5 - 2) = 6, then 2 at the end of each period of 5.
    assert [rt.sbf(5, 2, t) for t in range(0, 17)] == [0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3, 4, 4, 4, 4]
    # Γ(10, 3) at t = 50: blackout 14, then 3 every 10: x = 50 - 7 = 43 = 4·10 + 3 -> 4·3 + 0.
    assert rt.sbf(10, 3, 50) == 12
    # A dedicated processor supplies everything; a zero budget nothing.
    assert [rt.sbf(7, 7, t) for t in (1, 7, 100)] == [1, 7, 100]
    assert rt.sbf(7, 0, 100) == 0
    # In microseconds: Γ(600us, 288us) at 39.904 ms: x = 39904 - 312 = 65·600 + 592 -> 65·288 + 280.
    assert rt.sbf(600, 288, 39904) == 19000 and rt.sbf(600, 288, 39903) == 18999


def test_sbf_properties():
    for period in range(1, 13):
        for budget in range(0, period + 1):
            values = [rt.sbf(period, budget, t) for t in range(0, 6 * period)]
            assert all(a <= b <= a + 1 for a, b in zip(values, values[1:]))       # slope 0 or 1
            for t in range(0, 6 * period):
                assert values[t] <= t
                assert rt.lsbf(period, budget, t) <= values[t]
                if budget < period:
                    assert values[t] <= rt.sbf(period, budget + 1, t)             # grows with Θ
                if t >= period - budget:
                    assert rt.sbf(period, budget, t + period) == values[t] + budget
                if budget and values[t]:
                    assert rt.sbf_inverse(period, budget, values[t]) <= t
                    assert rt.sbf(period, budget, rt.sbf_inverse(period, budget, values[t])) == values[t]
            for work in range(1, 3 * budget + 1):
                t = rt.sbf_inverse(period, budget, work)
                assert rt.sbf(period, budget, t) >= work > rt.sbf(period, budget, t - 1)


# ---- hand-derived examples ----------------------------------------------------------------

# The task set of Shin and Lee's examples, {T(50, 7), T(75, 9)}: U = 7/50 + 9/75 = 0.26. Its
# published interfaces were not at hand, so the values below are derived here, step by step.
SHIN_LEE = [T(50, 7), T(75, 9)]


def test_edf_example_with_the_arithmetic():
    assert rt.utilisation(SHIN_LEE) == Fraction(13, 50)
    # Π = 20: Θ >= U·Π = 5.2, so 6 at least. Γ(20, 6): blackout 2·14 = 28, sbf(t) = 6q + max(0,
    # r - 14) with t - 14 = 20q + r. dbf(150) = 3·7 + 2·9 = 39; 150 - 14 = 136 = 6·20 + 16:
    # sbf(150) = 36 + 2 = 38 < 39, a miss at the hyperperiod.
    assert rt.dbf(SHIN_LEE, 150) == 39 and rt.sbf(20, 6, 150) == 38
    assert not rt.edf_schedulable(SHIN_LEE, 20, 6)
    # Γ(20, 7): t - 13 = 20q + r, sbf = 7q + max(0, r - 13): sbf(50) = 7 + 4 = 11 >= 7,
    # sbf(75) = 21 >= dbf 16, sbf(100) = 28 >= 23, sbf(150) = 42 + 4 = 46 >= 39; and past
    # 2·13·7 / (7 - 5.2) = 101.1 the linear bound holds, so t = 50, 75, 100 are all the points.
    assert [rt.sbf(20, 7, t) for t in (50, 75, 100, 150)] == [11, 21, 28, 46]
    assert rt.edf_horizon(SHIN_LEE, 20, 7) == 102
    assert rt.edf_points(SHIN_LEE, 102) == [50, 75, 100]
    assert rt.edf_schedulable(SHIN_LEE, 20, 7)
    assert rt.minimal_budget(SHIN_LEE, "edf", 20) == 7
    # Π = 10: Θ >= 2.6, and Γ(10, 3) passes (sbf(50) = 12, sbf(75) = 19, sbf(100) = 27): 3.
    assert rt.minimal_budget(SHIN_LEE, "edf", 10) == 3


def test_rm_example_with_the_arithmetic():
    # RM at Π = 20: T(50, 7) first. Task 2's points are 50 and 75: rbf_2(50) = 9 + 7 = 16,
    # rbf_2(75) = 9 + 2·7 = 23. Γ(20, 7) gives 11 and 21: both short. Γ(20, 8) (t - 12 = 20q + r,
    # sbf = 8q + max(0, r - 12)) gives sbf(50) = 8 + 6 = 14 < 16 but sbf(75) = 24 + 0 = 24 >= 23.
    ordered = SHIN_LEE
    assert [rt.rbf(ordered, 1, t) for t in (50, 75)] == [16, 23]
    assert rt.fp_points(ordered, 1) == [50, 75]
    assert not rt.fp_schedulable(ordered, 20, 7)
    assert [rt.sbf(20, 8, t) for t in (50, 75)] == [14, 24]
    assert rt.fp_schedulable(ordered, 20, 8)
    assert rt.minimal_budget(SHIN_LEE, "rm", 20) == 8
    # Response times under Γ(20, 8): task 1 needs 7 = the blackout 24 then 7: t = 31. Task 2
    # needs 16 by t <= 50 (sbf reaches 16 only at t = 52) or 23 by t <= 75: 16 + (r - 12) >= 23
    # at r = 19, t = 12 + 40 + 19 = 71.
    assert rt.response_bounds(SHIN_LEE, "rm", 20, 8) == [31, 71]
    # Listed the other way round, RM still puts the period 50 first; FP keeps the order.
    assert rt.response_bounds(SHIN_LEE[::-1], "rm", 20, 8) == [71, 31]
    # FP with T(75, 9) first: it needs 9 = the blackout 24, one budget of 8 and 1 more:
    # 24 + 20 + 1 = 45; T(50, 7) then needs 7 + 9 = 16 by t = 50, where sbf is 14: a miss.
    assert rt.response_bounds(SHIN_LEE[::-1], "fp", 20, 8) == [45, None]


def test_fixed_period_and_dedicated_cases():
    # Utilisation 1 under EDF needs the whole processor, and fits it.
    full = [T(4, 2), T(8, 4)]
    assert rt.minimal_budget(full, "edf", 4) == 4
    # Under RM, {T(4, 2), T(6, 3)} (U = 1) misses on a dedicated processor: rbf_2(6) = 3 + 2·2 = 7 > 6.
    assert rt.minimal_budget([T(4, 2), T(6, 3)], "rm", 4) is None
    assert rt.minimal_budget([T(4, 2), T(6, 3)], "edf", 4) == 4
    # With U = Θ/Π the busy periods never end: the EDF bound is the period itself.
    assert rt.response_bounds(full, "edf", 4, 4) == [4, 8]
    # Every budget below U·Π is refused without a test.
    assert rt.minimal_budget([T(10, 5)], "edf", 10, at_most=4) is None


# ---- analysis against simulation -----------------------------------------------------------

SETS = [
    SHIN_LEE,
    [T(10, 2), T(20, 3), T(40, 5)],
    [T(6, 1), T(8, 2), T(12, 1)],
    [T(5, 1), T(7, 2)],
    [T(9, 2), T(12, 3), T(18, 2)],
    [T(4, 1), T(10, 3)],
]


@pytest.mark.parametrize("policy", ["edf", "rm"])
@pytest.mark.parametrize("index", range(len(SETS)))
def test_minimal_budget_matches_simulation(policy, index):
    tasks = SETS[index]
    for period in range(1, min(t.period for t in tasks) + 1):
        expected = sim_minimal_budget(tasks, policy, period)
        assert rt.minimal_budget(tasks, policy, period) == expected, (period, expected)
        for budget in range(max(1, (expected or period) - 2), period + 1):
            assert rt.schedulable(tasks, policy, period, budget) == sim_schedulable(tasks, policy, period,
                                                                                      budget), budget


@pytest.mark.parametrize("index", range(len(SETS)))
def test_rm_bound_is_the_worst_first_response(index):
    tasks = sorted(SETS[index], key=lambda t: t.period)
    for period in range(2, tasks[0].period + 1):
        budget = rt.minimal_budget(tasks, "rm", period)
        if budget is None:
            continue
        bounds = rt.response_bounds(tasks, "rm", period, budget)
        horizon = 2 * math.lcm(*(t.period for t in tasks), period)
        ok, worst = simulate(tasks, worst_pattern(period, budget, horizon), "fp", horizon)
        assert ok and worst == bounds, (period, budget)


@pytest.mark.parametrize("policy", ["edf", "rm"])
def test_bounds_hold_for_other_patterns_and_offsets(policy):
    """Random legal supply (Θ slots somewhere in each period) and random release offsets:
    no job takes longer than its bound."""
    rng = random.Random(20031203)
    for tasks in SETS:
        tasks = sorted(tasks, key=lambda t: t.period)
        period = max(2, tasks[0].period // 2)
        budget = rt.minimal_budget(tasks, policy, period)
        bounds = rt.response_bounds(tasks, policy, period, budget)
        horizon = 3 * math.lcm(*(t.period for t in tasks), period)
        for _ in range(30):
            supply = []
            for _k in range(horizon // period + 1):
                slots = set(rng.sample(range(period), budget))
                supply += [1 if s in slots else 0 for s in range(period)]
            offsets = [rng.randrange(t.period) for t in tasks]
            ok, worst = simulate(tasks, supply, "edf" if policy == "edf" else "fp", horizon, offsets)
            assert ok and all(w <= b for w, b in zip(worst, bounds)), (tasks, worst, bounds)


def test_edf_busy_period():
    tasks = [T(10, 2), T(20, 3), T(40, 5)]
    period, budget = 5, 3
    assert rt.edf_schedulable(tasks, period, budget)
    b = rt.busy_period(tasks, period, budget, 1000)
    demand = lambda t: sum(-(-t // x.period) * x.wcet for x in tasks)  # noqa: E731
    assert demand(b) <= rt.sbf(period, budget, b)
    assert all(demand(t) > rt.sbf(period, budget, t) for t in range(1, b))
    # One task alone: the blackout 2·2, then its 2 units: 6.
    assert rt.response_bounds([T(10, 2)], "edf", 5, 3) == [6]


@pytest.mark.parametrize("index", range(len(SETS)))
def test_edf_bound_is_the_worst_response_over_release_offsets(index):
    """The other tasks released together at the start of the worst supply, task i at every
    offset in its period, ties in deadline decided against task i: the largest response
    of task i seen is its bound, exactly."""
    tasks = SETS[index]
    shortest = min(t.period for t in tasks)
    for period in sorted({2, (shortest + 1) // 2, shortest}):
        budget = rt.minimal_budget(tasks, "edf", period)
        for bud in sorted({budget, period}):
            bounds = rt.response_bounds(tasks, "edf", period, bud)
            horizon = 2 * math.lcm(*(t.period for t in tasks), period) + 2 * max(t.period for t in tasks)
            supply = worst_pattern(period, bud, horizon)
            for i in range(len(tasks)):
                others = [t for j, t in enumerate(tasks) if j != i]
                worst = 0
                for offset in range(tasks[i].period):
                    ok, seen = simulate(others + [tasks[i]], supply, "edf", horizon,
                                        [0] * len(others) + [offset])
                    assert ok
                    worst = max(worst, seen[-1])
                assert worst == bounds[i], (period, bud, i)


@pytest.mark.parametrize("index", range(len(SETS)))
def test_edf_bound_is_spuris_over_every_offset(index):
    """The EDF bound from its definition, by scanning: B the least t with
    Σ ceil(t/p)·e <= sbf(t); for every offset a < B (not only where the demand steps) the
    least L with the demand of a job of task i released at a, and the jobs with deadlines
    no later than its own, <= sbf(L); the bound is min(p_i, max(e_i, max_a L - a))."""
    tasks = SETS[index]
    shortest = min(t.period for t in tasks)
    for period in range(2, shortest + 1):
        for budget in sorted({rt.minimal_budget(tasks, "edf", period), period}):
            if Fraction(budget, period) == rt.utilisation(tasks):
                continue
            supply = [rt.sbf(period, budget, t) for t in range(0, 4000)]
            busy = next(t for t in range(1, 4000) if sum(-(-t // x.period) * x.wcet for x in tasks) <= supply[t])
            expected = []
            for i, me in enumerate(tasks):
                worst = me.wcet
                for a in range(busy):
                    def demand(t):
                        own = (a // me.period + 1) * me.wcet
                        return own + sum(min(-(-t // x.period), (a + me.period - x.period) // x.period + 1) * x.wcet
                                         for j, x in enumerate(tasks) if j != i and x.period <= a + me.period)
                    worst = max(worst, next(t for t in range(1, 4000) if demand(t) <= supply[t]) - a)
                expected.append(min(me.period, worst))
            assert rt.response_bounds(tasks, "edf", period, budget) == expected, (period, budget)


def test_the_edf_walk_tests_every_deadline():
    """edf_schedulable skips deadlines (QPA): the verdict is that of checking every deadline
    up to the horizon, over random task sets and every budget from U·Π up."""
    rng = random.Random(2008)
    for _ in range(150):
        tasks = [T(p, rng.randint(1, p // 3)) for p in rng.sample(range(20, 400), rng.randint(1, 4))]
        period = rng.randint(5, min(t.period for t in tasks))
        low = math.ceil(rt.utilisation(tasks) * period)
        for budget in range(max(1, low), min(period, low + 12) + 1):
            horizon = rt.edf_horizon(tasks, period, budget)
            every = all(rt.dbf(tasks, t) <= rt.sbf(period, budget, t) for t in rt.edf_points(tasks, horizon))
            assert rt.edf_schedulable(tasks, period, budget) == every, (tasks, period, budget)
            # ... and the downward walk alone, without the first deadlines' upward look.
            assert rt.edf_schedulable(tasks, period, budget, first=0) == every, (tasks, period, budget)
    for tasks in SETS + [[T(p, e) for p, e in ((7, 1), (11, 1), (13, 2), (17, 2), (19, 1), (23, 3), (29, 1))]]:
        for period in range(1, min(t.period for t in tasks) + 1):
            for budget in range(1, period + 1):
                if rt.utilisation(tasks) > Fraction(budget, period):
                    continue
                horizon = rt.edf_horizon(tasks, period, budget)
                every = all(rt.dbf(tasks, t) <= rt.sbf(period, budget, t) for t in rt.edf_points(tasks, horizon))
                assert rt.edf_schedulable(tasks, period, budget, first=0) == every, (tasks, period, budget)


def test_long_and_coprime_periods_are_quick():
    """Periods near a second, and seven coprime ones (a hyperperiod of 2·10^10 ms): the
    analysis still takes moments. The interface found is checked by the exhaustive test
    one unit below (a short horizon there, as it fails early)."""
    import time
    start = time.monotonic()
    seven = [T(p * 1000, e * 1000) for p, e in ((7, 1), (11, 1), (13, 2), (17, 2), (19, 1), (23, 3), (29, 1))]
    d = rt.analyse_domain("c", "edf", seven, None, 100, 100)
    assert d.schedulable and not rt.edf_schedulable(seven, d.period, d.budget - 1)
    long = [T(1000000, 300000), T(997000, 100000), T(991000, 50000)]
    for policy in ("edf", "rm"):
        d = rt.analyse_domain("a", policy, long, None, 100, 100)
        assert d.schedulable and all(b is not None for b in d.bounds)
    assert time.monotonic() - start < 20


def test_chosen_interface_is_the_least_bandwidth():
    tasks = [T(10, 2), T(20, 3), T(40, 5)]
    chosen = rt.choose_interface(tasks, "rm", step=1, min_budget=1)
    best = min((Fraction(rt.minimal_budget(tasks, "rm", p), p), -p) for p in range(1, 11)
               if rt.minimal_budget(tasks, "rm", p) is not None)
    assert Fraction(chosen[1], chosen[0]) == best[0] and chosen[0] == -best[1]
    # With a minimum budget of 3 units, periods whose best budget is smaller must take 3.
    chosen3 = rt.choose_interface(tasks, "rm", step=1, min_budget=3)
    assert chosen3[1] >= 3
    assert Fraction(chosen3[1], chosen3[0]) == min(
        Fraction(rt.minimal_budget(tasks, "rm", p, 3), p) for p in range(3, 11))


# ---- the command --------------------------------------------------------------------------

HEAD = """\
[system]
name = rt-test

[domain dom0]
kernel = minios
memory = 1M
privileged = yes
"""

CTRL = """
[domain ctrl]
kernel = minios
memory = 1M
rt_scheduler = rm
rt_tasks = 10ms/2ms, 20ms/3ms, 40ms/5ms
"""

MEDIA = """
[domain media]
kernel = minios
memory = 1M
rt_scheduler = edf
rt_tasks = 50ms/7ms, 75ms/9ms
rt_period = 10ms
"""


def run(tmp_path, text, *args, tool=SCHEDTOOL):
    (tmp_path / "domains").mkdir(exist_ok=True)
    (tmp_path / "domains" / "rt.cfg").write_text(text)
    return subprocess.run([sys.executable, str(tool), *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)


def test_a_system_that_fits(tmp_path):
    result = run(tmp_path, HEAD + CTRL + MEDIA, "domains/rt.cfg")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "schedtool: domains/rt.cfg: system 'rt-test', 2 real-time domains " \
                       "(times in ms/us; * = period chosen by the tool)"
    assert lines[1].split() == ["domain", "sched", "util", "period", "Π", "budget", "Θ", "bandwidth",
                                "task", "p/e", "prio", "bound", "verdict"]
    assert lines[2].split() == ["ctrl", "rm", "47.50%", "600us*", "288us", "48.00%", "10ms/2ms", "1",
                                "4.496ms", "ok"]
    assert lines[3].split() == ["20ms/3ms", "2", "15.112ms", "ok"]
    assert lines[4].split() == ["40ms/5ms", "3", "39.904ms", "ok"]
    assert lines[5].split() == ["media", "edf", "26.00%", "10ms", "2.786ms", "27.86%", "50ms/7ms", "-",
                                "47.21ms", "ok"]
    assert lines[6].split() == ["75ms/9ms", "-", "72.21ms", "ok"]
    assert lines[7] == "system: EDF over the interfaces: bandwidth 75.86% of 95.00% " \
                       "(100% less 5.00% VMM overhead): fits"
    assert len(lines) == 8


def test_the_numbers_of_the_fitting_system_are_the_analysis():
    # ctrl: RM, Π chosen among multiples of 100us up to 10ms with Θ >= 100us.
    ctrl = [T(10000, 2000), T(20000, 3000), T(40000, 5000)]
    assert rt.choose_interface(ctrl, "rm", 100, 100) == (600, 288)
    assert rt.minimal_budget(ctrl, "rm", 600) == 288 and not rt.schedulable(ctrl, "rm", 600, 287)
    assert rt.response_bounds(ctrl, "rm", 600, 288) == [4496, 15112, 39904]
    # Task 1 alone: the blackout 2·312 = 624 and then 2000 of supply, 288 a period:
    # 2000 = 6·288 + 272, so t = 624 + 6·600 + 272 = 4496.
    assert 624 + 6 * 600 + 272 == 4496
    media = [T(50000, 7000), T(75000, 9000)]
    assert rt.minimal_budget(media, "edf", 10000, 100) == 2786
    assert not rt.edf_schedulable(media, 10000, 2785)
    # Γ(10ms, 2786us): sbf⁻¹(w) = 2·7214 + q·10000 + r + 1 with w - 1 = 2786q + r.
    # T(50ms, 7ms) released 100ms (= 2·50 + 50 - 50) into a busy period, deadline 150ms:
    # 3 jobs of its own (21ms) and 2 of T(75, 9) (18ms): 39ms, 38999 = 13·2786 + 2781, so
    # L = 14428 + 130000 + 2782 = 147210 and R = 147210 - 100000 = 47210.
    # T(75ms, 9ms) at a = 75ms (deadline 150ms): 2·9 + 3·7 = 39ms again: 147210 - 75000 = 72210.
    assert rt.sbf_inverse(10000, 2786, 39000) == 147210
    assert rt.response_bounds(media, "edf", 10000, 2786) == [47210, 72210]


def test_json(tmp_path):
    result = run(tmp_path, HEAD + CTRL + MEDIA, "domains/rt.cfg", "--json", "--overhead", "2.5")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["overhead"] == "1/40" and data["capacity"] == "39/40" and data["fits"] is True
    assert data["time_unit"] == "us"
    ctrl, media = data["domains"]
    assert ctrl == {"name": "ctrl", "id": 1, "scheduler": "rm", "utilisation": "19/40", "period": 600,
                    "budget": 288, "period_given": False, "bandwidth": "12/25", "schedulable": True,
                    "tasks": [{"period": 10000, "wcet": 2000, "priority": 1, "response_bound": 4496},
                              {"period": 20000, "wcet": 3000, "priority": 2, "response_bound": 15112},
                              {"period": 40000, "wcet": 5000, "priority": 3, "response_bound": 39904}]}
    assert media["period"] == 10000 and media["budget"] == 2786 and media["period_given"] is True
    assert Fraction(data["total_bandwidth"]) == Fraction(288, 600) + Fraction(2786, 10000)


HEAVY = """
[domain heavy]
kernel = minios
memory = 1M
rt_scheduler = edf
rt_tasks = 10ms/4ms, 20ms/4ms
rt_period = 5ms
"""


def test_a_system_that_does_not_fit(tmp_path):
    result = run(tmp_path, HEAD + CTRL + HEAVY, "domains/rt.cfg")
    assert result.returncode == 1
    # heavy: U = 0.6, Γ(5ms, Θ). dbf(20ms) = 2·4 + 4 = 12ms; 20000 - (5000 - Θ) = 3·5000 + Θ, so
    # sbf(20ms) = 3Θ + max(0, Θ - (5000 - Θ)) = 5Θ - 5000 (Θ >= 2500): >= 12000 from Θ = 3400.
    heavy = [T(10000, 4000), T(20000, 4000)]
    assert rt.dbf(heavy, 20000) == 12000
    assert rt.sbf(5000, 3400, 20000) == 12000 and rt.sbf(5000, 3399, 20000) == 11995
    assert rt.minimal_budget(heavy, "edf", 5000, 100) == 3400
    total = Fraction(288, 600) + Fraction(3400, 5000)          # 0.48 + 0.68
    assert total == Fraction(29, 25)
    assert result.stderr == ("schedtool: domains/rt.cfg: the real-time domains do not fit: ctrl 48.00% + "
                             "heavy 68.00% = 116.00% (29/25) of the processor, more than the 95.00% left "
                             "by the VMM's 5.00% overhead\n")
    assert result.stdout.splitlines()[-1].endswith(": does NOT fit")
    # Each domain alone fits.
    assert run(tmp_path, HEAD + HEAVY, "domains/rt.cfg").returncode == 0


def test_the_overhead_decides(tmp_path):
    # ctrl + media take 75.86%: they fit with 24% overhead, not with 24.2%.
    assert run(tmp_path, HEAD + CTRL + MEDIA, "domains/rt.cfg", "--overhead", "24").returncode == 0
    result = run(tmp_path, HEAD + CTRL + MEDIA, "domains/rt.cfg", "--overhead", "24.2")
    assert result.returncode == 1 and "more than the 75.80% left by the VMM's 24.20% overhead" in result.stderr
    for bad in ("100", "-1", "five"):
        result = run(tmp_path, HEAD + CTRL, "domains/rt.cfg", "--overhead", bad)
        assert result.returncode == 2 and "--overhead" in result.stderr, bad


def test_a_task_set_no_interface_serves(tmp_path):
    rm_full = HEAD + "\n[domain full]\nkernel = minios\nmemory = 1M\nrt_scheduler = rm\n" \
        "rt_tasks = 4ms/2ms, 6ms/3ms\n"
    result = run(tmp_path, rm_full, "domains/rt.cfg")
    assert result.returncode == 1
    assert result.stderr == "domains/rt.cfg:13: [domain full]: its rm task set (utilisation 100.00%) " \
                            "is not schedulable even on a dedicated processor\n"
    assert "MISS" in result.stdout
    # Under EDF the same set takes the whole processor, which the overhead leaves no room for.
    result = run(tmp_path, rm_full.replace("= rm", "= edf"), "domains/rt.cfg", "--overhead", "0")
    assert result.returncode == 0, result.stderr
    fixed = rm_full + "rt_period = 200us\n"
    result = run(tmp_path, fixed.replace("6ms/3ms", "6ms/1ms"), "domains/rt.cfg")
    assert result.returncode == 0, result.stderr     # Γ(200us, 200us) is still a whole processor
    result = run(tmp_path, rm_full + "rt_period = 2ms\n", "domains/rt.cfg")
    assert result.returncode == 1
    assert result.stderr == "domains/rt.cfg:13: [domain full]: no budget up to rt_period = 2ms makes " \
                            "its rm task set (utilisation 100.00%) schedulable\n"
    # A period far longer than the task's forces a budget of nearly all of it: the blackout
    # 2(Π - Θ) plus the 900us must fit in 1ms, so Π - Θ <= 50us.
    result = run(tmp_path, HEAD + "\n[domain late]\nkernel = minios\nmemory = 1M\nrt_scheduler = edf\n"
                 "rt_tasks = 1ms/900us\nrt_period = 1000ms\n", "domains/rt.cfg")
    assert result.returncode == 1
    assert rt.minimal_budget([T(1000, 900)], "edf", 1000000) == 1000000 - 50
    assert result.stderr == "schedtool: domains/rt.cfg: the real-time domains do not fit: late 100.00% = " \
                            "100.00% (19999/20000) of the processor, more than the 95.00% left by the " \
                            "VMM's 5.00% overhead\n"


def test_no_real_time_domain(tmp_path):
    result = run(tmp_path, HEAD, "domains/rt.cfg")
    assert result.returncode == 0
    assert result.stdout == "schedtool: domains/rt.cfg: no domain declares rt_tasks: nothing to analyse\n"


BAD_RT = [
    ("rt_tasks = 10ms/2", "'10ms/2' is not a task: write PERIOD/WCET, each a whole number with a us or ms "
                          "suffix, e.g. 10ms/2ms"),
    ("rt_tasks = 10ms", "'10ms' is not a task: write PERIOD/WCET, each a whole number with a us or ms "
                        "suffix, e.g. 10ms/2ms"),
    ("rt_tasks = 10ms/2ms,,20ms/3ms", "'10ms/2ms,,20ms/3ms' is not a comma-separated list of tasks"),
    ("rt_tasks = 50us/10us", "'50us/10us': the period is below the minimum 100us"),
    ("rt_tasks = 2000ms/1ms", "'2000ms/1ms': the period is above the maximum 1000ms"),
    ("rt_tasks = 10ms/0us", "'10ms/0us': the execution time must be at least 1us"),
    ("rt_tasks = 200us/201us", "'200us/201us': the execution time is longer than the period"),
]


def rt_domain(lines: str) -> str:
    return HEAD + "\n[domain guest]\nkernel = minios\nmemory = 1M\n" + lines


@pytest.mark.parametrize("tool", [SCHEDTOOL, MKIMAGE])
def test_config_errors(tmp_path, tool):
    def check(text, expected):
        args = ["domains/rt.cfg"] if tool == SCHEDTOOL else ["--check", "--config", "domains/rt.cfg"]
        result = run(tmp_path, text, *args, tool=tool)
        assert result.returncode == 1, text
        assert result.stderr == "".join(f"domains/rt.cfg:{m}\n" for m in expected), text
        assert result.stdout == ""

    for line, message in BAD_RT:
        check(rt_domain("rt_scheduler = rm\n" + line + "\n"), [f"13: rt_tasks: {message}"])
    check(rt_domain("rt_scheduler = llf\nrt_tasks = 10ms/2ms\n"),
          ["12: rt_scheduler: 'llf' is not a local scheduler (rm, fp, edf)"])
    check(rt_domain("rt_tasks = 10ms/2ms\n"), ["12: rt_tasks: needs rt_scheduler (rm, fp, edf) in [domain guest]"])
    check(rt_domain("rt_scheduler = edf\n"), ["12: rt_scheduler: only with rt_tasks (the domain's task set)"])
    check(rt_domain("rt_period = 5ms\n"), ["12: rt_period: only with rt_tasks (the domain's task set)"])
    check(rt_domain("rt_scheduler = edf\nrt_tasks = 10ms/2ms\nrt_period = 50us\n"),
          ["14: rt_period: '50us' is below the minimum 100us"])
    check(rt_domain("rt_scheduler = edf\nrt_tasks = 10ms/2ms\nrt_period = 5\n"),
          ["14: rt_period: '5' is not a time: write a whole number with a us or ms suffix, e.g. 10ms"])
    check(rt_domain("rt_scheduler = edf\nrt_tasks = 10ms/2ms\nrt_task = 5ms/1ms\n"),
          ["14: rt_task: unknown key in [domain] (known: "
           f"{', '.join(image_config.DOMAIN_KEYS)}, rt_scheduler, rt_tasks, rt_period)"])
    # Every problem at once, in line order.
    check(rt_domain("rt_scheduler = EDF\nrt_tasks = 10ms/20ms, 5ms/1ms, 3ms\n"),
          ["12: rt_scheduler: 'EDF' is not a local scheduler (rm, fp, edf)",
           "13: rt_tasks: '10ms/20ms': the execution time is longer than the period",
           "13: rt_tasks: '3ms' is not a task: write PERIOD/WCET, each a whole number with a us or ms "
           "suffix, e.g. 10ms/2ms"])


def test_mkimage_accepts_the_keys(tmp_path):
    # The limits themselves are allowed: a task as long as its period, periods of 100us and 1000ms.
    edge = rt_domain("rt_scheduler = fp\nrt_tasks = 200us/200us, 100us/1us, 1000ms/1us\nrt_period = 1000ms\n")
    result = run(tmp_path, edge, "--check", "--config", "domains/rt.cfg", tool=MKIMAGE)
    assert result.returncode == 0, result.stderr
    # ... though no interface serves them (U > 1): the analysis says so, not the parser.
    result = run(tmp_path, edge, "domains/rt.cfg")
    assert result.returncode == 1
    assert result.stderr == "domains/rt.cfg:13: [domain guest]: no budget up to rt_period = 1000ms makes its " \
                            "fp task set (utilisation 101.01%) schedulable\n"
    result = run(tmp_path, HEAD + CTRL + MEDIA, "--check", "--config", "domains/rt.cfg", tool=MKIMAGE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "mkimage: domains/rt.cfg: ok: system 'rt-test', 3 domains"


def test_the_readme_example_is_the_commands_output(tmp_path):
    """domains/README.md, "Real-time analysis": its configuration, run as shown, prints what
    the README says."""
    readme = (REPO / "domains" / "README.md").read_text()
    section = readme.split("## Real-time analysis\n", 1)[1].split("\n## ", 1)[0]
    config = section.split("```ini\n", 1)[1].split("```", 1)[0]
    (tmp_path / "rt-demo.cfg").write_text(config)
    runs = section.split("    $ domains/schedtool.py ")[1:]
    assert len(runs) == 2
    for block in runs:
        first, *rest = block.splitlines()
        shown = []
        for line in rest:
            if line and not line.startswith("    "):
                break
            if line:
                shown.append(line[4:])
        args = first.split()
        result = subprocess.run([sys.executable, str(SCHEDTOOL), *args], cwd=tmp_path, capture_output=True,
                                text=True, timeout=60)
        out = (result.stdout + result.stderr).splitlines()
        if shown[0] == "...":
            assert result.returncode == 1 and out[-len(shown) + 1:] == shown[1:]
        else:
            assert result.returncode == 0 and out == shown


def test_unreadable_configurations(tmp_path):
    result = subprocess.run([sys.executable, str(SCHEDTOOL), "domains/none.cfg"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr == "schedtool: domains/none.cfg: No such file or directory\n"
    (tmp_path / "bad.cfg").write_bytes((HEAD + CTRL).encode().replace(b"rt-test", b"rt-t\xe9st"))
    result = subprocess.run([sys.executable, str(SCHEDTOOL), "bad.cfg"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1 and result.stderr == "bad.cfg:2: not UTF-8 text\n"
    result = subprocess.run([sys.executable, str(SCHEDTOOL)], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "CONFIG" in result.stderr
