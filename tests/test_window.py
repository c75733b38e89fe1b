"""Forecast windows on judgments: parsed with located errors, printed with the judgment, flagged once ended."""
from __future__ import annotations

import datetime as dt

import pytest
from helpers import run_cli

from briefwright.core.model import ForecastWindow

JUDGMENT = """judgments:
  - id: extra-judgment
    statement: The widget will likely outsell the rival.
    likelihood: likely
    confidence: moderate
    rests_on: [widget-launch]
    window: {window}
"""
# 2026-05-28, after the fixture's facts and before the windows below end, unless a test says otherwise
BEFORE_END = {"SOURCE_DATE_EPOCH": "1780000000"}


def write_judgment(project, window: str) -> None:
    (project / "content" / "extra.yaml").write_text(JUDGMENT.format(window=window), encoding="utf-8")


def test_window_parses_to_two_dates_and_displays_with_an_en_dash():
    window, why = ForecastWindow.parse("2026-01-14/2027-01-14")
    assert why == "" and window == "2026-01-14/2027-01-14"
    assert (window.start, window.end) == (dt.date(2026, 1, 14), dt.date(2027, 1, 14))
    assert window.display() == "14 January 2026 \u2013 14 January 2027"
    assert ForecastWindow.parse("2026-03-01/2026-03-01")[0] is not None  # a one-day window is a window


@pytest.mark.parametrize("written, message", [
    ("2027-01-14/2026-01-14", "'2027-01-14/2026-01-14' starts (2027-01-14) after it ends (2026-01-14); "
                              "put the earlier date first"),
    ("2026-01/2027-01-14", "'2026-01/2027-01-14' has start '2026-01', which is not a full date (YYYY-MM-DD); "
                           "write it as start/end, two full dates, e.g. 2026-01-14/2027-01-14"),
    ("2026-01-14/2027", "'2026-01-14/2027' has end '2027', which is not a full date (YYYY-MM-DD); "
                        "write it as start/end, two full dates, e.g. 2026-01-14/2027-01-14"),
    ("2026-02-30/2027-01-14", "'2026-02-30/2027-01-14' has start '2026-02-30', which is not a date in the calendar; "
                              "write it as start/end, two full dates, e.g. 2026-01-14/2027-01-14"),
    ("next year", "'next year' is not a forecast window; write it as start/end, two full dates, e.g. 2026-01-14/2027-01-14"),
    ("2026-01-14--2027-01-14", "'2026-01-14--2027-01-14' is not a forecast window; write it as start/end, two full "
                               "dates, e.g. 2026-01-14/2027-01-14"),
    ("2026-01-14", "'2026-01-14' is one date, not a window; write it as start/end, two full dates, "
                   "e.g. 2026-01-14/2027-01-14"),
])
def test_malformed_reversed_or_partial_windows_are_located_errors(minimal, written, message):
    write_judgment(minimal, written)
    r = run_cli("check", cwd=minimal, env=BEFORE_END)
    assert r.code == 1
    assert f"content/extra.yaml:7:13: error: judgment field 'window': {message}" in r.stderr.splitlines(), r.stderr
    assert "Traceback" not in r.stderr


def test_window_that_has_ended_warns_and_fails_under_strict(minimal):
    write_judgment(minimal, "2025-01-01/2026-01-31")
    line = ("content/extra.yaml:7:13: warning: judgment 'extra-judgment' forecasts a window that ended on 2026-01-31; "
            "judge it again and set a new window, or take it out of the briefs")
    r = run_cli("check", cwd=minimal, env=BEFORE_END)
    assert r.code == 0 and line in r.stderr.splitlines(), r.stderr
    r = run_cli("check", "--strict", cwd=minimal, env=BEFORE_END)
    assert r.code == 1 and line.replace(": warning: ", ": error: ") in r.stderr.splitlines()


def test_ended_window_names_the_briefs_that_show_it(minimal):
    judgments = minimal / "content" / "other.yaml"
    text = judgments.read_text(encoding="utf-8")
    judgments.write_text(text.replace("    rests_on: [widget-speed, rival-speed]\n",
                                      "    rests_on: [widget-speed, rival-speed]\n    window: 2026-01-01/2026-03-31\n"),
                         encoding="utf-8")
    r = run_cli("check", cwd=minimal, env=BEFORE_END)
    assert r.code == 0
    assert [line for line in r.stderr.splitlines() if "window" in line] == [
        f"content/other.yaml:{text[:text.index('rests_on: [widget-speed, rival-speed]')].count(chr(10)) + 2}:13: "
        "warning: judgment 'adoption' (shown in sample) forecasts a window that ended on 2026-03-31; judge it again "
        "and set a new window, or take it out of the briefs"]


def test_a_window_ending_today_has_not_ended(minimal):
    write_judgment(minimal, "2026-01-01/2026-05-28")
    r = run_cli("check", "--strict", cwd=minimal, env=BEFORE_END)
    assert r.code == 0, r.stderr


def test_window_is_printed_with_the_judgment_on_the_page(minimal, tmp_path):
    judgments = minimal / "content" / "other.yaml"
    text = judgments.read_text(encoding="utf-8")
    judgments.write_text(text.replace("    rests_on: [widget-speed, rival-speed]\n",
                                      "    rests_on: [widget-speed, rival-speed]\n    window: 2026-01-14/2027-01-14\n"),
                         encoding="utf-8")
    r = run_cli("build", "--formats", "html", "--out", tmp_path / "site", "--cache-dir", tmp_path / "cache", "-j1",
                cwd=minimal, env=BEFORE_END)
    assert r.code == 0, r.stderr
    html = (tmp_path / "site" / "briefs" / "sample" / "index.html").read_text(encoding="utf-8")
    judgment = html[html.index('data-judgment="adoption"'):]
    judgment = judgment[:judgment.index("</li>")]
    assert ('Forecast window: <time datetime="2026-01-14">14 January 2026</time> \u2013 '
            '<time datetime="2027-01-14">14 January 2027</time>.') in judgment
