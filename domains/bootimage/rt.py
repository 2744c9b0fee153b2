"""Compositional schedulability analysis of real-time domains with the periodic resource
model of Shin and Lee ("Periodic Resource Model for Compositional Real-Time Guarantees",
RTSS 2003; "Compositional real-time scheduling framework with periodic model", ACM TECS
2008), the analysis Park, Yoo and Yoo apply to Xen in "An Analysis on Xen in View of
Real-time Guarantee". domains/schedtool.py prints it; domains/README.md ("Real-time
analysis") describes the configuration keys.

Everything is an integer number of microseconds (the unit of the configuration's time
values); bandwidths and utilisations are exact fractions. No floats.

Model
-----
A domain's task set is periodic tasks (p_i, e_i) with implicit deadlines (D_i = p_i),
released synchronously in the worst case, scheduled inside the domain by EDF or by fixed
priorities (RM: shorter period first, equal periods in the order listed; FP: the order
listed). The VMM gives the domain a periodic resource Γ(Π, Θ): Θ time units in every
period [kΠ, (k+1)Π), placed anywhere in it. Its supply bound function, the least supply
in any window of length t, is (Shin and Lee, the exact form)

    sbf(t) = t - (k+1)(Π-Θ)   if t in [(k+1)Π - 2Θ, (k+1)Π - Θ]
             (k-1)Θ           otherwise,        k = max(ceil((t - (Π-Θ))/Π), 1)

the supply of the worst pattern: the budget at the start of one period and at the end of
the next (a blackout of 2(Π-Θ)), then at the end of each period. Its linear lower bound
is lsbf(t) = (Θ/Π)(t - 2(Π-Θ)).

Local schedulability
--------------------
EDF: schedulable iff dbf(t) = Σ floor(t/p_i) e_i <= sbf(t) for every t > 0. dbf only
steps at multiples of the periods and sbf never decreases, so only those points need a
test, up to a horizon. U = Σ e_i/p_i <= Θ/Π is necessary. The horizon is the smaller of
  * lcm(H, Π), H the hyperperiod: dbf(t + L) = dbf(t) + U·L and sbf(t + L) = sbf(t) +
    (L/Π)Θ for L = lcm(H, Π), so dbf - sbf can only fall after one such L (this is the
    LCM-style bound of the papers, with Π in the LCM because sbf repeats only every Π);
  * when U < Θ/Π, 2(Π-Θ)Θ / (Θ - UΠ): beyond it dbf(t) <= U·t <= lsbf(t) <= sbf(t).
The second is usually far smaller; the first is what decides when U = Θ/Π exactly. The
deadlines up to the horizon are visited from the last one down, skipping those that the
demand at a later one already covers (Zhang and Burns' QPA, with sbf⁻¹ for the
processor): exact, and quick even when the horizon holds millions of deadlines. Should
the walk take more than MAX_TEST_POINTS steps, the budget is counted as failing (the
interface is then safe but possibly not the least).

RM / FP: task i (priority order) is schedulable iff there is a t in (0, p_i] with
rbf_i(t) = e_i + Σ_{k higher} ceil(t/p_k) e_k <= sbf(t). rbf_i is constant between the
multiples of the higher-priority periods, so the scheduling points {m·p_k <= p_i} ∪
{p_i} are the only ones to test.

Interface
---------
For a period Π the budget Θ is the least integer in [max(ceil(UΠ), min_budget), Π] that
passes the test (schedulability only grows with Θ: sbf does; a binary search). When the
configuration does not fix Π (rt_period), the tool tries every multiple of `step` (the
VMM's shortest timeslice, 100 us) up to the shortest task period and keeps the one with
the least bandwidth Θ/Π; among equal bandwidths the longest period (fewest domain
switches). min_budget (also the shortest timeslice) keeps Θ to what the VMM can give as
one slice: without it Π → 1 µs would always look best, with a switch every few µs.

Response-time bounds
--------------------
RM / FP: R_i = the least t > 0 with rbf_i(t) <= sbf(t), the earliest time the worst
supply covers the task's demand with that of the higher priorities (found by iterating
t <- sbf⁻¹(rbf_i(t)) from sbf⁻¹(e_i)). It bounds every job of the task, not only the
first: take a job released at r and the last instant t0 <= r at which no higher-priority
work was pending; in [t0, t0 + R_i] the domain gets at least sbf(R_i) >= rbf_i(R_i), more
than all the work that can compete with the job there (R_i <= p_i, so no other job of
task i), so the job is done by t0 + R_i.

EDF: Spuri's response-time analysis ("Analysis of deadline scheduled real-time systems",
INRIA RR-2772, 1996) with sbf in place of a dedicated processor. A job of task i released
at offset a into a busy period of work with deadlines <= its own (which starts when no
such work is pending, so the busy period's supply is at least sbf of its length) ends by
the least L with
    (1 + floor(a/p_i)) e_i + Σ_{k≠i, p_k <= a+p_i} min(ceil(L/p_k), 1 + floor((a+p_i-p_k)/p_k)) e_k
    <= sbf(L)
(the demand is greatest with the other tasks released at the busy period's start), so
R_i = max over a of (L_i(a) - a), capped at p_i (the domain is schedulable). L_i(a) changes
only where the demand steps, at a in {k·p_k + p_k - p_i}, so L_i(a) - a is largest at those
points; they are tried below B, the longest busy period (the least t > 0 with
Σ_k ceil(t/p_k) e_k <= sbf(t)). When U = Θ/Π busy periods have no
end and R_i = p_i; with more than MAX_OFFSETS offsets to try, R_i = min(p_i, B), a weaker
bound by the same argument (a job ends within its busy period).

System
------
The VMM is assumed to schedule the domains' interfaces as periodic servers under EDF
(like Xen's sEDF): each domain's budget Θ is replenished at every multiple of its Π and
must be used in that period, which supplies exactly Γ(Π, Θ). EDF over implicit-deadline
periodic tasks fits iff Σ Θ/Π <= 1; the VMM's own time (timer interrupts, domain
switches, hypercalls) is a fraction `overhead` taken off the 1. Domains without a task set
reserve nothing: they run in the time the real-time domains leave.
"""
from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

