"""The command line: each command parses options, calls one library function, formats.

claimgraph analyze PATH... [--db URL] [--format table|json|jsonl] [-o FILE] [--html FILE]
claimgraph report [--db URL] [--format ...]          what the store holds
claimgraph explain CLAIM_ID [--db URL]               why a claim was attributed so
claimgraph eval seeds GOLD | polnear DIR | anonymity GOLD --polnear DIR | events FILE | gate
                                                     accuracy figures and the CI gate
claimgraph settings                                  the settings table
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from claimgraph import __version__, cli_assess, cli_feeds, cli_run, cli_web
from claimgraph.cli_options import db_option, finish_run, load_pipeline, write_file
from claimgraph.errors import ClaimgraphError
from claimgraph.settings import SETTINGS, setting

FORMATS = ("table", "json", "jsonl")

# More documents than this get a progress bar on stderr.
PROGRESS_MIN_DOCUMENTS = 5


def main() -> None:
    """Console entry point: library errors become one-line messages and exit code 2."""
    try:
        cli(standalone_mode=True)
    except ClaimgraphError as exc:
        click.echo(f"claimgraph: {exc}", err=True)
        sys.exit(2)


@click.group()
@click.version_option(__version__, prog_name="claimgraph")
def cli() -> None:
    """Who says so, through whom, and how many independent origins stand behind it."""


def _open_out(path: str | None) -> TextIO:
    if path is None or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")  # closed by the caller
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror or str(exc)) from exc


def _write_analysis(analysis: Any, fmt: str, out: TextIO, color: bool) -> None:
    if fmt == "json":
        json.dump(analysis.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "jsonl":
        from claimgraph.export import jsonl_records

        for record in jsonl_records(analysis):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        from rich.console import Console

        from claimgraph.report import render_table

        console = Console(file=out, force_terminal=color, no_color=not color, width=None if color else 110)
        render_table(analysis, console)


def _emit(analysis: Any, fmt: str, output: str | None) -> None:
    """Write ``analysis`` in ``fmt`` to ``output`` (a path, or stdout when None or '-')."""
    out = _open_out(output)
    try:
        _write_analysis(analysis, fmt, out, color=out is sys.stdout and sys.stdout.isatty())
    finally:
        if out is not sys.stdout:
            out.close()


class _Bar:
    """Progress on stderr: documents done, rate, ETA and errors."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("analyze"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeRemainingColumn(),
            TextColumn("errors: {task.fields[errors]}"),
            console=Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("analyze", total=None, rate="-", errors=0)
        self.started = time.monotonic()
        self.active = False

    def __call__(self, done: int, expected: int | None, errors: int) -> None:
        if expected is not None and expected <= PROGRESS_MIN_DOCUMENTS:
            return
        if not self.active:
            self.progress.start()
            self.active = True
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.progress.update(self.task, completed=done, total=expected, rate=f"{rate:.1f}", errors=errors)

    def stop(self) -> None:
        if self.active:
            self.progress.stop()


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", default=None, help="Write the report here instead of stdout.")
@click.option("--html", "html_path", default=None, help="Also write a self-contained HTML report.")
@click.option("--no-store", is_flag=True, help="Analyze without writing to the store.")
@click.option("--reanalyze", is_flag=True, help="Analyze documents again even if stored.")
@click.option("--failures", "failures_path", default=None, help="Write skipped inputs and why (JSON lines).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--resume",
    is_flag=True,
    help="Finish an interrupted run: documents already stored are skipped, not reported again.",
)
def analyze(
    paths: tuple[str, ...],
    db: str | None,
    fmt: str,
    output: str | None,
    html_path: str | None,
    no_store: bool,
    reanalyze: bool,
    failures_path: str | None,
    quiet: bool,
    resume: bool,
) -> None:
    """Analyze article files, directories, JSONL or '-' (stdin) and report their claims.

    With --format jsonl (and no --html) results stream out as each document is done, so
    memory stays flat on long runs.
    """
    from claimgraph.model import Analysis
    from claimgraph.runner import analyze_inputs
    from claimgraph.store import open_store

    pipeline = load_pipeline()
    store = None if no_store else open_store(db)
    bar = None if quiet else _Bar()
    stream = fmt == "jsonl" and not html_path
    out = _open_out(output)

    def write_one(da: Any) -> None:
        _write_analysis(Analysis(documents=[da]), "jsonl", out, color=False)

    try:
        result = analyze_inputs(
            list(paths),
            pipeline,
            store,
            stdin=sys.stdin,
            reanalyze=reanalyze,
            progress=bar,
            keep=not stream,
            load_stored=not resume,
            on_document=write_one if stream else None,
        )
        if not stream:
            from claimgraph.linking import link

            link(result.analysis)  # stories and grades across this run's documents
            _write_analysis(result.analysis, fmt, out, color=out is sys.stdout and sys.stdout.isatty())
    finally:
        if bar is not None:
            bar.stop()
        if store is not None:
            store.close()
        if out is not sys.stdout:
            out.close()
    if html_path:
        from claimgraph.html_report import render_html

        write_file(html_path, render_html(result.analysis))
        click.echo(f"HTML report written to {html_path}", err=True)
    finish_run(result, failures_path)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", default=None)
def report(db: str | None, fmt: str, output: str | None) -> None:
    """Report everything the store holds."""
    from claimgraph.store import open_store

    with open_store(db) as store:
        analysis = store.load()
    _emit(analysis, fmt, output)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", default=None)
