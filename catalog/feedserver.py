"""Plays the four demo distributors' systems over HTTP, from the sample feeds in
``catalog/fixtures/feeds`` (or another folder, e.g. the scaled benchmark feeds):

* Fortlev — ``GET /fortlev/api/v1/products?page=N&per_page=M``: paginated JSON with
  ``data``/``meta``/``links.next``; needs ``Authorization: Bearer <token>`` (401 otherwise).
* Neosolar — the shop's HTML: ``/neosolar/loja/``, ``/neosolar/loja/categoria/<cat>?p=N``,
  ``/neosolar/loja/produto/<slug>``.
* Odex — ``/odex/tabela-precos.csv`` (Windows-1252) and ``/odex/tabela-precos.xlsx``.
* Solfacil — ``/solfacil/feed/produtos.xml``.

Every response carries ``ETag`` and ``Last-Modified`` and answers conditional requests with
304. Tests inject faults (``server.fault_add("/fortlev/", status=503, times=2)``, a delay, a
truncated body) and read ``server.requests``.

    python -m catalog.feedserver --port 8765 [--root DIR] [--fault /odex/:503:2]

In-process: ``server, base_url = start_feed_server(port=0)`` … ``stop_feed_server(server)``.
Standard library only; binds to 127.0.0.1.
"""

import argparse
import email.utils
import hashlib
import hmac
import json
import math
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from catalog.fixtures.constants import FEEDS_DIR, FORTLEV_TOKEN

FORTLEV_PRODUCTS = "/fortlev/api/v1/products"
MAX_PER_PAGE = 200
STATIC_PREFIXES = ("/odex/", "/solfacil/")
CONTENT_TYPES = {
    ".csv": "text/csv; charset=windows-1252",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xml": "application/rss+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
}


