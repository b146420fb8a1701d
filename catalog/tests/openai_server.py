"""A small OpenAI-compatible HTTP server on 127.0.0.1 for tests of ``ysh.llm``.

It answers ``POST /v1/chat/completions`` in the real response format (``chat.completion`` object
with ``choices[].message``, ``finish_reason``, ``usage``) or the real error format
(``{"error": {"message", "type", "code"}}``), from a script of replies the test queues, and
records every request it receives (headers and JSON body). Standard library only."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str | None = None  # assistant message content
    status: int = 200
    error: str = ""
    delay: float = 0.0
    finish_reason: str = "stop"
    refusal: str | None = None


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class OpenAIServer:
    server: ThreadingHTTPServer
    replies: list[Reply] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    default: Reply | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def reply_json(self, payload: dict, **kwargs) -> None:
        self.replies.append(Reply(content=json.dumps(payload, ensure_ascii=False), **kwargs))

    def reply(self, **kwargs) -> None:
        self.replies.append(Reply(**kwargs))

    def next_reply(self) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        return self.default or Reply(status=500, error="no reply scripted")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(state: "OpenAIServer"):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            reply = state.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": "Not found", "type": "invalid_request_error"}})
            if reply.status != 200:
                kind = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(reply.status, "server_error")
                return self._send(
                    reply.status,
                    {"error": {"message": reply.error or "error", "type": kind, "param": None, "code": kind}},
                )
            created = int(time.time())
            payload = {
                "id": f"chatcmpl-test{len(state.received)}",
                "object": "chat.completion",
                "created": created,
                "model": body.get("model", "gpt-4o-mini"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.content, "refusal": reply.refusal},
                        "logprobs": None,
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": {"prompt_tokens": 321, "completion_tokens": 54, "total_tokens": 375},
                "system_fingerprint": "fp_test",
            }
            return self._send(200, payload)

        def _send(self, status: int, payload: dict):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            # The SDK honours this on retries: keeps retry tests fast without touching its code.
            self.send_header("retry-after-ms", "5")
            try:
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

    return Handler


def start_openai_server() -> OpenAIServer:
    state = OpenAIServer(server=None)  # type: ignore[arg-type]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.server = server
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-test-server", daemon=True
    ).start()
    return state
