"""The cascade served by LangGraph's dev server (`langgraph dev`), called with the SDK.

Needs the ``server`` extra (langgraph-cli[inmem], langgraph-sdk); skipped otherwise. The
server starts offline in a few seconds; it is always terminated. It runs without
``--allow-blocking``, so the dev server's blocking-call detector would fail the run if a
node did synchronous I/O on the event loop (e.g. the first KB load).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
RUN_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _langgraph_cli() -> str | None:
    try:
        import langgraph_cli  # noqa: F401
        import langgraph_sdk  # noqa: F401
    except ImportError:
        return None
    exe = Path(sys.executable).with_name("langgraph")
    return str(exe) if exe.exists() else shutil.which("langgraph")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory):
    cli = _langgraph_cli()
    if cli is None:
        pytest.skip("langgraph-cli[inmem] / langgraph-sdk not installed (server extra)")
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {
        **os.environ,
        "LANGSMITH_TRACING": "false",
        "LANGCHAIN_TRACING_V2": "false",
        "LANGGRAPH_NO_VERSION_CHECK": "true",
        "PYTHONUNBUFFERED": "1",
    }
    cmd = [cli, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"langgraph dev exited {proc.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/ok", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"langgraph dev did not start in {START_TIMEOUT:.0f}s:\n"
                    f"{log.read_text()[-3000:]}"
                )
            time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and its worker processes
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


async def _ask(url: str, query, context: dict | None = None) -> dict:
    from langgraph_sdk import get_client

    client = get_client(url=url)
    assistants = await client.assistants.search(graph_id="ddi")
    assert assistants, "graph 'ddi' from langgraph.json is not served"
    thread = await client.threads.create()
    return await asyncio.wait_for(
        client.runs.wait(thread["thread_id"], "ddi", input={"query": query}, context=context or {}),
        RUN_TIMEOUT,
    )


def test_server_answers_a_question(server_url):
    out = asyncio.run(_ask(server_url, "warfarin and ibuprofen"))
    report = out["report"]
    assert report["verdict"] == "interaction"
    (pair,) = report["pairs"]
    assert {pair["drug_a"].lower(), pair["drug_b"].lower()} == {"warfarin", "ibuprofen"}
    assert pair["verdict"] == "interacts"


def test_server_accepts_list_input_and_json_context(server_url):
    out = asyncio.run(
        _ask(
            server_url,
            ["Coumadin", "aspirin", "amoxicillin"],
            {"concurrency": 4, "models": {"prober": "sim:noisy?seed=1"}, "seed": 1},
        )
    )
    report = out["report"]
    assert report["verdict"] == "interaction"
    assert len(report["pairs"]) == 3
    assert report["models"]["prober"].startswith("sim")
