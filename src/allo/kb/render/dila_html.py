"""DILA publication → accessible HTML using the French State design system (DSFR) classes.

The page around it holds the `<h1>` (the fiche's title), so body sections start at `<h2>`.
Every text and attribute is escaped; only http(s)/mailto links are emitted. Conditional content
keeps every case, each under its own heading, so an advisor can read the caller's case:
`ListeSituations` → one `<section>` per situation, `BlocCas` → one `<section>` per case,
`FragmentConditionne` → a marked passage (with what it depends on when the fiche says it).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from html import escape

from lxml import etree

from allo.kb.elements import METADATA
from allo.kb.render.dila_text import (
    CALLOUT_LABELS,
    EXTRA_ORDER,
    MAIN_ORDER,
    SERVICE_LABELS,
    collapse,
    condition_label,
    condition_labels,
    norm,
    root_buckets,
)
from allo.kb.render.links import FICHE_ID_RE, KnownFiches, LinkResolver, current_url

_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s<>\"']+$", re.IGNORECASE)
_ANCHOR_SAFE = re.compile(r"[^A-Za-z0-9_-]")

CALLOUT_CLASSES = {
    "ASavoir": "fr-callout allo-callout allo-callout--a-savoir",
    "ANoter": "fr-callout allo-callout allo-callout--a-noter",
    "Attention": "fr-callout fr-callout--orange-terre-battue allo-callout allo-callout--attention",
    "Rappel": "fr-callout allo-callout allo-callout--rappel",
    "Exemple": "fr-callout fr-callout--beige-gris-galet allo-callout allo-callout--exemple",
}
EXTRA_HEADINGS = {
    "OuSAdresser": "Où s'adresser ?",
    "QuiPeutMAider": "Qui peut m'aider ?",
    "OuSAdresserSupport": "Assistance",
    "ServiceEnLigne": "Services en ligne et formulaires",
    "ServiceEnLigneAlternatif": "Autres services en ligne",
    "FicheLiee": "Fiches liées",
    "DossierLie": "Dossiers",
    "PourEnSavoirPlus": "Pour en savoir plus",
    "LienExterneCommente": "Sites utiles",
    "Partenaire": "Partenaire",
    "Reference": "Textes de référence",
    "QuestionReponse": "Questions ? Réponses !",
    "CommentFaireSi": "Comment faire si…",
    "RechercheGuidee": "Recherche guidée",
    "VoirAussi": "Voir aussi",
    "Definition": "Définitions",
    "Abreviation": "Abréviations",
}


def esc(text: str) -> str:
    text = collapse(text)
    if "&" in text or "<" in text or ">" in text:
        return escape(text, quote=False)
    return text


def attr(text: str) -> str:
    return escape(norm(text), quote=True)


def safe_url(url: str | None) -> str | None:
    """An http(s)/mailto address, service-public.fr links moved to today's sites; else None."""
    url = (url or "").strip()
    return current_url(url) if _SAFE_URL.match(url) else None


def anchor(prefix: str, value: str) -> str:
    return f"{prefix}-{_ANCHOR_SAFE.sub('_', value)}"


def _size(el: etree._Element) -> str:
    fmt = (el.get("format") or "").split("/")[-1].upper()
    size = el.get("poids") or ""
    info = " – ".join(x for x in (fmt, size) if x)
    return f" ({info})" if info else ""


