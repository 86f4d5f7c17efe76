"""The dashboard in a real headless Chromium (Playwright driving Debian's /usr/bin/chromium)
against uvicorn on a free loopback port: navigation, highlights, search, review, escaping."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium (make install adds it)",
                allow_module_level=True)

import uvicorn  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402
from test_web import HOSTILE_TITLE, build_store, hostile_document  # noqa: E402

from accord.web import create_app  # noqa: E402

TOKEN = "browser-token"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SHOTS = Path(os.environ.get("ACCORD_SCREENSHOTS", "/tmp"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(build_store(tmp_path_factory.mktemp("browser") / "web.db"), token=TOKEN)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    app.state.store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                         "height": 900})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()


def test_click_through_and_review(page: Page, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.locator("table.matrix td.pol-support").count() > 0
    page.screenshot(path=str(SHOTS / "accord-overview.png"), full_page=True)

    page.click("table.matrix th.target a[href='/provisions/army-cap']")
    assert page.url.endswith("/provisions/army-cap")
    figures = page.locator("table.figures").inner_text()
    assert "600,000" in figures and "800,000" in figures
    assert page.locator("table.figures td a[href^='/documents/']").count() > 3
    assert page.locator("img.chart").count() == 1
    page.screenshot(path=str(SHOTS / "accord-provision.png"), full_page=True)

    page.locator("table.figures td a[href^='/documents/']").first.click()
    assert "/documents/" in page.url
    assert page.locator("article.text mark.hl-quotes").count() > 0
    page.screenshot(path=str(SHOTS / "accord-document.png"), full_page=False)

    page.click("header nav a[href='/quotes']")
    page.fill("input[name=q]", "guarantees")
    page.click("form.inline button[type=submit]")
    assert "q=guarantees" in page.url
    quotes = page.locator("ul.quotes li")
    assert quotes.count() > 0 and "guarantee" in quotes.first.inner_text().lower()

    quotes.first.locator("a", has_text="in context").click()
    item = page.locator("ol.items li[id^='item-quotes-']").first
    item.locator("summary").click()
    item.locator("input[name=speaker]").fill("Reviewed Speaker")
    item.locator("input[name=reviewer]").fill("browser analyst")
    item.locator("input[name=token]").fill(TOKEN)
    item.locator("button[value=correct]").click()
    assert "reviewed=quotes-" in page.url
    assert page.locator("p.ok").count() == 1
    assert "Reviewed Speaker" in page.locator("ol.items").first.inner_text()
    assert "browser analyst" in page.locator("table.audit").inner_text()
    page.screenshot(path=str(SHOTS / "accord-reviewed.png"), full_page=False)
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_wrong_token_is_refused(page: Page, base_url: str) -> None:
    page.goto(base_url + f"/documents/{hostile_document().id}")
    item = page.locator("ol.items li[id^='item-quotes-']").first
    item.locator("summary").click()
    item.locator("input[name=reviewer]").fill("mallory")
    item.locator("input[name=token]").fill("guess")
    item.locator("button[value=confirm]").click()
    assert "missing or wrong token" in page.locator("p.error").inner_text()


def test_hostile_article_shows_its_script_as_text(browser: Browser, base_url: str) -> None:
    # JavaScript on here: if anything were injected, it would run and open a dialog.
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base_url + f"/documents/{hostile_document().id}")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    text = page.locator("article.text").inner_text()
    assert "<script>alert('quote')</script>" in text
    assert "<img src=x onerror=alert('img')>" in text
    assert page.locator("article.text script, article.text img").count() == 0
    page.goto(base_url + "/quotes?q=accept")
    assert "<script>alert('quote')</script>" in page.locator("ul.quotes").inner_text()
    page.goto(base_url + "/documents")
    assert HOSTILE_TITLE in page.locator("table").inner_text()
    page.screenshot(path=str(SHOTS / "accord-hostile.png"), full_page=False)
    assert dialogs == []
    context.close()
