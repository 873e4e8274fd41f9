"""Counts written the French way: the messages of the CLI, the imports and the pages use them."""

from __future__ import annotations

import pytest

from allo.french import agreed, number_fr, plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 fiche"),
        (1, "1 fiche"),
        (2, "2 fiches"),
        (-1, "-1 fiche"),
        (4233, "4\u202f233 fiches"),
    ],
)
def test_zero_and_one_are_singular(count: int, expected: str) -> None:
    assert plural(count, "fiche") == expected


def test_irregular_plurals_and_agreeing_words() -> None:
    assert plural(3, "nouveau", "nouveaux") == "3 nouveaux"
    assert plural(1, "fiche illisible", "fiches illisibles") == "1 fiche illisible"
    assert plural(2, "fiche illisible", "fiches illisibles") == "2 fiches illisibles"
    assert agreed(1, "vu") == "vu" and agreed(12, "vu") == "vus"


def test_numbers() -> None:
    assert number_fr(1234567) == "1\u202f234\u202f567"
    assert number_fr(2.5) == "2,5" and number_fr(3.0) == "3"