class HtmlRenderer:
    def __init__(self, links: LinkResolver | None = None) -> None:
        self.links: LinkResolver = links or KnownFiches()
        self.out: list[str] = []
        self.fallbacks: Counter[str] = Counter()
        self.labels: dict[str, str] = {}
        self.anchors: dict[str, str] = {}
        self.definitions: dict[str, str] = {}
        self.emitted: set[str] = set()
        self.counter = 0
        #: numbering of the sections that no link targets (`section-N` ids)
        self.sections = 0

    def w(self, *parts: str) -> None:
        self.out.extend(parts)

    def anchor_attr(self, source_id: str | None) -> str:
        """The id attribute for an element other parts link to, on its first occurrence only."""
        target = self.anchors.get(source_id or "")
        if target is None or target in self.emitted:
            return ""
        self.emitted.add(target)
        return f' id="{target}"'

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    # -- inline ---------------------------------------------------------------------------
    def inline(self, el: etree._Element) -> None:
        out = self.out
        if el.text:
            out.append(esc(el.text))
        for child in el:
            handler = _INLINE.get(child.tag)
            if handler is not None:
                handler(self, child)
            else:
                self.inline_child(child)
            if child.tail:
                out.append(esc(child.tail))

    def inline_str(self, el: etree._Element) -> str:
        saved, self.out = self.out, []
        self.inline(el)
        out, self.out = self.out, saved
        return "".join(out).strip()

    def inline_child(self, el: etree._Element) -> None:
        tag = el.tag
        handler = _INLINE.get(tag)
        if handler is not None:
            handler(self, el)
        elif tag in METADATA:
            return
        else:
            self.fallbacks[tag] += 1
            self.inline(el)

    def citation(self, el: etree._Element) -> None:
        self.w('<span class="allo-citation">«&nbsp;')
        self.inline(el)
        self.w("&nbsp;»</span>")

    def terme_etranger(self, el: etree._Element) -> None:
        lang = _ANCHOR_SAFE.sub("", el.get("langue") or "")[:8]
        self.w(f'<i lang="{lang}">' if lang else "<i>")
        self.inline(el)
        self.w("</i>")

    def lien_externe(self, el: etree._Element) -> None:
        url = safe_url(el.get("URL"))
        text = self.inline_str(el) or esc(el.get("URL") or "")
        if url is None:
            self.w(text)
            return
        self.w(
            f'<a class="fr-link allo-lien-externe" href="{attr(url)}" target="_blank" '
            f'rel="noopener noreferrer" title="{attr(norm(self.plain(el)) or url)} – nouvelle fenêtre">',
            text,
            esc(_size(el)),
            "</a>",
        )

    def plain(self, el: etree._Element) -> str:
        return "".join(el.itertext())

    def fiche_link(self, fiche_id: str, text: str, audience: str | None = None) -> None:
        fiche_id = fiche_id.strip()
        if not FICHE_ID_RE.match(fiche_id):
            self.w(text)
            return
        if not text:
            text = esc(self.links.title(fiche_id) or f"Fiche {fiche_id}")
        href = self.links.href(fiche_id, audience)
        if self.links.is_local(fiche_id):
            self.w(f'<a class="allo-lien-fiche" href="{attr(href)}" data-fiche="{attr(fiche_id)}">')
        else:
            self.w(
                f'<a class="allo-lien-fiche allo-lien-externe" href="{attr(href)}" '
                f'data-fiche="{attr(fiche_id)}" target="_blank" rel="noopener noreferrer" '
                'title="Fiche sur service-public.fr – nouvelle fenêtre">'
            )
        self.w(text, "</a>")

    def lien_interne(self, el: etree._Element) -> None:
        self.fiche_link(el.get("LienPublication", ""), self.inline_str(el), el.get("audience"))

    def lien_intra(self, el: etree._Element) -> None:
        target = (el.get("LienID") or "").strip()
        text = self.inline_str(el)
        if target in self.definitions:
            self.w(
                f'<a class="allo-glossaire-lien" href="#{anchor("glossaire", target)}" '
                f'title="{attr(self.definitions[target][:300])}">',
                text,
                "</a>",
            )
        elif target in self.anchors:
            self.w(f'<a href="#{self.anchors[target]}">', text, "</a>")
        elif FICHE_ID_RE.match(target) and self.links.title(target):
            self.fiche_link(target, text)
        else:
            # the target was withdrawn from the source ("Fiche redirigée"…): keep the words
            self.w(text)

    def variable(self, el: etree._Element) -> None:
        self.w('<span class="allo-variable">[')
        self.inline(el)
        self.w("]</span>")

    def inline_image(self, el: etree._Element) -> None:
        self.illustration(el)

    # -- blocks ---------------------------------------------------------------------------
    def children(self, el: etree._Element, level: int, skip: frozenset[str]) -> None:
        if el.text and el.text.strip():
            self.w("<p>", esc(el.text.strip()), "</p>")
        for child in el:
            if child.tag not in skip:
                self.block(child, level)
            if child.tail and child.tail.strip():
                self.w("<p>", esc(child.tail.strip()), "</p>")

    def block(self, el: etree._Element, level: int) -> None:
        handler = _BLOCKS.get(el.tag)
        if handler is not None:
            handler(self, el, level)
        elif el.tag in _INLINE:
            self.w("<p>")
            self.inline_child(el)
            self.w("</p>")
        elif el.tag in METADATA:
            return
        else:
            self.fallbacks[el.tag] += 1
            self.w('<div class="allo-inconnu">')
            self.children(el, level, _NOSKIP)
            self.w("</div>")

    def container(self, el: etree._Element, level: int) -> None:
        self.children(el, level, _TITLE_SKIP)

    def paragraph(self, el: etree._Element, level: int) -> None:
        content = self.inline_str(el)
        if content:
            self.w("<p>", content, "</p>")

    def h(self, level: int, content: str, css: str = "", id_: str = "") -> None:
        level = max(2, min(level, 6))
        attrs = (f' id="{id_}"' if id_ else "") + (f' class="{css}"' if css else "")
        self.w(f"<h{level}{attrs}>", content, f"</h{level}>")

    def label_str(self, el: etree._Element) -> str:
        """A link's label: its <Titre> when it has one, else its own text."""
        return self.title_str(el) if el.find("Titre") is not None else self.inline_str(el)

    def title_str(self, el: etree._Element) -> str:
        title = el.find("Titre")
        return self.inline_str(title) if title is not None else ""

    def chapter(self, el: etree._Element, level: int) -> None:
        css = "allo-chapitre" if el.tag == "Chapitre" else "allo-sous-chapitre"
        if el.get("type"):
            css += f" allo-chapitre--{_ANCHOR_SAFE.sub('', el.get('type', ''))}"
        id_attr = self.anchor_attr(el.get("ID"))
        if not id_attr:  # every section can be linked to (a search result opens its passage)
            self.sections += 1
            id_attr = f' id="section-{self.sections}"'
        self.w(f'<section class="{css}"{id_attr}>')
        title = self.title_str(el)
        label = condition_label(el, self.labels)
        if title:
            self.h(level, title)
        if label:
            self.w(f'<p class="allo-condition">Si : {esc(label)}</p>')
        self.children(el, level + 1 if title else level, _TITLE_SKIP)
        self.w("</section>")

    def liste(self, el: etree._Element, level: int) -> None:
        tag = "ol" if el.get("type") == "numero" else "ul"
        self.w(f"<{tag}>")
        for item in el.iterfind("Item"):
            self.w("<li>")
            blocks = [c for c in item if c.tag not in _TITLE_SKIP]
            if len(blocks) == 1 and blocks[0].tag == "Paragraphe" and not (item.text or "").strip():
                self.w(self.inline_str(blocks[0]))
            else:
                self.children(item, level, _TITLE_SKIP)
            self.w("</li>")
        self.w(f"</{tag}>")

    def table(self, el: etree._Element, level: int) -> None:
        header_cols = [c.get("type") == "header" for c in el.iterfind("Colonne")]
        summary_id = ""
        resume = el.find("Resume")
        if resume is not None:
            summary_id = self.next_id("resume-tableau")
            self.w(f'<div class="allo-tableau-resume" id="{summary_id}">')
            self.container(resume, level)
            self.w("</div>")
        described = f' aria-describedby="{summary_id}"' if summary_id else ""
        self.w(f'<div class="fr-table allo-tableau"><table{described}>')
        title = self.title_str(el)
        if title:
            self.w("<caption>", title, "</caption>")
        rows = el.findall("Rangée")
        leading = 0
        while leading < len(rows) and rows[leading].get("type") == "header":
            leading += 1
        if leading:
            self.w("<thead>")
            for row in rows[:leading]:
                self.row(row, level, header_cols, header=True)
            self.w("</thead>")
        self.w("<tbody>")
        for row in rows[leading:]:
            self.row(row, level, header_cols, header=row.get("type") == "header")
        self.w("</tbody></table></div>")

    def row(self, row: etree._Element, level: int, header_cols: list[bool], header: bool) -> None:
        self.w("<tr>")
        for index, cell in enumerate(row.iterfind("Cellule")):
            is_th = header or (index < len(header_cols) and header_cols[index])
            tag = "th" if is_th else "td"
            attrs = ""
            if is_th:
                attrs += ' scope="col"' if header else ' scope="row"'
            span = cell.get("fusionHorizontale") or ""
            if span.isdigit() and int(span) > 1:
                attrs += f' colspan="{int(span)}"'
            span = cell.get("fusionVerticale") or ""
            if span.isdigit() and int(span) > 1:
                attrs += f' rowspan="{int(span)}"'
            self.w(f"<{tag}{attrs}>")
            blocks = list(cell)
            if len(blocks) == 1 and blocks[0].tag == "Paragraphe":
                self.w(self.inline_str(blocks[0]))
            else:
                self.container(cell, level)
            self.w(f"</{tag}>")
        self.w("</tr>")

    def callout(self, el: etree._Element, level: int) -> None:
        title = self.title_str(el) or esc(CALLOUT_LABELS[el.tag])
        self.w(
            f'<div class="{CALLOUT_CLASSES[el.tag]}">',
            f'<p class="fr-callout__title">{title}</p>',
            '<div class="fr-callout__text">',
        )
        self.children(el, level, _TITLE_SKIP)
        self.w("</div></div>")

    def avertissement(self, el: etree._Element, level: int) -> None:
        self.w('<div class="fr-alert fr-alert--warning allo-avertissement" role="note">')
        title = self.title_str(el)
        if title:
            self.w(f'<p class="fr-alert__title">{title}</p>')
        self.children(el, level, _TITLE_SKIP)
        self.w("</div>")

    def situations(self, el: etree._Element, level: int) -> None:
        situations = el.findall("Situation")
        self.w(
            '<div class="allo-situations">',
            '<p class="allo-situations__consigne">La réponse dépend de la situation '
            f"({len(situations)} cas) :</p>",
            '<ul class="allo-situations__sommaire">',
        )
        ids = [self.next_id("situation") for _ in situations]
        for id_, situation in zip(ids, situations, strict=True):
            self.w(f'<li><a href="#{id_}">', self.title_str(situation), "</a></li>")
        self.w("</ul>")
        for number, (id_, situation) in enumerate(zip(ids, situations, strict=True), start=1):
            self.w(f'<section class="allo-situation" aria-labelledby="{id_}">')
            self.h(
                level,
                f'<span class="allo-situation__numero">Situation {number} sur {len(situations)} : </span>'
                + self.title_str(situation),
                "allo-situation__titre",
                id_,
            )
            self.children(situation, level + 1, _TITLE_SKIP)
            self.w("</section>")
        self.w("</div>")

    def bloc_cas(self, el: etree._Element, level: int) -> None:
        cases = el.findall("Cas")
        self.w(f'<div class="allo-cas-bloc" data-cas="{len(cases)}">')
        for cas in cases:
            id_ = self.next_id("cas")
            self.w(f'<section class="allo-cas" aria-labelledby="{id_}">')
            self.h(
                level,
                '<span class="allo-cas__prefixe">Cas : </span>' + self.title_str(cas),
                "allo-cas__titre",
                id_,
            )
            self.children(cas, level + 1, _TITLE_SKIP)
            self.w("</section>")
        self.w("</div>")

    def fragment(self, el: etree._Element, level: int) -> None:
        label = condition_label(el, self.labels)
        self.w('<div class="allo-conditionnel">')
        text = f"Si : {esc(label)}" if label else "Selon la situation"
        self.w(f'<p class="allo-condition">{text}</p>')
        self.children(el, level, _TITLE_SKIP)
        self.w("</div>")

    def ou_s_adresser(self, el: etree._Element, level: int) -> None:
        pivot = el.find("PivotLocal")
        pivot_attr = f' data-pivot="{attr(pivot.text or "")}"' if pivot is not None else ""
        id_attr = self.anchor_attr(el.get("ID"))
        self.w(f'<div class="allo-ou-s-adresser fr-card fr-card--no-arrow"{id_attr}{pivot_attr}>')
        self.w('<div class="fr-card__body"><div class="fr-card__content">')
        self.w('<p class="fr-card__title">', self.title_str(el), "</p>")
        complement = el.find("Complement")
        if complement is not None:
            self.w('<p class="fr-card__desc">', self.inline_str(complement), "</p>")
        texte = el.find("Texte")
        if texte is not None:
            self.w('<div class="allo-ou-s-adresser__texte">')
            self.container(texte, level)
            self.w("</div>")
        web = el.find("RessourceWeb")
        url = safe_url(web.get("URL")) if web is not None else None
        if url:
            label = "Trouver le service le plus proche" if pivot is not None else "Accéder au site"
            self.w(
                f'<p><a class="fr-link" href="{attr(url)}" target="_blank" rel="noopener noreferrer" '
                f'title="{esc(label)} – nouvelle fenêtre">{esc(label)}</a></p>'
            )
        source = el.find("Source")
        if source is not None:
            self.w('<p class="fr-card__detail">Source : ', self.inline_str(source), "</p>")
        self.w("</div></div></div>")

    def service(self, el: etree._Element, level: int) -> None:
        label = SERVICE_LABELS.get(el.get("type", ""), "Service en ligne")
        id_attr = self.anchor_attr(el.get("ID"))
        self.w(f'<div class="allo-service fr-tile fr-tile--horizontal"{id_attr}>')
        self.w('<div class="fr-tile__body"><div class="fr-tile__content">')
        title = self.title_str(el)
        title_el = el.find("Titre")
        plain_title = self.plain(title_el) if title_el is not None else label
        url = safe_url(el.get("URL"))
        self.w('<p class="fr-tile__title">')
        if url:
            self.w(
                f'<a href="{attr(url)}" target="_blank" rel="noopener noreferrer" '
                f'title="{attr(plain_title)} – nouvelle fenêtre">',
                title,
                esc(_size(el)),
                "</a>",
            )
        else:
            self.w(title)
        self.w("</p>")
        details = [label]
        if el.get("numerocerfa"):
            details.append(f"Cerfa n° {el.get('numerocerfa')}")
        if el.get("autrenumero"):
            details.append(f"{el.get('autrenumero')}")
        self.w('<p class="fr-tile__detail">', esc(" – ".join(details)), "</p>")
        source = el.find("Source")
        if source is not None:
            self.w('<p class="fr-tile__desc">', self.inline_str(source), "</p>")
        for child in el:
            if child.tag in ("Introduction", "Texte"):
                self.w('<div class="allo-service__texte">')
                self.container(child, level)
                self.w("</div>")
            elif child.tag == "NoticeLiee":
                self.notice(child, level)
            elif child.tag == "ServiceEnLigneAnnexe":
                self.annexe(child, level)
        self.w("</div></div></div>")

    def annexe(self, el: etree._Element, level: int) -> None:
        self.w('<div class="allo-service-annexe">')
        title = self.title_str(el)
        link = el.find("LienWeb")
        url = safe_url(link.get("URL")) if link is not None else None
        cerfa = f" (Cerfa n° {esc(el.get('numerocerfa', ''))})" if el.get("numerocerfa") else ""
        self.w("<p>Annexe : ")
        if url and link is not None:
            self.w(
                f'<a href="{attr(url)}" target="_blank" rel="noopener noreferrer">',
                title,
                esc(_size(link)),
                "</a>",
            )
        else:
            self.w(title)
        self.w(cerfa, "</p>")
        for child in el:
            if child.tag == "Texte":
                self.container(child, level)
            elif child.tag == "NoticeLiee":
                self.notice(child, level)
        self.w("</div>")

    def notice(self, el: etree._Element, level: int) -> None:
        url = safe_url(el.get("URL"))
        text = self.inline_str(el) or "Notice"
        self.w('<p class="allo-notice">')
        if url:
            self.w(
                f'<a class="fr-link fr-link--download" href="{attr(url)}" target="_blank" '
                'rel="noopener noreferrer">',
                text,
                esc(_size(el)),
                "</a>",
            )
        else:
            self.w(text)
        self.w("</p>")

    def lien_web(self, el: etree._Element, level: int) -> None:
        url = safe_url(el.get("URL"))
        if not url:
            return
        self.w(
            '<p class="allo-lien-web">'
            f'<a class="fr-btn fr-btn--secondary" href="{attr(url)}" target="_blank" rel="noopener noreferrer">'
            f"Accéder au document{esc(_size(el))}</a>"
        )
        source = el.find("Source")
        if source is not None:
            self.w(" <span>Source : ", self.inline_str(source), "</span>")
        self.w("</p>")

    def illustration(self, el: etree._Element) -> None:
        alt = el.find("TexteDeRemplacement")
        alt_text = self.inline_str(alt) if alt is not None else ""
        self.w('<figure class="fr-content-media allo-illustration" role="group">')
        # The images are not part of the open-data exports: describe them instead.
        self.w(
            '<div class="allo-illustration__description">Illustration',
            f" : {alt_text}" if alt_text else "",
            "</div>",
        )
        legend = el.find("Legende")
        credits = el.find("Credits")
        if legend is not None or credits is not None:
            self.w('<figcaption class="fr-content-media__caption">')
            if legend is not None:
                self.w(self.inline_str(legend))
            if credits is not None:
                self.w(' <span class="allo-credits">Crédits : ')
                self.container(credits, 6)
                self.w("</span>")
            self.w("</figcaption>")
        description = el.find("Description")
        if description is not None:
            self.w('<div class="allo-illustration__longue-description">')
            self.container(description, 6)
            self.w("</div>")
        self.w("</figure>")

    def image_block(self, el: etree._Element, level: int) -> None:
        self.illustration(el)

    def illustrated(self, el: etree._Element, level: int) -> None:
        position = "droite" if el.get("positionIllustration") == "droite" else "gauche"
        self.w(f'<div class="allo-contenu-illustre allo-contenu-illustre--{position}">')
        for child in el:
            if child.tag == "Contenu":
                self.w('<div class="allo-contenu-illustre__texte">')
                self.container(child, level)
                self.w("</div>")
            elif child.tag == "Illustration":
                self.illustration(child)
        self.w("</div>")

    def problematiques(self, el: etree._Element, level: int) -> None:
        self.w('<section class="allo-recherche-guidee">')
        self.h(level, "Recherche guidée")
        self.w('<ul class="allo-arbre">')
        for problem in el.iterfind("Problematique"):
            self.branch(problem, level)
        self.w("</ul></section>")

    def branch(self, el: etree._Element, level: int) -> None:
        children = el.findall("Branche")
        self.w("<li>")
        if children:
            self.w("<details><summary>", self.title_str(el), "</summary>")
        else:
            self.w('<p class="allo-arbre__titre">', self.title_str(el), "</p>")
        for aide in el.iterfind("Aide"):
            self.w('<div class="allo-arbre__aide">')
            self.container(aide, level)
            self.w("</div>")
        for link in el.iterfind("LienInterne"):
            self.w('<p class="allo-arbre__reponse">→ ')
            self.lien_interne(link)
            self.w("</p>")
        if children:
            self.w("<ul>")
            for child in children:
                self.branch(child, level)
            self.w("</ul></details>")
        self.w("</li>")

    def questionnaire(self, el: etree._Element, level: int) -> None:
        self.w('<section class="allo-questionnaire">')
        self.h(level, "Questions pour préciser la situation")
        description = el.find("Description")
        if description is not None:
            self.container(description, level)
        for question in el.iterfind("Question"):
            self.w('<div class="allo-question">')
            self.h(level + 1, self.title_str(question))
            self.w("<ul>")
            for choice in question.iterfind("Choix"):
                self.w("<li>", self.title_str(choice))
                meaning = choice.find("IntituleSiSelectionne")
                if meaning is not None:
                    self.w(" : ")
                    paragraphs = meaning.findall("Paragraphe")
                    self.w(" ".join(self.inline_str(p) for p in paragraphs))
                self.w("</li>")
            self.w("</ul></div>")
        self.w("</section>")

    def nav_list(self, el: etree._Element, level: int) -> None:
        self.w('<section class="allo-sommaire">')
        self.h(level, self.title_str(el))
        self.w("<ul>")
        for child in el:
            if child.tag in ("Fiche", "Dossier"):
                self.w("<li>")
                self.fiche_link(child.get("ID", ""), self.label_str(child))
                self.w("</li>")
        self.w("</ul></section>")

    # -- publication ----------------------------------------------------------------------
    def prepare(self, root: etree._Element) -> None:
        self.labels = condition_labels(root)
        for el in root.iter("Definition", "Abreviation"):
            id_ = el.get("ID")
            texte = el.find("Texte")
            if id_ and texte is not None:
                self.definitions[id_] = norm("".join(texte.itertext()))
        for el in root.iter("Chapitre", "OuSAdresser", "QuiPeutMAider", "ServiceEnLigne"):
            id_ = el.get("ID")
            if id_:
                self.anchors[id_] = anchor("ancre", id_)

    def publication(self, root: etree._Element) -> str:
        self.prepare(root)
        buckets, unknown = root_buckets(root)
        for child in unknown:
            self.fallbacks[child.tag] += 1
        self.w('<div class="allo-fiche">')
        nav_items = []
        for tag in MAIN_ORDER:
            for el in buckets.get(tag, ()):
                if tag in ("Fiche", "Dossier"):
                    nav_items.append(el)
                    continue
                self.root_block(el)
        if nav_items:
            self.w('<section class="allo-sommaire"><ul>')
            for el in nav_items:
                self.w("<li>")
                self.fiche_link(el.get("ID", ""), self.label_str(el))
                self.w("</li>")
            self.w("</ul></section>")
        for tag in EXTRA_ORDER:
            items = buckets.get(tag)
            if items:
                self.root_extra(tag, items)
        self.w("</div>")
        return "".join(self.out)

    def root_block(self, el: etree._Element) -> None:
        tag = el.tag
        if tag == "NumeroCerfa":
            self.w('<p class="allo-cerfa">Cerfa n° ', self.inline_str(el), "</p>")
        elif tag == "AutreNumero":
            self.w('<p class="allo-autre-numero">Autre numéro : ', self.inline_str(el), "</p>")
        elif tag == "Introduction":
            self.w('<div class="allo-introduction fr-text--lead">')
            self.container(el, 2)
            self.w("</div>")
        elif tag in ("SousDossier", "SousTheme"):
            self.nav_list(el, 2)
        else:
            self.block(el, 2)

    def root_extra(self, tag: str, items: list[etree._Element]) -> None:
        css = anchor("allo-section", tag.lower())
        self.w(f'<section class="allo-annexe {css}">')
        self.h(2, esc(EXTRA_HEADINGS[tag]))
        if tag in ("OuSAdresser", "QuiPeutMAider", "OuSAdresserSupport", "ServiceEnLigne"):
            for el in items:
                self.block(el, 3)
        elif tag in ("Definition", "Abreviation"):
            self.w('<dl class="allo-glossaire">')
            for el in items:
                self.glossary_entry(el, tag)
            self.w("</dl>")
        elif tag == "LienExterneCommente":
            self.w("<ul>")
            for el in items:
                self.w("<li>")
                for child in el:
                    if child.tag == "LienExterne":
                        self.lien_externe(child)
                    elif child.tag == "Commentaire":
                        self.container(child, 3)
                    elif child.tag == "Source":
                        self.w('<p class="allo-source">Source : ', self.inline_str(child), "</p>")
                self.w("</li>")
            self.w("</ul>")
        else:
            self.w('<ul class="allo-liens">')
            for el in items:
                if tag == "VoirAussi":
                    for child in el:
                        self.w("<li>")
                        self.link_item(child)
                        self.w("</li>")
                else:
                    self.w("<li>")
                    self.link_item(el)
                    self.w("</li>")
            self.w("</ul>")
        self.w("</section>")

    def link_item(self, el: etree._Element) -> None:
        title = self.title_str(el) or self.inline_str(el)
        if el.tag == "RechercheGuidee":
            title = title.lstrip("*").strip() or "Recherche guidée"
        url = safe_url(el.get("URL"))
        if el.tag == "Partenaire":
            if url:
                self.w(
                    f'<a class="fr-link" href="{attr(url)}" target="_blank" rel="noopener noreferrer">',
                    esc(url),
                    "</a>",
                )
            return
        if url:
            title_el = el.find("Titre")
            plain_title = self.plain(title_el) if title_el is not None else url
            self.w(
                f'<a class="fr-link" href="{attr(url)}" target="_blank" rel="noopener noreferrer" '
                f'title="{attr(plain_title)} – nouvelle fenêtre">',
                title,
                esc(_size(el)),
                "</a>",
            )
        else:
            self.fiche_link(el.get("ID", ""), title, el.get("audience"))
        complement = el.find("Complement")
        if complement is not None:
            self.w(' <span class="allo-complement">', self.inline_str(complement), "</span>")
        context = el.find("Theme") if el.find("Theme") is not None else el.find("Dossier")
        if context is not None:
            label = self.title_str(context) or self.inline_str(context)
            if label:
                self.w(' <span class="allo-contexte">(', label, ")</span>")
        source = el.find("Source")
        if source is not None:
            self.w(' <span class="allo-source">– ', self.inline_str(source), "</span>")

    def glossary_entry(self, el: etree._Element, tag: str) -> None:
        id_ = el.get("ID", "")
        term = self.title_str(el)
        dt_id = f' id="{anchor("glossaire", id_)}"' if id_ else ""
        if tag == "Abreviation":
            expansion = attr(self.definitions.get(id_, ""))
            self.w(f'<dt{dt_id}><abbr title="{expansion}">', term, "</abbr></dt>")
        else:
            self.w(f"<dt{dt_id}><dfn>", term, "</dfn></dt>")
        self.w("<dd>")
        texte = el.find("Texte")
        if texte is not None:
            self.container(texte, 4)
        refs = el.findall("Reference")
        if refs:
            self.w('<ul class="allo-liens">')
            for ref in refs:
                self.w("<li>")
                self.link_item(ref)
                self.w("</li>")
            self.w("</ul>")
        self.w("</dd>")


