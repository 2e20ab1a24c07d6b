"""The OASIS incident-core `event` SDO, registered with the stix2 library.

STIX 2.1 has no object for "something happened at a time and place" outside cyber
sightings; the incident-core Event extension (a `new-sdo` extension, published by the OASIS
CTI TC) is the standard-track one, so Liaison uses it instead of inventing an `x-` type.

Registering the type with stix2 (rather than writing the dict by hand) buys two things:
stix2 checks the event's own properties (status vocabulary, timestamps), and it stops
treating `event--` ids as unknown custom content, so `Relationship` and `Report` accept
references to events without `allow_custom=True`. The property list follows the OASIS
JSON Schema for the extension.
"""

from __future__ import annotations

import datetime as dt

from stix2.properties import EnumProperty, ListProperty, ReferenceProperty, StringProperty, TimestampProperty
from stix2.v21 import CustomObject

from liaison.stix.extension import EVENT_EXTENSION_ID

EVENT_STATUS = ("ongoing", "occurred", "not-occurred", "pending", "undetermined")
TIME_FIDELITY = ("second", "minute", "hour", "day", "month", "year")


@CustomObject(
    "event",
    [
        ("status", EnumProperty(list(EVENT_STATUS), required=True)),
        ("name", StringProperty()),
        ("description", StringProperty()),
        ("event_types", ListProperty(StringProperty)),
        ("goal", StringProperty()),
        ("start_time", TimestampProperty()),
        ("start_time_fidelity", EnumProperty(list(TIME_FIDELITY))),
        ("end_time", TimestampProperty()),
        ("end_time_fidelity", EnumProperty(list(TIME_FIDELITY))),
        ("sighting_refs", ListProperty(ReferenceProperty(valid_types="sighting", spec_version="2.1"))),
    ],
    extension_name=EVENT_EXTENSION_ID,
)
class EventSDO:
    """An incident-core Event; stix2 adds `extensions[EVENT_EXTENSION_ID] = {"extension_type": "new-sdo"}`."""


def day_start(day: dt.date) -> dt.datetime:
    """The first second of a UTC day: a day-, month- or year-fidelity start."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def day_end(day: dt.date) -> dt.datetime:
    """The last whole second of a UTC day, so an interval covers its end day."""
    return dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=dt.UTC)
