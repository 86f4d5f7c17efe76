"""Ingest: every format to Documents, boilerplate and dates from saved text, bad inputs reported."""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from accord.errors import InputError
from accord.ingest import (
    clean_text,
    detect_language,
    iter_documents,
    iter_sources,
    read_source,
)
from accord.ingest.dates import parse_date
from accord.models import Document

DATA = Path(__file__).parent / "data" / "ingest"

# Our own sample sentences (never copied from third-party articles).
HEADLINE = "Mediators report headway on the river treaty"
PARAS = [
    "Delegations from both capitals met in Lisbon on Monday to discuss the shared river basin.",
    "“We have narrowed the gaps on water quotas,” the chief mediator told reporters after the session.",
    "A final text could be signed in the spring, officials said, if the dam inspections go ahead.",
]


def page(title: str = HEADLINE, paras: list[str] = PARAS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        "<!DOCTYPE html><html><head>"
        f"<title>{title}</title><meta name='author' content='Ana Costa'>"
        "<meta property='og:site_name' content='River Post'>"
        "<meta property='article:published_time' content='2025-05-06T08:00:00Z'></head><body>"
        "<nav><a href='/'>Home</a><a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright River Post</footer></body></html>"
    )


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def paragraphs(doc: Document) -> list[str]:
    return doc.text.split("\n\n")


# --- plain text saved from a page ---------------------------------------------------------


def test_saved_text_keeps_headline_once_and_drops_chrome(tmp_path: Path) -> None:
    raw = "\n\n".join(
        ["River Post", HEADLINE, "6 May 2025 - 09:12", HEADLINE, "Share", *PARAS, "Tweet",
         "Read more", "Previous Post Next Post", "Formulaire de contact"]
    )  # fmt: skip
    (doc,) = read_source(write(tmp_path / "a.txt", raw))
    assert doc.title == HEADLINE
    assert paragraphs(doc) == [HEADLINE, *PARAS]
    assert doc.published == date(2025, 5, 6)
    assert doc.format == "text" and doc.language == "en" and doc.source == str(tmp_path / "a.txt")


def test_fixture_file_with_byline_photo_and_updated_line() -> None:
    (doc,) = read_source(DATA / "byline.txt")
    assert doc.author == "Marta Silva"
    assert doc.title == "Ceasefire talks pause over the weekend"
    assert doc.published == date(2026, 3, 2)
    assert "Photo" not in doc.text and "Updated" not in doc.text
    assert paragraphs(doc)[0] == doc.title
    assert paragraphs(doc)[1].startswith("Envoys agreed on Friday")


@pytest.mark.parametrize(
    ("line", "expected", "author"),
    [
        (" date 2025-11-20 " + HEADLINE, date(2025, 11, 20), None),
        ("Published by Carla Ruiz 23 de noviembre, 2025\n\n" + HEADLINE, date(2025, 11, 23), "Carla Ruiz"),
        (HEADLINE + "\n\n18 Feb, 2026 10:14 / Updated 35 minutes ago", date(2026, 2, 18), None),
        (HEADLINE + "\n\n6 January 2026 - 23:47", date(2026, 1, 6), None),
        (HEADLINE + "\n\nОпубликовано: 20 ноября 2025", date(2025, 11, 20), None),
    ],
)
def test_date_markers_give_published_and_are_removed(line: str, expected: date, author: str | None) -> None:
    text, meta = clean_text(line + "\n\n" + "\n\n".join(PARAS))
    assert meta["published"] == expected
    assert meta["author"] == author
    assert text == "\n\n".join([HEADLINE, *PARAS])
    assert meta["title"] == HEADLINE


def test_lines_without_blank_lines_become_paragraphs_and_sentences_stay_byte_identical() -> None:
    text, meta = clean_text(HEADLINE + "\n" + "\n".join(PARAS) + "\n")
    assert text == "\n\n".join([HEADLINE, *PARAS])
    for p in PARAS:
        assert p in text  # typographic quotes untouched


def test_article_sentences_that_resemble_chrome_survive() -> None:
    body = [*PARAS, "Officials said the cookies served at the summit were accepted by everyone, and the policy on water stays."]
    text, _ = clean_text(HEADLINE + "\n\n" + "\n\n".join(body))
    assert body[-1] in text


def test_headline_that_starts_with_by_is_not_a_byline() -> None:
    text, meta = clean_text("By the numbers\n\n" + "\n\n".join(PARAS))
    assert meta["title"] == "By the numbers" and meta["author"] is None
    assert text.startswith("By the numbers\n\n")


