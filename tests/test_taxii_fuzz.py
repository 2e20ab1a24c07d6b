"""schemathesis against the app's own OpenAPI description: whatever it sends, no 5xx, and every
error is a TAXII error resource."""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from conftest import BACKENDS, backend_database
from liaison.settings import Settings
from liaison.share.app import TAXII, create_app
from liaison.store import open_store
from liaison.store.sharing import Sharing

_STATE: dict = {}


def _app(tmp_path_factory, database_url: str):  # noqa: ANN202
    if _STATE.get("url") != database_url:  # once per backend
        _STATE["url"] = database_url
        home = tmp_path_factory.mktemp("fuzz")
        store = open_store(Settings(database_url=database_url).resolved_database_url())
        store.delete_all()
        sharing = Sharing(store)
        sharing.add_partner("fuzzer", "Fuzzer")
        _STATE["token"] = sharing.issue_token("fuzzer")
        col = sharing.add_collection("fuzz", "Fuzz", default_tlp="green")
        sharing.grant(col["id"], "fuzzer", True, True)
        _STATE["app"] = create_app(Settings(home=home, database_url=database_url))
    return _STATE["app"]


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_database_url(request, tmp_path_factory):  # noqa: ANN201
    with backend_database(request, request.param, tmp_path_factory.mktemp("fuzzdb")) as url:
        yield url


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, fuzz_database_url):
    return schemathesis.openapi.from_asgi("/openapi.json", _app(tmp_path_factory, fuzz_database_url))


def _check(case) -> None:  # noqa: ANN001
    for auth in ({"Authorization": f"Bearer {_STATE['token']}"}, {}):
        response = case.call(headers={"Accept": TAXII, **auth})
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:300])
        if response.status_code >= 400:
            ctype = response.headers["content-type"]
            assert (ctype[0] if isinstance(ctype, list) else ctype).replace(" ", "") == TAXII
            body = json.loads(response.text)
            assert body["http_status"] == str(response.status_code) and body["title"]


def test_no_request_makes_the_server_fail(api_schema):
    """Every operation of the OpenAPI description, 30 valid and 30 invalid generated requests each (schemathesis's pytest
    plugin does not load under pytest 9, so its strategies are driven by hypothesis directly)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    tried = negative_unsatisfiable = 0
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))(
                given(case=operation.as_strategy(generation_mode=mode))(_check))
            try:
                run()
            except Unsatisfiable:
                if mode is GenerationMode.POSITIVE:
                    raise
                negative_unsatisfiable += 1  # an operation without parameters has no invalid form
        tried += 1
    assert tried == len(operations) and negative_unsatisfiable < len(operations)
