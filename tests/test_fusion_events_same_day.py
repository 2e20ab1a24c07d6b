"""A violent act or custody aimed at one named person, reported on the same day, is one act even
where nothing else is shared (liaison.fuse.events.judge), and the general vetoes still hold."""

from __future__ import annotations

import datetime as dt

from liaison.fuse.events import fuse_events
from liaison.fuse.records import EventReport

DAY = dt.date(2012, 10, 6)
HAMZA = "per:mustafa kamel mustafa"


def report(doc: str, *, type: str = "raid_or_arrest", day: dt.date | None = DAY, location: str | None = None,
           within: tuple[str, ...] = (), actors: tuple[str, ...] = (), targets: tuple[str, ...] = (HAMZA,),
           published: dt.date | None = DAY) -> EventReport:
    return EventReport(doc, 0, type, day, day, location, within, actors, targets, (), None, published)


def together(*reports: EventReport) -> bool:
    return len({link.story for link in fuse_events(reports).values()}) == 1


def test_an_extradition_of_one_named_person_reported_on_the_same_day_is_one_story():
    release = report("fbi", actors=("per:preet bharara", "loc:united states"),
                     targets=(HAMZA, "per:adel abdel bary", "per:khaled al fawwaz"))
    news = report("voa", location="loc:united kingdom")
    assert together(release, news)


def test_the_same_named_person_on_days_that_do_not_meet_stays_apart():
    assert not together(report("a"), report("b", day=DAY + dt.timedelta(days=5),
                                            published=DAY + dt.timedelta(days=5)))


def test_the_same_named_person_in_two_places_that_differ_stays_apart():
    assert not together(report("a", location="loc:united kingdom"), report("b", location="loc:egypt"))


def test_the_same_named_person_by_two_named_sets_of_actors_needs_more_than_the_day():
    a = report("a", actors=("loc:united kingdom",))
    b = report("b", actors=("loc:pakistan",))
    assert not together(a, b)


def test_the_same_named_person_as_one_side_s_actor_and_the_other_s_target_stays_apart():
    a = report("a", type="attack", actors=(HAMZA,), targets=())
    b = report("b", type="attack")
    assert not together(a, b)


def test_a_named_organisation_alone_on_the_same_day_is_not_enough():
    assert not together(report("a", targets=("org:al qaeda",)), report("b", targets=("org:al qaeda",)))


def test_an_arrest_and_a_strike_on_the_same_person_that_day_stay_apart():
    assert not together(report("a"), report("b", type="airstrike"))
