"""Counts written the French way: the messages of the CLI, the imports and the pages use them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from allo.french import (
    agreed,
    decimal_fr,
    number_fr,
    percent_fr,
    plural,
    size_fr,
    validation_reason,
)


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


SOURCE = Path(__file__).parents[1] / "src" / "allo"


def test_every_count_of_several_words_says_its_plural() -> None:
    """`plural(n, "fiche analysée")` would print « 2 fiche analysées »: a singular of several
    words needs its plural form, in the code and in the templates."""
    missing = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) != 2:
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            word = node.args[1]
            said = word.value if isinstance(word, ast.Constant) else ""
            if name in ("plural", "agreed") and " " in str(said):
                missing.append(f"{path.name}:{node.lineno}")
    for path in SOURCE.rglob("*.html"):
        for match in re.finditer(
            r"\|\s*(?:plural|agreed)\(\s*([\"'])([^\"']*)\1\s*\)", path.read_text()
        ):
            if " " in match.group(2):
                missing.append(f"{path.name}: {match.group(0)}")
    assert missing == []


def test_irregular_plurals_and_agreeing_words() -> None:
    assert plural(3, "nouveau", "nouveaux") == "3 nouveaux"
    assert plural(1, "fiche illisible", "fiches illisibles") == "1 fiche illisible"
    assert plural(2, "fiche illisible", "fiches illisibles") == "2 fiches illisibles"
    assert agreed(1, "vu") == "vu" and agreed(12, "vu") == "vus"


def test_numbers() -> None:
    assert number_fr(1234567) == "1\u202f234\u202f567"
    assert number_fr(2.5) == "2,5" and number_fr(3.0) == "3"


def test_validation_reasons_are_french_and_short() -> None:
    long_input = {"type": "int_parsing", "input": "0612345678" * 20, "msg": "…"}
    reason = validation_reason(long_input)
    assert reason is not None and reason.startswith("nombre entier attendu, lu '0612345678")
    assert len(reason) < 80 and reason.endswith("…")
    enum = {"type": "enum", "ctx": {"expected": "'a', 'b' or 'c'"}, "input": "z"}
    assert validation_reason(enum) == "choix attendu parmi 'a', 'b' ou 'c'"
    too_long = {"type": "string_too_long", "ctx": {"max_length": 1}, "input": "ab"}
    assert validation_reason(too_long) == "au plus 1 caractère"
    own = {"type": "value_error", "msg": "Value error, indiquez soit « token », soit « id »"}
    assert validation_reason(own) == "indiquez soit « token », soit « id »"
    assert validation_reason({"type": "never_heard_of", "msg": "x"}) is None
    assert validation_reason({"type": "greater_than_equal", "ctx": {}}) is None  # ctx missing


def test_decimals_and_percentages_take_a_comma() -> None:
    assert decimal_fr(3.44) == "3,4" and decimal_fr(12.0, 0) == "12"
    assert percent_fr(0.564) == "56\u00a0%" and percent_fr(0.8534, 1) == "85,3\u00a0%"
    assert percent_fr(None) == "—"


def test_sizes_are_written_in_decimal_units_with_a_comma() -> None:
    assert [size_fr(n) for n in (0, 1, 512, 85_300, 1_234_567)] == [
        "0 octet",
        "1 octet",
        "512 octets",
        "85,3 ko",
        "1,2 Mo",
    ]