MAX_TEST_POINTS = 2_000_000
MAX_OFFSETS = 20_000
EDF_FIRST_POINTS = 64


@dataclasses.dataclass(frozen=True)
class Task:
    period: int   # µs; the relative deadline too
    wcet: int     # µs


def utilisation(tasks: list[Task]) -> Fraction:
    return sum((Fraction(t.wcet, t.period) for t in tasks), Fraction(0))


def hyperperiod(tasks: list[Task]) -> int:
    return math.lcm(*(t.period for t in tasks))


# --- supply -----------------------------------------------------------------------

def sbf(period: int, budget: int, t: int) -> int:
    """The least supply of Γ(period, budget) in any window of length t (the exact form
    of the module docstring)."""
    if t <= 0 or budget <= 0:
        return 0
    gap = period - budget
    k = max(-(-(t - gap) // period), 1)
    if (k + 1) * period - 2 * budget <= t <= (k + 1) * period - budget:
        return t - (k + 1) * gap
    return (k - 1) * budget


def lsbf(period: int, budget: int, t: int) -> Fraction:
    """The linear lower bound (Θ/Π)(t - 2(Π - Θ)) of sbf."""
    return Fraction(budget, period) * (t - 2 * (period - budget))


def sbf_inverse(period: int, budget: int, work: int) -> int:
    """The least t with sbf(t) >= work (work > 0, budget > 0): the blackout 2(Π - Θ),
    then q full budgets of Θ a period apart, then the rest."""
    if work <= 0:
        return 0
    q, rest = divmod(work - 1, budget)
    return 2 * (period - budget) + q * period + rest + 1


# --- demand -----------------------------------------------------------------------

def dbf(tasks: list[Task], t: int) -> int:
    """EDF demand of implicit-deadline tasks in a window of length t."""
    return sum((t // x.period) * x.wcet for x in tasks)


def rbf(ordered: list[Task], i: int, t: int) -> int:
    """Fixed-priority request of task i (ordered: highest priority first) with those
    above it, in a window of length t > 0 starting at a synchronous release."""
    return ordered[i].wcet + sum(-(-t // x.period) * x.wcet for x in ordered[:i])


def priority_order(tasks: list[Task], policy: str) -> list[int]:
    """Indices of tasks, highest priority first: RM by period (ties in listed order),
    FP as listed. EDF has no static order; the listed one is returned."""
    if policy == "rm":
        return sorted(range(len(tasks)), key=lambda i: tasks[i].period)
    return list(range(len(tasks)))


# --- schedulability ---------------------------------------------------------------

def edf_horizon(tasks: list[Task], period: int, budget: int) -> int:
    """The t up to which dbf <= sbf must be checked (module docstring); U <= Θ/Π."""
    u = utilisation(tasks)
    horizon = math.lcm(hyperperiod(tasks), period)
    slack = budget - u * period               # Θ - UΠ, >= 0
    if slack > 0:
        horizon = min(horizon, math.ceil(2 * (period - budget) * budget / slack))
    return horizon


def edf_points(tasks: list[Task], horizon: int) -> list[int]:
    """The deadlines k·p_i in (0, horizon], in order: what edf_schedulable checks, most
    of them implicitly."""
    return sorted({k * t.period for t in tasks for k in range(1, horizon // t.period + 1)})


def last_deadline_before(tasks: list[Task], x: int) -> int:
    """The largest k·p_i < x with k >= 1, or 0 if there is none."""
    return max(((x - 1) // t.period) * t.period for t in tasks)


def edf_schedulable(tasks: list[Task], period: int, budget: int, first: int = EDF_FIRST_POINTS) -> bool:
    """dbf(t) <= sbf(t) at every deadline up to the horizon, visited downwards as in
    Zhang and Burns' QPA: where it holds at t, no deadline t' in [sbf⁻¹(dbf(t)), t) can
    fail (sbf(t') >= dbf(t) >= dbf(t')), so the next one to test is the last deadline
    before sbf⁻¹(dbf(t)). The same points as testing them all, most skipped."""
    if budget <= 0 or utilisation(tasks) > Fraction(budget, period):
        return False
    horizon = edf_horizon(tasks, period, budget)
    # A budget too small usually fails at one of the first deadlines (the blackout is
    # worst there): look at those first, upwards.
    low = 0
    for _ in range(first):
        low = min((low // t.period + 1) * t.period for t in tasks)
        if low > horizon:
            return True
        if dbf(tasks, low) > sbf(period, budget, low):
            return False
    t = last_deadline_before(tasks, horizon + 1)
    for _ in range(MAX_TEST_POINTS):
        if t <= low:
            return True
        demand = dbf(tasks, t)
        if demand > sbf(period, budget, t):
            return False
        t = last_deadline_before(tasks, min(t, sbf_inverse(period, budget, demand)))
    return False


def fp_points(ordered: list[Task], i: int) -> list[int]:
    """The scheduling points of task i: multiples of higher-priority periods up to p_i,
    and p_i."""
    p = ordered[i].period
    return sorted({m * x.period for x in ordered[:i] for m in range(1, p // x.period + 1)} | {p})


def fp_task_schedulable(ordered: list[Task], i: int, period: int, budget: int) -> bool:
    return budget > 0 and any(rbf(ordered, i, t) <= sbf(period, budget, t) for t in fp_points(ordered, i))


def fp_schedulable(ordered: list[Task], period: int, budget: int) -> bool:
    return all(fp_task_schedulable(ordered, i, period, budget) for i in range(len(ordered)))


def schedulable(tasks: list[Task], policy: str, period: int, budget: int) -> bool:
    if policy == "edf":
        return edf_schedulable(tasks, period, budget)
    ordered = [tasks[i] for i in priority_order(tasks, policy)]
    return fp_schedulable(ordered, period, budget)


# --- interfaces -------------------------------------------------------------------

def minimal_budget(tasks: list[Task], policy: str, period: int, min_budget: int = 1,
                   at_most: int | None = None) -> int | None:
    """The least Θ in [max(ceil(UΠ), min_budget), at_most or Π] with the task set
    schedulable over Γ(period, Θ); None if there is none."""
    lo = max(math.ceil(utilisation(tasks) * period), min_budget, 1)
    hi = period if at_most is None else min(at_most, period)
    if lo > hi or not schedulable(tasks, policy, period, hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if schedulable(tasks, policy, period, mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def choose_interface(tasks: list[Task], policy: str, step: int, min_budget: int = 1,
                     per_period: int = 0) -> tuple[int, int] | None:
    """(Π, Θ) of least bandwidth (Θ + per_period)/Π over Π = step, 2·step, ... <= the
    shortest task period; ties go to the longer Π. None if no such Π works. per_period is
    what each period costs besides the budget (the VMM's switches and interrupts under
    sedf): with it, short periods stop looking cheap."""
    shortest = min(t.period for t in tasks)
    u = utilisation(tasks)
    best: tuple[int, int] | None = None
    for period in range(step, shortest + 1, step):
        lo = max(math.ceil(u * period), min_budget, 1)
        if best is not None:
            # Only a budget of at most the best bandwidth's share of this period can win.
            limit = Fraction(best[1] + per_period, best[0]) * period - per_period
            at_most = math.floor(limit)
            if lo > at_most:
                continue
        else:
            at_most = period
        budget = minimal_budget(tasks, policy, period, min_budget, at_most)
        if budget is not None:
            best = (period, budget)
    return best


def response_fp(ordered: list[Task], i: int, period: int, budget: int) -> int | None:
    """The least t > 0 with rbf_i(t) <= sbf(t), or None if it exceeds p_i."""
    t = sbf_inverse(period, budget, ordered[i].wcet)
    while True:
        need = sbf_inverse(period, budget, rbf(ordered, i, t))
        if need <= t:
            return t
        if need > ordered[i].period:
            return None
        t = need


def busy_period(tasks: list[Task], period: int, budget: int, limit: int) -> int | None:
    """The least t > 0 with Σ ceil(t/p_k) e_k <= sbf(t), or None if above limit."""
    t = sbf_inverse(period, budget, sum(x.wcet for x in tasks))
    while True:
        need = sbf_inverse(period, budget, sum(-(-t // x.period) * x.wcet for x in tasks))
        if need <= t:
            return t
        if need > limit:
            return None
        t = need


def edf_response(tasks: list[Task], i: int, period: int, budget: int, busy: int) -> int:
    """Spuri's EDF response-time analysis with the supply bound function for the
    processor (module docstring): the largest L_i(a) - a over the offsets a < busy of
    task i's release in a deadline busy period."""
    me = tasks[i]
    offsets = sorted({a for x in tasks for k in range(busy // x.period + 1)
                      if 0 <= (a := k * x.period + x.period - me.period) < busy})
    worst = me.wcet
    t = 0
    for a in offsets:
        deadline = a + me.period
        own = (1 + a // me.period) * me.wcet

        def demand(t: int) -> int:
            return own + sum(min(-(-t // x.period), 1 + (deadline - x.period) // x.period) * x.wcet
                             for j, x in enumerate(tasks) if j != i and x.period <= deadline)

        # The demand only grows with a, so L_i(a) does: the last L is a safe start.
        t = max(t, sbf_inverse(period, budget, own))
        while (need := sbf_inverse(period, budget, demand(t))) > t:
            t = need
        worst = max(worst, t - a)
    return worst


def response_bounds(tasks: list[Task], policy: str, period: int, budget: int) -> list[int | None]:
    """Per task (in listed order): the response-time bound of the module docstring, or
    None where the task can miss its deadline."""
    if policy == "edf":
        if not edf_schedulable(tasks, period, budget):
            return [None] * len(tasks)
        slope = Fraction(budget, period) - utilisation(tasks)
        if slope == 0:
            return [t.period for t in tasks]          # busy periods without end
        # Σ ceil(t/p_k)e_k <= U·t + Σ e_k <= lsbf(t) <= sbf(t) from here on:
        limit = math.ceil((sum(x.wcet for x in tasks) + Fraction(2 * (period - budget) * budget, period)) / slope)
        b = busy_period(tasks, period, budget, min(limit, MAX_OFFSETS * min(t.period for t in tasks)))
        if b is None:
            return [t.period for t in tasks]          # too long a busy period to analyse
        if sum(b // x.period + 1 for x in tasks) > MAX_OFFSETS:
            return [min(t.period, b) for t in tasks]
        return [min(t.period, edf_response(tasks, i, period, budget, b)) for i, t in enumerate(tasks)]
    order = priority_order(tasks, policy)
    ordered = [tasks[i] for i in order]
    bounds: list[int | None] = [None] * len(tasks)
    for rank, i in enumerate(order):
        bounds[i] = response_fp(ordered, rank, period, budget)
    return bounds


# --- domains and the system -------------------------------------------------------

@dataclasses.dataclass
class DomainResult:
    name: str
    policy: str
    tasks: list[Task]
    period: int | None          # Π; None when no Π works (not even a dedicated CPU)
    budget: int | None          # Θ
    period_given: bool
    bounds: list[int | None]    # per task, listed order
    priorities: list[int]       # per task: 1 = highest (RM/FP); empty for EDF
    per_period: int = 0         # what each period costs the VMM besides Θ (sedf), µs

    @property
    def utilisation(self) -> Fraction:
        return utilisation(self.tasks)

    @property
    def bandwidth(self) -> Fraction | None:
        return None if self.budget is None else Fraction(self.budget, self.period)

    @property
    def reserved(self) -> Fraction | None:
        """The processor share the interface takes: (Θ + per_period)/Π."""
        return None if self.budget is None else Fraction(self.budget + self.per_period, self.period)

    @property
    def schedulable(self) -> bool:
        return self.budget is not None


@dataclasses.dataclass
class SystemResult:
    domains: list[DomainResult]
    overhead: Fraction

    @property
    def total(self) -> Fraction:
        return sum((d.reserved for d in self.domains if d.reserved is not None), Fraction(0))

    @property
    def capacity(self) -> Fraction:
        return 1 - self.overhead

    @property
    def fits(self) -> bool:
        return all(d.schedulable for d in self.domains) and self.total <= self.capacity


def analyse_domain(name: str, policy: str, tasks: list[Task], period: int | None,
                   step: int, min_budget: int, per_period: int = 0) -> DomainResult:
    """The domain's minimal interface (for its rt_period, or chosen) and bounds."""
    if period is not None:
        budget = minimal_budget(tasks, policy, period, min_budget)
        chosen = (period, budget) if budget is not None else None
    else:
        chosen = choose_interface(tasks, policy, step, min_budget, per_period)
    priorities: list[int] = []
    if policy != "edf":
        order = priority_order(tasks, policy)
        priorities = [order.index(i) + 1 for i in range(len(tasks))]
    if chosen is None:
        return DomainResult(name, policy, tasks, period, None, period is not None,
                            [None] * len(tasks), priorities, per_period)
    return DomainResult(name, policy, tasks, chosen[0], chosen[1], period is not None,
                        response_bounds(tasks, policy, *chosen), priorities, per_period)


def analyse_system(domains: list[DomainResult], overhead: Fraction) -> SystemResult:
    return SystemResult(domains, overhead)
