"""The data files that drive the rules, loaded once per process."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any


def data_text(name: str) -> str:
    return resources.files("liaison.extract").joinpath("data", name).read_text(encoding="utf-8")


@cache
def load_json(name: str) -> Any:
    return json.loads(data_text(name))


@lru_cache(maxsize=1)
def actors() -> list[dict[str, Any]]:
    """Curated actors: canonical name, Liaison type and aliases (data/actors.jsonl)."""
    out = []
    for n, line in enumerate(data_text("actors.jsonl").splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as err:  # a broken data file is a developer error: say where
                raise ValueError(f"data/actors.jsonl line {n}: {err}") from None
    return out


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Compare names without case, accents, quotes, hyphens or a leading article."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    text = re.sub(r"[\-\u2010\u2013_]", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .,;:'\"()[]")
    text = re.sub(r"\b([a-z])\. (?=[a-z]\.)", r"\1.", text)  # "U. S. Army" is "U.S. Army"
    return re.sub(r"^the ", "", text)


_PARTICLES = {"al", "el", "ul", "bin", "ibn", "abu", "de", "van", "von", "der", "the"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


@lru_cache(maxsize=100_000)
def name_key(text: str) -> tuple[str, ...]:
    """A person's name as tokens without particles, apostrophes or a suffix: 'Ahmad Al Shara' ->
    ('ahmad', 'shara'), 'Lloyd J. Austin III' -> ('lloyd', 'j.', 'austin')."""
    toks = [t.replace("'", "").rstrip(",") for t in fold(text).split()]
    kept = tuple(t for t in toks if t not in _PARTICLES and t.rstrip(".") not in _SUFFIXES)
    return kept or tuple(toks)
