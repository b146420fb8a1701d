"""Fixtures for the infrastructure tests: real servers on loopback, never a patched client."""

import json
import runpy
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.conf import settings as django_settings
from moto.server import ThreadedMotoServer

from ysh.celery import app as celery_app

S3_BUCKET = "ysh-documents-test"
S3_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "ysh-test-key", "AWS_SECRET_ACCESS_KEY": "ysh-test-secret"}


def project_settings(**environment: str) -> dict[str, Any]:
    """ysh/settings.py evaluated under extra environment variables, as a deploy would run it.

    Lets a test use exactly what settings.py builds (e.g. the S3 documents storage) instead of a
    hand-written copy that could drift from it."""
    with pytest.MonkeyPatch.context() as env:
        for name, value in environment.items():
            env.setenv(name, value)
        return runpy.run_path(str(Path(django_settings.BASE_DIR) / "ysh" / "settings.py"))


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound once to pick it, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers: a hung dependency."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


@pytest.fixture
def celery_broker(settings):
    """Tasks go through a broker (not eager) and the app's broker URL can be repointed.

    The Celery app reads Django settings once, so its own config is changed and put back."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False

    def point_to(url: str) -> None:
        celery_app.conf.broker_url = url

    yield point_to
    celery_app.conf.update(saved)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on loopback; same wire protocol as AWS S3 and MinIO."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def s3_bucket(s3_endpoint):
    """The documents bucket, and a raw S3 client to look at it behind ysh.storage's back."""
    raw = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    raw.create_bucket(Bucket=S3_BUCKET)
    return raw


def s3_documents_storage(endpoint: str) -> dict[str, Any]:
    """STORAGES["documents"] exactly as settings.py builds it for a bucket at ``endpoint``."""
    built = project_settings(S3_BUCKET=S3_BUCKET, S3_ENDPOINT_URL=endpoint, **S3_CREDENTIALS)
    return built["STORAGES"]["documents"]


class _QdrantHandler(BaseHTTPRequestHandler):
    """Answers the two Qdrant REST calls the readiness probe makes, in Qdrant's own format."""

    def do_GET(self):
        if self.path == "/":
            body = {
                "title": "qdrant - vector search engine",
                "version": version("qdrant-client"),
                "commit": "0" * 40,
            }
        elif self.path.startswith("/collections"):
            body = {"result": {"collections": [{"name": "ysh_catalog"}]}, "status": "ok", "time": 2.1e-06}
        else:
            self.send_error(404)
            return
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def qdrant_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _QdrantHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
