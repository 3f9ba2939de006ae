"""The ``assess`` command; ``register(cli)`` adds it to the CLI group.

claimgraph assess [--db URL] [--format table|json] [-o FILE] [--outlets FILE] [--full]

Links the stored documents not linked yet (stories, same-event clusters, source keys),
grades each event cluster and each group of claims reporting no event, stores the stories
and assessments that changed, and reports per story: the events, their origins, the relay
graph and the grades. Incremental (``linking.incremental``): the report covers the stories
the new documents joined; ``--full`` relinks everything from scratch and reports it all.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimgraph.cli_options import db_option

if TYPE_CHECKING:
    from claimgraph.linking.incremental import Relinked
    from claimgraph.model import Analysis

ASSESS_FORMATS = ("table", "json")


def link_store(db: str | None, outlets: Path | None = None, full: bool = False) -> tuple[Analysis, Relinked]:
    """Link the store at ``db`` (incrementally unless ``full``) and save the results.

    Returns what to report: the stories that changed, their assessments and documents (all
    of them after a full relink), and the run's result. Says on stderr what was done.
    """
    from claimgraph.attribution.lexicon import load_lexicons
    from claimgraph.linking import load_reliability_table
    from claimgraph.linking.incremental import relink_store
    from claimgraph.model import Analysis
    from claimgraph.store import open_store

    lexicons = load_lexicons()
    table = load_reliability_table(lexicons, outlets)
    with open_store(db) as store:
        result = relink_store(store, table, lexicons, full=full)
    stories = result.changed_stories()
    wanted = {d for s in stories for d in s.documents}
    documents = [result.linker.documents[d] for d in result.linker.index.docs if d in wanted]
    shown = Analysis(documents=documents, stories=stories, assessments=result.changed_assessments())
    total = len(result.linker.index.docs)
    if len(result.new) == total:
        click.echo(f"linked all {total} document(s) from scratch", err=True)
    elif not result.new:
        click.echo(
            f"no new documents among {total}: nothing changed (--full relinks and reports everything)",
            err=True,
        )
    else:
        click.echo(
            f"linked {len(result.new)} new document(s) into {total}: {len(stories)} story(ies) changed, "
            f"{len(result.loaded)} earlier document(s) read in full, {result.recomputed} assessment "
            "unit(s) recomputed (--full relinks and reports everything)",
            err=True,
        )
    return shown, result


def assess(db: str | None, fmt: str, outlets: Path | None, full: bool = False) -> str:
    """Link and grade the store at ``db``, save the cross-document results, return the report."""
    from claimgraph.linking.render import render_assessments

    analysis, result = link_store(db, outlets, full)
    if fmt == "json":
        return json.dumps(analysis.to_json(), ensure_ascii=False, indent=2) + "\n"
    return render_assessments(analysis, result.linker)


def register(cli: click.Group) -> None:
    """Add ``assess`` to ``cli``."""

    @cli.command("assess")
    @db_option
    @click.option("--format", "fmt", type=click.Choice(ASSESS_FORMATS), default="table", show_default=True)
    @click.option("-o", "--output", default=None, help="Write the report here instead of stdout.")
    @click.option(
        "--outlets",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="Outlet reliability table (JSON, the format of data/outlet_reliability.json).",
    )
    @click.option("--full", is_flag=True, help="Relink every document from scratch (default: only new ones).")
    def assess_cmd(db: str | None, fmt: str, output: str | None, outlets: Path | None, full: bool) -> None:
        """Per story: events, their origins, the relay graph and Admiralty grades with reasons."""
        text = assess(db, fmt, outlets, full)
        if output is None or output == "-":
            sys.stdout.write(text)
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.FileError(output, hint=exc.strerror or str(exc)) from exc
