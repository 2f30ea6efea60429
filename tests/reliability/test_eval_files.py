"""The files of an eval run directory under abuse (issue 16, findings 8-10).

8. Two runs on one ``--out``: an exclusive lock on ``<out>/.lock`` refuses the second at
   once (exit 2, one line naming the folder); summaries are written through unique
   temporary files and never through a planted symbolic link.
9. A ``results.jsonl`` torn inside a multi-byte UTF-8 character or holding a binary line:
   the damaged lines are skipped, counted, warned about, and their samples redone.
10. A corrupt ``cache.sqlite`` (garbage, or damaged pages in the middle): one warning
   naming the file, the run completes without the cache and writes summary.json.

Fast paths use a fake ``ask`` (no graph); the CLI paths run the real cascade with the
offline simulated model on two or three smoke samples.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

fcntl = pytest.importorskip("fcntl")  # the output-folder lock is POSIX flock

from pipeline.cache import ResponseCache  # noqa: E402
from pipeline.cli import EXIT_OK, EXIT_USAGE, main  # noqa: E402
from pipeline.evals._journal import JournalError, ResultJournal  # noqa: E402
from pipeline.evals._run import OutDirBusyError, arun_suite, write_json_atomic  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FAST_MODEL = "sim:perfect"  # offline, deterministic, makes (cacheable) model calls
N = 8

SAMPLES = [
    {
        "id": f"s{i}",
        "version": "gold-v1",
        "suite": "pairs",
        "query": f"drug{i} and other{i} — é?",  # multi-byte UTF-8 in every journal row
        "drugs": [f"drug{i}", f"other{i}"],
        "expected_pairs": [
            {"drug_a": f"drug{i}", "drug_b": f"other{i}", "interacts": True, "severity": "major"}
        ],
        "expected_verdict": "interaction",
        "tags": [],
        "perturbation": None,
    }
    for i in range(N)
]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    (d / "pairs.jsonl").write_text(
        "\n".join(json.dumps(s, ensure_ascii=False) for s in SAMPLES) + "\n", encoding="utf-8"
    )
    return d


class FakeAsk:
    """Every pair interacts; records each query it is asked (to catch double work)."""

    def __init__(self, delay: float = 0.002) -> None:
        self.calls: list[str] = []
        self.delay = delay

    async def __call__(self, query, **options):
        self.calls.append(str(query).split()[0])
        await asyncio.sleep(self.delay)
        i = str(query).split()[0].removeprefix("drug")
        return {
            "verdict": "interaction",
            "pairs": [
                {
                    "drug_a": f"drug{i}",
                    "drug_b": f"other{i}",
                    "verdict": "interacts",
                    "severity": "major",
                    "votes": {"yes": 1, "no": 0, "unknown": 0},
                }
            ],
            "drugs": [{"canonical": f"drug{i}"}, {"canonical": f"other{i}"}],
            "usage": {"by_role": {"prober": {"calls": 1, "input_tokens": 1, "output_tokens": 1}}},
            "models": {"prober": "fake"},
        }


async def _run(data_dir: Path, out: Path, ask, **kw):
    kw.setdefault("cache", None)
    return await arun_suite("pairs", out=out, data_dir=data_dir, ask=ask, progress=False, **kw)


def _cli(out: Path, *extra: str, limit: int = 3) -> int:
    args = ["eval", "--suite", "smoke", "--out", str(out), "--limit", str(limit)]
    return main([*args, "--quiet", "--no-report", "--model", FAST_MODEL, *extra])


def _good_rows(path: Path) -> list[dict]:
    rows = []
    for raw in path.read_bytes().split(b"\n"):
        try:
            rows.append(json.loads(raw.decode("utf-8")))
        except ValueError:
            continue
    return rows


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))  # valid JSON


def _no_temp_files(out: Path) -> bool:
    return not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


# --------------------------------------------------------------------------- 8. lock


_HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
os.write(fd, str(os.getpid()).encode())
print("locked", flush=True)
sys.stdin.read()  # holds the lock until the test closes stdin
"""


