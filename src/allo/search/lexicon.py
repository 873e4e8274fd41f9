"""The lexicon: acronyms, official names, citizens' words.

Two sources: the maintained file (data/search/lexicon.txt), and the acronyms of labour law that
the labour ministry's Code du travail numérique searches with (data/search/synonyms-travail.json,
vendored by scripts/vendor_synonyms.py), of which only the entries spelling out an acronym are
read: its other synonyms (« salarié, employé », « quand, à quel moment ») are a labour-law
site's, not a general service's; an acronym the maintained file spells out keeps its meaning.

Entries are matched on *lightly* normalised words (folded, plural and -er/-é endings removed)
rather than on Snowball stems: stems are too coarse for triggers ("virer" and "virement" share
the stem "vir", and only the first means being dismissed). An acronym matches only as itself or
its plural ("cafe" shares CAF's light key and is not it). Stop words take part in matching, so
"ma femme" triggers on "ma femme" and not on every "femme"; elided articles do not ("caisse
d'allocations familiales" is the trigger "caisse allocations familiales").
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from allo.search.analysis import DATA_DIR, FrenchAnalyzer, default_analyzer, fold, words

COLLOQUIAL_MARK = "(familier)"
#: the lexicon maintained by hand
MAINTAINED = DATA_DIR / "lexicon.txt"
_ENDINGS = ("ees", "es", "ee", "er", "e", "s", "x")


def light_key(word: str) -> str:
    """A folded word without its plural or common verb/participle ending (trigger matching only)."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def acronym_of(word: str, acronyms: Container[str]) -> str | None:
    """The acronym (folded) that a typed word is, as written or plural; None for a word only
    sharing its light key (« cafe » is not CAF, « site » not SIT) or typed with accents."""
    if not word.isascii():
        return None
    word = word.lower()
    if word in acronyms:
        return word
    single = word.removesuffix("s")
    return single if single != word and single in acronyms else None


def trigger_key(word: str, acronyms: Container[str]) -> str:
    """A word's key for matching triggers: an acronym stands as itself, in capitals, so that only
    the acronym triggers its rules; any other word by its light key."""
    acronym = acronym_of(word, acronyms)
    return acronym.upper() if acronym else light_key("".join(fold(word).split()))


@dataclass(frozen=True)
class Rule:
    trigger: tuple[str, ...]
    #: index terms (analysed like the fiches) that the trigger adds to the query
    terms: tuple[str, ...]
    #: an equivalence (`a, b`) rather than a one-way rule (`a => b`)
    symmetric: bool = True
    #: marked "(familier)": the trigger is slang that fiches do not use in this sense, so the
    #: typed word itself counts less ("virer" shares its stem with "virement")
    colloquial: bool = False


class Lexicon:
    def __init__(self, rules: list[Rule], long_forms: dict[str, str] | None = None) -> None:
        self.rules = rules
        #: an acronym (folded) → its long form as written (« cp » → « congés payés »): the
        #: dense model reads acronyms by their letters, so the query it reads spells them out
        self.long_forms = long_forms or {}
        self._by_first: dict[str, list[Rule]] = {}
        for rule in rules:
            self._by_first.setdefault(rule.trigger[0], []).append(rule)
        for bucket in self._by_first.values():
            bucket.sort(key=lambda r: -len(r.trigger))  # longest trigger first

    @classmethod
    def parse(cls, text: str, analyzer: FrenchAnalyzer | None = None) -> Lexicon:
        """Parse the lexicon format; malformed lines raise ValueError with the line number."""
        analyzer = analyzer or default_analyzer()
        lines: list[tuple[int, list[tuple[str, list[str]]], bool, bool]] = []
        long_forms: dict[str, str] = {}
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            slang = line.endswith(COLLOQUIAL_MARK)
            line = line.removesuffix(COLLOQUIAL_MARK).strip()
            if "=>" in line:
                left, _, right = line.partition("=>")
                targets = _expressions(right)
                pairs = [(s, targets) for s in _expressions(left)]
            else:
                group = _expressions(line)
                pairs = [(s, [t for t in group if t != s]) for s in group]
                for short, long in ((a, b) for a in group for b in group):
                    if spells_acronym(short, long):
                        long_forms.setdefault(words(short)[0], long)
            if not pairs or any(not targets for _s, targets in pairs):
                raise ValueError(f"lexique, ligne {number} : entrée incomplète « {raw.strip()} »")
            lines.append((number, pairs, "=>" in line, slang))
        # the acronyms are known once every line is read: a trigger holding one holds it as is
        merged: dict[tuple[str, ...], list[str]] = {}
        one_way: set[tuple[str, ...]] = set()
        colloquial: set[tuple[str, ...]] = set()
        for number, pairs, is_one_way, slang in lines:
            for source, targets in pairs:
                trigger = tuple(trigger_key(w, long_forms) for w in words(source))
                if not trigger:
                    raise ValueError(f"lexique, ligne {number} : expression vide « {source} »")
                if is_one_way:
                    one_way.add(trigger)
                if slang:
                    colloquial.add(trigger)
                bucket = merged.setdefault(trigger, [])
                for target in targets:
                    for term in analyzer.terms(target):
                        if term not in bucket:
                            bucket.append(term)
        rules = [
            Rule(trigger, tuple(terms), trigger not in one_way, trigger in colloquial)
            for trigger, terms in merged.items()
            if terms
        ]
        return cls(rules, long_forms)

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """One lexicon file (the maintained one by default, without the labour acronyms)."""
        return cls.parse((path or MAINTAINED).read_text("utf-8"))

    def long_form(self, word: str) -> str | None:
        """The long form of a typed word that is an acronym (« cp », « cps »; not « âme »)."""
        acronym = acronym_of(word, self.long_forms)
        return self.long_forms[acronym] if acronym else None

    def key(self, word: str) -> str:
        """A typed word's key for matching triggers (see `trigger_key`)."""
        return trigger_key(word, self.long_forms)

    def expansions(self, keys: tuple[str, ...] | list[str]) -> list[tuple[int, Rule]]:
        """(position, rule) for each trigger found in the words' keys (`key`; longest match
        wins)."""
        found: list[tuple[int, Rule]] = []
        i = 0
        while i < len(keys):
            matched = 0
            for rule in self._by_first.get(keys[i], ()):
                n = len(rule.trigger)
                if tuple(keys[i : i + n]) == rule.trigger:
                    found.append((i, rule))
                    matched = n
                    break
            i += matched or 1
        return found