# --- other formats ------------------------------------------------------------------------


def test_html_page(tmp_path: Path) -> None:
    (doc,) = read_source(write(tmp_path / "page.bin", page()))  # sniffed, not by extension
    assert doc.format == "html"
    assert doc.title == HEADLINE
    assert paragraphs(doc)[0] == HEADLINE
    for p in PARAS:
        assert p in doc.text
    assert "Home" not in doc.text and "Copyright" not in doc.text
    assert doc.published == date(2025, 5, 6)
    assert doc.author == "Ana Costa" and doc.site == "River Post"


def test_html_without_main_text_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no article text"):
        read_source(write(tmp_path / "empty.html", "<html><body><nav>Home</nav></body></html>"))


def test_wordpress_post_and_list(tmp_path: Path) -> None:
    post = {
        "id": 7,
        "date": "2025-11-24T09:30:00",
        "link": "https://news.example.org/2025/11/24/treaty/",
        "title": {"rendered": "Treaty talks &#8211; day two"},
        "content": {"rendered": "".join(f"<p>{p}</p>" for p in PARAS) + "<script>track()</script>"},
        "author": 3,
        "_embedded": {"author": [{"name": "Ana Costa"}]},
    }
    (doc,) = read_source(write(tmp_path / "post.json", json.dumps(post)))
    assert doc.format == "wordpress" and doc.source == str(tmp_path / "post.json")
    assert doc.title == "Treaty talks – day two"
    assert paragraphs(doc) == [doc.title, *PARAS]
    assert doc.published == date(2025, 11, 24)
    assert doc.site == "news.example.org" and doc.author == "Ana Costa"
    assert doc.url == post["link"]

    second = post | {"title": {"rendered": "Second post"}, "_embedded": {}}
    docs = read_source(write(tmp_path / "posts.json", json.dumps([post, second])))
    assert [d.source.rsplit("#", 1)[1] for d in docs] == ["1", "2"]
    assert docs[1].title == "Second post" and docs[1].author is None


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>River Post</title><link>https://river.example.org/</link>
<item><title>First story</title><link>https://river.example.org/1</link>
<pubDate>Tue, 25 Nov 2025 10:00:00 +0000</pubDate><dc:creator>Ana Costa</dc:creator>
<description>Short teaser.</description>
<content:encoded><![CDATA[<p>{p0}</p><p>{p1}</p>]]></content:encoded></item>
<item><title>Second story</title><link>https://river.example.org/2</link>
<pubDate>Wed, 26 Nov 2025 10:00:00 +0000</pubDate>
<description><![CDATA[<p>{p2}</p>]]></description></item>
<item><title>Empty story</title><link>https://river.example.org/3</link></item>
</channel></rss>""".format(p0=PARAS[0], p1=PARAS[1], p2=PARAS[2])


def test_rss_feed_entries(tmp_path: Path) -> None:
    path = write(tmp_path / "feed.xml", RSS)
    docs = read_source(path)
    assert [d.source for d in docs] == [f"{path}#1", f"{path}#2"]  # the empty entry is skipped
    first, second = docs
    assert first.format == "feed" and first.site == "River Post"
    assert paragraphs(first) == ["First story", PARAS[0], PARAS[1]]
    assert first.published == date(2025, 11, 25) and first.author == "Ana Costa"
    assert first.url == "https://river.example.org/1"
    assert paragraphs(second) == ["Second story", PARAS[2]]
    errors = [e for e in iter_documents([path]) if isinstance(e, InputError)]
    assert [e.source for e in errors] == [f"{path}#3"] and errors[0].reason == "no article text"


def test_atom_feed(tmp_path: Path) -> None:
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Treaty Watch</title>
<entry><title>Atom story</title><link href="https://watch.example.org/a"/>
<updated>2025-12-01T12:00:00Z</updated><author><name>Li Wei</name></author>
<content type="html">&lt;p&gt;{PARAS[0]}&lt;/p&gt;</content></entry></feed>"""
    (doc,) = read_source(write(tmp_path / "atom.txt", atom))
    assert doc.format == "feed" and doc.title == "Atom story" and doc.author == "Li Wei"
    assert doc.published == date(2025, 12, 1) and PARAS[0] in doc.text


def make_warc(pages: list[tuple[str, str]], gz: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    for url, html in pages:
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode()), http_headers=headers)
        )
    image = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record("https://a.example/x.png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=image)
    )
    return buffer.getvalue()


