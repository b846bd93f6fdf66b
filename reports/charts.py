"""SVG charts drawn from the figures: one <rect> per bar, text labels, every text escaped.

Inline SVG stays vector in WeasyPrint's PDF (sharp at any zoom, text
selectable), and needs no plotting library nor any file to fetch.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

# Scale ends, as fractions: the chart uses the smallest that holds every bar,
# so a 4 % share does not vanish on a 0-100 % axis.
SCALES = (0.05, 0.1, 0.2, 0.25, 0.5, 1.0)
LABEL_MAX = 28
# static/print.css's list: DejaVu, then Noto for other scripts (emoji by fontconfig's fallback).
FONT = ("DejaVu Sans, Noto Sans, Noto Sans Arabic, Noto Sans Georgian, Noto Sans Armenian,"
        " Noto Sans Hebrew, Noto Sans Devanagari, Noto Sans Thai, Noto Sans CJK SC, sans-serif")


def scale_end(values: Sequence[float | None]) -> float:
    """The axis end: the smallest of SCALES at or above every value."""
    top = max((v for v in values if v is not None), default=0.0)
    return next((end for end in SCALES if top <= end), 1.0)


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[:LABEL_MAX - 1].rstrip() + "…"


def bar_chart(bars: Sequence[tuple[str, float | None, str]], title: str, *,
              width: int = 520, row: int = 15, label_width: int = 140,
              value_width: int = 110) -> Markup:
    """A horizontal bar chart: ``bars`` are (label, share 0..1 or None, printed value).

    A bar without a value (no observations) gets its label and printed value
    but no rectangle.
    """
    end = scale_end([value for _label, value, _text in bars])
    top, plot = 30, width - label_width - value_width
    height = top + row * len(bars) + 6
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
              f' width="{width}" height="{height}" role="img" aria-label="{escape(title)}"'
              f' font-family="{FONT}" font-size="8.5">'),
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="10" font-size="9.5" font-weight="bold">{escape(title)}</text>']
    for step in range(5):
        x = label_width + plot * step / 4
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 4}"'
                     ' stroke="#c9ced4" stroke-width="0.5"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 9}" text-anchor="middle" fill="#4a5560"'
                     f' font-size="7.5">{end * 100 * step / 4:g}%</text>')
    for index, (label, value, text) in enumerate(bars):
        y = top + index * row
        parts.append(f'<text x="{label_width - 5}" y="{y + row * 0.7:.1f}"'
                     f' text-anchor="end">{escape(_short(label))}</text>')
        if value is not None:
            length = plot * min(value / end, 1.0) if end else 0
            parts.append(f'<rect x="{label_width}" y="{y + 2}" width="{length:.1f}"'
                         f' height="{row - 4}" fill="#12355b"/>')
        parts.append(f'<text x="{label_width + plot + 5}" y="{y + row * 0.7:.1f}"'
                     f' fill="#1b1f24">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_bar_chart(labels: Sequence[str],
                      columns: Sequence[tuple[str, Sequence[tuple[float | None, str]]]],
                      title: str, *, width: int = 520, row: int = 13,
                      label_width: int = 120) -> Markup:
    """Small multiples: one row per label, one column of horizontal bars per series.

    ``columns`` are (heading, cells), one cell (share 0..1 or None, text) per label. A
    cell with a share gets a bar on its column's own scale (printed under the heading);
    one without gets its text instead ("no observations", "3 of 7"). The exact
    figures are in the table beside the chart, so bars carry no value text: one chart
    with a few dozen texts lays out several times faster than one chart per series.
    """
    top, gap = 34, 8
    plot = (width - label_width) / max(len(columns), 1) - gap
    height = top + row * len(labels) + 4
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
              f' width="{width}" height="{height}" role="img" aria-label="{escape(title)}"'
              f' font-family="{FONT}" font-size="8">'),
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="10" font-size="9.5" font-weight="bold">{escape(title)}</text>']
    for index, label in enumerate(labels):
        y = top + index * row
        parts.append(f'<text x="{label_width - 5}" y="{y + row * 0.72:.1f}"'
                     f' text-anchor="end">{escape(_short(label))}</text>')
    for number, (heading, cells) in enumerate(columns):
        left = label_width + number * (plot + gap)
        end = scale_end([value for value, _text in cells])
        parts.append(f'<text x="{left:.1f}" y="{top - 14}" font-weight="bold">'
                     f'{escape(_short(heading))}</text>')
        # Each column has its own scale (a 4 % share must not vanish beside a 40 % one):
        # both ends are drawn and labelled.
        parts.append(f'<text x="{left:.1f}" y="{top - 4}" fill="#4a5560" font-size="7">0</text>')
        parts.append(f'<text x="{left + plot:.1f}" y="{top - 4}" fill="#4a5560" font-size="7"'
                     f' text-anchor="end">{end * 100:g}%</text>')
        for x in (left, left + plot):
            parts.append(f'<line x1="{x:.1f}" y1="{top - 2}" x2="{x:.1f}" y2="{height - 2}"'
                         ' stroke="#c9ced4" stroke-width="0.5"/>')
        for index, (value, text) in enumerate(cells):
            y = top + index * row
            if value is None:
                parts.append(f'<text x="{left + 3:.1f}" y="{y + row * 0.72:.1f}"'
                             f' fill="#4a5560" font-size="7">{escape(text)}</text>')
            else:
                length = plot * min(value / end, 1.0) if end else 0
                parts.append(f'<rect x="{left:.1f}" y="{y + 2}" width="{length:.1f}"'
                             f' height="{row - 4}" fill="#12355b"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
