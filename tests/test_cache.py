"""ResponseCache: hit/miss, reopen, invalidation, concurrent writers, failures not cached."""

from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3

import pytest

from pipeline.cache import ResponseCache
from pipeline.llm import cache_key, call_structured
from pipeline.models._doubles import FaultyModel, KeyedModel
from pipeline.prompts import PROBE_TEMPLATES

PROBE = PROBE_TEMPLATES["probe.direct"]
PAIR = {"drug_a": "Coumadin", "drug_b": "Advil"}
YES = {"interacts": "yes", "severity": "major", "mechanism": "bleeding", "confidence": 0.9}


@pytest.fixture(params=["memory", "file"])
def cache(request, tmp_path):
    c = ResponseCache(None if request.param == "memory" else tmp_path / "c" / "cache.sqlite")
    yield c
    c.close()


def test_miss_put_hit(cache):
    assert cache.get("k") is None
    cache.put("k", {"a": 1, "é": ["ü"]}, {"model": "m"})
    assert cache.get("k") == {"a": 1, "é": ["ü"]}
    assert "k" in cache and "other" not in cache and len(cache) == 1
    assert cache.meta("k") == {"model": "m"}
    cache.put("k", {"a": 2}, {})  # INSERT OR REPLACE
    assert cache.get("k") == {"a": 2} and len(cache) == 1
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["writes"], stats["entries"]) == (2, 1, 2, 1)


def test_returned_values_are_copies(cache):
    cache.put("k", {"a": [1]}, {})
    cache.get("k")["a"].append(2)
    assert cache.get("k") == {"a": [1]}


async def test_async_api(cache):
    await cache.aput("k", {"v": 1}, {})
    assert await cache.aget("k") == {"v": 1}
    assert await cache.aget("missing") is None


def test_survives_reopen(tmp_path):
    path = tmp_path / "cache.sqlite"
    with ResponseCache(path) as c:
        c.put("k", {"v": 1}, {"model": "m"})
    with ResponseCache(path) as c:
        assert c.get("k") == {"v": 1}
        assert c._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    closed = ResponseCache(path)
    closed.close()
    with pytest.raises(RuntimeError):
        closed.get("k")


async def test_prompt_change_invalidates(tmp_path):
    model = KeyedModel(lambda pid, data: YES)
    with ResponseCache(tmp_path / "c.sqlite") as c:
        first = await call_structured(model, PROBE, PAIR, role="p", cache=c)
        hit = await call_structured(model, PROBE, PAIR, role="p", cache=c)
        edited = dataclasses.replace(PROBE, user=PROBE.user.replace("Do", "Do the"))
        miss = await call_structured(model, edited, PAIR, role="p", cache=c)
    assert not first.cached and hit.cached and not miss.cached
    assert cache_key(model, PROBE, PAIR) != cache_key(model, edited, PAIR)
    assert model.call_count == 2


async def test_failures_not_cached(tmp_path):
    with ResponseCache(tmp_path / "c.sqlite") as c:
        bad = FaultyModel(KeyedModel(lambda pid, data: YES), "wrong_shape", 1.0)
        res = await call_structured(bad, PROBE, PAIR, role="p", cache=c, backoff=0)
        assert not res.ok and len(c) == 0 and c.stats()["writes"] == 0


def _writer(path: str, worker: int, n: int) -> None:
    c = ResponseCache(path, busy_timeout_ms=60_000)
    for i in range(n):
        c.put(f"w{worker}-{i}", {"worker": worker, "i": i, "pad": "x" * 200}, {"w": worker})
        c.put("shared", {"worker": worker, "i": i}, {})
        if i % 25 == 0:
            c.get(f"w{worker}-{i // 2}")
    c.close()


def test_concurrent_writer_processes(tmp_path):
    path = tmp_path / "shared.sqlite"
    ResponseCache(path).close()  # create schema + WAL before the writers start
    ctx = multiprocessing.get_context("fork")
    workers, n = 4, 150
    procs = [ctx.Process(target=_writer, args=(str(path), w, n)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    with ResponseCache(path) as c:
        assert len(c) == workers * n + 1
        for w in range(workers):
            for i in range(n):
                assert c.get(f"w{w}-{i}") == {"worker": w, "i": i, "pad": "x" * 200}
        assert c.get("shared")["i"] == n - 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
