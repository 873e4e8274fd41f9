"""Local fiches' bodies: Markdown with a few blocks of DILA's fiches, rendered to safe HTML.

The format editors learn in minutes (docs/EDITORIAL.md): CommonMark, tables, and fenced blocks

    ::: situation Vous êtes majeur        consecutive situations become tabs on the pages
    ::: cas Vous avez perdu votre carte   consecutive cases become accordions
    ::: a-savoir / ::: attention / ::: a-noter [Titre]   DILA's callouts

each closed by `:::`. Links to fiches are written `[texte](fiche:F1234)` and resolved like DILA's
internal links (our page when we hold the fiche, service-public.fr otherwise).

Safety is by construction and then by allowlist: raw HTML in the source is escaped (markdown-it
`html=False`), links are limited to http(s), mailto, tel, anchors and `fiche:`, images are not
rendered, and the output goes through `nh3` (Ammonia) with an explicit allowlist of tags,
attributes and URL schemes. The classes written are the DILA renderer's, so `dsfr.layout` lays
the blocks out exactly as for official fiches.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin

from allo.kb.render.links import FICHE_ID_RE, LinkResolver

FICHE_SCHEME = "fiche:"
_SAFE_LINK = re.compile(r"^(https?:|mailto:|tel:|#|fiche:)", re.IGNORECASE)
_FICHE_LINK = re.compile(r"\(fiche:([A-Za-z0-9_-]{1,64})\)")

CALLOUTS = {
    "a-savoir": ("fr-callout allo-callout allo-callout--a-savoir", "À savoir"),
    "a-noter": ("fr-callout allo-callout allo-callout--a-noter", "À noter"),
    "attention": (
        "fr-callout fr-callout--orange-terre-battue allo-callout allo-callout--attention",
        "Attention",
    ),
}
BLOCKS = ("situation", "cas", *CALLOUTS)

#: what may come out of the renderer (nh3 drops everything else)
ALLOWED_TAGS = {
    *("p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "s", "sup", "sub"),
    *("ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "span", "div", "section"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {
    "*": {"class"},
    "a": {"href", "title"},
    "h2": {"id"},
    "h3": {"id"},
    "section": {"aria-labelledby"},
    "div": {"data-cas"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _validate_link(url: str) -> bool:
    return bool(_SAFE_LINK.match(url.strip()))


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough").disable("image")
    md.validateLink = _validate_link  # type: ignore[method-assign]
    for name in BLOCKS:
        md.use(container_plugin, name=name, validate=_validator(name))
    return md


def _validator(name: str) -> Callable[..., bool]:
    def validate(params: str, *args: object) -> bool:
        words = params.strip().split(maxsplit=1)
        return bool(words) and words[0].lower() == name

    return validate


_local = threading.local()


def _md() -> MarkdownIt:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _parser()
    return md


def fiche_links(markdown: str) -> list[str]:
    """The fiche ids a body links to (`[…](fiche:F1234)`), in order, without repeats."""
    return list(dict.fromkeys(m.group(1) for m in _FICHE_LINK.finditer(markdown)))


def render_markdown(markdown: str, links: LinkResolver | None = None) -> str:
    """The body as safe HTML with the DILA renderer's classes (before `dsfr.layout`)."""
    md = _md()
    tokens = md.parse(markdown)
    _group(tokens)
    counters = {"situation": 0, "cas": 0}
    out: list[str] = []
    for token in tokens:
        _decorate(token, counters, links)
    out.append(md.renderer.render(tokens, md.options, {}))
    html = "".join(out)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
    return f'<div class="allo-fiche allo-fiche--local">{clean}</div>'


def _title(token: Token) -> str:
    words = token.info.strip().split(maxsplit=1)
    return words[1].strip() if len(words) > 1 else ""


def _decorate(token: Token, counters: dict[str, int], links: LinkResolver | None) -> None:
    """Turn container and link tokens into the HTML the DILA renderer writes."""
    kind = token.type.removeprefix("container_").removesuffix("_open").removesuffix("_close")
    if token.type.startswith("container_") and kind in BLOCKS:
        opening = token.type.endswith("_open")
        token.type = "html_block"
        if not opening:
            token.content = "</div></div>" if kind in CALLOUTS else "</section>"
            return
        title = escape(_title(token))
        if kind in CALLOUTS:
            css, label = CALLOUTS[kind]
            token.content = (
                f'<div class="{css}"><p class="fr-callout__title">{title or label}</p>'
                '<div class="fr-callout__text">'
            )
        elif kind == "situation":
            counters[kind] += 1
            id_ = f"situation-{counters[kind]}"
            token.content = (
                f'<section class="allo-situation" aria-labelledby="{id_}">'
                f'<h2 class="allo-situation__titre" id="{id_}">{title or "Situation"}</h2>'
            )
        else:
            counters[kind] += 1
            id_ = f"cas-{counters[kind]}"
            token.content = (
                f'<section class="allo-cas" aria-labelledby="{id_}">'
                f'<h3 class="allo-cas__titre" id="{id_}"><span class="allo-cas__prefixe">'
                f"Cas : </span>{title or 'Cas'}</h3>"
            )
        return
    if token.type == "table_open":
        token.type, token.content = "html_block", '<div class="fr-table allo-tableau"><table>'
        return
    if token.type == "table_close":
        token.type, token.content = "html_block", "</table></div>"
        return
    for child in token.children or []:
        if child.type == "link_open":
            href = str(child.attrGet("href") or "")
            if href.lower().startswith(FICHE_SCHEME):
                fiche_id = href[len(FICHE_SCHEME) :]
                if FICHE_ID_RE.match(fiche_id):
                    target = links.href(fiche_id) if links else f"/fiches/{fiche_id}"
                    child.attrSet("href", target)
                else:
                    child.attrSet("href", "#")


def _group(tokens: list[Token]) -> None:
    """Wrap runs of consecutive situations (cases) in the DILA renderer's block."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        kind = "situation" if token.type == "container_situation_open" else ""
        kind = kind or ("cas" if token.type == "container_cas_open" else "")
        if not kind:
            index += 1
            continue
        level = token.level
        end = index
        titles: list[str] = []
        while end < len(tokens) and tokens[end].type == f"container_{kind}_open":
            if tokens[end].level != level:
                break
            titles.append(_title(tokens[end]))
            close = _closing(tokens, end, kind, level)
            end = close + 1
        if kind == "situation":
            items = "".join(
                f'<li><a href="#situation-{n}">{escape(t or "Situation")}</a></li>'
                for n, t in enumerate(titles, start=_count_before(tokens, index, kind) + 1)
            )
            opening = (
                '<div class="allo-situations"><p class="allo-situations__consigne">'
                f"La réponse dépend de la situation ({len(titles)} cas) :</p>"
                f'<ul class="allo-situations__sommaire">{items}</ul>'
            )
        else:
            opening = f'<div class="allo-cas-bloc" data-cas="{len(titles)}">'
        tokens.insert(end, _html("</div>", level))
        tokens.insert(index, _html(opening, level))
        index = end + 2


def _closing(tokens: Sequence[Token], start: int, kind: str, level: int) -> int:
    for position in range(start + 1, len(tokens)):
        token = tokens[position]
        if token.type == f"container_{kind}_close" and token.level == level:
            return position
    return len(tokens) - 1


def _count_before(tokens: Sequence[Token], index: int, kind: str) -> int:
    return sum(1 for t in tokens[:index] if t.type == f"container_{kind}_open")


def _html(content: str, level: int) -> Token:
    token = Token("html_block", "", 0)
    token.content = content
    token.level = level
    token.block = True
    return token
