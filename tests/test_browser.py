"""End to end in a real headless Chromium: analyze articles, serve them, browse, click a claim.

Uses Debian's ``chromium`` (``/usr/bin/chromium``, installed by ``.ci/run``)
driven by Playwright's Python API; Playwright's own browser downloads are
never used. Analyzes the seed articles from ../shared when present (else the
bundled examples), adds the fictional reports of ``webstore`` (they carry
places and events) and its hostile article, groups them into one story, and
serves the store with uvicorn on a free loopback port.

Screenshots go to ``artifacts/browser/`` (gitignored), kept as CI artifacts.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT_S = 20


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _inputs() -> list[str]:
    seeds = SHARED / "seeds"
    if seeds.is_dir():
        return [str(seeds)]
    return [str(REPO / "examples" / "articles")]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[dict[str, Any]]:
    """A store with the analyzed articles plus fictional ones, served on 127.0.0.1; yields its base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    from claimgraph.runner import analyze_inputs
    from claimgraph.store import open_store
    from claimgraph.web.app import create_app
    from webstore import fill_store

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'browser.db'}"
    fixture = fill_store(url)
    with open_store(url) as store:
        result = analyze_inputs(_inputs(), pipeline, store)
        real = [da.document.id for da in result.analysis.documents]
        assert real, "no article was analyzed"
        from claimgraph.model import Story

        stories = [
            Story("story-all", real + [da.document.id for da in fixture.analyses],
                  [da.events[0].id for da in fixture.analyses], "Everything analyzed"),
            Story("story-hostile", [fixture.hostile.document.id], [], "<script>window.__pwned=10</script>"),
        ]  # fmt: skip
        store.save_cross(stories, [])
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(url, None), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    try:
        yield {"base": f"http://127.0.0.1:{port}", "real": real, "hostile": fixture.hostile.document.id}
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_story_map_graph_then_claim_lands_on_highlighted_span(served: dict[str, Any], browser: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served["base"] + "/")
    page.get_by_role("link", name="Everything analyzed").click()
    page.wait_for_url("**/stories/story-all")
    assert page.locator("svg.map a.marker").count() > 0
    assert page.locator("svg.graph a.node.claim").count() > 0
    assert page.locator("svg.graph a.node.source").count() > 0
    page.screenshot(path=str(ARTIFACTS / "story.png"), full_page=True)

    first_real = served["real"][0]
    page.locator(f'a[href="/documents/{first_real}"]').first.click()
    page.wait_for_url(f"**/documents/{first_real}")
    claim_link = page.locator("a.claim-link").first
    fragment = claim_link.get_attribute("href")
    assert fragment and fragment.startswith("#claim-")
    claim_link.click()
    page.wait_for_function("window.location.hash.length > 1")
    assert page.evaluate("window.location.hash") == fragment
    target_id = page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
    assert target_id == fragment[1:]
    lit = page.locator(f'mark.current[data-items~="{fragment[1:]}"]')
    assert lit.count() > 0
    assert lit.first.get_attribute("aria-current") == "location"
    assert page.locator(f"#row-{fragment[1:]}.current").count() == 1
    lit.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "document-claim.png"))
    assert errors == []


def test_keyboard_reaches_claim_links(served: dict[str, Any], browser: Any) -> None:
    page = browser.new_page()
    page.goto(served["base"] + f"/documents/{served['real'][0]}")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement && document.activeElement.className"))
        if "claim-link" in (seen[-1] or ""):
            break
    assert "claim-link" in (seen[-1] or ""), seen
    page.keyboard.press("Enter")
    page.wait_for_function("window.location.hash.startsWith('#claim-')")
    assert page.locator("mark.current").count() > 0


def test_hostile_article_runs_nothing(served: dict[str, Any], browser: Any) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in (
        f"/documents/{served['hostile']}",
        "/stories/story-hostile",
        "/documents",
        "/",
        "/search?q=dock+worker+never+stop",
    ):
        page.goto(served["base"] + path)
        page.wait_for_load_state("load")
        # Move the pointer over and click every highlight and link inside the text: no handler may fire.
        for mark in page.locator(".text mark").all():
            mark.hover()
            mark.click()
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("iframe, img, object, embed").count() == 0, path
    page.goto(served["base"] + f"/documents/{served['hostile']}")
    page.screenshot(path=str(ARTIFACTS / "hostile.png"), full_page=True)
    assert dialogs == []


def test_search_then_hit_lands_on_highlighted_span(served: dict[str, Any], browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(served["base"] + "/")
    page.get_by_label("Search article text, claims and sources").fill('Vellport "ferry*')
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=*")
    hits = page.locator("ol.hits > li")
    assert hits.count() > 0
    assert page.locator("ol.hits .snippet mark").count() > 0
    hits.first.locator("a").first.click()
    page.wait_for_url("**/documents/*#hit")
    lit = page.locator('mark.current[data-items~="hit"]')
    assert lit.count() > 0
    assert lit.first.inner_text().lower().startswith(("vellport", "ferr"))
    assert lit.first.get_attribute("aria-current") == "location"
    lit.first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "search-hit.png"))
    assert errors == []