def _wrap(open_tag: str, close_tag: str) -> Callable[[HtmlRenderer, etree._Element], None]:
    def render(self: HtmlRenderer, el: etree._Element) -> None:
        self.w(open_tag)
        self.inline(el)
        self.w(close_tag)

    return render


def _div(css: str) -> Callable[[HtmlRenderer, etree._Element, int], None]:
    def render(self: HtmlRenderer, el: etree._Element, level: int) -> None:
        self.w(f'<div class="{css}">')
        self.children(el, level, _TITLE_SKIP)
        self.w("</div>")

    return render


_NOSKIP: frozenset[str] = frozenset()
_TITLE_SKIP = frozenset({"Titre", "Condition", "TitreAlternatif", "SiSelectionne"})

_INLINE: dict[str, Callable[[HtmlRenderer, etree._Element], None]] = {
    "MiseEnEvidence": _wrap("<strong>", "</strong>"),
    "Valeur": _wrap('<strong class="allo-valeur">', "</strong>"),
    "Expression": _wrap('<em class="allo-expression">', "</em>"),
    "Exposant": _wrap("<sup>", "</sup>"),
    "Indice": _wrap("<sub>", "</sub>"),
    "Paragraphe": HtmlRenderer.inline,
    "Citation": HtmlRenderer.citation,
    "TermeEtranger": HtmlRenderer.terme_etranger,
    "LienExterne": HtmlRenderer.lien_externe,
    "LienInterne": HtmlRenderer.lien_interne,
    "LienIntra": HtmlRenderer.lien_intra,
    "Variable": HtmlRenderer.variable,
    "Image": HtmlRenderer.inline_image,
    "Illustration": HtmlRenderer.inline_image,
}

