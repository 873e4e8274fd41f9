"""Server-side SVG charts for the supervision pages: no JavaScript, readable by screen readers.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says the figures in
words; pages also show the same figures in a table. Colours are CSS classes mapped to DSFR
variables in allo.css, so the light and dark schemes both work.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    #: series class suffix (allo-chart__bar--<tone>), e.g. "primary", "escalated", "good"
    tone: str = "primary"


def _fmt_default(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def _open(title: str, description: str, height: int) -> tuple[str, str]:
    uid = f"graphique-{next(_ids)}"
    head = (
        f'<svg class="allo-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="{uid}-titre {uid}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-titre">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(description)}</desc>'
    )
    return uid, head


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    fmt: Callable[[float], str] = _fmt_default,
    label_width: int = 200,
) -> Markup:
    """Horizontal bars, one per category (sectors, channels…), with the value at the end."""
    row, top = 30, 8
    height = top * 2 + row * max(len(bars), 1)
    description = "; ".join(f"{b.label} : {fmt(b.value)}" for b in bars) or "aucune donnée"
    _, head = _open(title, description, height)
    parts = [head]
    peak = max((b.value for b in bars), default=0) or 1
    span = WIDTH - label_width - 70
    for i, b in enumerate(bars):
        y = top + i * row
        length = max(b.value / peak * span, 0)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row / 2 + 5:.1f}" text-anchor="end" '
            f'font-size="14">{escape(b.label)}</text>'
            f'<rect class="allo-chart__bar allo-chart__bar--{escape(b.tone)}" x="{label_width}" '
            f'y="{y + 5}" width="{length:.1f}" height="{row - 10}" rx="2"></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + row / 2 + 5:.1f}" '
            f'font-size="14" font-weight="700">{escape(fmt(b.value))}</text>'
        )
    if not bars:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{height / 2 + 5}" text-anchor="middle" font-size="14">'
            "Aucune donnée</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 — every text above is escaped


def share_bar(
    title: str, parts_: Sequence[Bar], *, fmt: Callable[[float], str] | None = None
) -> Markup:
    """One 100 % bar split between categories (level 1 resolved vs escalated), with a legend."""
    total = sum(p.value for p in parts_)
    height = 84
    fmt = fmt or (lambda v: f"{round(v / total * 100) if total else 0} %")
    description = "; ".join(f"{p.label} : {fmt(p.value)}" for p in parts_) or "aucune donnée"
    _, head = _open(title, description, height)
    out = [head]
    x = 0.0
    for p in parts_:
        width = (p.value / total * WIDTH) if total else 0
        out.append(
            f'<rect class="allo-chart__bar allo-chart__bar--{escape(p.tone)}" x="{x:.1f}" y="4" '
            f'width="{width:.1f}" height="36"></rect>'
        )
        x += width
    if not total:
        out.append(
            f'<rect class="allo-chart__axis" x="0" y="4" width="{WIDTH}" height="36" fill="none"></rect>'
            f'<text x="{WIDTH / 2}" y="28" text-anchor="middle" font-size="14">Aucune donnée</text>'
        )
    lx = 0
    for p in parts_:
        label = f"{p.label} : {fmt(p.value)}"
        out.append(
            f'<rect class="allo-chart__bar allo-chart__bar--{escape(p.tone)}" x="{lx}" y="56" '
            f'width="14" height="14"></rect>'
            f'<text x="{lx + 20}" y="68" font-size="14">{escape(label)}</text>'
        )
        lx += 30 + 8 * len(label)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 — every text above is escaped


def column_chart(
    title: str,
    columns: Sequence[Bar],
    *,
    fmt: Callable[[float], str] = _fmt_default,
    label_every: int = 1,
) -> Markup:
    """Vertical columns over an ordered axis (hours of the day…)."""
    height, bottom, top = 220, 28, 22
    n = max(len(columns), 1)
    slot = WIDTH / n
    peak = max((c.value for c in columns), default=0) or 1
    plot = height - bottom - top
    description = (
        "; ".join(f"{c.label} : {fmt(c.value)}" for c in columns if c.value) or "aucune donnée"
    )
    _, head = _open(title, description, height)
    out = [
        head,
        f'<line class="allo-chart__axis" x1="0" x2="{WIDTH}" y1="{height - bottom}" '
        f'y2="{height - bottom}" stroke-width="1"></line>',
    ]
    for i, c in enumerate(columns):
        h = c.value / peak * plot
        x = i * slot
        out.append(
            f'<rect class="allo-chart__bar allo-chart__bar--{escape(c.tone)}" x="{x + slot * 0.15:.1f}" '
            f'y="{height - bottom - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" rx="1"></rect>'
        )
        if c.value:
            out.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - bottom - h - 5:.1f}" '
                f'text-anchor="middle" font-size="11">{escape(fmt(c.value))}</text>'
            )
        if i % label_every == 0:
            out.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="12">{escape(c.label)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 — every text above is escaped


def need_chart(
    title: str,
    labels: Sequence[str],
    required: Sequence[float],
    rostered: Sequence[float],
    *,
    label_every: int = 2,
) -> Markup:
    """Columns of agents required per interval, with the rostered agents as a line over them
    (the gaps show as columns above the line)."""
    height, bottom, top = 220, 28, 22
    n = max(len(labels), 1)
    slot = WIDTH / n
    peak = max([*required, *rostered, 0]) or 1
    plot = height - bottom - top

    def y(v: float) -> float:
        return height - bottom - v / peak * plot

    short = [lab for lab, r, o in zip(labels, required, rostered, strict=True) if o < r]
    description = (
        f"Pointe à {max(required, default=0):.0f} agents requis ; "
        + (f"sous-effectif à {', '.join(short)}" if short else "aucun sous-effectif")
        + "."
    )
    _, head = _open(title, description, height)
    out = [
        head,
        f'<line class="allo-chart__axis" x1="0" x2="{WIDTH}" y1="{height - bottom}" '
        f'y2="{height - bottom}" stroke-width="1"></line>',
    ]
    for i, (label, r, o) in enumerate(zip(labels, required, rostered, strict=True)):
        x = i * slot
        tone = "warning" if o < r else "primary"
        out.append(
            f'<rect class="allo-chart__bar allo-chart__bar--{tone}" x="{x + slot * 0.15:.1f}" '
            f'y="{y(r):.1f}" width="{slot * 0.7:.1f}" height="{height - bottom - y(r):.1f}" rx="1">'
            f"<title>{escape(label)} : {r:.0f} requis, {_fmt_default(o)} planifiés</title></rect>"
        )
        if i % label_every == 0:
            out.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" '
                f'font-size="11">{escape(label)}</text>'
            )
    points = []
    for i, o in enumerate(rostered):
        points += [f"{i * slot:.1f},{y(o):.1f}", f"{(i + 1) * slot:.1f},{y(o):.1f}"]
    if points:
        out.append(
            f'<polyline class="allo-chart__line" fill="none" stroke-width="2.5" '
            f'points="{" ".join(points)}"></polyline>'
        )
    out.append(
        f'<text x="4" y="14" font-size="12">Colonnes : agents requis — trait : agents planifiés '
        f"(pointe {peak:.0f})</text>"
    )
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 — every text above is escaped
