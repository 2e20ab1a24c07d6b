"""How ingest splits documents among its worker processes (liaison.pipeline._batches)."""

from __future__ import annotations

import pytest

from liaison.pipeline import _batches


@pytest.mark.parametrize(("docs", "workers", "batch_size"), [(200, 2, 16), (37, 2, 16), (1000, 16, 16), (6, 2, 3)])
def test_every_worker_gets_as_many_batches_of_nearly_one_size_in_document_order(docs, workers, batch_size):
    batches = _batches(list(range(docs)), workers, batch_size)
    assert sum(batches, []) == list(range(docs))
    assert len(batches) % workers == 0 and len(batches) >= 2 * workers
    sizes = {len(b) for b in batches}
    assert max(sizes) <= batch_size and max(sizes) - min(sizes) <= 1


def test_fewer_documents_than_workers_get_a_batch_each():
    assert _batches(list(range(3)), 4, 16) == [[0], [1], [2]]
    assert _batches([], 2, 16) == []


def test_one_worker_gets_batches_of_at_most_the_batch_size():
    batches = _batches(list(range(40)), 1, 16)
    assert sum(batches, []) == list(range(40)) and max(map(len, batches)) <= 16 and len(batches) == 3
