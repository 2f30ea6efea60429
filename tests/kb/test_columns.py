"""The sharded stores of the KB load cache read back exactly what was stored, whichever
shard or chunk a lookup lands in (`pipeline/kb/_columns.py`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.kb._columns import CHUNK, ChunkedList, ShardedMap, shard_of

keys = st.text(min_size=1, max_size=12)
pair_maps = st.dictionaries(st.tuples(keys, keys), st.lists(st.integers(), max_size=3))


def _first(pair):
    return pair[0]


@given(pair_maps, st.integers(min_value=1, max_value=70), st.lists(st.tuples(keys, keys)))
def test_sharded_map_is_the_mapping_it_stores(items, shards, probes):
    view = ShardedMap(ShardedMap.store(items, _first, shards), _first)
    assert len(view) == len(items)
    assert dict(view.items()) == items
    for key in [*items, *probes]:
        assert (key in view) == (key in items)
        assert view.get(key, "absent") == items.get(key, "absent")


def test_a_lookup_decodes_only_its_own_shard():
    items = {(f"drug{i}", "x"): [i] for i in range(500)}
    view = ShardedMap(ShardedMap.store(items, _first), _first)
    assert view[("drug7", "x")] == [7]
    decoded = [i for i, shard in enumerate(view._shards) if shard is not None]
    assert decoded == [shard_of("drug7")]
    with pytest.raises(KeyError):
        view[("drug7", "y")]


def test_shard_numbers_are_stable_across_processes():
    # zlib.crc32, not hash(): the cache written by one process is read by another
    assert shard_of("warfarin") == shard_of("warfarin") == 1949605503 % 64


@given(st.lists(st.dictionaries(keys, st.integers(), max_size=2), max_size=3 * CHUNK + 5))
def test_chunked_list_is_the_list_it_stores(items):
    view = ChunkedList(ChunkedList.store(items))
    assert len(view) == len(items)
    assert list(view) == items
    assert view[1:-1:2] == items[1:-1:2]
    if items:
        assert view[-1] == items[-1] and view[0] == items[0]
    with pytest.raises(IndexError):
        view[len(items)]
