"""The JSON API against its own OpenAPI document, schemathesis-style: every GET
operation is called with edge and hostile values drawn from each parameter's declared
schema; no call may fail with a server error, and every 200 body must validate against
the response schema the document declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
jsonschema = pytest.importorskip("jsonschema")

from fastapi.testclient import TestClient  # noqa: E402

from claimgraph.web.app import create_app  # noqa: E402
from webstore import Fixture, fill_store  # noqa: E402

HOSTILE_STRINGS = [
    "",
    " ",
    "' OR 1=1 --",
    '"unbalanced',
    "NEAR(a b) * -x col:y ^z",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "%00",
    "\u202e\u0645\u0631\u062d\u0628\u0627 \U0001f4a5",
    "../../etc/passwd",
    "2024-13-45",
]
ACCEPTED = {200, 400, 404, 422}


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return fill_store(f"sqlite:///{tmp_path_factory.mktemp('api') / 'api.db'}")


@pytest.fixture(scope="module")
def client(filled: Fixture) -> Any:
    with TestClient(create_app(filled.url, None)) as c:
        yield c


@pytest.fixture(scope="module")
def spec(client: Any) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def _types(schema: dict[str, Any]) -> set[str]:
    options = schema.get("anyOf", [schema])
    return {o.get("type", "string") for o in options}


def _max_length(schema: dict[str, Any]) -> int | None:
    for option in schema.get("anyOf", [schema]):
        if "maxLength" in option:
            return int(option["maxLength"])
    return None


def values_for(schema: dict[str, Any]) -> list[str]:
    """Edge and hostile values for one parameter, from its declared schema."""
    values: list[str] = []
    types = _types(schema)
    if "integer" in types:
        low = schema.get("minimum", 0)
        high = schema.get("maximum", 10**6)
        values += [str(low), str(int(low) - 1), str(high), str(int(high) + 1), "10000000000000000000", "abc"]
    if "string" in types:
        values += HOSTILE_STRINGS
        limit = _max_length(schema)
        if limit is not None:
            values += ["x" * limit, "x" * (limit + 1)]
    return values


def _operations(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, ops["get"]) for path, ops in spec["paths"].items() if "get" in ops]


def _response_schema(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if not schema:
        return None
    # refs point at #/components/...: validate inside a document that carries them
    return {**schema, "components": spec.get("components", {})}


def test_every_parameter_survives_edge_and_hostile_values(
    client: Any, spec: dict[str, Any], filled: Fixture
) -> None:
    document_id = filled.analyses[0].document.id
    calls = 0
    for path, operation in _operations(spec):
        concrete = path.replace("{document_id}", document_id)
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            for value in values_for(parameter.get("schema", {})):
                response = client.get(concrete, params={parameter["name"]: value})
                calls += 1
                assert response.status_code in ACCEPTED, (path, parameter["name"], value, response.text[:300])
                assert response.status_code != 200 or response.headers["content-type"].split(";")[0] in (
                    "application/json",
                    "text/csv",
                    "application/geo+json",
                    "application/x-ndjson",
                    "application/xml",
                    "application/graphml+xml",
                    "text/plain",
                ), (path, response.headers["content-type"])
    assert calls > 100


def test_path_parameters_survive_hostile_values(client: Any, spec: dict[str, Any]) -> None:
    paths = [path for path, _ in _operations(spec) if "{document_id}" in path]
    assert paths, "no operation takes a document_id: nothing was probed"
    for path in paths:
        for value in HOSTILE_STRINGS[1:]:
            response = client.get(path.replace("{document_id}", value.replace("/", "%2F")))
            assert response.status_code in ACCEPTED, (path, value, response.text[:300])


def test_every_200_body_validates_against_its_declared_schema(
    client: Any, spec: dict[str, Any], filled: Fixture
) -> None:
    document = filled.analyses[0].document
    word = max(document.text.split(), key=len).strip(".,;:!?\"'“”")  # a word the search must find
    checked = 0
    for path, operation in _operations(spec):
        schema = _response_schema(spec, operation)
        if schema is None:
            continue
        params = {"q": word} if path == "/api/search" else {}
        response = client.get(path.replace("{document_id}", document.id), params=params)
        assert response.status_code == 200, (path, response.text[:300])
        body = response.json()
        jsonschema.validate(body, schema)
        if isinstance(body, dict) and "items" in body:
            assert body["items"], f"{path}: an empty page validates against any item schema"
        checked += 1
    assert checked >= 8


CONTRACT = Path(__file__).resolve().parents[1].parent / "shared" / "contract" / "analysis.schema.json"


@pytest.mark.shared
@pytest.mark.parametrize("kind", ["sources", "claims", "events", "places", "stories", "assessments"])
def test_list_items_follow_the_json_contract(client: Any, kind: str) -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"the JSON contract is not at {CONTRACT} (../shared is absent)")
    contract = json.loads(CONTRACT.read_text(encoding="utf-8"))
    item_schema = {**contract["properties"][kind]["items"], "$defs": contract.get("$defs", {})}
    items = client.get(f"/api/{kind}", params={"limit": 200}).json()["items"]
    assert items, kind
    for item in items:
        jsonschema.validate(item, item_schema)
