"""The quote check's normalisation and the closest-passage hint."""

from __future__ import annotations

from sitegen.quotes import closest_passage, normalise


def test_normalise_folds_only_whitespace_and_quote_marks() -> None:
    assert normalise("The  review’s\n“plan”") == "The review's \"plan\""
    assert normalise("£2.6bn") == "£2.6bn"  # nothing else changes: a different figure is a different quote


def test_closest_passage_shows_whole_words_of_the_source() -> None:
    text = "The government has laid out a £200m package of measures to fix children's social care."
    assert closest_passage("a £200n package of measures", text) == "a £200m package of measures"