def test_eval_refuses_an_out_folder_locked_by_another_process(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(out / ".lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        capsys.readouterr()
        assert _cli(out) == EXIT_USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        assert str(out) in err[0] and "in use" in err[0] and f"pid {holder.pid}" in err[0]
        # refused before touching anything: no config, journal, cache or summary
        assert sorted(p.name for p in out.iterdir()) == [".lock"]
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert _cli(out) == EXIT_OK  # the lock died with its holder
    assert _summary(out)["rows"] == 3


async def test_two_runs_on_one_out_folder_never_do_a_sample_twice(data_dir, tmp_path):
    out = tmp_path / "run"
    ask = FakeAsk(delay=0.01)
    first, second = await asyncio.gather(
        _run(data_dir, out, ask), _run(data_dir, out, ask), return_exceptions=True
    )
    outcomes = [r for r in (first, second) if not isinstance(r, BaseException)]
    refused = [r for r in (first, second) if isinstance(r, BaseException)]
    assert len(outcomes) == 1 and len(refused) == 1
    assert isinstance(refused[0], OutDirBusyError) and str(out) in str(refused[0])
    assert sorted(Counter(ask.calls).values()) == [1] * N  # each sample asked once
    keys = [(r["sample_id"], r["repeat"]) for r in _good_rows(out / "results.jsonl")]
    assert len(keys) == len(set(keys)) == N
    assert _summary(out)["rows"] == N and _no_temp_files(out)
    again = await _run(data_dir, out, ask)  # the lock is free again once the run ended
    assert again.new_rows == 0 and len(ask.calls) == N


def test_two_eval_processes_on_one_out_folder(tmp_path):
    """The reported race: two `ddi eval` processes started together on one --out."""
    out = tmp_path / "run"
    entry = "import sys; from pipeline.cli import main; sys.exit(main())"  # as `ddi` does
    cmd = [sys.executable, "-c", entry, "eval", "--suite", "smoke", "--out", str(out)]
    cmd += ["--limit", "3", "--quiet", "--no-report", "--model", f"{FAST_MODEL}?latency=0.05"]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    procs = [
        subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=60), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    codes = sorted(code for code, _ in results)
    assert codes in ([EXIT_OK, EXIT_OK], [EXIT_OK, EXIT_USAGE]), results
    for code, err in results:
        if code == EXIT_USAGE:
            assert str(out) in err and "in use" in err and len(err.strip().splitlines()) == 1
    summary = _summary(out)
    assert summary["rows"] == 3
    keys = [(r["sample_id"], r["repeat"]) for r in _good_rows(out / "results.jsonl")]
    assert len(keys) == len(set(keys)) == 3  # no sample done twice
    assert _no_temp_files(out)


def test_concurrent_atomic_writes_use_unique_temporary_files(tmp_path):
    path = tmp_path / "summary.json"
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for j in range(25):
                write_json_atomic(path, {"writer": n, "j": j, "pad": "x" * 20_000})
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    reads = 0
    while any(t.is_alive() for t in threads):
        if path.exists():
            assert json.loads(path.read_text())["pad"]  # never a partial file
            reads += 1
    for t in threads:
        t.join()
    assert not errors and reads > 0
    assert json.loads(path.read_text())["j"] == 24
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would, not mkstemp's 0600


async def test_planted_symlinks_are_replaced_never_written_through(data_dir, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = {}
    for name in ("summary.json", "config.json", "report.md", "report.html"):
        victim = outside / f"victim-{name}"
        victim.write_text("precious\n")
        (out / name).symlink_to(victim)
        victims[name] = victim
    (outside / "plots").mkdir()
    (out / "plots").symlink_to(outside / "plots", target_is_directory=True)

    outcome = await _run(data_dir, out, FakeAsk())  # with the report (and plots if any)
    assert outcome.summary["rows"] == N
    for name, victim in victims.items():
        assert victim.read_text() == "precious\n", name  # never written through
    for name in ("summary.json", "config.json", "report.md"):
        assert (out / name).is_file() and not (out / name).is_symlink(), name
    assert _summary(out)["rows"] == N
    assert list((outside / "plots").iterdir()) == []
    assert not (out / "plots").is_symlink()
    assert _no_temp_files(out)


def test_planted_lock_symlink_is_refused(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / ".lock").symlink_to(victim)
    capsys.readouterr()
    assert _cli(out) == EXIT_USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(out / ".lock") in err[0] and "symbolic link" in err[0]
    assert victim.read_text() == "precious\n"
    assert not (out / "summary.json").exists()


async def test_symlinked_journal_is_refused(data_dir, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / "results.jsonl").symlink_to(victim)
    ask = FakeAsk()
    with pytest.raises(JournalError, match="symbolic link"):
        await _run(data_dir, out, ask)
    assert victim.read_text() == "precious\n"
    assert ask.calls == []  # refused before any work was done (and lost)
    with pytest.raises(JournalError, match="symbolic link"):  # the journal itself refuses too
        row = {"sample_id": "s0", "repeat": 0, "config_hash": "x"}
        ResultJournal(out / "results.jsonl").append(row)
    assert victim.read_text() == "precious\n"


# --------------------------------------------------------------------------- 9. journal


def _damage_journal(path: Path) -> set[str]:
    """Tear one line inside a multi-byte character, replace one with binary junk and end
    the file torn inside a character; returns the sample ids whose rows were damaged."""
    lines = path.read_bytes().splitlines()
    assert len(lines) >= 4
    damaged = set()
    for i in (1, 2, len(lines) - 1):
        damaged.add(json.loads(lines[i])["sample_id"])
    cut = lines[1].index("—".encode()) + 1  # inside the 3-byte em dash
    lines[1] = lines[1][:cut]
    lines[2] = b"\x00\xff\xfe binary \x80\x81 junk \xc3"
    last = lines[-1][: lines[-1].index("é".encode()) + 1]  # killed mid-character
    body = b"\n".join(lines[:-1]) + b"\n" + last
    path.write_bytes(body)
    with pytest.raises(UnicodeDecodeError):  # what every rerun used to die on
        path.read_text(encoding="utf-8")
    return damaged


async def test_damaged_journal_lines_are_skipped_reported_and_redone(data_dir, tmp_path, capsys):
    out = tmp_path / "run"
    ask = FakeAsk()
    await _run(data_dir, out, ask)
    journal = out / "results.jsonl"
    damaged = _damage_journal(journal)
    assert ResultJournal(journal).skipped_lines == 3

    ask.calls.clear()
    capsys.readouterr()
    outcome = await _run(data_dir, out, ask)  # no log=: the warning goes to stderr
    err = capsys.readouterr().err
    assert outcome.damaged_lines == 3 and outcome.new_rows == 3 and outcome.reused_rows == N - 3
    assert outcome.summary["run"]["journal_damaged_lines"] == 3
    assert outcome.summary["rows"] == N
    assert {f"s{c.removeprefix('drug')}" for c in ask.calls} == damaged  # only those redone
    assert len(ask.calls) == 3
    assert err.count("warning:") == 1 and str(journal) in err and "3 damaged line" in err
    assert _summary(out)["run"]["journal_damaged_lines"] == 3

    ask.calls.clear()
    again = await _run(data_dir, out, ask)  # damaged lines stay, but nothing is redone
    assert again.new_rows == 0 and ask.calls == [] and again.damaged_lines == 3


def test_cli_resumes_a_journal_torn_inside_a_utf8_character(tmp_path, capsys):
    out = tmp_path / "run"
    assert _cli(out) == EXIT_OK
    path = out / "results.jsonl"
    lines = path.read_bytes().splitlines()
    first_id = json.loads(lines[0])["sample_id"]
    lines[0] = lines[0][:50] + "é".encode()[:1]  # torn inside a two-byte character
    lines.insert(1, bytes(b for b in range(256) if b != 0x0A))  # a binary line
    path.write_bytes(b"\n".join(lines) + b"\n")
    capsys.readouterr()

    assert _cli(out) == EXIT_OK  # used to exit 70: UnicodeDecodeError
    err = capsys.readouterr().err
    assert str(path) in err and "2 damaged line" in err
    summary = _summary(out)
    assert summary["run"]["journal_damaged_lines"] == 2
    assert summary["run"]["new_rows"] == 1 and summary["rows"] == 3  # only that sample redone
    ids = Counter(r["sample_id"] for r in _good_rows(path))
    assert ids[first_id] == 1 and sorted(ids.values()) == [1, 1, 1]


# --------------------------------------------------------------------------- 10. cache


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "response cache" in line]


def test_garbage_cache_file_warns_once_and_the_run_completes(tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    cache = out / "cache.sqlite"
    cache.write_bytes(random.Random(1).randbytes(64 * 1024))
    capsys.readouterr()
    assert _cli(out) == EXIT_OK  # used to exit 70: "internal error: DatabaseError"
    err = capsys.readouterr().err
    (warning,) = _warnings(err)
    assert str(cache) in warning and "--no-cache" in warning and "Delete" in warning
    assert "internal error" not in err
    summary = _summary(out)
    assert summary["rows"] == 3 and summary["errors"] == 0
    assert summary["run"]["cache"]["error"] and summary["run"]["cache"]["writes"] == 0
    assert summary["run"]["model_calls_this_run"] > 0  # ran without the cache


def _damage_middle(path: Path) -> None:
    """Overwrite the middle third of a (checkpointed) SQLite file with random bytes."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(0)
    start, end = len(data) // 3, 2 * len(data) // 3
    data[start:end] = rng.randbytes(end - start)
    path.write_bytes(bytes(data))
    con = sqlite3.connect(path)
    try:  # precondition: the damage is real and opening does not notice it
        con.execute("SELECT key FROM responses LIMIT 1").fetchall()
        with pytest.raises(sqlite3.DatabaseError):
            con.execute("SELECT COUNT(*) FROM responses").fetchone()
    finally:
        con.close()


def _padded_cache(path: Path, n: int = 1500) -> None:
    with ResponseCache(path) as c:
        for i in range(n):
            c.put(f"pad-{i:05d}", {"v": "x" * 300, "i": i}, {"model": "pad"})


def test_cache_damaged_in_the_middle_never_raises(tmp_path):
    path = tmp_path / "cache.sqlite"
    _padded_cache(path)
    _damage_middle(path)
    messages: list[str] = []
    cache = ResponseCache(path, on_error=messages.append)
    assert cache.broken is None  # the first pages are fine
    for i in range(0, 1500, 7):  # some of these reach a damaged page
        cache.get(f"pad-{i:05d}")
        cache.put(f"new-{i}", {"v": i}, {})
    stats = cache.stats()  # used to raise DatabaseError (from a `finally`)
    assert stats["error"] and stats["entries"] is None
    assert len(cache) == 0 and "pad-00000" not in cache and cache.meta("pad-00000") is None
    assert len(messages) == 1 and str(path) in messages[0] and "--no-cache" in messages[0]
    cache.close()


def test_cli_with_a_shared_cache_damaged_in_the_middle_writes_its_summary(tmp_path, capsys):
    shared = tmp_path / "shared.sqlite"
    assert _cli(tmp_path / "first", "--cache", str(shared)) == EXIT_OK  # real entries
    _padded_cache(shared)
    _damage_middle(shared)
    out = tmp_path / "second"
    capsys.readouterr()
    assert _cli(out, "--cache", str(shared)) == EXIT_OK  # used to exit 70, no summary
    err = capsys.readouterr().err
    (warning,) = _warnings(err)
    assert str(shared) in warning and "--no-cache" in warning
    summary = _summary(out)
    assert summary["rows"] == 3 and summary["errors"] == 0
    assert summary["run"]["cache"]["error"]
    assert sorted(Counter(r["sample_id"] for r in _good_rows(out / "results.jsonl")).values()) == [
        1,
        1,
        1,
    ]


def test_lock_is_released_when_the_run_fails(data_dir, tmp_path):
    out = tmp_path / "run"

    async def broken_on_row_run():
        def stop(_row):
            raise KeyboardInterrupt

        await _run(data_dir, out, FakeAsk(), on_row=stop)

    with pytest.raises(KeyboardInterrupt):
        asyncio.run(broken_on_row_run())
    fd = os.open(out / ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again
    finally:
        os.close(fd)