@pytest.mark.parametrize("gz", [True, False])
def test_warc_html_responses(tmp_path: Path, gz: bool) -> None:
    data = make_warc([("https://a.example/one", page("One")), ("https://a.example/two", page("Two"))], gz)
    path = write(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), data)
    docs = read_source(path)
    assert [(d.source, d.title, d.url, d.format) for d in docs] == [
        (f"{path}#1", "One", "https://a.example/one", "warc"),
        (f"{path}#2", "Two", "https://a.example/two", "warc"),
    ]
    assert all(PARAS[1] in d.text for d in docs)


def test_truncated_warc_gz_keeps_whole_records_and_reports(tmp_path: Path) -> None:
    pages = [(f"https://a.example/{i}", page(f"Story {i}")) for i in range(3)]
    data = make_warc(pages, gz=True)
    path = write(tmp_path / "cut.warc.gz", data[: len(data) * 2 // 3])
    with pytest.raises(InputError, match="truncated gzip"):
        read_source(path)
    items = list(iter_documents([path]))
    assert isinstance(items[-1], InputError) and items[-1].source == str(path)
    kept = items[:-1]
    assert kept and all(isinstance(d, Document) and d.title.startswith("Story") for d in kept)


# --- encodings and language ---------------------------------------------------------------

RUSSIAN = [
    "Переговоры о перемирии возобновились в понедельник в столице Казахстана.",
    "Делегации обсудили обмен пленными и гуманитарные коридоры для мирных жителей.",
    "Следующая встреча запланирована на конец месяца, сообщили официальные лица.",
]


def test_encodings(tmp_path: Path) -> None:
    text = "Переговоры идут\n\n" + "\n\n".join(RUSSIAN)
    for name, data in [
        ("bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8")),
        ("utf16.txt", text.encode("utf-16")),
        ("cp1251.txt", text.encode("cp1251")),
    ]:
        (doc,) = read_source(write(tmp_path / name, data))
        assert doc.title == "Переговоры идут", name
        assert RUSSIAN[1] in doc.text and doc.language == "ru", name
    latin = ("Les négociateurs se sont réunis à Genève lundi. " * 3).encode("latin-1")
    (doc,) = read_source(write(tmp_path / "latin1.txt", latin))
    assert "négociateurs" in doc.text and doc.language == "fr"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (PARAS[0], "en"),
        ("Die Verhandlungen über den Friedensplan wurden am Montag in Genf fortgesetzt.", "de"),
        ("Переговори щодо мирного плану тривали в понеділок у Женеві.", "uk"),
        ("Las negociaciones sobre el plan de paz continuaron el lunes en Ginebra.", "es"),
        ("استمرت المفاوضات بشأن خطة السلام يوم الاثنين في جنيف", "ar"),
        ("1234 5678", None),
    ],
)
def test_detect_language(text: str, code: str | None) -> None:
    assert detect_language(text) == code


# --- bad inputs never stop a batch --------------------------------------------------------


def test_bad_inputs_each_yield_an_error_naming_the_file(tmp_path: Path) -> None:
    good = write(tmp_path / "in" / "m_good.txt", HEADLINE + "\n\n" + "\n\n".join(PARAS))
    warc = make_warc([("https://a.example/1", page("Cut"))] * 2, gz=True)
    bad = {
        "a_empty.txt": (b"", "empty file"),
        "b_blank.txt": (b"  \n\t\n ", "empty file"),
        "c_image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary content"),
        "d_nul.txt": (b"text\x00with\x00nul", "binary content"),
        "d_noise.txt": (bytes(range(1, 256)) * 8, "binary content"),
        "e_cut.warc.gz": (warc[: len(warc) - 30], "truncated gzip"),
        "f_feed.xml": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>X</title><item><title>A',
                       "malformed feed"),
        "g_notpost.json": (json.dumps({"name": "not an article", "items": [1, 2]}).encode(),
                           "JSON is not a WordPress post"),
        "h_broken.json": (b'{"title": ', "malformed JSON"),
        "i_chrome.txt": (b"Share\n\nTweet\n\nRead more\n", "no article text"),
    }  # fmt: skip
    for name, (data, _) in bad.items():
        write(tmp_path / "in" / name, data)
    os.symlink(tmp_path / "in", tmp_path / "in" / "n_loop")
    write(tmp_path / "in" / ".hidden.txt", "ignored")

    items = list(iter_documents([tmp_path / "in", tmp_path / "missing.txt"]))
    errors = {Path(e.source.split("#")[0]).name: e for e in items if isinstance(e, InputError)}
    for name, (_, reason) in bad.items():
        assert name in errors, name
        assert reason in errors[name].reason, (name, errors[name].reason)
        assert str(errors[name]) == f"{errors[name].source}: {errors[name].reason}"
        assert "\n" not in str(errors[name])
    assert errors["n_loop"].reason == "symlink loop"
    assert errors["missing.txt"].reason == "no such file"
    docs = [d for d in items if isinstance(d, Document)]
    assert [d.source for d in docs if d.source == str(good)] == [str(good)]
    assert ".hidden.txt" not in {Path(d.source).name for d in docs}


