"""The funding chart: an honest zero-based linear scale, labelled in text, with a title and description."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from sitegen.chart import PAD, Bar, bar_chart, describe, nice_max, short_money

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
