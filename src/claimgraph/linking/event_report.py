"""Plain-text summaries of events and event clusters, for reasons and reports.

Reads ``Event`` records and the ``DocumentAnalysis`` that holds them (for place names and
the trigger text); adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from claimgraph.model import DocumentAnalysis, Event


def _quantity(event: Event) -> str | None:
    if event.quantity is None:
        return None
    return f"{'about ' if event.approximate else ''}{event.quantity:g}"


def _places(event: Event, da: DocumentAnalysis) -> list[str]:
    by_id = {p.id: p for p in da.places}
    out = []
    for pid in event.places:
        p = by_id.get(pid)
        if p is not None:
            where = p.admin1 or p.country
            out.append(f"{p.name} ({where})" if where else p.name)
    return list(dict.fromkeys(out))


def _time(event: Event) -> str | None:
    t = event.time
    if t is None or (t.start is None and t.end is None):
        return None
    if t.start == t.end or t.end is None:
        return t.start
    return f"{t.start or '?'}..{t.end}"


def event_fields(event: Event, da: DocumentAnalysis) -> dict[str, str]:
    """Type, what, how many, where and when of one event as short strings (absent ones left out)."""
    text = da.document.text
    out = {"type": event.type}
    if event.trigger is not None:
        out["trigger"] = event.trigger.text(text)
    what = ", ".join(event.equipment) or event.target
    if what:
        out["what"] = what
    if event.actor:
        out["actor"] = event.actor
    quantity = _quantity(event)
    if quantity:
        out["quantity"] = quantity
    places = _places(event, da)
    if places:
        out["place"] = "; ".join(places)
    time = _time(event)
    if time:
        out["time"] = time
    return out


def describe_cluster(events: list[Event], documents: Mapping[str, DocumentAnalysis]) -> str:
    """'event: deployment; tanks; about 80; Hyesan (KP-10); 2031-04-07..2031-04-13 (3 mentions, 2 documents)'."""
    merged: dict[str, list[str]] = {}
    for event in events:
        for key, value in event_fields(event, documents[event.document]).items():
            if key != "trigger":
                merged.setdefault(key, [])
                if value not in merged[key]:
                    merged[key].append(value)
    parts = [" / ".join(merged[k]) for k in ("type", "what", "quantity", "place", "time") if k in merged]
    docs = len({e.document for e in events})
    return f"event: {'; '.join(parts)} ({len(events)} mention(s), {docs} document(s))"
