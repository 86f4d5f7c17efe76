"""WordPress REST API JSON (/wp-json/wp/v2/posts): one post object or a list of them."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from accord.errors import InputError
from accord.ingest.dates import as_date
from accord.ingest.html import fragment_paragraphs, with_headline
from accord.ingest.language import detect_language
from accord.models import Document


def is_post(value: Any) -> bool:
    """A WordPress post has rendered title and content objects."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("title"), dict)
        and isinstance(value.get("content"), dict)
        and "rendered" in value["content"]
    )


def read_wordpress(data: Any, source: str) -> Iterator[Document | InputError]:
    """Each post -> a Document; a post without text is reported, the others go on."""
    if is_post(data):
        posts, numbered = [data], False
    elif isinstance(data, list) and data and all(is_post(p) for p in data):
        posts, numbered = data, True
    else:
        raise InputError(source, "JSON is not a WordPress post")
    for n, post in enumerate(posts, 1):
        name = f"{source}#{n}" if numbered else source
        try:
            yield _post(post, name)
        except InputError as error:
            yield error


def _post(post: dict[str, Any], source: str) -> Document:
    title = _plain(post["title"].get("rendered") or "") or None
    paragraphs = fragment_paragraphs(str(post["content"].get("rendered") or ""))
    if not paragraphs:
        raise InputError(source, "no article text")
    text = with_headline(title, paragraphs)
    link = post.get("link") if isinstance(post.get("link"), str) else None
    return Document(
        text=text,
        source=source,
        title=title,
        published=as_date(post.get("date") or post.get("date_gmt")),
        site=urlparse(link).hostname if link else None,
        author=_author(post),
        url=link,
        language=detect_language(text),
        format="wordpress",
    )


def _plain(rendered: str) -> str:
    """A rendered title holds entities and inline tags ("Talks &#8211; day two")."""
    return " ".join(fragment_paragraphs(rendered)) or html.unescape(rendered).strip()


def _author(post: dict[str, Any]) -> str | None:
    """The REST API gives an author id; the name is there only when the post was _embed-ded."""
    embedded = post.get("_embedded", {}).get("author") if isinstance(post.get("_embedded"), dict) else None
    if isinstance(embedded, list) and embedded and isinstance(embedded[0], dict):
        name = embedded[0].get("name")
        return name if isinstance(name, str) and name else None
    return None
