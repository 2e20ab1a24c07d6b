"""Exports: a STIX bundle every validator accepts, and evaluation JSON the shared scorer reads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import stix2

import liaison.stix.event  # noqa: F401  (registers the incident-core event type with stix2)
from conftest import EXAMPLES, SHARED, TEST_DOCS, TEST_GOLD, run_cli, shared_examples
from liaison.stix.validate import validate_objects


def test_stix_bundle_from_all_test_documents_has_zero_validator_errors(cli_env, tmp_path: Path):
    paths = [str(TEST_DOCS), str(EXAMPLES)]
    if (SHARED / "examples").is_dir():
        paths.append(str(SHARED / "examples"))
    res = run_cli(["ingest", *paths], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    out = tmp_path / "bundle.json"
    res = run_cli(["export", "--format", "stix", "--out", str(out)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    bundle = json.loads(out.read_text())
    assert bundle["type"] == "bundle" and bundle["objects"]
    assert validate_objects(bundle["objects"]) == []
    types = {o["type"] for o in bundle["objects"]}
    assert {"report", "identity", "location", "event", "relationship", "extension-definition"} <= types
    # Events, relationships and reports are written as dicts, not through stix2: each must be
    # exactly what stix2 makes of it when it parses and re-checks it.
    for obj in bundle["objects"]:
        assert json.loads(stix2.parse(obj, allow_custom=False).serialize()) == obj, obj["id"]
    reports = [o for o in bundle["objects"] if o["type"] == "report"]
    assert len(reports) == len(list(TEST_DOCS.iterdir())) + len(list(EXAMPLES.iterdir())) + (
        2 if (SHARED / "examples").is_dir() else 0)
    # What was extracted is created by this installation's own organisation, named once in the bundle.
    org = next(o for o in bundle["objects"] if o["id"] == reports[0]["created_by_ref"])
    assert org["identity_class"] == "organization" and org["id"] in run_cli(["organisation"], cli_env).stdout.decode()
    assert {r["created_by_ref"] for r in reports} == {org["id"]}


def test_reingest_is_idempotent_in_stix_ids(cli_env, tmp_path: Path):
    assert run_cli(["ingest", str(EXAMPLES)], cli_env).returncode == 0
    a = tmp_path / "a.json"
    assert run_cli(["export", "--format", "stix", "--out", str(a)], cli_env).returncode == 0
    assert run_cli(["ingest", str(EXAMPLES)], cli_env).returncode == 0
    b = tmp_path / "b.json"
    assert run_cli(["export", "--format", "stix", "--out", str(b)], cli_env).returncode == 0
    ids_a = sorted((o["id"], o.get("modified", "")) for o in json.loads(a.read_text())["objects"])
    ids_b = sorted((o["id"], o.get("modified", "")) for o in json.loads(b.read_text())["objects"])
    assert ids_a == ids_b


def _score(gold: Path, pred: Path) -> dict:
    res = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), str(gold), str(pred), "--json"],
                         capture_output=True, check=True)
    return json.loads(res.stdout.decode().rsplit("\nsummary:", 1)[0])


@pytest.mark.parametrize("which", ["tests", "shared"])
def test_eval_json_export_meets_the_quality_floor(cli_env, tmp_path: Path, which: str):
    """A regression floor a little under the scores in bench/RESULTS.md: a rule change that
    loses quality fails here, one that gains it raises the floor."""
    if not (SHARED / "eval" / "score.py").exists():
        pytest.skip("../shared/eval is not beside this checkout")
    docs, gold = (TEST_DOCS, TEST_GOLD) if which == "tests" else (shared_examples(), SHARED / "eval" / "gold")
    assert run_cli(["ingest", str(docs)], cli_env).returncode == 0
    out = tmp_path / "pred"
    res = run_cli(["export", "--format", "eval-json", "--out", str(out)], cli_env)
    assert res.returncode == 0, res.stderr.decode()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in gold.iterdir())
    scores = _score(gold, out)
    assert scores["entity_f1"] >= 0.84
    assert scores["event_f1"] >= 0.84
    # The two shared articles have three attributed gold events, so one event is a third of the
    # figure: the trained event filter drops one of them ("co-operation, centred on sharing
    # intelligence, has been going on", which it reads as background) while it gains on the real
    # documents kept aside (bench/RESULTS.md). The fictional set keeps the old floor.
    assert scores["attribution_acc"] >= (0.78 if which == "tests" else 0.65)