@dataclass
class Fault:
    """Requests whose path (with query) starts with ``prefix`` get ``status`` (and an optional
    ``Retry-After``), or are answered after ``delay`` seconds, or get half their body — ``times``
    times (``None``: always)."""

    prefix: str
    status: int | None = None
    times: int | None = None
    delay: float = 0.0
    truncate: bool = False
    retry_after: str | None = None
    hits: int = 0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], *, root: Path, token: str, verbose: bool = False):
        super().__init__(address, FeedRequestHandler)
        self.root = Path(root).resolve()
        self.token = token
        self.verbose = verbose
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._jsonl: tuple[float, list[str]] | None = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def fault_add(
        self,
        prefix: str,
        *,
        status: int | None = None,
        times: int | None = None,
        delay: float = 0.0,
        truncate: bool = False,
        retry_after: str | None = None,
    ) -> Fault:
        fault = Fault(prefix, status, times, delay, truncate, retry_after)
        with self._lock:
            self.faults.append(fault)
        return fault

    def reset(self) -> None:
        with self._lock:
            self.faults.clear()
            self.requests.clear()

    def requests_to(self, prefix: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def record(self, request: RecordedRequest) -> Fault | None:
        with self._lock:
            self.requests.append(request)
            for fault in self.faults:
                if request.path.startswith(fault.prefix) and (
                    fault.times is None or fault.hits < fault.times
                ):
                    fault.hits += 1
                    return fault
        return None

    def fortlev_lines(self) -> tuple[list[str], float]:
        path = self.root / "fortlev" / "products.jsonl"
        mtime = path.stat().st_mtime
        with self._lock:
            if self._jsonl is None or self._jsonl[0] != mtime:
                lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
                self._jsonl = (mtime, lines)
            return self._jsonl[1], mtime

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timeout test, aborted download) is not a server error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class FeedRequestHandler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "YSHFeedServer/1.0"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def _handle(self, *, head: bool) -> None:
        fault = self.server.record(RecordedRequest("HEAD" if head else "GET", self.path, dict(self.headers)))
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(
                fault.status, b'{"error":"injected fault"}', "application/json", head=head, extra=headers
            )
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path.rstrip("/") == FORTLEV_PRODUCTS:
            status, body, content_type, mtime, extra = self._fortlev(query)
        elif parts.path.startswith("/neosolar/loja"):
            status, body, content_type, mtime, extra = self._neosolar(parts.path, query)
        else:
            status, body, content_type, mtime, extra = self._static(parts.path)
        if fault and fault.truncate:
            body = body[: len(body) // 2]
        self._send(status, body, content_type, mtime=mtime, head=head, extra=extra)

    # --- routes ------------------------------------------------------------------------
    def _fortlev(self, query: dict[str, list[str]]):
        given = self.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {self.server.token}".encode()):
            body = {"error": "unauthorized", "message": "Token de acesso inválido ou ausente."}
            return 401, _json(body), "application/json", None, {"WWW-Authenticate": 'Bearer realm="fortlev"'}
        try:
            page = int(query.get("page", ["1"])[0])
            per_page = min(int(query.get("per_page", ["100"])[0]), MAX_PER_PAGE)
            if page < 1 or per_page < 1:
                raise ValueError
        except ValueError:
            body = {"error": "invalid_parameter", "message": "page e per_page devem ser inteiros positivos."}
            return 400, _json(body), "application/json", None, {}
        lines, mtime = self.server.fortlev_lines()
        total_pages = max(1, math.ceil(len(lines) / per_page))
        chunk = lines[(page - 1) * per_page : page * per_page]
        base = f"http://{self.headers.get('Host', '127.0.0.1')}{FORTLEV_PRODUCTS}"
        links = {
            "self": f"{base}?page={page}&per_page={per_page}",
            "next": f"{base}?page={page + 1}&per_page={per_page}" if page < total_pages else None,
            "prev": f"{base}?page={page - 1}&per_page={per_page}" if page > 1 else None,
        }
        meta = {"page": page, "per_page": per_page, "total": len(lines), "total_pages": total_pages}
        body = (
            '{"data":['
            + ",".join(chunk)
            + '],"meta":'
            + json.dumps(meta)
            + ',"links":'
            + json.dumps(links)
            + "}"
        )
        return 200, body.encode("utf-8"), "application/json; charset=utf-8", mtime, {}

    def _neosolar(self, path: str, query: dict[str, list[str]]):
        shop = self.server.root / "neosolar" / "loja"
        rest = path.removeprefix("/neosolar/loja").strip("/")
        if not rest:
            target = shop / "index.html"
        elif rest.startswith("categoria/"):
            page = query.get("p", ["1"])[0]
            target = shop / rest / f"p{page}.html" if page.isdigit() else shop / "missing"
        elif rest.startswith("produto/"):
            target = shop / f"{rest}.html"
        else:
            target = shop / "missing"
        return self._file(target)

    def _static(self, path: str):
        if not path.startswith(STATIC_PREFIXES):
            return self._not_found()
        return self._file(self.server.root / path.lstrip("/"))

    def _file(self, target: Path):
        try:
            resolved = target.resolve()
        except OSError:
            return self._not_found()
        if not resolved.is_relative_to(self.server.root) or not resolved.is_file():
            return self._not_found()
        content_type = CONTENT_TYPES.get(resolved.suffix, "application/octet-stream")
        return 200, resolved.read_bytes(), content_type, resolved.stat().st_mtime, {}

    def _not_found(self):
        body = b"<!DOCTYPE html><html><body><h1>404 - P\xc3\xa1gina n\xc3\xa3o encontrada</h1></body></html>"
        return 404, body, "text/html; charset=utf-8", None, {}

    # --- response ----------------------------------------------------------------------
    def _send(self, status, body: bytes, content_type: str, *, mtime=None, head=False, extra=None) -> None:
        headers = dict(extra or {})
        if status == 200:
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers["ETag"] = etag
            if mtime is not None:
                headers["Last-Modified"] = email.utils.formatdate(int(mtime), usegmt=True)
            if self._not_modified(etag, mtime):
                self.send_response(304)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str, mtime: float | None) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return etag in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if since and mtime is not None:
            try:
                return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def start_feed_server(
    *, root: Path | str | None = None, port: int = 0, host: str = "127.0.0.1", token: str = FORTLEV_TOKEN
) -> tuple[FeedServer, str]:
    """Serves the feeds from a background thread; returns the server and its base URL."""
    server = FeedServer((host, port), root=Path(root) if root else FEEDS_DIR, token=token)
    threading.Thread(target=server.serve_forever, name="feed-server", daemon=True).start()
    return server, server.base_url


def stop_feed_server(server: FeedServer) -> None:
    server.stop()


def _fault_arg(text: str) -> tuple[str, int, int | None]:
    prefix, _, rest = text.partition(":")
    status, _, times = rest.partition(":")
    return prefix, int(status), int(times) if times else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the demo distributors' feeds over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--root", type=Path, default=FEEDS_DIR, help="feeds folder (default: the sample feeds)"
    )
    parser.add_argument("--token", default=FORTLEV_TOKEN, help="bearer token the Fortlev API accepts")
    parser.add_argument("--fault", action="append", default=[], type=_fault_arg,
                        help="PREFIX:STATUS[:TIMES], e.g. /odex/:503:2")  # fmt: skip
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = FeedServer((args.host, args.port), root=args.root, token=args.token, verbose=args.verbose)
    for prefix, status, times in args.fault:
        server.fault_add(prefix, status=status, times=times)
    print(f"Serving distributor feeds from {server.root} at {server.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