def _expressions(part: str) -> list[str]:
    return [e.strip() for e in part.split(",") if e.strip()]


#: an acronym's length, in letters (« at » … « direccte »)
ACRONYM_LETTERS = (2, 8)
#: the labour ministry's synonym list (a JSON list of lines in Elasticsearch's synonym format)
LABOUR_SYNONYMS = DATA_DIR / "synonyms-travail.json"
#: acronyms of that list that are ordinary words, as typed or as indexed: the full corpus writes
#: « due(s) » 1,043 times (DUE, the declaration the DPAE replaced in 2011) and « site(s) », whose
#: term is SIT's (système d'inspection du travail), 2,426 times; each acronym in capitals once or
#: twice
ORDINARY_WORDS = frozenset({"sit", "due"})


def spells_acronym(short: str, long: str) -> bool:
    """Whether `short` (one word, not one of `long`'s) abbreviates `long` (several words): its
    letters appear in order in `long`, the first one beginning a word (Schwartz and Hearst's
    test, 2003)."""
    typed, spelt = words(short), words(long)
    if len(typed) != 1 or len(spelt) < 2:
        return False
    acronym = typed[0]
    if acronym in spelt or not ACRONYM_LETTERS[0] <= len(acronym) <= ACRONYM_LETTERS[1]:
        return False
    for start, word in enumerate(spelt):
        if word[0] == acronym[0]:
            letters = iter("".join(spelt[start:]))
            if all(letter in letters for letter in acronym):
                return True
    return False


def acronym_entries(entries: Iterable[str], analyzer: FrenchAnalyzer) -> list[str]:
    """The equivalences (lexicon lines) of the synonym entries that spell out an acronym.

    Members that are stop words (« ce » for comité d'entreprise, « cet » for compte
    épargne-temps) are left out: every question holds them; so are the `ORDINARY_WORDS`.
    Elasticsearch's one-way targets made for its own index (« c_e ») are ignored; the members on
    the left stay equivalents.
    """
    lines = []
    for entry in entries:
        left, arrow, right = entry.partition("=>")
        members = _members(left)
        targets = _members(right) if arrow else []
        if not any("_" in t for t in targets):
            members += targets
        if not any(spells_acronym(a, b) for a in members for b in members):
            continue
        kept = [m for m in members if _readable(m, analyzer)]
        if len(kept) >= 2:
            lines.append(", ".join(kept))
    return lines


def _readable(member: str, analyzer: FrenchAnalyzer) -> bool:
    """Whether a member triggers as a word of its own: not a stop word nor one of the
    `ORDINARY_WORDS`."""
    return " ".join(words(member)) not in ORDINARY_WORDS and bool(analyzer.terms(member))


def _members(part: str) -> list[str]:
    return [m.strip() for m in re.split(r"[,/]", part) if m.strip()]


def labour_acronyms(analyzer: FrenchAnalyzer | None = None) -> list[str]:
    entries = json.loads(LABOUR_SYNONYMS.read_text("utf-8"))["entries"]
    return acronym_entries(entries, analyzer or default_analyzer())


def not_redefining(
    lines: Iterable[str], known: Mapping[str, str], analyzer: FrenchAnalyzer | None = None
) -> list[str]:
    """The lexicon lines that give none of the `known` acronyms (acronym → long form) another
    meaning: the maintained lexicon's is a general service's (CFE: the business property tax,
    not the labour site's union), and it mends the vendored list's slips (SIREN and SIRET
    swapped). A long form that only adds or drops words (« contrat de travail à durée
    déterminée ») is the same meaning."""
    analyzer = analyzer or default_analyzer()

    def same(a: str, b: str) -> bool:
        ours, theirs = set(analyzer.terms(a)), set(analyzer.terms(b))
        return ours <= theirs or theirs <= ours

    return [
        line
        for line in lines
        if all(
            a not in known or same(known[a], f) for a, f in Lexicon.parse(line).long_forms.items()
        )
    ]


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    maintained = MAINTAINED.read_text("utf-8")
    known = Lexicon.parse(maintained).long_forms
    return Lexicon.parse("\n".join([maintained, *not_redefining(labour_acronyms(), known)]))
