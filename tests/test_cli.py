"""The command line through click's CliRunner (and once as the installed console script).

``Pipeline.load`` is patched to hand out the session's pipeline, so no command loads
spaCy again. Inputs are the fictional articles in tests/fixtures/attribution/articles.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from claimgraph.cli import cli, main
from claimgraph.model import Analysis

if TYPE_CHECKING:
    from claimgraph.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[1]
ARTICLES = REPO / "tests" / "fixtures" / "attribution" / "articles"
EVAL_SHARED = REPO / "tests" / "fixtures" / "eval" / "shared"
SCHEMA = REPO.parent / "shared" / "contract" / "analysis.schema.json"
CONSOLE_SCRIPT = Path(sys.executable).parent / "claimgraph"
ARTICLE_COUNT = 4

# The contract's top-level keys and the keys each object of them must carry
# (checked even where ../shared, and so the JSON schema, is absent).
REQUIRED = {
    "documents": {"id", "text", "removed"},
    "sources": {"id", "document", "kind", "anonymous", "mentions"},
    "claims": {"id", "document", "content", "cue", "source_mentions", "chain", "mode", "hedged"},
    "events": {"id", "document", "type", "claims", "places"},
    "places": {"id", "document", "mention", "name", "country", "lat", "lon"},
    "stories": {"id", "documents"},
    "assessments": {"id", "subject", "origins", "independent_origins", "circular", "credibility", "reasons"},
}


@pytest.fixture(autouse=True)
def shared_pipeline(pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``Pipeline.load`` in a command returns the session's pipeline."""
    from claimgraph.pipeline import Pipeline

    monkeypatch.setattr(Pipeline, "load", classmethod(lambda cls, model="": pipeline))
    monkeypatch.delenv("CLAIMGRAPH_DB", raising=False)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    directory = tmp_path / "in"
    shutil.copytree(ARTICLES, directory)
    return directory


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def analyzed(tmp_path: Path, inputs: Path) -> Path:
    """A store holding the fixture articles."""
    db = tmp_path / "store.db"
    result = invoke("analyze", str(inputs), "--db", str(db), "--quiet", "--format", "json", "-o", "-")
    assert result.exit_code == 0, result.output
    return db


def check_structure(data: Any) -> None:
    assert isinstance(data, dict)
    assert set(data) == set(REQUIRED)
    for key, keys in REQUIRED.items():
        assert isinstance(data[key], list), key
        for obj in data[key]:
            assert keys <= set(obj), (key, keys - set(obj))


# --- analyze ----------------------------------------------------------------------------


def test_analyze_json_follows_the_contract(tmp_path: Path, inputs: Path) -> None:
    result = invoke("analyze", str(inputs), "--db", str(tmp_path / "s.db"), "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    check_structure(data)
    assert len(data["documents"]) == ARTICLE_COUNT
    assert data["claims"]
    texts = {d["id"]: d["text"] for d in data["documents"]}
    for claim in data["claims"]:
        for span in [*claim["content"], *claim["cue"], *claim["source_mentions"]]:
            assert texts[claim["document"]][span["start"] : span["end"]] == span["text"]
    assert f"{ARTICLE_COUNT} documents ({ARTICLE_COUNT} analyzed, 0 already stored)" in result.stderr


@pytest.mark.shared
def test_analyze_json_validates_against_the_shared_schema(tmp_path: Path, inputs: Path) -> None:
    if not SCHEMA.is_file():
        pytest.skip(f"contract schema not found at {SCHEMA} (../shared beside the repository)")
    jsonschema = pytest.importorskip("jsonschema")
    result = invoke("analyze", str(inputs), "--no-store", "--format", "json", "--quiet")
    assert result.exit_code == 0, result.output
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(result.stdout), schema)


def test_analyze_jsonl_tags_every_record(inputs: Path) -> None:
    result = invoke("analyze", str(inputs), "--no-store", "--format", "jsonl", "--quiet")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records
    assert all(r["type"] in {"document", "source", "claim", "event", "place"} for r in records)
    assert sum(r["type"] == "document" for r in records) == ARTICLE_COUNT
    assert any(r["type"] == "claim" for r in records)


def test_analyze_table_names_the_sources(inputs: Path) -> None:
    result = invoke("analyze", str(inputs / "pier.txt"), "--no-store", "--quiet")
    assert result.exit_code == 0, result.output
    assert "North pier stays closed after inspection" in result.stdout
    assert "Reuters" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal


