"""The data a component is configured with: a packaged data file by name, or a file of one's own.

Each Liaison component names its data in its spaCy config ("rules": "events.json"), so the
packaged rule tables are the default and a caller (a test, a deployment with a lexicon of its
own) can hand a component other data without touching the package:

    nlp.add_pipe("liaison_events", config={"rules": "/path/to/tiny-events.json"})
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from liaison.errors import ConfigError
from liaison.extract.lexicon import load_json


@cache
def component_data(ref: str) -> Any:
    """The JSON data ``ref`` names: a file of the package's data folder (a bare name such as
    "events.json"), or a path to a file of one's own."""
    if "/" not in ref and "\\" not in ref:
        return load_json(ref)
    path = Path(ref)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ConfigError(f"cannot read this component data file ({err})", str(path),
                          "Give a JSON file like the packaged one in liaison/extract/data") from None
