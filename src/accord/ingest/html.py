"""HTML pages (main text via trafilatura) and HTML fragments (feed or WordPress content)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlparse

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from accord.errors import InputError
from accord.ingest.dates import as_date
from accord.ingest.language import detect_language
from accord.models import Document

# Elements whose text is one paragraph of their own.
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt",
    "figcaption", "td", "th", "caption",
}  # fmt: skip
# Elements that never hold article text.
_CHROME = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
           "button", "iframe", "svg", "select"}  # fmt: skip
_SPACE = re.compile(r"\s+")
# Each try stops at the next "<", so a page of unclosed title tags costs linear time.
_TITLE = re.compile(r"<title\b[^<>]*>([^<]*)</title>", re.IGNORECASE)
# libxml2 drops what is nested deeper than this many elements in an HTML page.
_MAX_DEPTH = 255
# Below this many characters, trafilatura's result is a scrap rather than an article.
_SCRAP = 200


def fragment_paragraphs(fragment: str) -> list[str]:
    """HTML of an article body -> its paragraphs as plain text, in reading order."""
    if not fragment.strip():
        return []
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return [p for p in (_SPACE.sub(" ", x).strip() for x in fragment.split("\n")) if p]
    for node in list(root.iter(*_CHROME)):
        node.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    # Elements that hold a block element: found bottom-up in one pass, since asking each block
    # about its descendants is quadratic on nested blocks.
    holders: set[lxml_html.HtmlElement] = set()
    for block in root.iter(*_BLOCKS):
        for ancestor in block.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
    paragraphs: list[str] = []
    loose: list[str] = []  # text not inside any block element (a bare fragment, a <div> body)

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(loose)).strip()
        if text:
            paragraphs.append(text)
        loose.clear()

    def walk(node: lxml_html.HtmlElement) -> None:
        if node.tag in _BLOCKS and node not in holders:
            flush()
            lines = (_SPACE.sub(" ", line).strip() for line in node.text_content().split("\n"))
            text = "\n".join(line for line in lines if line)
            if text:
                paragraphs.append(text)
        else:
            loose.append(node.text or "")
            for child in node:
                if isinstance(child.tag, str):
                    walk(child)
                loose.append(child.tail or "")
            if node.tag in {"div", "section", "article", "main", "ul", "ol", "table"}:
                flush()

    walk(root)
    flush()
    return paragraphs


def with_headline(title: str | None, paragraphs: list[str]) -> str:
    """Article text whose first paragraph is the headline, like the plain-text reader gives."""
    if title and (not paragraphs or paragraphs[0] != title):
        paragraphs = [title, *paragraphs]
    return "\n\n".join(paragraphs)


def read_html(
    page: str, source: str, *, url: str | None = None, fmt: str = "html", fallback_date: object = None
) -> Document:
    """A whole HTML page -> Document; trafilatura finds the main text and the metadata."""
    extracted = trafilatura.extract(
        page, output_format="json", with_metadata=True, include_comments=False, url=url
    )
    meta = json.loads(extracted) if extracted else {}
    paragraphs = [line.strip() for line in (meta.get("text") or "").split("\n") if line.strip()]
    if sum(map(len, paragraphs)) < _SCRAP:
        # On short pages trafilatura falls back to any text, menus included: the body's blocks
        # outside navigation and footers are the better answer, and none means no article.
        paragraphs = fragment_paragraphs(_body(page))
    title = meta.get("title") or _title(page)
    if not paragraphs:
        raise InputError(source, "no article text" + (" (HTML nested too deeply)" if _too_deep(page) else ""))
    text = with_headline(title, paragraphs)
    url = url or meta.get("source") or None
    return Document(
        text=text,
        source=source,
        title=title,
        published=as_date(meta.get("date")) or as_date(fallback_date),
        site=meta.get("source-hostname") or meta.get("hostname") or (urlparse(url).hostname if url else None),
        author=meta.get("author") or None,
        url=url,
        language=detect_language(text),
        format=fmt,
    )


def _body(page: str) -> str:
    try:
        tree = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return page
    body = tree.find("body")
    return lxml_html.tostring(body if body is not None else tree, encoding="unicode")


def _too_deep(page: str) -> bool:
    """Whether the parser hit its depth limit, which silently drops the deeper text."""
    try:
        tree = lxml_html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return False
    depth = 0
    for event, _node in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth >= _MAX_DEPTH:
            return True
    return False


def _title(page: str) -> str | None:
    match = _TITLE.search(page)
    if not match:
        return None
    return _SPACE.sub(" ", lxml_html.fromstring(f"<p>{match[1]}</p>").text_content()).strip() or None
