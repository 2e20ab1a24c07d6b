"""Entity resolution at scale (issue 13): the cost-bearing shortcuts decide as the plain rules do.

What made a large corpus cost more than linearly (every key's context counted up front, a set
per mention for its context, a copy of every one-node key's forms) is now done lazily or
shared; these tests prove the lazy forms give what the eager ones gave, and that the bench's
generated corpus still resolves incrementally as it does in one pass."""

from __future__ import annotations

import importlib.util
import random
from collections import Counter
from pathlib import Path

from liaison.fuse import entities as ent
from liaison.fuse.records import EntityMention

_BENCH = Path(__file__).resolve().parents[1] / "bench" / "fusion_bench.py"


def _bench():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("fusion_bench_for_tests", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _men(doc: str, name: str, context: tuple[str, ...]) -> EntityMention:
    return EntityMention(doc, f"per:{name.lower()}", name, "person", (name,), context=context)


def test_a_keys_context_counted_when_asked_is_what_its_nodes_name() -> None:
    ent.clear_caches()
    a = _men("d1", "Ahmed Godane", ("org:al shabaab", "loc:mogadishu"))
    b = _men("d2", "Ahmed Godane", ("org:al shabab", "per:ahmed godane"))  # its own key is no context
    profile = ent._key_profile(a.key, [a, b])
    assert profile._counts is None  # nothing counted until a rule asks
    expected = Counter(ent.nm.context_sig(k) for k in ("org:al shabaab", "loc:mogadishu"))
    expected.update({ent.nm.context_sig("org:al shabab")})
    assert profile.context_counts == dict(expected)
    assert profile.context == frozenset(expected)


def test_a_one_node_key_shares_its_nodes_forms_and_empty_sets_are_one() -> None:
    ent.clear_caches()
    m = _men("d1", "Ahmed Godane", ())
    profile = ent._key_profile(m.key, [m])
    assert profile.forms is ent.forms(m)
    assert profile.forms.acronyms is profile.forms.initials  # both empty: the one empty frozenset


def test_the_bench_corpus_resolves_incrementally_as_in_one_pass() -> None:
    bench = _bench()
    mentions, truth = bench.make_corpus(3000, seed=11)
    world = truth.pop("_world")
    index = ent.MemoryIndex(mentions, ent.resolve(mentions))
    rnd = random.Random(5)
    added = []
    for i in range(6):
        new, _ = bench.make_document(world, f"inc{i:02}", rnd, 15)
        if i % 2:  # cold and warm alike
            ent.clear_caches()
        changed = ent.resolve_incremental(new, index)
        index.add(new)
        index.update(changed)
        added.extend(new)
    assert index.all_links() == ent.resolve(mentions + added)


def test_resolution_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    bench = _bench()
    mentions, _ = bench.make_corpus(500, seed=3)
    assert gc.isenabled()
    ent.resolve(mentions)
    assert gc.isenabled()
    gc.disable()
    try:
        ent.resolve(mentions)
        assert not gc.isenabled()
    finally:
        gc.enable()
