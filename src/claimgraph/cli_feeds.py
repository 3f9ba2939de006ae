"""``claimgraph watch FEED_URL...``: poll RSS/Atom feeds and analyze new articles.

``register(cli)`` adds the command to the main group. The command parses options,
calls ``claimgraph.watch.watch`` and prints one line per feed per poll (and the
failures) on stderr. With ``--once`` the exit status is 1 when no feed could be read. Feed state (ETag, Last-Modified, links handled) is kept in
``--state`` (default: feeds.json in the user state directory).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimgraph.cli_options import db_option, load_pipeline

if TYPE_CHECKING:
    from claimgraph.watch import PollResult

# Shortest polling interval accepted: feeds are updated every few minutes at most,
# and publishers ask crawlers not to poll more often than that.
MIN_INTERVAL_SECONDS = 60
UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)


class Interval(click.ParamType):
    """A duration such as ``90s``, ``15m``, ``2h``, ``1d`` (bare numbers are seconds)."""

    name = "interval"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, int | float):
            seconds = float(value)
        else:
            match = _INTERVAL.match(str(value))
            if match is None:
                self.fail(f"{value!r} is not a duration like 90s, 15m, 2h or 1d", param, ctx)
            seconds = float(match.group(1)) * UNIT_SECONDS[match.group(2).lower()]
        if seconds < MIN_INTERVAL_SECONDS:
            self.fail(f"{value!r} is shorter than the minimum of {MIN_INTERVAL_SECONDS} s", param, ctx)
        return seconds


def register(group: click.Group) -> None:
    """Add the ``watch`` command to ``group``."""
    group.add_command(watch_command)


@click.command("watch")
@click.argument("feed_urls", nargs=-1, required=True)
@db_option
@click.option("--every", type=Interval(), default="15m", show_default=True, help="Time between polls.")
@click.option("--once", is_flag=True, help="Poll once and exit.")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Also fetch from private, loopback and link-local addresses (local servers).",
)
@click.option(
    "--state",
    "state_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Feed state file (default: feeds.json in the user state dir).",
)
def watch_command(
    feed_urls: tuple[str, ...],
    db: str | None,
    every: float,
    once: bool,
    allow_private: bool,
    state_path: Path | None,
) -> None:
    """Poll RSS/Atom feeds, fetch new articles, analyze and store them."""
    from claimgraph.ingest.feeds import FeedStates
    from claimgraph.ingest.web import FetchLimits
    from claimgraph.store import open_store
    from claimgraph.watch import watch

    states = FeedStates.load(state_path)
    pipeline = load_pipeline()
    limits = FetchLimits(allow_private=allow_private)
    last: list[PollResult] = []

    def on_poll(result: PollResult) -> None:
        last[:] = [result]
        _print_poll(result)

    with open_store(db) as store:
        try:
            watch(
                list(feed_urls),
                pipeline,
                store,
                states,
                every=every,
                limits=limits,
                polls=1 if once else None,
                on_poll=on_poll,
            )
        except KeyboardInterrupt:
            click.echo("watch stopped", err=True)
    if once and last and all(feed.status == "failed" for feed in last[0].feeds):
        sys.exit(1)  # like analyze: nothing could be read


def _print_poll(result: PollResult) -> None:
    from claimgraph.ingest.feeds import now_iso
    from claimgraph.report import format_skipped

    click.echo(f"{now_iso()} poll: {len(result.stored)} new documents stored (run {result.run_id})", err=True)
    for feed in result.feeds:
        if feed.status == "fetched":
            line = (
                f"{feed.entries} entries, {feed.analyzed} analyzed, "
                f"{feed.already_stored} already stored, {feed.failed} failed"
            )
        else:
            line = feed.status
        click.echo(f"{feed.url}: {line}", err=True)
    if result.skipped:
        click.echo(format_skipped(result.skipped), err=True)
