"""Fictional, hand-built analyses and a store filled with them, shared by the web tests.

``test_web``, ``test_api_contract`` and ``test_browser`` all serve the same store:
twelve reports of a ferry strike (a named spokesperson, an anonymous official, the
outlet as relay; one place and one event each), one hostile article made of markup,
two stories and one assessment per report plus one per story. No parser is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from claimgraph.model import (
    Assessment,
    Claim,
    Document,
    DocumentAnalysis,
    Event,
    Place,
    Removed,
    Source,
    Story,
    TimeInterval,
)
from claimgraph.store import open_store
from spans import at

N_DOCUMENTS = 12
OUTLETS = ("Lantern Post", "Quayside Herald", "Vell Valley Wire")


def ferry_analysis(i: int) -> DocumentAnalysis:
    """A fictional report: a ministry spokesperson quoted, relayed by the outlet; a ferry strike in Vellport."""
    outlet = OUTLETS[i % len(OUTLETS)]
    text = (
        f"Report number {i} from the {outlet}.\n"
        f'"The ferry to Vellport stopped on day {i}," said Ilsa Marrow, a spokesperson for the harbour ministry.\n'
        f"An official who asked not to be named said the strike might last a week.\n"
        "Subscribe to our newsletter."
    )
    doc = Document(
        text=text,
        title=f"Ferry strike, day {i}",
        outlet=outlet,
        published=f"2031-03-{i + 1:02d}",
        url=f"https://example.invalid/ferry/{i}",
    )
    newsletter = at(text, "Subscribe to our newsletter.")
    doc.removed = [Removed(newsletter.start, newsletter.end, "newsletter")]
    d = doc.id
    marrow = Source(
        f"{d}/s1", d, "person", False, [at(text, "Ilsa Marrow")], name="Ilsa Marrow", key="ilsa-marrow"
    )
    official = Source(
        f"{d}/s2", d, "anonymous", True, [at(text, "An official")], descriptor="an official", key=None
    )
    paper = Source(f"{d}/s3", d, "outlet", False, [at(text, outlet)], name=outlet, key=outlet.lower())
    quote = at(text, f"The ferry to Vellport stopped on day {i},")
    claims = [
        Claim(
            f"{d}/c1", d, [quote], [at(text, "said")], [at(text, "Ilsa Marrow")],
            chain=[paper.id, marrow.id], mode="quote", hedged=False, source=marrow.id,
        ),
        Claim(
            f"{d}/c2", d, [at(text, "the strike might last a week")], [at(text, "said the")],
            [at(text, "An official")], chain=[official.id], mode="paraphrase", hedged=True,
            source=official.id, hedges=[at(text, "might")],
        ),
    ]  # fmt: skip
    place = Place(f"{d}/p1", d, at(text, "Vellport"), "Vellport", country="XX", lat=54.5 + i / 10, lon=10.0)
    event = Event(
        f"{d}/e1", d, "strike", trigger=at(text, "stopped"), places=[place.id],
        time=TimeInterval(f"2031-03-{i + 1:02d}", None, "day"), claims=[claims[0].id],
    )  # fmt: skip
    return DocumentAnalysis(doc, [marrow, official, paper], claims, [event], [place])


HOSTILE = (
    "Headline <script>window.__pwned = 1; alert(1)</script> and more.\n"
    '<img src=x onerror="window.__pwned=2"> "We will <b onclick=alert(3)>never</b> stop," '
    'said <a href="javascript:window.__pwned=3">Tomas Quill</a>, a dock worker.\n'
    "<svg onload=window.__pwned=4></svg><iframe src=javascript:alert(5)></iframe>"
    '<style>body{display:none}</style><base href="//evil.invalid/">'
)


def hostile_analysis() -> DocumentAnalysis:
    """An article made of markup that would run script if it were ever emitted unescaped."""
    text = HOSTILE
    doc = Document(
        text=text,
        title="<script>window.__pwned=5</script>Dock strike",
        outlet='"><img src=x onerror=alert(6)>',
        published="2031-04-01",
        url="javascript:window.__pwned=6",
    )
    d = doc.id
    quill = Source(
        f"{d}/s1", d, "person", False, [at(text, "Tomas Quill")],
        name="<img src=x onerror=window.__pwned=7>", key='x"><script>window.__pwned=8</script>',
    )  # fmt: skip
    claim = Claim(
        f"{d}/c1", d, [at(text, "We will <b onclick=alert(3)>never</b> stop,")], [at(text, "said")],
        [at(text, "Tomas Quill")], chain=[quill.id], mode="quote", hedged=False, source=quill.id,
    )  # fmt: skip
    script = at(text, "<script>window.__pwned = 1; alert(1)</script>")
    doc.removed = [Removed(script.start, script.end, "<script>alert(9)</script>")]
    place = Place(f"{d}/p1", d, at(text, "<svg onload=window.__pwned=4>"), "<b>Port</b>", lat=1.0, lon=2.0)
    event = Event(f"{d}/e1", d, "<script>x</script>", trigger=at(text, "stop"), places=[place.id])
    return DocumentAnalysis(doc, [quill], [claim], [event], [place])


@dataclass
class Fixture:
    """A filled store: its URL, the twelve ferry reports and the hostile article in it."""

    url: str
    analyses: list[DocumentAnalysis]
    hostile: DocumentAnalysis


def fill_store(url: str, *, with_hostile: bool = True) -> Fixture:
    """Save the ferry reports (and the hostile article), two stories and their assessments at ``url``."""
    analyses = [ferry_analysis(i) for i in range(N_DOCUMENTS)]
    hostile = hostile_analysis()
    with open_store(url) as store:
        for da in analyses:
            store.save(da)
        if with_hostile:
            store.save(hostile)
        stories = [
            Story("story-ferry", [da.document.id for da in analyses], [da.events[0].id for da in analyses], "Ferry strike"),
            Story("story-<b>dock</b>", [hostile.document.id], [], "<script>window.__pwned=9</script>"),
        ]  # fmt: skip
        assessments = [
            Assessment(
                f"a{i}", [da.claims[0].id], [da.sources[0].id], 1, False, "2",
                ["one named origin", "<i>relayed</i> by the outlet"], relays=[da.sources[2].id], reliability="B",
            )
            for i, da in enumerate(analyses)
        ] + [
            Assessment(
                "a-story", ["story-ferry", analyses[0].events[0].id], ["ilsa-marrow"], 1, False, "3",
                ["single origin behind every report"], reliability="C",
            ),
        ]  # fmt: skip
        store.save_cross(stories, assessments)
    return Fixture(url, analyses, hostile)
