"""A local Google Solar API (``buildingInsights:findClosest``) on 127.0.0.1 for the tests: serves the
real-format fixture for points near it, the API's 404 error document elsewhere, and can be told to
fail (5xx/403) to exercise retries and fallbacks. Records every request it gets."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURE = Path(__file__).parent / "fixtures" / "google_solar_building_insights.json"
API_KEY = "test-solar-key"


class SolarApiServer:
    def __init__(self) -> None:
        self.payload = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        self.fail_times = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                server.requests.append({"path": url.path, "query": query})
                if server.fail_with and server.fail_times > 0:
                    server.fail_times -= 1
                    status = {
                        500: "INTERNAL",
                        503: "UNAVAILABLE",
                        403: "PERMISSION_DENIED",
                        429: "RESOURCE_EXHAUSTED",
                    }
                    return self._send(
                        server.fail_with,
                        _error(server.fail_with, "failure injected", status.get(server.fail_with, "UNKNOWN")),
                    )
                if url.path != "/v1/buildingInsights:findClosest":
                    return self._send(404, _error(404, "Not found", "NOT_FOUND"))
                if query.get("key") != API_KEY:
                    return self._send(
                        403, _error(403, "The request is missing a valid API key.", "PERMISSION_DENIED")
                    )
                try:
                    lat, lon = float(query["location.latitude"]), float(query["location.longitude"])
                except (KeyError, ValueError):
                    return self._send(400, _error(400, "Invalid location", "INVALID_ARGUMENT"))
                center = server.payload["center"]
                if _distance(lat, lon, center["latitude"], center["longitude"]) > 50:
                    return self._send(404, _error(404, "Requested entity was not found.", "NOT_FOUND"))
                return self._send(200, server.payload)

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> SolarApiServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _error(code: int, message: str, status: str) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}


def _distance(lat1, lon1, lat2, lon2) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)
