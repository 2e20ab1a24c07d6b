"""Objects arriving over TAXII: checked, attributed, and given what the store indexes them by.

Each object of a POST is checked on its own, so one bad object does not stop the rest:
the stix2 library parses it (which checks every property of the types it knows, and the
common properties of custom ones), the poster may not claim another organisation as its
`created_by_ref`, and its TLP level and recipients are read for the access rule.

Checking is most of what a POST costs (stix2 takes 0.1 to 0.4 ms an object, half of an
indicator's in its ANTLR pattern parser), and it is pure CPU under the GIL, so a large bundle
is split over a pool of processes (`Checker`) to use every core.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import stix2
from stix2.exceptions import STIXError

import liaison.stix.event  # noqa: F401  (registers the incident-core event type with stix2)
from liaison.clock import normalise_timestamp, now, stamp
from liaison.stix.ids import PRODUCER_ID
from liaison.stix.tlp import RANK, explicit, object_level, recipients_of, shared_definition_ids, shared_definitions
from liaison.store.access import Actor
from liaison.store.rows import dump_object


class Rejected(ValueError):
    """Why one object of a POST was not stored."""


#: The definitions every installation carries, the same everywhere: the Liaison system identity,
#: Liaison's extension definitions, OASIS Open's identity and Event extension definition. Any partner may pass
#: them on exactly as published (they are then recorded as that partner's); an object that takes
#: one of their ids in any other form is refused, and so is anything else signed by the system
#: identity, which signs only these.
SHARED_DEFINITIONS = shared_definitions()
SHARED_IDS = shared_definition_ids()


def _version(obj: dict[str, Any]) -> str:
    for key in ("modified", "created"):
        if isinstance(obj.get(key), str):
            return normalise_timestamp(obj[key])
    return stamp(now())  # SCOs have no timestamps: the version is when it was added


def prepare(obj: Any, poster: Actor, default_tlp: str, reserved: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The row data for one posted object, or Rejected with a one-line reason.

    ``reserved``: ids no partner may add a version of (the server's own organisation identity)."""
    if not isinstance(obj, dict):
        raise Rejected("not a JSON object")
    for key in ("type", "id"):
        if not isinstance(obj.get(key), str):
            raise Rejected(f"no {key!r} string")
    producer = obj.get("created_by_ref")
    if obj["id"] in SHARED_IDS or obj["id"] in reserved:
        if obj not in SHARED_DEFINITIONS:
            raise Rejected(f"{obj['id']} is Liaison's or this server's own; only its published form is accepted")
        producer = poster.identity_id  # a shared definition, passed on by this partner
    elif producer == PRODUCER_ID:
        raise Rejected(f"created_by_ref {PRODUCER_ID} is Liaison's system identity, which signs only its definitions")
    if producer is not None and producer != poster.identity_id:
        raise Rejected(f"created_by_ref {producer} is not the posting organisation ({poster.identity_id})")
    spec = obj.get("spec_version", "2.0" if obj["type"] != "marking-definition" else "2.1")
    if spec != "2.1":
        raise Rejected(f"spec_version {spec!r} is not served here (STIX 2.1 only)")
    try:
        stix2.parse(obj, allow_custom=True, version="2.1")
    except (STIXError, ValueError, TypeError, KeyError) as err:
        raise Rejected(str(err).splitlines()[0][:300] or type(err).__name__) from None
    try:
        version = _version(obj)
    except ValueError:
        raise Rejected("modified/created is not a timestamp") from None
    return {
        "id": obj["id"],
        "version": version,
        "spec_version": spec,
        "type": obj["type"],
        # Published definitions are public: every reader of the collection may resolve them.
        "tlp": RANK["clear"] if obj["id"] in SHARED_IDS else object_level(obj, RANK[default_tlp]),
        "producer": producer or poster.identity_id,
        "recipients": recipients_of(obj),
        # The level that decides who reads it travels with it (shared definitions stay as published).
        "object": dump_object(obj if obj["id"] in SHARED_IDS else explicit(obj, RANK[default_tlp]) or obj),
        "timeless": not any(isinstance(obj.get(k), str) for k in ("modified", "created")),
    }


def prepare_all(objects: list[Any], poster: Actor, default_tlp: str,
                reserved: frozenset[str] = frozenset()) -> list[tuple[bool, dict[str, Any]]]:
    """Each object checked: (True, row data) or (False, the TAXII status failure entry), in order."""
    out: list[tuple[bool, dict[str, Any]]] = []
    for obj in objects:
        try:
            out.append((True, prepare(obj, poster, default_tlp, reserved)))
        except Rejected as why:
            ident = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
            failure = {"id": ident or "(no id)", "message": str(why)}
            if isinstance(obj, dict) and isinstance(obj.get("modified"), str):
                failure["version"] = obj["modified"]
            out.append((False, failure))
    return out


def _warm(_n: int) -> int:
    return os.getpid()


def _exit_with_parent() -> None:
    """Pool initializer: end this process when the server process that made the pool ends, however it
    ends (a SIGKILLed worker would otherwise leave its pool running, adopted by init).

    Ctrl-C reaches every process of the terminal's process group; the server shuts its pool down
    itself, so a pool process ignores SIGINT rather than dying with a KeyboardInterrupt traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT while child processes start (they inherit it, and Python keeps an ignored SIGINT
    ignored); only the main thread may change signal handlers, so elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Checker:
    """Checks POSTed objects, in this process for small bundles and over a process pool for large ones.

    ``workers``: pool processes (0: one per core; 1: no pool). The pool is started by ``start``
    (the server's startup, so the first large POST does not pay for spawning and importing
    stix2) and uses the spawn start method: the server process runs threads, which fork would copy
    in whatever state they are in."""

    #: Below this many objects the pickling round trip costs more than the parallelism saves.
    POOL_FROM = 200

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers if workers > 0 else (os.cpu_count() or 1)
        self.pool: ProcessPoolExecutor | None = None
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            if self.workers > 1 and self.pool is None:
                self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_exit_with_parent)
                with _sigint_ignored():  # spawned with SIGINT ignored: a Ctrl-C during their start-up too
                    list(self.pool.map(_warm, range(self.workers)))

    def stop(self) -> None:
        with self.lock:
            if self.pool is not None:
                self.pool.shutdown(cancel_futures=True)
                self.pool = None

    def check(self, objects: list[Any], poster: Actor, default_tlp: str,
              reserved: frozenset[str] = frozenset()) -> list[tuple[bool, dict[str, Any]]]:
        pool = self.pool
        if pool is None or len(objects) < self.POOL_FROM:
            return prepare_all(objects, poster, default_tlp, reserved)
        # Several chunks per process, so a chunk heavy with indicators does not leave a core idle.
        size = -(-len(objects) // (self.workers * 4))
        chunks = [objects[i : i + size] for i in range(0, len(objects), size)]
        try:
            futures = [pool.submit(prepare_all, c, poster, default_tlp, reserved) for c in chunks]
            return [r for f in futures for r in f.result()]
        except BrokenProcessPool:
            # A pool process died (killed, out of memory): make a new pool for the next POST, check this one here.
            with self.lock:
                if self.pool is pool:
                    self.pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
            threading.Thread(target=self.start, daemon=True).start()
            return prepare_all(objects, poster, default_tlp, reserved)