def test_analyze_writes_output_html_and_failures_files(tmp_path: Path, inputs: Path) -> None:
    (inputs / "broken.txt").write_bytes(b"The pier \xff\xfe is closed.")
    out, page, failures = tmp_path / "out.json", tmp_path / "report.html", tmp_path / "failed.jsonl"
    result = invoke(
        "analyze",
        str(inputs),
        "--no-store",
        "--quiet",
        "--format",
        "json",
        "-o",
        str(out),
        "--html",
        str(page),
        "--failures",
        str(failures),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    check_structure(json.loads(out.read_text(encoding="utf-8")))
    html = page.read_text(encoding="utf-8")
    assert '<meta http-equiv="Content-Security-Policy"' in html
    assert "North pier stays closed after inspection" in html
    (line,) = failures.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert Path(record["path"]).name == "broken.txt"
    assert record["line"] is None
    assert "UTF-8" in record["problem"]
    assert "broken.txt" in result.stderr
    assert f"{ARTICLE_COUNT} documents" in result.stderr and "1 skipped" in result.stderr


def test_analyze_unwritable_output_is_a_usage_error(tmp_path: Path, inputs: Path) -> None:
    target = tmp_path / "missing-dir" / "out.json"
    result = invoke("analyze", str(inputs / "pier.txt"), "--no-store", "--quiet", "-o", str(target))
    assert result.exit_code == 1
    assert "Could not open file" in result.stderr
    assert str(target) in result.stderr


def test_analyze_progress_goes_to_stderr_only(tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for n in range(7):  # more than PROGRESS_MIN_DOCUMENTS, so the bar is shown
        (many / f"notice{n}.txt").write_text(
            f"Notice {n}\n\nThe harbour office said berth {n} would close on Friday.\n", encoding="utf-8"
        )
    result = invoke("analyze", str(many), "--no-store", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["documents"]) == 7
    assert "analyze" in result.stderr and "7/7" in result.stderr


def test_analyze_reads_stdin(tmp_path: Path) -> None:
    text = "Harbour master Leo Dunn said the pier was safe.\n"
    result = invoke("analyze", "-", "--no-store", "--format", "json", "--quiet", input=text)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (document,) = data["documents"]
    assert document["path"] == "-"
    assert document["text"] == text
    (claim,) = data["claims"]
    assert [s["text"] for s in claim["cue"]] == ["said"]


def test_analyze_with_only_bad_inputs_exits_1(tmp_path: Path) -> None:
    missing = tmp_path / "absent.txt"
    result = invoke("analyze", str(missing), "--no-store", "--quiet")
    assert result.exit_code == 1
    assert str(missing) in result.stderr


def test_analyze_twice_reuses_the_store(tmp_path: Path, inputs: Path) -> None:
    db = analyzed(tmp_path, inputs)
    result = invoke("analyze", str(inputs), "--db", str(db), "--quiet", "--format", "json")
    assert f"({0} analyzed, {ARTICLE_COUNT} already stored)" in result.stderr
    assert len(json.loads(result.stdout)["documents"]) == ARTICLE_COUNT


# --- report and explain ---------------------------------------------------------------------


def test_report_prints_what_the_store_holds(tmp_path: Path, inputs: Path) -> None:
    db = analyzed(tmp_path, inputs)
    table = invoke("report", "--db", str(db))
    assert table.exit_code == 0, table.output
    assert "Reuters" in table.stdout
    assert "Fish market to move" in table.stdout
    data = json.loads(invoke("report", "--db", str(db), "--format", "json").stdout)
    check_structure(data)
    assert len(data["documents"]) == ARTICLE_COUNT


def test_report_reads_the_db_from_the_environment(
    tmp_path: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = analyzed(tmp_path, inputs)
    monkeypatch.setenv("CLAIMGRAPH_DB", str(db))
    data = json.loads(invoke("report", "--format", "json").stdout)
    assert len(data["documents"]) == ARTICLE_COUNT


def test_explain_prints_rule_cue_and_chain(tmp_path: Path, inputs: Path) -> None:
    db = analyzed(tmp_path, inputs)
    data = json.loads(invoke("report", "--db", str(db), "--format", "json").stdout)
    names = {s["id"]: s["name"] or s["descriptor"] for s in data["sources"]}
    claim = next(c for c in data["claims"] if len(c["chain"]) == 2)
    result = invoke("explain", claim["id"], "--db", str(db))
    assert result.exit_code == 0, result.output
    assert f"claim {claim['id']}" in result.stdout
    assert f"rule:    {claim['explanation']['rule']}" in result.stdout
    assert f"cue lemma {claim['explanation']['cue']!r}" in result.stdout
    assert "chain:   " + " → ".join(names[i] for i in claim["chain"]) in result.stdout


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["claimgraph", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    code = exit_info.value.code
    return code if isinstance(code, int) else 1


def test_explain_unknown_claim_is_one_line_and_exit_2(
    tmp_path: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = analyzed(tmp_path, inputs)
    capsys.readouterr()
    report = json.loads(invoke("report", "--db", str(db), "--format", "json").stdout)
    document_id = report["documents"][0]["id"]
    for claim_id in (f"{document_id}/c999", "doc-0000000000000000/c1"):
        assert run_main(monkeypatch, "explain", claim_id, "--db", str(db)) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        (line,) = captured.err.splitlines()
        assert line.startswith("claimgraph: no claim ")
        assert claim_id in line


def test_console_script_turns_library_errors_into_exit_2(tmp_path: Path) -> None:
    if not CONSOLE_SCRIPT.is_file():
        pytest.skip(f"console script not installed at {CONSOLE_SCRIPT}")
    db = tmp_path / "empty.db"
    result = subprocess.run(
        [str(CONSOLE_SCRIPT), "explain", "doc-0000000000000000/c1", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("claimgraph: no claim 'doc-0000000000000000/c1'")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


# --- eval -------------------------------------------------------------------------------------


def test_eval_seeds_prints_figures() -> None:
    result = invoke("eval", "seeds", str(EVAL_SHARED / "eval" / "seeds.gold.json"))
    assert result.exit_code == 0, result.output
    for name in ("seeds.claims.found", "seeds.sources.found", "seeds.noise.recall", "seeds.claims.chain"):
        line = next(line for line in result.stdout.splitlines() if line.startswith(name + " "))
        value = float(line.split()[-1].rstrip("%"))
        assert 0.0 <= value <= 100.0


def gate(tmp_path: Path, floors: dict[str, float]) -> Result:
    path = tmp_path / "floors.json"
    path.write_text(json.dumps(floors), encoding="utf-8")
    return invoke("eval", "gate", "--shared", str(EVAL_SHARED), "--floors", str(path))


def figures_of(output: str) -> dict[str, float]:
    out = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].endswith("%") and "." in parts[0]:
            out[parts[0]] = float(parts[1].rstrip("%")) / 100
    return out


def test_eval_gate_passes_at_zero_and_fails_above_a_figure(tmp_path: Path) -> None:
    passed = gate(tmp_path, {"seeds.claims.found": 0.0, "polnear.cue.exact.f1": 0.0})
    assert passed.exit_code == 0, passed.output
    assert passed.stdout.rstrip().endswith("gate: passed")
    figures = figures_of(passed.stdout)
    assert "polnear.cue.exact.f1" in figures and "seeds.claims.found" in figures
    below_one = next(name for name, value in figures.items() if value < 1.0)
    failed = gate(tmp_path, {below_one: 1.0})
    assert failed.exit_code == 1
    assert f"FAIL {below_one}: " in failed.stdout
    assert failed.stdout.rstrip().endswith("gate: FAILED")


def test_eval_gate_rejects_a_floor_above_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    floors = tmp_path / "floors.json"
    floors.write_text('{"seeds.claims.found": 1.01}', encoding="utf-8")
    code = run_main(monkeypatch, "eval", "gate", "--shared", str(EVAL_SHARED), "--floors", str(floors))
    assert code == 2
    err = capsys.readouterr().err
    assert "seeds.claims.found" in err and "between 0 and 1" in err


def test_eval_gate_without_shared_data_skips(tmp_path: Path) -> None:
    result = invoke("eval", "gate", "--shared", str(tmp_path / "absent"))
    assert result.exit_code == 0
    assert "gate skipped" in result.stderr


# --- settings and version ----------------------------------------------------------------


def test_settings_lists_every_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMGRAPH_DB", "/tmp/from-env.db")
    result = invoke("settings")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    db_line = next(line for line in lines if line.startswith("db "))
    assert "CLAIMGRAPH_DB" in db_line and "/tmp/from-env.db" in db_line
    assert any("CLAIMGRAPH_MODEL" in line for line in lines)


def test_version() -> None:
    from claimgraph import __version__

    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_analysis_type_is_the_model_one() -> None:
    # the JSON printed by the CLI is Analysis.to_json(): an empty analysis has every key
    check_structure(Analysis().to_json())


def test_stories_links_the_store_and_keeps_the_result(tmp_path: Path) -> None:
    db = str(tmp_path / "linked.db")
    examples = REPO / "examples" / "articles"
    assert invoke("analyze", str(examples), "--db", db, "--format", "json", "--quiet").exit_code == 0
    result = invoke("stories", "--db", db, "--format", "json")
    assert result.exit_code == 0, result.output
    linked = json.loads(result.stdout)
    assert linked["stories"] and linked["assessments"]
    # the stories were stored: a plain report of the store now carries them
    stored = json.loads(invoke("report", "--db", db, "--format", "json").stdout)
    assert {s["id"] for s in stored["stories"]} == {s["id"] for s in linked["stories"]}
    assert all(s["key"] for s in linked["sources"] if not s["anonymous"] and s["name"])
