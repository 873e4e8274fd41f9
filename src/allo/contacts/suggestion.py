"""Sector suggestion: which specialist sector (or `aucun`: level 1 keeps it) a question belongs to.

A suggestion the advisor confirms, never a decision. Two kinds of evidence, both read from the
escalation sheets so that an editor who changes a sheet changes the model:
- the question's words against each sheet's `keywords` (French stems, accents folded; a word
  shared by several sectors counts less);
- the themes of the fiches found or consulted (DILA subject and breadcrumb titles) against each
  sheet's `fiche_themes`, the first fiches counting more.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from allo.kb.escalation import LEVEL1, SECTORS, EscalationSheet, SheetSet

#: Weight of the fiche evidence relative to the words of the question.
FICHE_WEIGHT = 0.5
#: Below this total score the question stays at level 1: nothing points anywhere.
MIN_SCORE = 0.5
#: Tie-break: the seed's call volumes per sector (2009), level 1 last among equals.
VOLUME_ORDER = ("interieur", "travail", "consommation", "justice", "logement", "fiscalite", LEVEL1)

_STOP_WORDS = """a au aux avec ce ces c d de des du elle en est et il ils je j l la le les leur lui m ma
    mais me mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses si son sur
    t ta te tes toi ton tu un une vos votre vous y est-il est-ce quel quelle quels quelles comment
    combien faut peut puis-je ai as avoir etre être suis es sont fait faire veut veux dois doit"""
_STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z0-9]+")
_stemmer = Stemmer.Stemmer("french")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    """Accent-folded Snowball stems of the words of `text`, without French stop words."""
    return [_stem(w) for w in _WORD.findall(fold(text)) if w not in _STOP and len(w) > 1]


@dataclass(frozen=True)
class FicheThemes:
    """What the suggestion needs to know of a fiche: its theme words."""

    id: str
    subject: str = ""
    breadcrumb: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True)
class SectorSuggestion:
    #: a sector, or "aucun" when level 1 keeps the question
    sector: str
    #: share of the evidence for the suggested sector (0-1)
    confidence: float
    #: score per sector (and "aucun")
    scores: dict[str, float]
    #: what pointed to the suggested sector: matched words and fiche themes
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Phrase:
    stems: tuple[str, ...]
    text: str


class SectorModel:
    """Keyword and theme vocabularies of the sheets, compiled once per sheet set."""

    def __init__(self, sheets: SheetSet) -> None:
        all_sheets: list[EscalationSheet] = [*sheets.sheets.values(), sheets.level1]
        self.labels = [s.sector for s in all_sheets]
        self.keywords = {s.sector: self._compile(s.keywords) for s in all_sheets}
        self.themes = {s.sector: self._compile(s.fiche_themes) for s in all_sheets}
        # A stem in the vocabulary of many sectors says little: weight it like an IDF.
        df: dict[str, set[str]] = defaultdict(set)
        for sector, phrases in self.keywords.items():
            for phrase in phrases:
                for s in phrase.stems:
                    df[s].add(sector)
        n = len(all_sheets)
        self.idf = {s: math.log(1 + n / len(sectors)) for s, sectors in df.items()}

    @staticmethod
    def _compile(phrases: Sequence[str]) -> list[_Phrase]:
        out = []
        for text in phrases:
            st = tuple(stems(text))
            if st:
                out.append(_Phrase(st, text))
        return out

    def _keyword_scores(
        self, question_stems: list[str]
    ) -> tuple[dict[str, float], dict[str, list[str]]]:
        present = set(question_stems)
        joined = " " + " ".join(question_stems) + " "
        scores: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        for sector, phrases in self.keywords.items():
            used: set[str] = set()
            # Longest phrases first; a stem counts once per sector (no double counting of
            # "permis" inside "permis de conduire").
            for phrase in sorted(phrases, key=lambda p: -len(p.stems)):
                if not set(phrase.stems) <= present:
                    continue
                if len(phrase.stems) > 1 and f" {' '.join(phrase.stems)} " not in joined:
                    # all words present but not as a phrase: half credit
                    factor = 0.5
                else:
                    factor = 1.0
                fresh = [s for s in phrase.stems if s not in used]
                if not fresh:
                    continue
                used.update(fresh)
                scores[sector] += factor * sum(self.idf.get(s, 1.0) for s in fresh)
                reasons[sector].append(phrase.text)
        return scores, reasons

    def _theme_scores(
        self, fiches: Sequence[FicheThemes]
    ) -> tuple[dict[str, float], dict[str, list[str]]]:
        scores: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        for rank, fiche in enumerate(fiches[:5]):
            texts = [*fiche.subject.split(","), *fiche.breadcrumb]
            fiche_scores: dict[str, float] = defaultdict(float)
            for text in texts:
                text_stems = stems(text)
                if not text_stems:
                    continue
                joined = " " + " ".join(text_stems) + " "
                for sector, phrases in self.themes.items():
                    for phrase in phrases:
                        if f" {' '.join(phrase.stems)} " in joined:
                            # Longer (more specific) themes win over the broad subject.
                            fiche_scores[sector] += len(phrase.stems)
                            if phrase.text not in reasons[sector]:
                                reasons[sector].append(f"fiche {fiche.id} : {phrase.text}")
            total = sum(fiche_scores.values())
            if total:
                for sector, value in fiche_scores.items():
                    scores[sector] += value / total / (rank + 1)
        return scores, reasons

    def suggest(self, question: str, fiches: Sequence[FicheThemes] = ()) -> SectorSuggestion:
        kw_scores, kw_reasons = self._keyword_scores(stems(question))
        th_scores, th_reasons = self._theme_scores(fiches)
        kw_total = sum(kw_scores.values()) or 1.0
        scores: dict[str, float] = {}
        for sector in self.labels:
            # Words are normalised to a distribution so that a long question does not drown
            # the fiche evidence; the raw total still decides whether anything matched at all.
            scores[sector] = kw_scores.get(sector, 0.0) / kw_total + FICHE_WEIGHT * th_scores.get(
                sector, 0.0
            )
        raw_total = sum(kw_scores.values()) + sum(th_scores.values())
        if raw_total < MIN_SCORE:
            return SectorSuggestion(sector=LEVEL1, confidence=0.0, scores=scores, reasons=[])
        best = max(scores, key=lambda s: (scores[s], -VOLUME_ORDER.index(s)))
        total = sum(scores.values()) or 1.0
        return SectorSuggestion(
            sector=best,
            confidence=round(scores[best] / total, 3),
            scores={k: round(v, 4) for k, v in scores.items()},
            reasons=[*kw_reasons.get(best, []), *th_reasons.get(best, [])][:8],
        )


_models: dict[int, tuple[SheetSet, SectorModel]] = {}


def model_for(sheets: SheetSet) -> SectorModel:
    """The compiled model of this sheet set (recompiled when an editor changes a sheet)."""
    cached = _models.get(id(sheets))
    if cached is not None and cached[0] is sheets:
        return cached[1]
    model = SectorModel(sheets)
    _models.clear()
    _models[id(sheets)] = (sheets, model)
    return model


def suggest_sector(
    question: str, fiches: Sequence[FicheThemes] = (), *, sheets: SheetSet | None = None
) -> SectorSuggestion:
    """Suggest a sector for `question`, given the fiches found or consulted (best first)."""
    if sheets is None:
        from allo.kb.escalation import load_sheets

        sheets = load_sheets()
    return model_for(sheets).suggest(question, fiches)


__all__ = ["SECTORS", "FicheThemes", "SectorSuggestion", "fold", "stems", "suggest_sector"]
