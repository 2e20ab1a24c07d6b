"""What an operation is "anti-" or "counter-" is its target, not its actor (liaison.extract.events)."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract


def test_the_name_after_anti_in_an_operation_noun_is_its_target(nlp):
    text = "US Central Command said the anti-ISIS operations in Syria killed five fighters on Monday."
    x = extract(nlp, text, dt.date(2025, 11, 13))
    by_key = {e.key: e.canonical for e in x.entities}
    ops = [e for e in x.events if e.type in ("military_operation", "raid_or_arrest", "airstrike")]
    assert ops
    assert all("Islamic State" not in {by_key.get(a) for a in e.actors} for e in ops)
    assert any("Islamic State" in {by_key.get(t) for t in e.targets} for e in ops)