_BLOCKS: dict[str, Callable[[HtmlRenderer, etree._Element, int], None]] = {
    "Texte": HtmlRenderer.container,
    "Introduction": _div("allo-introduction"),
    "Contenu": HtmlRenderer.container,
    "Commentaire": HtmlRenderer.container,
    "Aide": _div("allo-aide"),
    "Description": HtmlRenderer.container,
    "Paragraphe": HtmlRenderer.paragraph,
    "Titre": HtmlRenderer.paragraph,
    "Chapitre": HtmlRenderer.chapter,
    "SousChapitre": HtmlRenderer.chapter,
    "Liste": HtmlRenderer.liste,
    "Tableau": HtmlRenderer.table,
    "ANoter": HtmlRenderer.callout,
    "ASavoir": HtmlRenderer.callout,
    "Attention": HtmlRenderer.callout,
    "Rappel": HtmlRenderer.callout,
    "Exemple": HtmlRenderer.callout,
    "Avertissement": HtmlRenderer.avertissement,
    "ListeSituations": HtmlRenderer.situations,
    "BlocCas": HtmlRenderer.bloc_cas,
    "FragmentConditionne": HtmlRenderer.fragment,
    "OuSAdresser": HtmlRenderer.ou_s_adresser,
    "OuSAdresserSupport": HtmlRenderer.ou_s_adresser,
    "QuiPeutMAider": HtmlRenderer.ou_s_adresser,
    "ServiceEnLigne": HtmlRenderer.service,
    "ServiceEnLigneAnnexe": HtmlRenderer.annexe,
    "NoticeLiee": HtmlRenderer.notice,
    "LienWeb": HtmlRenderer.lien_web,
    "ContenuIllustre": HtmlRenderer.illustrated,
    "Image": HtmlRenderer.image_block,
    "Illustration": HtmlRenderer.image_block,
    "Problematiques": HtmlRenderer.problematiques,
    "Questionnaire": HtmlRenderer.questionnaire,
    "SousDossier": HtmlRenderer.nav_list,
    "SousTheme": HtmlRenderer.nav_list,
}


def render_html_element(
    el: etree._Element,
    links: LinkResolver | None = None,
    *,
    fallbacks: Counter[str] | None = None,
) -> str:
    renderer = HtmlRenderer(links)
    if el.tag in ("Publication", "ServiceComplementaire"):
        html = renderer.publication(el)
    else:
        renderer.prepare(el)
        renderer.container(el, 2)
        html = "".join(renderer.out)
    if fallbacks is not None:
        fallbacks.update(renderer.fallbacks)
    return html
