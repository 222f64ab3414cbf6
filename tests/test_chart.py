"""The funding chart: an honest zero-based linear scale, labelled in text, with a title and description."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from sitegen.chart import AREAS, PAD, WRAP, Bar, bar_chart, describe, figure_lines, nice_max, short_money

SVG = "{http://www.w3.org/2000/svg}"


def bars() -> list[Bar]:
    return [
        Bar("The care review's £2.6bn costing", 2_600_000_000, "£2.6bn over 4 years", "Community Care, 7 Feb 2023",
            "Called for", "bar-call"),
        Bar("£200m to start the reforms", 200_000_000, "£200m over 2 years", "CYP Now, 2 Feb 2023",
            "Called for", "bar-call"),
        Bar("A tiny sum", 1_000, "£1,000", "undated", "Called for", "bar-call"),
    ]


@pytest.mark.parametrize(("value", "expected"), [
    (0, 1.0), (1, 1.0), (3, 5.0), (2_600_000_000, 5_000_000_000.0), (200_000_000, 200_000_000.0),
    (210_000_000, 250_000_000.0), (9_000, 10_000.0),
])
def test_axis_ends_at_a_round_number_at_or_above_the_largest(value: float, expected: float) -> None:
    assert nice_max(value) == expected
    assert nice_max(value) >= value


def test_bars_start_at_zero_and_are_proportional() -> None:
    svg = str(bar_chart(bars(), "Sums"))
    rects = r'<rect class="bar-\w+" data-id="[^"]*" x="8" y="\d+" width="([\d.]+)"'
    widths = [float(w) for w in re.findall(rects, svg)]
    assert len(widths) == 3
    assert widths[0] / widths[1] == pytest.approx(13, rel=0.01)  # £2.6bn is 13 times £200m
    assert widths[2] == 1.0  # a sum too small to see still gets a hairline
    ticks = re.findall(r'class="chart-tick"[^>]*>([^<]+)<', svg)
    assert ticks[0] == "£0" and ticks[-1] == short_money(nice_max(2_600_000_000))
    assert f'x="{PAD}"' in svg


def test_chart_is_well_formed_svg_with_title_and_description() -> None:
    svg = str(bar_chart(bars(), "Sums of money", "c1"))
    root = ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Sums of money"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "one scale that starts at £0." in desc and "£2.6bn over 4 years" in desc  # one part: one scale
    assert "style=" not in svg
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for bar in bars():
        assert bar.figure in texts and bar.reported in texts  # every bar is labelled in words


def test_who_reported_a_sum_and_when_starts_a_line_rather_than_break() -> None:
    bar = Bar("Reform testing money", 250_000_000, "more than £250m (2025-26)", "Community Care, 31 Oct 2024",
              "Allocated", "bar-allocated")
    assert figure_lines(bar) == ["more than £250m (2025-26) ·", "Community Care, 31 Oct 2024"]
    assert "\u00a0" not in str(bar_chart([bar], "Sums"))  # the joins are only for wrapping
    short = Bar("x", 1, "£1", "CYP Now, 2 Feb 2023", "Allocated", "bar-allocated")
    assert figure_lines(short) == ["£1 · CYP Now, 2 Feb 2023"]
    long = Bar("x", 1, "£1", "A " * WRAP, "Allocated", "bar-allocated")  # longer than a line: broken as usual
    assert all(len(line) <= WRAP for line in figure_lines(long))


def test_a_chart_of_counts_says_so_and_ticks_without_pounds() -> None:
    counts = [Bar("Pathfinder", 12, "up to 12 areas", "CYP Now, 2 Feb 2023", "Areas", "bar-areas", qualifier="up to"),
              Bar("Pilots", 7, "7 areas", "Community Care, 7 Feb 2023", "Areas", "bar-areas")]
    svg = str(bar_chart(counts, "Areas", "c", AREAS))
    assert re.findall(r'class="chart-tick"[^>]*>([^<]+)<', svg) == ["0", "5", "10", "15", "20"]
    assert describe(counts, AREAS) == ("2 reported numbers of areas, drawn as bars on one scale that starts at 0."
                                       " Areas: 2 reported numbers on a scale to 20, the largest up to 12 areas"
                                       " (Pathfinder).")
    assert 'class="chart-ceiling"' in svg  # "up to": the end is dashed
    assert describe([], AREAS) == "No numbers of areas are recorded yet."


def test_a_long_group_heading_is_wrapped() -> None:
    heading = "A year (as given, or averaged over the years given)"
    svg = str(bar_chart([Bar("x", 1, "£1", "y", heading, "bar-call")], "Sums"))
    lines = re.findall(r'class="chart-group"[^>]*>([^<]+)<', svg)
    assert len(lines) == 2 and " ".join(lines) == heading


def test_labels_are_escaped() -> None:
    svg = str(bar_chart([Bar("<b>&", 1, "£1", "x", "<g>", "bar-call")], "t<"))
    assert "<b>" not in svg and "&lt;b&gt;&amp;" in svg and "&lt;g&gt;" in svg and "t&lt;" in svg


def test_description_of_an_empty_chart() -> None:
    assert describe([]) == "No sums of money are recorded yet."
    assert "<rect" not in str(bar_chart([], "Nothing"))


def test_each_group_has_its_own_scale_and_qualifiers_are_drawn() -> None:
    svg = str(bar_chart([Bar("a", 2_000, "at least £2,000", "x", "Pledged", "bar-pledged", qualifier="at least"),
                         Bar("b", 5, "up to £5", "x", "Allocated", "bar-allocated", qualifier="up to")], "t"))
    ticks = re.findall(r'class="chart-tick"[^>]*>([^<]+)<', svg)
    assert ticks.count("£0") == 2 and "£2k" in ticks and "£5" in ticks  # two axes, each to its own largest sum
    assert svg.count('class="chart-open bar-pledged"') == 1  # a floor ends in an arrow
    assert svg.count('class="chart-ceiling"') == 1  # a ceiling ends dashed
