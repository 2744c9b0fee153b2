"""make switchcost (traces/switchcost.py), shortened: the benchmark harsh on domain switches
on goldfish, with switches that keep the caches (switch=keep, the default) and with every
switch cleaning them (switch=clean)."""
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "traces"))
import switchcost  # noqa: E402
import xatrace  # noqa: E402


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    if not xatrace.PLUGIN.exists():
        raise FileNotFoundError(f"{xatrace.PLUGIN} missing: run 'make traces-plugin'")
    work = tmp_path_factory.mktemp("switchcost")
    return {r["domains"]: r for r in switchcost.run_all("goldfish", work, (2, 8), 5000, 500)}


def test_two_domains_switch_often_and_never_clean(rows):
    r = rows[2]
    # 100 us slices: many switches, the same number in both modes (-icount: deterministic
    # guest time; the cleans cost time, so a switch or two more may fall into a run).
    assert r["switches_keep"] > 100 and abs(r["switches_keep"] - r["switches_clean"]) <= 2
    assert r["cleans_keep"] == 0 and r["cleans_clean"] >= r["switches_clean"] - 2
    assert r["instructions_keep"] < r["instructions_clean"]
    assert r["cycles_keep"] < r["cycles_clean"] * 0.9
    assert r["native_instructions"] < r["instructions_keep"]


def test_eight_domains_clean_only_where_tags_are_shared(rows):
    # Five tags: domains 5, 6, 7 share theirs with 0, 1, 2, so some switches clean, not all.
    r = rows[8]
    assert 0 < r["cleans_keep"] < r["cleans_clean"]
    assert r["cycles_keep"] < r["cycles_clean"]


def test_the_table_names_both_modes(rows):
    text = switchcost.table("goldfish", list(rows.values()), 5000, 500)
    assert "| 2 | " in text and "| 8 | " in text and "switch=clean" in text