@click.option("--full", is_flag=True, help="Relink every document from scratch (default: only new ones).")
def stories(db: str | None, fmt: str, output: str | None, full: bool) -> None:
    """Group the stored documents into stories, trace origins, grade them, and store the result.

    Incremental: documents linked by an earlier run are not read again (only their linking
    state), and the report covers the stories the new documents joined.
    """
    analysis, _ = cli_assess.link_store(db, full=full)
    _emit(analysis, fmt, output)


@cli.command()
@click.argument("claim_id")
@db_option
def explain(claim_id: str, db: str | None) -> None:
    """Say why a stored claim was attributed as it was."""
    from claimgraph.explain import explain_claim
    from claimgraph.store import open_store

    document_id = claim_id.split("/")[0]
    with open_store(db) as store:
        if document_id not in store.document_ids():
            raise ClaimgraphError(f"no claim {claim_id!r} in the store (no document {document_id!r})")
        analysis = store.load([document_id])
    click.echo(explain_claim(analysis, claim_id))


@cli.group(name="eval")
def eval_group() -> None:
    """Accuracy figures against gold annotations."""


def _analyzer() -> Any:
    return load_pipeline().analyze_many


@eval_group.command("seeds")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List every gold item missed and why.")
def eval_seeds(gold: Path, verbose: bool) -> None:
    """Score the seed articles against their gold annotation."""
    from claimgraph.evaluate.seeds import evaluate_seeds

    click.echo(evaluate_seeds(gold, _analyzer()).format(verbose=verbose))


@eval_group.command("polnear")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--limit", type=int, default=None, help="Only the first N articles.")
@click.option(
    "--agreement",
    is_flag=True,
    help="Score PolNeAR's annotators against each other (articles marked twice) instead of claimgraph.",
)
def eval_polnear(directory: Path, limit: int | None, agreement: bool) -> None:
    """Score attribution on a PolNeAR split (a directory with text/ and attributions/)."""
    if agreement:
        from claimgraph.evaluate.agreement import annotator_agreement

        click.echo(annotator_agreement(directory).format())
        return
    from claimgraph.evaluate.polnear import evaluate_polnear

    click.echo(evaluate_polnear(directory, _analyzer(), limit=limit).format())


@eval_group.command("anonymity")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--polnear",
    "polnear_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="The PolNeAR split the gold spans point into (a directory with text/ and attributions/).",
)
@click.option("-v", "--verbose", is_flag=True, help="List every gold source labelled or typed wrongly.")
def eval_anonymity(gold: Path, polnear_dir: Path, verbose: bool) -> None:
    """Score source anonymity (P/R/F1), coverage and kind on the anonymity annotation."""
    from claimgraph.evaluate.anonymity import evaluate_anonymity

    click.echo(evaluate_anonymity(gold, polnear_dir, _analyzer()).format(verbose=verbose))


@eval_group.command("geo")
@click.argument("xml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List every toponym missed or misplaced.")
def eval_geo(xml: Path, verbose: bool) -> None:
    """Score toponym recognition and resolution on an LGL- or GeoVirus-format XML file."""
    from claimgraph.evaluate.geo import evaluate_geo
    from claimgraph.places import make_locator

    pipeline = load_pipeline()
    click.echo(evaluate_geo(xml, make_locator(pipeline, pipeline.gazetteer)).format(verbose=verbose))


@eval_group.command("events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    type=click.Choice(["rules", "embeddings", "hybrid", "events"]),
    default=None,
    help="rules: cue words; embeddings: nearest invented examples; hybrid: both (default when "
    "the 'embeddings' extra is installed, else rules); events: the pipeline's detected events.",
)
@click.option("-v", "--verbose", is_flag=True, help="List every snippet coded wrongly.")
def eval_events(file: Path, method: str | None, verbose: bool) -> None:
    """Score CASE 2021 event codes on labelled snippets (JSONL text/label, TSV, or PLOVER JSON)."""
    from claimgraph.evaluate.event_codes import evaluate_event_codes, pipeline_classify_many
    from claimgraph.events.acled import make_classifier
    from claimgraph.events.embedding import embeddings_available

    chosen = method or ("hybrid" if embeddings_available() else "rules")
    if chosen == "events":
        classify = pipeline_classify_many(load_pipeline())
    else:
        classify = make_classifier(chosen).classify_many
    click.echo(evaluate_event_codes(file, classify, chosen).format(verbose=verbose))


@eval_group.command("gate")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option(
    "--floors",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Floors file (default: eval/floors.json of this checkout).",
)
def eval_gate(shared: Path | None, floors: Path | None) -> None:
    """Run every evaluation and fail when a figure falls below its pinned floor."""
    from claimgraph.evaluate.gate import default_floors_path, format_gate, load_floors, run_gate
    from claimgraph.places import make_locator

    shared = shared or Path(setting("shared") or Path.cwd().parent / "shared")
    if not shared.is_dir():
        click.echo(f"claimgraph: no shared evaluation data at {shared}; gate skipped", err=True)
        return
    floors = floors or default_floors_path()
    pipeline = load_pipeline()
    locate = make_locator(pipeline, pipeline.gazetteer)
    figures, failures = run_gate(shared, pipeline.analyze_many, floors_path=floors, locate=locate)
    click.echo(format_gate(figures, failures, load_floors(floors)))
    if failures:
        sys.exit(1)


@cli.command("settings")
def settings_cmd() -> None:
    """Print the settings table (name, environment variable, value, help)."""
    for s in SETTINGS:
        click.echo(f"{s.name:8s} {s.env:18s} {s.value()!s:30s} {s.help}")


cli_feeds.register(cli)
cli_web.register(cli)
cli_run.register(cli)
cli_assess.register(cli)
