"""A real provider client (langchain-openai) against a local OpenAI-compatible server that
answers the way real chat models do: prose, fenced JSON with capitalised values, tool
calls, servers without tool support, rate limits, 500s, time-outs and truncated bodies.

The server is standard library on 127.0.0.1; it answers from the drug names in the
prompt (its own small "knowledge"), never from the pipeline's data."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("langchain_openai")

from pipeline import ask  # noqa: E402
from pipeline.llm import UsageMeter, call_structured, resolve_model  # noqa: E402
from pipeline.prompts import PROBE_TEMPLATES, extract_data_block  # noqa: E402

PROBE = PROBE_TEMPLATES["probe.direct"]
PAIR = {"drug_a": "warfarin", "drug_b": "fluconazole"}
SAFE = {"drug_a": "amoxicillin", "drug_b": "paracetamol"}


def _knows(body: dict) -> bool:
    """The server's own knowledge: everything interacts except amoxicillin pairs."""
    text = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
    data = extract_data_block(text) or {}
    return "amoxicillin" not in json.dumps(data).lower()


def _content(style: str, yes: bool) -> str:
    if style == "prose":
        return (
            "Yes — taking these together markedly raises the bleeding risk (CYP2C9 "
            "inhibition). Severity: major. Avoid the combination."
            if yes
            else "No. There is no known clinically significant interaction between them."
        )
    if style == "fenced":
        answer = {
            "interacts": "Yes" if yes else "No",
            "severity": "Major" if yes else "None",
            "reasoning": "step by step ...",
            "confidence": 85,
        }
        return "Sure! Here is the answer:\n```json\n" + json.dumps(answer, indent=2) + "\n```"
    if style == "hedged":
        return json.dumps({"interacts": "probably", "severity": "moderate to major"})
    return json.dumps(
        {"interacts": "yes" if yes else "no", "severity": "major" if yes else "unknown"}
    )


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: Counter[str] = Counter()
        self.lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:  # a client gave up (time-out)
        pass


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        style = body["model"]
        with self.server.lock:
            self.server.requests[style] += 1
            nth = self.server.requests[style]
        yes = _knows(body)
        if style == "rate-limited" and nth == 1:
            return self._send(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"})
        if style == "broken":
            return self._send(500, {"error": {"message": "internal"}})
        if style == "slow":
            time.sleep(3)
        if style == "no-tools" and "tools" in body:
            return self._send(400, {"error": {"message": "tools are not supported"}})
        if style == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"id": "x", "choices": [{"mess')
            self.wfile.flush()
            self.connection.close()
            return None
        message: dict = {"role": "assistant", "content": _content(style, yes)}
        if style == "tools" and body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            args = {"interacts": "yes" if yes else "no", "severity": "major" if yes else "unknown"}
            message = {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": name, "arguments": json.dumps(args)},
                    }
                ],
            }
        return self._send(
            200,
            {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": style,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
            },
        )


@pytest.fixture()
def server(monkeypatch):
    srv = Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{srv.server_address[1]}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
    yield srv
    srv.shutdown()
    srv.server_close()


async def _ask(style: str, data: dict = PAIR, **kwargs):
    meter = UsageMeter()
    res = await call_structured(
        f"openai:{style}", PROBE, data, role="prober", backoff=0.0, meter=meter, **kwargs
    )
    return res, meter.usage().by_role["prober"]


@pytest.mark.parametrize("style", ["prose", "fenced", "hedged", "tools", "json"])
async def test_real_reply_styles_are_read(server, style):
    res, usage = await _ask(style)
    assert res.ok, res.error
    assert res.value.interacts == "yes"
    assert res.value.severity == "major"  # "moderate to major" is read at its most severe
    assert usage.calls == server.requests[style] == 1


@pytest.mark.parametrize("style", ["prose", "fenced", "tools"])
async def test_a_clear_no_is_read_as_no(server, style):
    res, _ = await _ask(style, SAFE)
    assert res.ok and res.value.interacts == "no"


async def test_server_without_tool_calling_falls_back_to_text(server):
    res, usage = await _ask("no-tools")
    assert res.ok and res.value.interacts == "yes"
    assert usage.calls == server.requests["no-tools"] == 2  # one refused, one answered
    res, usage = await _ask("no-tools", SAFE)  # remembered: straight to text
    assert res.ok and usage.calls == 1


async def test_rate_limit_is_retried_once_per_pipeline_attempt(server):
    res, usage = await _ask("rate-limited")
    assert res.ok and res.attempts == 2
    assert usage.calls == server.requests["rate-limited"] == 2  # no hidden client retries


@pytest.mark.parametrize("style", ["broken", "truncated"])
async def test_failing_servers_count_every_http_attempt(server, style):
    res, usage = await _ask(style, retries=2)
    assert not res.ok and res.attempts == 3
    assert usage.calls == server.requests[style] == 3  # max_retries=0 in the client


async def test_timeout_bounds_the_call(server):
    started = time.monotonic()
    res, _ = await _ask("slow", retries=0, timeout=0.5)
    assert not res.ok and "timeout" in res.error
    assert time.monotonic() - started < 2.5


def test_provider_clients_do_not_retry_on_their_own(server):
    assert resolve_model("openai:prose").max_retries == 0


def test_end_to_end_with_a_prose_prober(server):
    report = ask(
        ["warfarin", "fluconazole"],
        models={"prober": "openai:prose"},
        probe_listed=True,
        extract_with_model=False,
    )
    pair = report.pairs[0]
    assert pair.verdict == "interacts"
    assert pair.votes.yes >= 1 and server.requests["prose"] >= 1
