"""DILA publication → plain text (light Markdown: `##` titles, `-` lists, `Cas : …` headings).

Used for `Fiche.text` (what search indexes: the body only, `extras=False`) and for
`allo kb show --format text` (everything, including where to go and references).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable

from lxml import etree

from allo.kb.elements import METADATA

CALLOUT_LABELS = {
    "ASavoir": "À savoir",
    "ANoter": "À noter",
    "Attention": "Attention",
    "Rappel": "Rappel",
    "Exemple": "Exemple",
}
SERVICE_LABELS = {
    "Téléservice": "Service en ligne",
    "Formulaire": "Formulaire",
    "Modèle de document": "Modèle de document",
    "Simulateur": "Simulateur",
    "Outil de recherche": "Outil de recherche",
}
#: publication-level elements that form the body, in reading order
MAIN_ORDER = (
    "Avertissement",
    "Introduction",
    "NumeroCerfa",
    "AutreNumero",
    "LienWeb",
    "Texte",
    "ListeSituations",
    "Questionnaire",
    "Problematiques",
    "SousTheme",
    "SousDossier",
    "Fiche",
    "Dossier",
    "ServiceEnLigneAnnexe",
    "NoticeLiee",
)
#: publication-level elements listed after the body (links, where to go, glossary)
EXTRA_ORDER = (
    "OuSAdresser",
    "QuiPeutMAider",
    "OuSAdresserSupport",
    "ServiceEnLigne",
    "ServiceEnLigneAlternatif",
    "FicheLiee",
    "DossierLie",
    "PourEnSavoirPlus",
    "LienExterneCommente",
    "Partenaire",
    "Reference",
    "QuestionReponse",
    "CommentFaireSi",
    "RechercheGuidee",
    "VoirAussi",
    "Definition",
    "Abreviation",
)
ROOT_TAGS = frozenset(MAIN_ORDER) | frozenset(EXTRA_ORDER)


def root_buckets(
    root: etree._Element,
) -> tuple[dict[str, list[etree._Element]], list[etree._Element]]:
    """A publication's top-level elements by tag (`MAIN_ORDER`, `EXTRA_ORDER`), and those
    neither renderer knows: both count them, the text renderer also reads out their content."""
    buckets: dict[str, list[etree._Element]] = {}
    unknown: list[etree._Element] = []
    resource = root.tag == "ServiceComplementaire"
    for child in root:
        if resource and child.tag == "Dossier":
            # a resource's dossiers are where it is used: listed after the body
            buckets.setdefault("DossierLie", []).append(child)
        elif child.tag in ROOT_TAGS:
            buckets.setdefault(child.tag, []).append(child)
        elif child.tag not in METADATA and child.tag != "PivotLocal":
            # a resource's own PivotLocal is stored in Fiche.pivots, not shown in the body
            unknown.append(child)
    return buckets, unknown


def norm(text: str) -> str:
    return " ".join(text.split())


def collapse(text: str) -> str:
    """Runs of white space → one space, keeping a leading/trailing one (inline boundaries)."""
    if "  " not in text and "\n" not in text and "\t" not in text and "\r" not in text:
        return text  # the common case: nothing to do
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    if text[0].isspace():
        inner = " " + inner
    if text[-1].isspace():
        inner += " "
    return inner


def condition_labels(root: etree._Element) -> dict[str, str]:
    """What a personalisation variable means in this publication, when the publication says it."""
    labels: dict[str, str] = {}
    for choice in root.iter("SiSelectionne"):
        parent = choice.getparent()
        label_el = parent.find("IntituleSiSelectionne") if parent.tag == "Choix" else None
        if label_el is None:
            label_el = parent.find("Titre")
        label = norm("".join(label_el.itertext())) if label_el is not None else ""
        for var in choice.iter("affecteVrai"):
            if label:
                labels.setdefault(var.get("var", ""), label)
    for tag in ("Situation", "Cas"):
        for el in root.iter(tag):
            cond = el.find("Condition")
            title = el.find("Titre")
            if cond is None or title is None:
                continue
            label = norm("".join(title.itertext()))
            for var in cond.iter("estVrai"):
                if label:
                    labels.setdefault(var.get("var", ""), label)
    return labels


def condition_label(el: etree._Element, labels: dict[str, str]) -> str:
    cond = el.find("Condition")
    if cond is None:
        return ""
    found = [labels[v.get("var", "")] for v in cond.iter("estVrai") if v.get("var", "") in labels]
    return " ou ".join(dict.fromkeys(found))


class TextRenderer:
    def __init__(
        self,
        *,
        extras: bool = True,
        titles: Callable[[str], str | None] | None = None,
    ) -> None:
        self.extras = extras
        self.titles = titles or (lambda _id: None)
        self.lines: list[str] = []
        self.fallbacks: Counter[str] = Counter()
        self.labels: dict[str, str] = {}

    # -- output ---------------------------------------------------------------------------
    def emit(self, text: str, indent: int) -> None:
        text = " ".join(text.split())
        if text:
            self.lines.append(" " * indent + text if indent else text)

    def heading(self, text: str, level: int, indent: int) -> None:
        text = norm(text)
        if text:
            if self.lines and self.lines[-1]:
                self.lines.append("")
            self.lines.append(" " * indent + "#" * min(level, 6) + " " + text)

    def sub(self, render: Callable[[], None]) -> list[str]:
        saved = self.lines
        self.lines = []
        render()
        out, self.lines = self.lines, saved
        return out

    def result(self) -> str:
        out: list[str] = []
        for line in self.lines:
            if line == "" and (not out or out[-1] == ""):
                continue
            out.append(line)
        return "\n".join(out).strip()

    # -- inline ---------------------------------------------------------------------------
    def inline(self, el: etree._Element) -> str:
        if not len(el):
            return el.text or ""
        parts = [el.text or ""]
        for child in el:
            # plain inline elements (the vast majority) skip the dispatch
            parts.append(
                self.inline(child) if child.tag in _INLINE_PLAIN else self.inline_child(child)
            )
            tail = child.tail
            if tail:
                parts.append(tail)
        return "".join(parts)

    def inline_child(self, el: etree._Element) -> str:
        tag = el.tag
        if tag in _INLINE_PLAIN:
            return self.inline(el)
        if tag == "Citation":
            return "« " + norm(self.inline(el)) + " »"
        if tag == "Variable":
            return "[" + norm(self.inline(el)) + "]"
        if tag == "LienInterne":
            text = self.inline(el)
            return text if text.strip() else (self.titles(el.get("LienPublication", "")) or "")
        if tag in ("Image", "Illustration"):
            return " " + self.illustration(el) + " "
        if tag in METADATA:
            return ""
        self.fallbacks[tag] += 1
        return self.inline(el)

    def title_of(self, el: etree._Element) -> str:
        title = el.find("Titre")
        return norm(self.inline(title)) if title is not None else ""

    def illustration(self, el: etree._Element) -> str:
        alt = el.find("TexteDeRemplacement")
        legend = el.find("Legende")
        text = norm(self.inline(alt)) if alt is not None else ""
        if legend is not None:
            text = (text + " – " if text else "") + norm(self.inline(legend))
        return f"[Illustration : {text}]" if text else "[Illustration]"

    # -- blocks ---------------------------------------------------------------------------
    def children(self, el: etree._Element, level: int, indent: int, skip: frozenset[str]) -> None:
        text = el.text
        if text and not text.isspace():
            self.emit(text, indent)
        blocks = _BLOCKS
        for child in el:
            tag = child.tag
            if tag not in skip:
                handler = blocks.get(tag)
                if handler is not None:
                    handler(self, child, level, indent)
                else:
                    self.block(child, level, indent)
            tail = child.tail
            if tail and not tail.isspace():
                self.emit(tail, indent)

    def block(self, el: etree._Element, level: int, indent: int) -> None:
        handler = _BLOCKS.get(el.tag)
        if handler is not None:
            handler(self, el, level, indent)
        elif el.tag in _INLINE_ALL:
            self.emit(self.inline_child(el), indent)
        elif el.tag in METADATA:
            return
        else:
            self.fallbacks[el.tag] += 1
            self.children(el, level, indent, _NOSKIP)

    def container(self, el: etree._Element, level: int, indent: int) -> None:
        self.children(el, level, indent, _TITLE_SKIP)

    def paragraph(self, el: etree._Element, level: int, indent: int) -> None:
        self.emit(self.inline(el), indent)

    def titled(self, el: etree._Element, level: int, indent: int) -> None:
        label = condition_label(el, self.labels)
        title = self.title_of(el)
        if label and title:
            title = f"{title} (si : {label})"
        self.heading(title, level, indent)
        self.children(el, level + 1, indent, _TITLE_SKIP)

    def liste(self, el: etree._Element, level: int, indent: int) -> None:
        numbered = el.get("type") == "numero"
        for number, item in enumerate(el.iterfind("Item"), start=1):
            marker = f"{number}. " if numbered else "- "
            lines = self.sub(functools.partial(self.children, item, level, 0, _TITLE_SKIP))
            lines = [line for line in lines if line]
            if not lines:
                continue
            pad = " " * (indent + len(marker))
            self.lines.append(" " * indent + marker + lines[0])
            self.lines.extend(pad + line for line in lines[1:])

    def table(self, el: etree._Element, level: int, indent: int) -> None:
        title = self.title_of(el)
        if title:
            self.emit(f"Tableau : {title}", indent)
        resume = el.find("Resume")
        if resume is not None:
            self.emit(" ".join(self.sub(lambda: self.container(resume, level, 0))), indent)
        for row in el.iterfind("Rangée"):
            cells = []
            for cell in row.iterfind("Cellule"):
                lines = self.sub(functools.partial(self.container, cell, level, 0))
                cells.append(" ; ".join(line.strip() for line in lines if line.strip()))
            self.emit(" | ".join(cells), indent)

    def callout(self, el: etree._Element, level: int, indent: int) -> None:
        label = self.title_of(el) or CALLOUT_LABELS.get(el.tag, "")
        lines = [x for x in self.sub(lambda: self.children(el, level, 0, _TITLE_SKIP)) if x]
        if not lines:
            self.emit(label, indent)
            return
        self.lines.append(" " * indent + f"{label} : " + lines[0].strip())
        self.lines.extend(" " * indent + line for line in lines[1:])

    def avertissement(self, el: etree._Element, level: int, indent: int) -> None:
        self.emit("Avertissement : " + self.title_of(el), indent)
        self.children(el, level, indent, _TITLE_SKIP)

    def situations(self, el: etree._Element, level: int, indent: int) -> None:
        situations = el.findall("Situation")
        for number, situation in enumerate(situations, start=1):
            title = self.title_of(situation)
            self.heading(f"Situation {number} sur {len(situations)} : {title}", level, indent)
            self.children(situation, level + 1, indent, _TITLE_SKIP)

    def bloc_cas(self, el: etree._Element, level: int, indent: int) -> None:
        for cas in el.iterfind("Cas"):
            self.heading("Cas : " + self.title_of(cas), level, indent)
            self.children(cas, level + 1, indent + 2, _TITLE_SKIP)

    def fragment(self, el: etree._Element, level: int, indent: int) -> None:
        label = condition_label(el, self.labels)
        if label:
            self.emit(f"(Si : {label})", indent)
        self.children(el, level, indent, _TITLE_SKIP)

    def ou_s_adresser(self, el: etree._Element, level: int, indent: int) -> None:
        title = self.title_of(el)
        complement = el.find("Complement")
        if complement is not None:
            title += " – " + norm(self.inline(complement))
        self.emit("Où s'adresser : " + title, indent)
        if self.extras:
            web = el.find("RessourceWeb")
            if web is not None and web.get("URL"):
                self.emit(web.get("URL", ""), indent + 2)
        texte = el.find("Texte")
        if texte is not None:
            self.children(texte, level + 1, indent + 2, _TITLE_SKIP)

    def service(self, el: etree._Element, level: int, indent: int) -> None:
        label = SERVICE_LABELS.get(el.get("type", ""), "Service en ligne")
        line = f"{label} : {self.title_of(el)}"
        if el.get("numerocerfa"):
            line += f" (Cerfa n° {el.get('numerocerfa')})"
        self.emit(line, indent)
        if self.extras and el.get("URL"):
            self.emit(el.get("URL", ""), indent + 2)
        for child in el.iterfind("Introduction"):
            self.children(child, level, indent + 2, _TITLE_SKIP)
        for child in el.iterfind("Texte"):
            self.children(child, level, indent + 2, _TITLE_SKIP)
        for child in el.iterfind("NoticeLiee"):
            self.notice(child, level, indent + 2)
        for child in el.iterfind("ServiceEnLigneAnnexe"):
            self.annexe(child, level, indent + 2)

    def annexe(self, el: etree._Element, level: int, indent: int) -> None:
        line = f"Annexe : {self.title_of(el)}"
        if el.get("numerocerfa"):
            line += f" (Cerfa n° {el.get('numerocerfa')})"
        self.emit(line, indent)
        for child in el.iterfind("Texte"):
            self.children(child, level, indent + 2, _TITLE_SKIP)
        for child in el.iterfind("NoticeLiee"):
            self.notice(child, level, indent + 2)

    def notice(self, el: etree._Element, level: int, indent: int) -> None:
        self.emit("Notice : " + norm(self.inline(el)), indent)

    def lien_web(self, el: etree._Element, level: int, indent: int) -> None:
        if self.extras:
            self.emit("Accès : " + el.get("URL", ""), indent)

    def illustrated(self, el: etree._Element, level: int, indent: int) -> None:
        for child in el:
            if child.tag == "Contenu":
                self.container(child, level, indent)
            elif child.tag == "Illustration":
                self.emit(self.illustration(child), indent)

    def image(self, el: etree._Element, level: int, indent: int) -> None:
        self.emit(self.illustration(el), indent)
        description = el.find("Description")
        if description is not None:
            self.container(description, level, indent + 2)

    def problematiques(self, el: etree._Element, level: int, indent: int) -> None:
        self.heading("Recherche guidée", level, indent)
        for problem in el.iterfind("Problematique"):
            self.branch(problem, level, indent)

    def branch(self, el: etree._Element, level: int, indent: int) -> None:
        self.emit(f"- {self.title_of(el)}", indent)
        for link in el.iterfind("LienInterne"):
            target_id = link.get("LienPublication", "")
            target = norm(self.inline(link)) or self.titles(target_id) or "fiche"
            self.emit(f"→ {target} ({target_id})", indent + 2)
        for aide in el.iterfind("Aide"):
            self.container(aide, level, indent + 2)
        for child in el.iterfind("Branche"):
            self.branch(child, level, indent + 2)

    def questionnaire(self, el: etree._Element, level: int, indent: int) -> None:
        self.heading("Questions pour préciser la situation", level, indent)
        description = el.find("Description")
        if description is not None:
            self.container(description, level, indent)
        for question in el.iterfind("Question"):
            self.emit(self.title_of(question), indent)
            for choice in question.iterfind("Choix"):
                label = self.title_of(choice)
                meaning = choice.find("IntituleSiSelectionne")
                if meaning is not None:
                    label += " : " + norm(self.inline_text_of(meaning))
                self.emit("- " + label, indent + 2)

    def inline_text_of(self, el: etree._Element) -> str:
        return " ".join(self.sub(lambda: self.container(el, 0, 0)))

    def nav_list(self, el: etree._Element, level: int, indent: int) -> None:
        """Publication-level SousDossier/SousTheme: a titled list of links."""
        self.heading(self.title_of(el), level, indent)
        for child in el:
            if child.tag in ("Fiche", "Dossier"):
                self.nav_item(child, level, indent)

    def nav_item(self, el: etree._Element, level: int, indent: int) -> None:
        self.emit("- " + (self.title_of(el) or norm(self.inline(el))), indent)

    # -- publication ----------------------------------------------------------------------
    def publication(self, root: etree._Element) -> str:
        self.labels = condition_labels(root)
        buckets, unknown = root_buckets(root)
        for child in unknown:
            self.fallbacks[child.tag] += 1
            self.children(child, 2, 0, _NOSKIP)
        for tag in MAIN_ORDER:
            for el in buckets.get(tag, ()):
                self.root_block(el)
        if self.extras:
            for tag in EXTRA_ORDER:
                items = buckets.get(tag, ())
                if items:
                    self.root_extra(tag, items)
        return self.result()

    def root_block(self, el: etree._Element) -> None:
        tag = el.tag
        if tag in ("Fiche", "Dossier"):
            self.nav_item(el, 2, 0)
        elif tag == "NumeroCerfa":
            self.emit("Cerfa n° " + norm(self.inline(el)), 0)
        elif tag == "AutreNumero":
            self.emit("Autre numéro : " + norm(self.inline(el)), 0)
        elif tag in ("SousDossier", "SousTheme"):
            self.nav_list(el, 2, 0)
        else:
            self.block(el, 2, 0)

    def root_extra(self, tag: str, items: list[etree._Element]) -> None:
        heading, render = _EXTRAS[tag]
        self.heading(heading, 2, 0)
        for el in items:
            render(self, el)


def _extra_link(self: TextRenderer, el: etree._Element) -> None:
    title = self.title_of(el) or norm(self.inline(el))
    title = title.lstrip("*").strip()
    url = el.get("URL")
    line = f"- {title}"
    if url:
        line += f" ({url})"
    elif el.get("ID"):
        line += f" ({el.get('ID')})"
    source = el.find("Source")
    if source is not None:
        line += " – " + norm(self.inline(source))
    self.emit(line, 0)
    complement = el.find("Complement")
    if complement is not None:
        self.emit(norm(self.inline(complement)), 2)


def _extra_voir_aussi(self: TextRenderer, el: etree._Element) -> None:
    for child in el:
        _extra_link(self, child)


def _extra_commented(self: TextRenderer, el: etree._Element) -> None:
    link = el.find("LienExterne")
    if link is not None:
        self.emit(f"- {norm(self.inline(link))} ({link.get('URL', '')})", 0)
    comment = el.find("Commentaire")
    if comment is not None:
        self.container(comment, 2, 2)


def _extra_definition(self: TextRenderer, el: etree._Element) -> None:
    texte = el.find("Texte")
    lines = self.sub(lambda: self.container(texte, 3, 0)) if texte is not None else []
    self.emit(f"- {self.title_of(el)} : " + " ".join(line.strip() for line in lines), 0)
    for ref in el.iterfind("Reference"):
        _extra_link(self, ref)


def _extra_block(self: TextRenderer, el: etree._Element) -> None:
    self.block(el, 3, 0)


def _extra_partner(self: TextRenderer, el: etree._Element) -> None:
    self.emit(f"- {el.get('URL', '')}", 0)


_EXTRAS: dict[str, tuple[str, Callable[[TextRenderer, etree._Element], None]]] = {
    "OuSAdresser": ("Où s'adresser ?", _extra_block),
    "QuiPeutMAider": ("Qui peut m'aider ?", _extra_block),
    "OuSAdresserSupport": ("Assistance", _extra_block),
    "ServiceEnLigne": ("Services en ligne et formulaires", _extra_block),
    "ServiceEnLigneAlternatif": ("Autres services en ligne", _extra_link),
    "FicheLiee": ("Fiches liées", _extra_link),
    "DossierLie": ("Dossiers", _extra_link),
    "PourEnSavoirPlus": ("Pour en savoir plus", _extra_link),
    "LienExterneCommente": ("Sites utiles", _extra_commented),
    "Partenaire": ("Partenaire", _extra_partner),
    "Reference": ("Textes de référence", _extra_link),
    "QuestionReponse": ("Questions ? Réponses !", _extra_link),
    "CommentFaireSi": ("Comment faire si…", _extra_link),
    "RechercheGuidee": ("Recherche guidée", _extra_link),
    "VoirAussi": ("Voir aussi", _extra_voir_aussi),
    "Definition": ("Définitions", _extra_definition),
    "Abreviation": ("Abréviations", _extra_definition),
}

_INLINE_PLAIN = frozenset(
    {
        "MiseEnEvidence",
        "Expression",
        "Valeur",
        "Exposant",
        "Indice",
        "TermeEtranger",
        "LienExterne",
        "LienIntra",
        "Paragraphe",
    }
)
_INLINE_ALL = _INLINE_PLAIN | {"Citation", "Variable", "LienInterne"}
_NOSKIP: frozenset[str] = frozenset()
_TITLE_SKIP = frozenset({"Titre", "Condition", "TitreAlternatif", "SiSelectionne"})

_BLOCKS: dict[str, Callable[[TextRenderer, etree._Element, int, int], None]] = {
    "Texte": TextRenderer.container,
    "Introduction": TextRenderer.container,
    "Contenu": TextRenderer.container,
    "Commentaire": TextRenderer.container,
    "Aide": TextRenderer.container,
    "Description": TextRenderer.container,
    "Paragraphe": TextRenderer.paragraph,
    "Titre": TextRenderer.paragraph,
    "Chapitre": TextRenderer.titled,
    "SousChapitre": TextRenderer.titled,
    "Liste": TextRenderer.liste,
    "Tableau": TextRenderer.table,
    "ANoter": TextRenderer.callout,
    "ASavoir": TextRenderer.callout,
    "Attention": TextRenderer.callout,
    "Rappel": TextRenderer.callout,
    "Exemple": TextRenderer.callout,
    "Avertissement": TextRenderer.avertissement,
    "ListeSituations": TextRenderer.situations,
    "BlocCas": TextRenderer.bloc_cas,
    "FragmentConditionne": TextRenderer.fragment,
    "OuSAdresser": TextRenderer.ou_s_adresser,
    "OuSAdresserSupport": TextRenderer.ou_s_adresser,
    "QuiPeutMAider": TextRenderer.ou_s_adresser,
    "ServiceEnLigne": TextRenderer.service,
    "ServiceEnLigneAnnexe": TextRenderer.annexe,
    "NoticeLiee": TextRenderer.notice,
    "LienWeb": TextRenderer.lien_web,
    "ContenuIllustre": TextRenderer.illustrated,
    "Image": TextRenderer.image,
    "Illustration": TextRenderer.image,
    "Problematiques": TextRenderer.problematiques,
    "Questionnaire": TextRenderer.questionnaire,
    "SousDossier": TextRenderer.nav_list,
    "SousTheme": TextRenderer.nav_list,
}


def render_text_element(
    el: etree._Element,
    *,
    extras: bool = True,
    titles: Callable[[str], str | None] | None = None,
    fallbacks: Counter[str] | None = None,
) -> str:
    """Plain text of a publication (root element) or of any fragment of one."""
    renderer = TextRenderer(extras=extras, titles=titles)
    if el.tag in ("Publication", "ServiceComplementaire"):
        text = renderer.publication(el)
    else:
        renderer.container(el, 2, 0)
        text = renderer.result()
    if fallbacks is not None:
        fallbacks.update(renderer.fallbacks)
    return text
