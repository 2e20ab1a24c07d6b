"""Each source's figures and dates for a story are kept side by side, and flagged where they disagree."""

from __future__ import annotations

import datetime as dt

from liaison.fuse.claims import claims, conflicts, date_value
from liaison.fuse.records import EventReport, StoryLink

D = dt.date(2025, 1, 3)


def report(doc: str, *, quantities: tuple = (), day: dt.date | None = D, end: dt.date | None = None,
           source: str | None = None, published: dt.date | None = dt.date(2025, 1, 5)) -> EventReport:
    return EventReport(doc, 0, "troop_deployment", day, end, "country:syria", (), ("country:us",), (),
                       quantities, source, published)


def one_story(*reports: EventReport) -> dict[tuple[str, int], StoryLink]:
    first = reports[0]
    return {r.ref: StoryLink(r.ref, f"{first.document}:0", "self" if r is first else "same-happening")
            for r in reports}


def field(found, name):
    return [c for c in found if c.field == name]


def test_two_sources_giving_one_figure_agree():
    rs = (report("a", quantities=(("troops", 2000),)), report("b", quantities=(("troops", 2000),)))
    got = field(claims(rs, one_story(*rs)), "troops")
    assert [(c.value, c.ref, c.conflict) for c in got] == [("2000", ("a", 0), False), ("2000", ("b", 0), False)]


def test_two_sources_giving_other_figures_are_both_kept_and_flagged():
    rs = (report("a", quantities=(("troops", 1500),)), report("b", quantities=(("troops", 2000),)))
    got = field(claims(rs, one_story(*rs)), "troops")
    assert sorted(c.value for c in got) == ["1500", "2000"]
    assert all(c.conflict for c in got)


def test_a_range_and_an_approximate_figure_with_one_upper_bound_agree():
    # "around 2,000 soldiers" and "between 1,500 and 2,000 US troops": both quote 2000
    rs = (report("a", quantities=(("troops", 2000),)), report("b", quantities=(("troops", 2000),)))
    assert not conflicts(claims(rs, one_story(*rs)))


def test_a_conflict_on_one_figure_leaves_the_others_unflagged():
    rs = (report("a", quantities=(("killed", 5), ("wounded", 3))),
          report("b", quantities=(("killed", 7), ("wounded", 3))))
    got = claims(rs, one_story(*rs))
    assert all(c.conflict for c in field(got, "killed"))
    assert not any(c.conflict for c in field(got, "wounded"))


def test_every_claim_of_a_disputed_field_is_flagged_even_those_that_agree_with_one_another():
    rs = (report("a", quantities=(("killed", 5),)), report("b", quantities=(("killed", 5),)),
          report("c", quantities=(("killed", 9),)))
    assert [c.conflict for c in field(claims(rs, one_story(*rs)), "killed")] == [True, True, True]


def test_a_figure_only_one_source_gives_is_a_claim_without_conflict():
    rs = (report("a", quantities=(("captured", 2),)), report("b"))
    got = field(claims(rs, one_story(*rs)), "captured")
    assert [(c.value, c.ref, c.conflict) for c in got] == [("2", ("a", 0), False)]


def test_dates_whose_intervals_overlap_agree():
    rs = (report("a", day=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31)), report("b", day=D))
    got = field(claims(rs, one_story(*rs)), "date")
    assert [(c.value, c.conflict) for c in got] == [("2025-01-01/2025-01-31", False), ("2025-01-03", False)]


def test_dates_that_do_not_overlap_disagree():
    rs = (report("a", day=D), report("b", day=D + dt.timedelta(days=1)))
    assert all(c.conflict for c in field(claims(rs, one_story(*rs)), "date"))


def test_a_report_without_a_date_makes_no_date_claim():
    rs = (report("a"), report("b", day=None))
    assert [c.ref for c in field(claims(rs, one_story(*rs)), "date")] == [("a", 0)]


def test_a_claim_carries_its_source_and_publication_date():
    rs = (report("a", quantities=(("troops", 2000),), source="the Pentagon", published=dt.date(2025, 1, 4)),)
    (claim,) = field(claims(rs, one_story(*rs)), "troops")
    assert (claim.story, claim.source, claim.published) == ("a:0", "the Pentagon", dt.date(2025, 1, 4))


def test_reports_of_different_stories_never_conflict():
    a, b = report("a", quantities=(("killed", 5),)), report("b", quantities=(("killed", 7),))
    assert not conflicts(claims([a, b], {}))  # unlinked: each its own story


def test_claims_come_in_story_field_and_publication_order():
    late = report("a", quantities=(("killed", 5),), published=dt.date(2025, 1, 9))
    early = report("b", quantities=(("killed", 7),), published=dt.date(2025, 1, 4))
    got = claims([late, early], one_story(late, early))
    assert [(c.field, c.ref) for c in got] == [("date", ("b", 0)), ("date", ("a", 0)),
                                               ("killed", ("b", 0)), ("killed", ("a", 0))]


def test_a_day_and_an_interval_are_written_as_iso_values():
    assert date_value(report("a")) == "2025-01-03"
    assert date_value(report("a", end=dt.date(2025, 1, 5))) == "2025-01-03/2025-01-05"
    assert date_value(report("a", day=None)) is None


def test_claims_follow_the_stories_fusion_found():
    from liaison.fuse.events import fuse_events

    rs = (report("a", quantities=(("troops", 1500),)), report("b", quantities=(("troops", 2000),)))
    got = field(claims(rs, fuse_events(rs)), "troops")
    assert {c.story for c in got} == {"a:0"} and all(c.conflict for c in got)
