"""Checking POSTed objects: a large bundle split over a process pool gets the same verdict, object by
object and in the same order, as one checked in the server process."""

from __future__ import annotations

import json
import uuid

import pytest
import stix2

from liaison.share.objects import Checker, prepare_all
from liaison.store.sharing import Reader

POSTER = Reader("cell-a", "identity--7a1a8f2c-5a5b-4c39-9d0e-6f8c1d1f2a10")
OTHER = "identity--0c7b5a1e-2222-4f0b-8d2e-111111111111"


def _bundle(n: int) -> list:
    out: list = []
    for i in range(n):
        ind = json.loads(stix2.Indicator(id=f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, str(i))}",
                                         pattern=f"[ipv4-addr:value = '10.2.{i // 250}.{i % 250}']",
                                         pattern_type="stix", created="2025-10-01T00:00:00.000Z",
                                         modified="2025-10-01T00:00:00.000Z").serialize())
        if i % 37 == 5:
            ind["pattern"] = "[ipv4-addr:value = "  # broken pattern
        elif i % 37 == 11:
            ind["created_by_ref"] = OTHER  # forged producer
        elif i % 37 == 17:
            ind = "not an object"
        out.append(ind)
    return out


def test_a_bundle_checked_over_the_pool_gets_the_verdicts_of_one_checked_in_process():
    objects = _bundle(600)
    checker = Checker(workers=2)
    checker.start()
    try:
        assert checker.pool is not None and len(objects) >= Checker.POOL_FROM
        pooled = checker.check(objects, POSTER, "amber")
    finally:
        checker.stop()
    inline = prepare_all(objects, POSTER, "amber")
    assert pooled == inline
    assert [ok for ok, _ in pooled].count(False) == sum(1 for i in range(600) if i % 37 in (5, 11, 17))
    failed = {r["id"] for ok, r in pooled if not ok}
    assert "(no id)" in failed
    assert all(r["id"] == (o["id"] if isinstance(o, dict) else "(no id)") for o, (_, r) in zip(objects, pooled, strict=True))


def test_a_small_bundle_is_checked_in_process_even_with_a_pool():
    checker = Checker(workers=2)
    checker.start()
    try:
        def refuse(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
            raise AssertionError("a bundle under POOL_FROM went to the pool")

        checker.pool.submit = refuse  # type: ignore[method-assign]
        small = _bundle(Checker.POOL_FROM - 1)
        assert checker.check(small, POSTER, "amber") == prepare_all(small, POSTER, "amber")
        with pytest.raises(AssertionError, match="went to the pool"):
            checker.check(_bundle(Checker.POOL_FROM), POSTER, "amber")
    finally:
        del checker.pool.submit
        checker.stop()


def test_the_pool_ends_with_the_server_process_even_when_it_is_killed(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("from liaison.share.objects import Checker\n"
              "c = Checker(workers=2); c.start()\n"
              "print(*[p.pid for p in c.pool._processes.values()], flush=True)\n"
              "import time; time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init to reap it has ended
            return stat.read().split(") ")[1][0] != "Z"

    deadline = time.monotonic() + 30
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(p) for p in pids)


def test_a_broken_pool_is_replaced_and_the_bundle_still_checked():
    import os
    import signal
    import time

    checker = Checker(workers=2)
    checker.start()
    try:
        os.kill(next(iter(checker.pool._processes)), signal.SIGKILL)
        time.sleep(0.5)
        objects = _bundle(300)
        assert checker.check(objects, POSTER, "amber") == prepare_all(objects, POSTER, "amber")
        deadline = time.monotonic() + 60
        while checker.pool is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert checker.pool is not None
        assert checker.check(objects, POSTER, "amber") == prepare_all(objects, POSTER, "amber")
    finally:
        checker.stop()
