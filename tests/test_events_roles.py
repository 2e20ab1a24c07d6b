"""What a person was involved in is their role, not an event told here (liaison.extract.events)."""

from __future__ import annotations

import datetime as dt

from liaison.extract.pipeline import extract


def test_operations_a_person_was_involved_in_are_no_event(nlp):
    text = "Abu Sayyaf was involved in ISIL's military operations, the defense secretary said."
    x = extract(nlp, text, dt.date(2015, 5, 16))
    assert not [e for e in x.events if e.type == "military_operation"]