def test_iter_sources_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    for name in ["b/2.txt", "b/1.txt", "a.txt", ".git/x.txt", "b/.swp"]:
        write(tmp_path / name, "x")
    assert [p.relative_to(tmp_path).as_posix() for p in iter_sources([tmp_path])] == ["a.txt", "b/1.txt", "b/2.txt"]


# --- a real page saved as text ------------------------------------------------------------


def test_shared_seed_article(shared: Path) -> None:
    path = shared / "seeds" / "000_a1263beb9167f400.txt"
    if not path.exists():
        pytest.skip("seed file absent")
    (doc,) = read_source(path)
    raw = path.read_text(encoding="utf-8")
    assert doc.title == "US and Ukraine signal peace plan progress after Geneva talks"
    assert doc.text.count(doc.title) == 1 and paragraphs(doc)[0] == doc.title
    assert "Previous Post" not in doc.text and "نموذج الاتصال" not in doc.text
    raw_paragraphs = [p.strip() for p in raw.split("\n\n") if len(p.strip()) > 200]
    assert len(raw_paragraphs) >= 8
    assert paragraphs(doc)[1:] == raw_paragraphs
    assert doc.language == "en" and doc.format == "text"


def test_segmented_header_line_gives_date_and_author(tmp_path: Path) -> None:
    page = tmp_path / "segmented.txt"
    page.write_text(
        "Orchard talks resume\n\nOrchard talks resume\n\n"
        "3 March 2024 | Valley Gazette | Ada Quill\n\n"
        "The two villages met again on Sunday to discuss the harvest.\n",
        encoding="utf-8",
    )
    (doc,) = read_source(page)
    assert doc.published == date(2024, 3, 3)
    assert doc.author == "Ada Quill"
    assert "Valley Gazette" not in doc.text


def test_corpus_paperwork_is_skipped_in_directories(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("About this corpus\n\nIt holds articles.\n", encoding="utf-8")
    (tmp_path / "LICENSE").write_text("Free to reuse.\n", encoding="utf-8")
    (tmp_path / "story.txt").write_text("Headline\n\nSome article text here.\n", encoding="utf-8")
    assert [p.name for p in iter_sources([tmp_path])] == ["story.txt"]
    assert [p.name for p in iter_sources([tmp_path / "README.md"])] == ["README.md"]


def test_stray_markup_is_removed_and_blocks_become_paragraphs() -> None:
    raw = (
        "Ceasefire talks resume\n\n"
        "<p>The envoy said the talks had been <strong>&quot;useful&quot;</strong>&nbsp;so far.</p>"
        "<p>Both sides met in Oslo.<br>No date was set.</p>\n"
        '[caption id="attachment_7" align="alignnone"]Photo of the envoy[/caption]\n'
        "<script>var tracker = 1;</script>"
    )
    text, _ = clean_text(raw)
    assert text.split("\n\n") == [
        "Ceasefire talks resume",
        'The envoy said the talks had been "useful" so far.',
        "Both sides met in Oslo.",
        "No date was set.",
    ]


def test_text_without_markup_keeps_its_angle_brackets() -> None:
    text, _ = clean_text(HEADLINE + "\n\nTurnout was <30% in the east & higher in the west.")
    assert text.endswith("Turnout was <30% in the east & higher in the west.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21 November 2025", date(2025, 11, 21)),
        ("Nov. 21, 2025, 10:14 GMT", date(2025, 11, 21)),
        ("Friday, 21 November 2025", date(2025, 11, 21)),
        ("Sept 3, 2025", date(2025, 9, 3)),
        ("21 novembre 2025", date(2025, 11, 21)),  # not English: dateparser reads it
        ("31 February 2025", None),
        ("March 2025", None),  # no day
    ],
)
def test_publication_dates_in_common_shapes(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected
