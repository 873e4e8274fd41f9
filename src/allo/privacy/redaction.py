"""Personal-data redaction: free text is cleaned before it is stored, and the agent sees what went.

Numbers are recognised by their real structure (phonenumbers' metadata, python-stdnum checksums),
never by bare digit patterns, so dates, amounts, postal codes and article numbers stay intact.
People's names come from spaCy's French model (PER entities), plus honorifics ("M. Durand")
that the small model often misses. The result lists kinds and spans, never the removed values.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from allo.french import plural

#: What the agent reads in place of the removed value.
PLACEHOLDERS: dict[str, str] = {
    "email": "[courriel]",
    "iban": "[IBAN]",
    "nir": "[n° de sécurité sociale]",
    "card": "[carte bancaire]",
    "phone": "[téléphone]",
    "name": "[nom]",
}
#: French labels of the kinds, for messages ("2 éléments masqués : téléphone, nom").
KIND_LABELS: dict[str, str] = {
    "email": "adresse électronique",
    "iban": "IBAN",
    "nir": "numéro de sécurité sociale",
    "card": "numéro de carte bancaire",
    "phone": "numéro de téléphone",
    "name": "nom de personne",
}
#: When two detections overlap, the earlier kind in this order wins.
_PRIORITY = ("email", "iban", "nir", "card", "phone", "name")

#: Metropolitan France and the overseas regions that share the 0-prefixed national format.
#: (New Caledonia, Polynesia, Wallis: 6-digit local numbers look like amounts; they are only
#: recognised in international form, +687…, which every region's matcher reads.)
PHONE_REGIONS = ("FR", "GP", "MQ", "GF", "RE", "YT", "PM")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_IBAN_START = re.compile(r"\b[A-Za-z]{2}\d{2}(?=[\s\dA-Za-z])")
_IBAN_GROUP = re.compile(r"\s?([A-Za-z0-9]{1,4})")
_NIR = re.compile(
    r"(?<![\d])[12][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[ABab])[\s.]?\d{3}[\s.]?\d{3}[\s.]?\d{2}(?![\d])"
)
_CARD = re.compile(r"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")
_HONORIFIC_NAME = re.compile(
    r"\b(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Me\.?|Dr\.?|Monsieur|Madame|Mademoiselle|Maître|Docteur)"
    r"\s+((?:[A-ZÀ-ÖØ-Þ][\w'’-]+)(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,2})"
)
#: An honorific inside a PER entity: the name starts after it (« Rappeler Mme Durand » → Durand).
_HONORIFIC_PREFIX = re.compile(
    r"(?:^|(?<=\s))(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Me\.?|Dr\.?|Monsieur|Madame|Mademoiselle|Maître|Docteur)\s+"
)
#: Tokens after which a word starts a sentence or a label (« Rappel demandé », « Note : Relance »).
_SENTENCE_BREAKS = frozenset({".", "!", "?", ":", ";", "…", "-", "–", "•"})
#: Parts of speech of common words: a PER entity the tagger reads as one of these is no name.
_COMMON_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "INTJ", "ADP", "DET", "PRON", "AUX"})
#: Longest text the name model reads (beyond it, numbers are still redacted).
MAX_NER_CHARS = 20_000


@dataclass(frozen=True)
class Redaction:
    """One removed value: its kind and where its placeholder stands in the redacted text."""

    kind: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class RedactionResult:
    text: str
    redactions: tuple[Redaction, ...]

    @property
    def kinds(self) -> list[str]:
        """Distinct kinds removed, in order of appearance."""
        return list(dict.fromkeys(r.kind for r in self.redactions))

    def as_list(self) -> list[dict[str, Any]]:
        return [r.as_dict() for r in self.redactions]

    def summary(self) -> str:
        """French sentence for the agent, e.g. « 2 éléments masqués : numéro de téléphone, nom »."""
        if not self.redactions:
            return ""
        labels = ", ".join(KIND_LABELS[k] for k in self.kinds)
        masked = plural(len(self.redactions), "élément masqué", "éléments masqués")
        return f"{masked} : {labels}."


def redact(text: str) -> RedactionResult:
    """Replace personal data in `text` by placeholders; the same text always gives the same result."""
    if not text:
        return RedactionResult(text="", redactions=())
    spans: list[tuple[int, int, str]] = []
    spans += [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    spans += _ibans(text)
    spans += _nirs(text)
    spans += _cards(text)
    spans += _phones(text)
    spans += _names(text)
    return _apply(text, _resolve(spans))


def _ibans(text: str) -> list[tuple[int, int, str]]:
    found = []
    for start_match in _IBAN_START.finditer(text):
        start = start_match.start()
        pos = start_match.end()
        compact = start_match.group(0)
        best_end = None
        # Grow group by group and keep the longest prefix with a valid checksum, so the words
        # after the IBAN are never swallowed.
        while len(compact) < 34:
            group = _IBAN_GROUP.match(text, pos)
            if group is None:
                break
            compact += group.group(1)
            pos = group.end()
            if len(compact) >= 15 and stdnum_iban.is_valid(compact):
                best_end = pos
        if best_end is not None:
            found.append((start, best_end, "iban"))
    return found


def _nirs(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _NIR.finditer(text):
        compact = re.sub(r"[\s.]", "", m.group(0)).upper()
        if stdnum_nir.is_valid(compact):
            found.append((m.start(), m.end(), "nir"))
    return found


def _cards(text: str) -> list[tuple[int, int, str]]:
    found = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", m.group(0))
        # Payment cards: 13 to 19 digits, an issuer prefix (2-6: Mastercard, Amex, Visa,
        # Discover…) and a valid Luhn checksum.
        if 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn.is_valid(digits):
            found.append((m.start(), m.end(), "card"))
    return found


def _phones(text: str) -> list[tuple[int, int, str]]:
    found: dict[tuple[int, int], None] = {}
    for region in PHONE_REGIONS:
        for match in PhoneNumberMatcher(text, region, leniency=Leniency.VALID):
            if phonenumbers.is_valid_number(match.number):
                start, end = match.start, match.end
                # The matcher keeps an opening bracket ("(06 12…"): the number starts at + or a digit.
                if ")" not in text[start:end]:
                    while start < end and not (text[start].isdigit() or text[start] == "+"):
                        start += 1
                while end > start and not text[end - 1].isdigit():
                    end -= 1
                found[(start, end)] = None
    return [(s, e, "phone") for s, e in found]


def _names(text: str) -> list[tuple[int, int, str]]:
    found = [(m.start(1), m.end(1), "name") for m in _HONORIFIC_NAME.finditer(text)]
    # The small model finds almost no names in all-lower-case text: skip it there (speed).
    if not any(c.isupper() for c in text):
        return found
    doc = _nlp()(text[:MAX_NER_CHARS])
    tagged = False
    for found_ent in doc.ents:
        if found_ent.label_ != "PER":
            continue
        ent = _capitalised_part(found_ent)
        if ent is None:
            continue
        if _sentence_initial_word(ent):
            if not tagged:  # the tagger runs only when a doc has such a candidate
                _nlp().get_pipe("morphologizer")(doc)
                tagged = True
            if doc[ent.start].pos_ in _COMMON_POS:
                continue
        start, end = ent.start_char, ent.end_char
        prefix = _HONORIFIC_PREFIX.search(ent.text)
        if prefix:
            start += prefix.end()
        if end > start and any(c.isalpha() for c in text[start:end]):
            found.append((start, end, "name"))
    return found


def _capitalised_part(ent: Any) -> Any:
    """The entity without its lower-case edge words (« Rappel demandé » → « Rappel »): a
    name's words are capitalised, the model sometimes runs on into the next word. None if
    nothing capitalised is left."""
    doc, first, last = ent.doc, ent.start, ent.end
    while first < last and not doc[first].text[:1].isupper():
        first += 1
    while last > first and not doc[last - 1].text[:1].isupper():
        last -= 1
    return doc[first:last] if last > first else None


def _sentence_initial_word(ent: Any) -> bool:
    """A one-word PER entity that opens a sentence or a label and is a common French word of the
    model's own lexicon: the small model's classic mistake (« Rappel demandé », « Relance. »),
    since at the start of a sentence a capital says nothing. Such a word is kept when the
    tagger also reads it as a common word; a name there (« Martin a appelé ») is a PROPN."""
    if len(ent) != 1:
        return False
    doc, i = ent.doc, ent.start
    opens = i == 0 or doc[i - 1].text in _SENTENCE_BREAKS or "\n" in doc[i - 1].text
    return opens and _in_lexicon(ent.text.lower())


def _resolve(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep non-overlapping spans, the higher-priority kind (then the longer span) first."""
    ranked = sorted(spans, key=lambda s: (_PRIORITY.index(s[2]), -(s[1] - s[0]), s[0]))
    kept: list[tuple[int, int, str]] = []
    for span in ranked:
        if all(span[1] <= k[0] or span[0] >= k[1] for k in kept):
            kept.append(span)
    return sorted(kept)


def _apply(text: str, spans: list[tuple[int, int, str]]) -> RedactionResult:
    parts: list[str] = []
    redactions: list[Redaction] = []
    cursor = 0
    length = 0
    for start, end, kind in spans:
        parts.append(text[cursor:start])
        length += start - cursor
        placeholder = PLACEHOLDERS[kind]
        redactions.append(Redaction(kind, length, length + len(placeholder)))
        parts.append(placeholder)
        length += len(placeholder)
        cursor = end
    parts.append(text[cursor:])
    return RedactionResult(text="".join(parts), redactions=tuple(redactions))


_model: Any = None
_model_lock = threading.Lock()


def _nlp() -> Any:
    """spaCy's French pipeline, loaded once per process on first use. Only the NER runs on every
    text (fast); the tagger (morphologizer) and the lemmatizer's word lists are loaded but
    disabled, for `_sentence_initial_word`."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                import spacy

                _model = spacy.load(
                    "fr_core_news_sm",
                    exclude=["parser", "attribute_ruler", "senter"],
                    disable=["lemmatizer", "morphologizer"],
                )
    return _model


@cache
def _lexicon() -> tuple[Any, frozenset[str]]:
    """The French words the model ships with its lemmatizer: its table of inflected forms
    (~217,000, keyed by hash) and its index of noun, verb, adjective and adverb lemmas."""
    lookups = _nlp().get_pipe("lemmatizer").lookups
    lemmas = frozenset(w for words in lookups.get_table("lemma_index").values() for w in words)
    return lookups.get_table("lemma_lookup"), lemmas


def _in_lexicon(word: str) -> bool:
    forms, lemmas = _lexicon()
    return word in lemmas or word in forms


def warm_up() -> None:
    """Load the name model now (e.g. in a background thread at login) rather than mid-call."""
    _nlp()
