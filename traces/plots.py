"""The figures of `make traces` (run_traces.py), drawn with matplotlib from the per-case
results that run_traces.analyse() returns. Kept apart from the runs so that the tests can
draw them from small made-up results (tests/traces/test_plots.py).

Rules every figure here follows, so that a reader does not stumble:
- an overhead is drawn as a change against the native case in percent, on an axis zoomed to
  the values (points joined by lines, not bars cut off at an arbitrary base), so that a
  difference of a few tenths of a percent between cases shows; every point carries its value;
- legends sit outside the axes, below the panels, so they never cover data;
- every axis label ends with its unit in parentheses;
- the title names the board and what is compared.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

CASE_NAMES = {0: "native", 1: "1 domain", 2: "2 domains", 3: "3 domains"}
CASE_AXIS = "case: mini-OS domains on xen-arm (count; case 0 = native, no VMM)"
# The paper: Hyosu Kim and Dongkun Shin, "Virtualization Technique on Embedded System"
# (Sungkyunkwan University), its analysis of Secure Xen on ARM's structure and performance.
PAPER = "Kim and Shin"
COLORS = {"thread": "#1f5fa8", "domain": "#d9751e", "paper": "#7f7f7f", "kernel": "#1f5fa8",
          "vmm": "#c0392b", "other": "#9a9a9a"}
UNIT_LABELS = {"kernel": "guest kernel", "user": "guest user", "vmm": "VMM",
               "other": "low addresses (boot, native vectors)"}
MIN_SPAN_PCT = 0.5   # the smallest range a zoomed percentage axis shows (percentage points)


def case_label(case: int) -> str:
    return f"{case}\n{CASE_NAMES.get(case, '')}"


def pct_change(value: float, base: float) -> float:
    return (value / base - 1.0) * 100.0


def zoomed_limits(values: list[float], min_span: float, baseline: float | None = 0.0) -> tuple[float, float]:
    """Axis limits around `values`, padded by 15 % of their range (at least `min_span` wide).
    The baseline (the native case's 0 %) is included when that costs at most as much room
    as the values themselves take, so a reader sees it whenever it does not squash them."""
    lo, hi = min(values), max(values)
    spread = hi - lo
    if baseline is not None:
        if lo > baseline and lo - baseline <= max(spread, min_span):
            lo = baseline
        if hi < baseline and baseline - hi <= max(spread, min_span):
            hi = baseline
    span = max(hi - lo, min_span)
    mid = (hi + lo) / 2
    lo, hi = mid - span / 2, mid + span / 2
    pad = 0.15 * span
    return lo - pad, hi + pad


def legend_below(fig: Figure, handles: list, labels: list[str], top: float = 0.94) -> None:
    """A figure legend under the panels, with the panels laid out above it."""
    ncol = min(len(handles), 4)
    leg = fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, frameon=False,
                     bbox_to_anchor=(0.5, 0.01))
    fig.canvas.draw()
    height = leg.get_window_extent().transformed(fig.transFigure.inverted()).height
    fig.tight_layout(rect=(0, height + 0.03, 1, top))


def dot_panel(ax, xs: list[int], series: list[tuple[str, list[float], str, str]], ylabel: str,
              fmt: str = "{:+.2f} %", min_span: float = MIN_SPAN_PCT, baseline: float | None = 0.0,
              baseline_label: str = "native (case 0) = 0 %") -> list:
    """Points, one series per (label, values, colour, marker), side by side at each case, on a
    zoomed y-axis; each point labelled with its value, above it for the higher of the series
    at that case and below it for the others, so no label covers a point or another label.
    Returns the legend handles."""
    values = [v for _, vals, _, _ in series for v in vals]
    lo, hi = zoomed_limits(values, min_span, baseline)
    handles = []
    n = len(series)
    for k, (label, vals, color, marker) in enumerate(series):
        shift = (k - (n - 1) / 2) * 0.16
        px = [x + shift for x in xs]
        (line,) = ax.plot(px, vals, marker=marker, color=color, linestyle="none", markersize=8, label=label)
        handles.append(line)
        for i, (x, v) in enumerate(zip(px, vals)):
            top = all(v >= other[1][i] for other in series)
            ax.annotate(fmt.format(v), (x, v), xytext=(0, 8 if top else -8), textcoords="offset points",
                        ha="center", va="bottom" if top else "top", fontsize=8, color=color)
    if baseline is not None and lo <= baseline <= hi:
        handles.append(ax.axhline(baseline, color="black", linewidth=0.8, linestyle=":", label=baseline_label))
    ax.set_ylim(lo, hi)
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_xticks(xs, [case_label(x) for x in xs])
    ax.set_xlabel(CASE_AXIS, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return handles


def overhead_figure(platform: str, res: list[dict], paper_case1_pct: float | None = None) -> Figure:
    """fig4.png: the paper's Figure 4 as overheads. Instructions and modelled cycles of cases
    1-3 against case 0 (native), per benchmark thread and per domain (n domains against n
    times the native run)."""
    base = res[0]
    virt = [r for r in res if r["case"] != 0]
    xs = [r["case"] for r in virt]
    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    handles = []
    for ax, what, unit in ((axes[0], "instructions", "instructions"), (axes[1], "cycles", "modelled cycles")):
        per_thread = [pct_change(r[f"thread_{what}"], base[f"thread_{what}"]) for r in virt]
        per_domain = [pct_change(r[what] / r["domains"], base[what]) for r in virt]
        handles = dot_panel(ax, xs, [
            ("per benchmark thread (the paper's per-task average)", per_thread, COLORS["thread"], "o"),
            ("per domain (a case with n domains against n x native)", per_domain, COLORS["domain"], "s"),
        ], f"{unit} vs native (%)")
        title = f"{unit.capitalize()}: change against native"
        if what == "instructions" and paper_case1_pct is not None:
            lo, hi = ax.get_ylim()
            where = "" if lo <= paper_case1_pct <= hi else ", above this axis"
            title += f"\n({PAPER} report about +{paper_case1_pct:.0f} % for case 1{where})"
            if not where:
                ax.plot([1], [paper_case1_pct], marker="*", markersize=11, color=COLORS["paper"], linestyle="none")
                ax.annotate(f"{PAPER}: +{paper_case1_pct:.0f} %", (1, paper_case1_pct), xytext=(8, 0),
                            textcoords="offset points", va="center", fontsize=8, color=COLORS["paper"])
        ax.set_title(title, fontsize=10)
    fig.suptitle(f"{platform}: xen-arm with 1-3 mini-OS domains against native mini-OS "
                 f"(the Secure Xen on ARM benchmark of {PAPER}, cf. their Figure 4)", fontsize=10)
    legend_below(fig, handles, [h.get_label() for h in handles])
    return fig


def cpi_figure(platform: str, res: list[dict], paper_cpi: dict[int, float]) -> Figure:
    """fig4_cpi.png: CPI per case, ours beside the paper's (bars from 0, values on them), and
    ours alone on a zoomed axis (the changes between our cases are small)."""
    xs = [r["case"] for r in res]
    ours = [r["cpi"] for r in res]
    paper = [paper_cpi[r["case"]] for r in res]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
    w = 0.38
    b1 = left.bar([x - w / 2 for x in xs], ours, w, color=COLORS["thread"],
                  label="ours: xatrace ARM926EJ-S model, benchmark window")
    b2 = left.bar([x + w / 2 for x in xs], paper, w, color="#cccccc", hatch="//", edgecolor="#555555",
                  label=f"{PAPER}, as printed (their case1..case4)")
    for b in list(b1) + list(b2):
        left.annotate(f"{b.get_height():.3f}", (b.get_x() + b.get_width() / 2, b.get_height()),
                      xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=8)
    left.set_ylim(0, max(ours + paper) * 1.15)
    left.set_xticks(xs, [case_label(x) for x in xs])
    left.set_xlabel(CASE_AXIS, fontsize=8)
    left.set_ylabel("CPI (cycles per instruction)")
    left.set_title("CPI: ours and the paper's", fontsize=10)
    dot_panel(right, xs, [("ours", ours, COLORS["thread"], "o")], "CPI (cycles per instruction)", fmt="{:.4f}",
              min_span=0.01, baseline=None)
    right.set_title("Ours, zoomed", fontsize=10)
    fig.suptitle(f"{platform}: cycles per instruction, native and xen-arm with 1-3 domains "
                 f"(ours against {PAPER})", fontsize=10)
    legend_below(fig, [b1, b2], [b1.get_label(), b2.get_label()])
    return fig


def breakdown_figure(platform: str, res: list[dict]) -> Figure:
    """breakdown.png: where the extra cycles of cases 1-3 go. Left: the change of the
    benchmark window's cycles per domain against native, split into the part outside the VMM
    (guest kernel and user) and the VMM's cycles, both in percent of native's cycles (the two
    add up to the total). Right: the VMM's share of each case's cycles."""
    base = res[0]
    virt = [r for r in res if r["case"] != 0]
    xs = [r["case"] for r in virt]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 5))
    total, vmm, outside = [], [], []
    for r in virt:
        n = r["domains"]
        v = r["units"].get("vmm", [0, 0])[1] / n
        total.append(pct_change(r["cycles"] / n, base["cycles"]))
        vmm.append(v / base["cycles"] * 100)
        outside.append(pct_change(r["cycles"] / n - v, base["cycles"]))
    handles = dot_panel(left, xs, [
        ("all cycles", total, "#333333", "o"),
        ("of which outside the VMM (guest kernel, user)", outside, COLORS["kernel"], "s"),
        ("of which in the VMM", vmm, COLORS["vmm"], "D"),
    ], "change vs native cycles per domain (%)")
    left.set_title("Extra cycles per domain against native, by where they ran", fontsize=10)
    xs_all = [r["case"] for r in res]
    share = [r["units"].get("vmm", [0, 0])[1] / r["cycles"] * 100 for r in res]
    dot_panel(right, xs_all, [("VMM share", share, COLORS["vmm"], "D")], "VMM share of the cycles (%)",
              fmt="{:.2f} %", baseline=None)
    right.set_title("Share of each case's cycles spent in the VMM", fontsize=10)
    fig.suptitle(f"{platform}: where the modelled cycles go, native mini-OS and xen-arm with 1-3 domains "
                 "(benchmark window)", fontsize=10)
    legend_below(fig, handles, [h.get_label() for h in handles])
    return fig


def save(fig: Figure, path) -> None:
    fig.savefig(path, dpi=120)
    plt.close(fig)
