"""Start-up stays lean: commands that do not extract never import spaCy, and a fresh home loads the
place index the installation built once instead of building its own."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import LIAISON, TEST_DOCS, free_port
from liaison.extract import gazetteer
from liaison.extract.gazetteer import Known, PlaceIndex

# Runs the CLI's main in this interpreter, then reports whether spaCy (or Liaison's extraction
# pipeline) was imported, on the last line of standard error.
_PROBE = """
import json, sys
from liaison.cli import main
sys.argv = ["liaison", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as exc:
    code = exc.code or 0
heavy = sorted(m for m in ("spacy", "thinc", "liaison.extract.pipeline") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def _fresh_env(home: Path) -> dict[str, str]:
    """A home with nothing in it: no store, no cache folder (conftest's home_env links one in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env.update(LIAISON_HOME=str(home), COLUMNS="200", LIAISON_PORT=str(free_port()))
    return env


def _probe(args: list[str], env: dict[str, str], cwd: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", _PROBE, *args], env=env, cwd=cwd, capture_output=True, timeout=300)
    return json.loads(res.stderr.decode().strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["documents"], ["entities"], ["events", "--json"], ["partners", "list"],
                                  ["collections", "list"], ["organisation"], ["serve", "--check"],
                                  ["export", "--format", "stix", "--out", "bundle.json"]],
                         ids=lambda a: " ".join(a))
def test_a_command_that_does_not_extract_never_imports_spacy(tmp_path: Path, args: list[str]):
    found = _probe(args, _fresh_env(tmp_path / "home"), tmp_path)
    assert found == {"code": 0, "heavy": []}


def test_ingest_does_import_spacy_so_the_probe_can_see_it(tmp_path: Path):
    doc = sorted(TEST_DOCS.glob("*.json"))[0]
    found = _probe(["ingest", str(doc), "--workers", "1"], _fresh_env(tmp_path / "home"), tmp_path)
    assert found["code"] == 0 and "spacy" in found["heavy"]


def test_a_fresh_home_loads_the_installations_prebuilt_place_index(tmp_path: Path):
    # What `make setup` runs; a no-op when the cache is already there.
    prep = subprocess.run([sys.executable, "-m", "liaison.cli.prepare"], env=_fresh_env(tmp_path / "setup"),
                          cwd=tmp_path, capture_output=True, timeout=300)
    assert prep.returncode == 0, prep.stderr.decode()
    assert str(Path(sys.prefix) / "var" / "cache" / "liaison") in prep.stderr.decode()
    home = tmp_path / "home"
    res = subprocess.run([LIAISON, "ingest", str(sorted(TEST_DOCS.glob("*.json"))[0]), "--workers", "1"],
                         env=_fresh_env(home), cwd=tmp_path, capture_output=True, timeout=300)
    assert res.returncode == 0, res.stderr.decode()
    assert "building the place index" not in res.stderr.decode()
    assert not (home / "cache").exists()  # nothing built in the home


# ---------------------------------------------------------------- the place index's disk cache

_GAO = Known("Gao", "place", "geonames", 16.27, -0.04, "ML", 2457163, feature="populated_place", population=86633)
_GAO_SPAIN = Known("Gao", "place", "geonames", 43.1, -8.0, "ES", 1, feature="populated_place", population=600)


def test_the_place_index_comes_back_from_its_rows_as_the_same_places():
    built = PlaceIndex.of({"gao": (_GAO, _GAO_SPAIN), "gao city": (_GAO,)})
    loaded = PlaceIndex(*pickle.loads(pickle.dumps((built.fields, built.rows, built.keys))))
    assert loaded["gao"] == (_GAO, _GAO_SPAIN) and loaded.get("gao city") == (_GAO,)
    assert loaded["gao city"][0] is loaded["gao"][0]  # one object per place, whichever name found it
    assert loaded.get("timbuktu", ()) == () and "timbuktu" not in loaded
    assert sorted(loaded) == ["gao", "gao city"] and len(loaded) == 2
    assert len(built.rows) == 2  # a place under two names is stored once


def test_cached_rows_with_other_fields_than_known_are_refused():
    with pytest.raises(TypeError):
        PlaceIndex(("canonical", "type"), [("Gao", "place")], {"gao": (0,)})


def test_the_cache_goes_to_the_first_folder_that_takes_it_and_old_ones_are_removed(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(gazetteer, "_CACHE_DIRS", [])
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    home = tmp_path / "home-cache"
    home.mkdir()
    for age, name in enumerate(("places-recent.pickle", "places-older.pickle", "places-oldest.pickle")):
        (home / name).write_bytes(b"an index other code built")
        os.utime(home / name, (1e9 - age, 1e9 - age))
    gazetteer.use_cache_dir(blocked / "cache", home)
    gazetteer._write_place_cache(PlaceIndex.of({"gao": (_GAO,)}))
    # The two used last stay, for a second checkout run beside this one.
    assert sorted(p.name for p in home.iterdir()) == sorted(
        [gazetteer.place_cache_name(), "places-recent.pickle", "places-older.pickle"])
    assert gazetteer.place_cache_file() == home / gazetteer.place_cache_name()


def test_the_cache_file_is_named_by_the_code_and_data_it_was_built_from(tmp_path: Path):
    real = Path(gazetteer.__file__)
    copy = tmp_path / "extract"
    (copy / "data").mkdir(parents=True)
    for name in ("gazetteer.py", "lexicon.py"):
        (copy / name).write_bytes((real.parent / name).read_bytes())
    for data in (real.parent / "data").glob("*.json"):
        (copy / "data" / data.name).write_bytes(data.read_bytes())
    name = gazetteer.place_cache_name(copy / "gazetteer.py")
    assert name == gazetteer.place_cache_name() and name.startswith("places-") and name.endswith(".pickle")
    with (copy / "gazetteer.py").open("a") as fh:
        fh.write("\n# another way to build the index\n")
    changed_code = gazetteer.place_cache_name(copy / "gazetteer.py")
    assert changed_code != name
    read = sorted({line.split('load_json("')[1].split('"')[0]
                   for line in (real.read_text().splitlines()) if 'load_json("' in line})
    assert read, "gazetteer.py reads data files through load_json"
    with (copy / "data" / read[0]).open("a") as fh:
        fh.write("\n")
    assert gazetteer.place_cache_name(copy / "gazetteer.py") not in (name, changed_code)
