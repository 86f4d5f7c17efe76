"""Article text with its extractions marked, built from offsets over escaped text.

The article is untrusted: every character of it goes through ``markupsafe.escape``; only the
``<mark>`` elements and their attributes (themselves escaped) are ours.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """One extracted item's place in the text: ``kind`` is a CSS class, ``anchor`` an item id."""

    start: int
    end: int
    kind: str
    label: str
    anchor: str


def highlight(text: str, spans: list[Span]) -> Markup:
    """The text cut at every span boundary; each piece inside spans becomes one ``<mark>``
    carrying the classes and labels of all of them (so overlapping items never mis-nest)."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    first = {}
    for span in sorted(valid, key=lambda s: (s.start, s.anchor)):
        first.setdefault(span.anchor, span.start)
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        piece = escape(text[a:b])
        active = [s for s in valid if s.start <= a and b <= s.end]
        if not active:
            out.append(piece)
            continue
        classes = " ".join(sorted({f"hl-{s.kind}" for s in active}))
        title = "; ".join(dict.fromkeys(s.label for s in active))
        ids = list(dict.fromkeys(s.anchor for s in active if first.get(s.anchor) == a))
        for anchor in ids:
            first.pop(anchor)
        # Items starting here get anchors; extra ones as empty spans (an element has one id).
        anchors = Markup("").join(Markup('<span id="at-{}"></span>').format(i) for i in ids)
        out.append(anchors + Markup('<mark class="{}" title="{}">{}</mark>').format(
            classes, title, piece))
    return Markup("").join(out)
