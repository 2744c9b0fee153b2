"""The figures of `make traces` (traces/plots.py), drawn from small made-up results: every
axis says its unit, no legend covers data or an axis' labels, a difference of 0.3 % between
two cases is a visible distance, every point carries its value, and titles name the board.
No QEMU needed."""
import pathlib
import re
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import plots  # noqa: E402

UNITS = {"%", "instructions", "cycles", "cycles per instruction", "millions", "count"}
PAPER_CPI = {0: 1.6, 1: 1.7, 2: 1.89, 3: 2.02}
# Per-thread instruction overheads 0.3 percentage points apart, far from 0: bars drawn from
# zero would show them 2 % of the axis height apart.
THREAD_PCT = {0: 0.0, 1: 12.0, 2: 12.3, 3: 12.6}


def result(case: int) -> dict:
    n = max(case, 1)
    thread_i = 1_000_000 * (1 + THREAD_PCT[case] / 100)
    cpi = 1.60 + 0.003 * case
    instructions = 4 * thread_i * n + 1000 * case
    cycles = instructions * cpi
    vmm = 0.004 * case * cycles
    return {"case": case, "domains": n, "instructions": instructions, "cycles": cycles, "cpi": cpi,
            "thread_instructions": thread_i, "thread_cycles": thread_i * cpi,
            "units": {"kernel": [instructions * 0.99, cycles - vmm], "vmm": [instructions * 0.01, vmm]}}


RESULTS = [result(c) for c in (0, 1, 2, 3)]
FIGURES = {
    "fig4": lambda: plots.overhead_figure("testboard", RESULTS, 12.0),
    "fig4_cpi": lambda: plots.cpi_figure("testboard", RESULTS, PAPER_CPI),
    "breakdown": lambda: plots.breakdown_figure("testboard", RESULTS),
}


@pytest.fixture(params=sorted(FIGURES))
def figure(request):
    fig = FIGURES[request.param]()
    fig.canvas.draw()
    yield request.param, fig
    plots.plt.close(fig)


def unit_of(label: str) -> str | None:
    m = re.search(r"\(([^()]*)\)\s*$", label)
    return m.group(1).split(";")[0].split(",")[0].strip() if m else None


def test_every_axis_label_has_a_unit(figure):
    _, fig = figure
    for ax in fig.axes:
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert unit_of(label) in UNITS, f"axis label without a unit: {label!r}"


def test_titles_name_the_board_and_the_comparison(figure):
    _, fig = figure
    title = fig._suptitle.get_text()
    assert "testboard" in title and "native" in title and "xen-arm" in title, title
    assert all(ax.get_title() for ax in fig.axes)


def data_boxes(fig, renderer):
    for ax in fig.axes:
        for artist in list(ax.patches) + list(ax.lines) + list(ax.collections) + list(ax.texts):
            if artist.get_visible():
                yield ax, artist, artist.get_window_extent(renderer)


def test_legends_cover_no_data_and_no_axis(figure):
    name, fig = figure
    renderer = fig.canvas.get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert legends, name
    for legend in legends:
        box = legend.get_window_extent(renderer)
        assert box.width > 0 and box.height > 0
        for ax, artist, extent in data_boxes(fig, renderer):
            assert not box.overlaps(extent), f"{name}: the legend covers {artist}"
        for ax in fig.axes:
            # The whole axes with its tick labels, axis labels and title.
            assert not box.overlaps(ax.get_tightbbox(renderer)), f"{name}: the legend overlaps {ax.get_title()!r}"
        assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1), "legend cut off"


def test_a_difference_of_0_3_percent_is_visible():
    """Cases 2 and 3 differ by 0.3 percentage points of per-thread instructions: at least a
    tenth of the axis height apart (drawn from zero it would be 2 %)."""
    fig = FIGURES["fig4"]()
    fig.canvas.draw()
    ax = fig.axes[0]
    line = next(ln for ln in ax.lines if ln.get_label().startswith("per benchmark thread"))
    ys = [ax.transData.transform((0, y))[1] for y in line.get_ydata()]
    assert list(line.get_ydata()) == pytest.approx([12.0, 12.3, 12.6])
    for a, b in zip(ys, ys[1:]):
        assert abs(b - a) >= 0.1 * ax.bbox.height, (ys, ax.bbox.height)
    plots.plt.close(fig)


def test_every_point_carries_its_value():
    fig = FIGURES["fig4"]()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"+12.00 %", "+12.30 %", "+12.60 %"} <= texts, texts
    plots.plt.close(fig)
    fig = FIGURES["fig4_cpi"]()
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {f"{r['cpi']:.3f}" for r in RESULTS} <= texts and {"1.600", "2.020"} <= texts, texts
    plots.plt.close(fig)


def test_zoom_keeps_small_changes_apart_and_shows_the_baseline_when_near():
    # Values near 0: the native baseline is on the axis.
    lo, hi = plots.zoomed_limits([0.2, 0.5, 0.8], plots.MIN_SPAN_PCT)
    assert lo < 0 < hi
    # Far from 0: zoomed to the values, not squashed by the baseline.
    lo, hi = plots.zoomed_limits([12.0, 12.3, 12.6], plots.MIN_SPAN_PCT)
    assert 11 < lo < 12.0 and 12.6 < hi < 13.2
    # Equal values: a minimum span, not a division by zero.
    lo, hi = plots.zoomed_limits([1.0, 1.0], plots.MIN_SPAN_PCT)
    assert hi - lo == pytest.approx(plots.MIN_SPAN_PCT * 1.3)


def test_traces_scripts_cite_the_paper_not_an_internal_name():
    folder = REPO / "traces"
    for path in list(folder.glob("*.py")) + [folder / "README.md", folder / "build.mk"]:
        text = path.read_text()
        assert not re.search(r"\bseeds? ?\d{3}\b", text, re.IGNORECASE), path
