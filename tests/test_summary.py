"""The check summary counts what the data holds."""

from __future__ import annotations

from conftest import MINIMAL

from sitegen.build import check_site
from sitegen.summary import summary_line


def test_summary_line_counts_every_kind() -> None:
    line = summary_line(check_site(MINIMAL))
    assert line == ("OK: 1 recommendations (responses: to-be-tested 1), 1 missions, 0 pilots, 0 named areas, "
                    "1 funding lines, 1 timeline events, 1 glossary terms, 0 people and organisations, "
                    "1 sources, 8 citations")
