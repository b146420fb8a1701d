"""Liveness and readiness.

``/health/live/`` says the process answers. ``/health/ready/`` checks every dependency the
platform needs — database, cache, Celery broker, vector index, document storage — and reports
each with its status and latency; any required check that fails turns the answer into 503."""

import time
import uuid
from collections.abc import Callable
from pathlib import Path

import boto3
from botocore.config import Config as BotoConfig
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ysh import vectors
from ysh.storage import documents_storage

# A readiness probe must answer within seconds even when a dependency hangs (accepts the
# connection and never replies): every network check gets a socket timeout and one attempt.
PROBE_TIMEOUT_SECONDS = 2


class Skipped(Exception):
    """The dependency is not used in this configuration."""


def check_database() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connections["default"].vendor


def check_cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_broker() -> str:
    from ysh.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise Skipped("tasks run eagerly in-process")
    url = app.conf.broker_url
    if url.startswith("filesystem://"):
        folder = Path(app.conf.broker_transport_options["data_folder_in"])
        probe = folder / f".health-{uuid.uuid4().hex}"
        probe.write_text("ok")
        probe.unlink()
        return "filesystem"
    # Without socket_timeout kombu's Redis transport waits forever for a hung broker's reply.
    probe_options = {
        "socket_timeout": PROBE_TIMEOUT_SECONDS,
        "socket_connect_timeout": PROBE_TIMEOUT_SECONDS,
    }
    with app.connection_for_write(transport_options=probe_options) as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS, interval_start=0)
        return conn.transport_cls if isinstance(conn.transport_cls, str) else "broker"


def check_vector_index() -> str:
    vectors.ping()
    return "qdrant-local" if vectors.is_local() else "qdrant-server"


def check_storage() -> str:
    storage = documents_storage()
    if hasattr(storage, "bucket_name"):
        # The storage's own client retries with long read timeouts (right for uploads, ~40 s
        # against a hung endpoint); the probe uses the same credentials with one short attempt.
        probe_config = storage.client_config.merge(
            BotoConfig(
                connect_timeout=PROBE_TIMEOUT_SECONDS,
                read_timeout=PROBE_TIMEOUT_SECONDS,
                retries={"total_max_attempts": 1, "mode": "standard"},
            )
        )
        # Credentials as the storage reads them (its settings), in a session of our own.
        session = boto3.session.Session(
            aws_access_key_id=storage.access_key or None,
            aws_secret_access_key=storage.secret_key or None,
            aws_session_token=storage.security_token or None,
            profile_name=storage.session_profile or None,
        )
        probe = session.client(
            "s3",
            region_name=storage.region_name,
            use_ssl=storage.use_ssl,
            endpoint_url=storage.endpoint_url,
            config=probe_config,
            verify=storage.verify,
        )
        probe.head_bucket(Bucket=storage.bucket_name)
        return "s3"
    location = Path(storage.location)
    location.mkdir(parents=True, exist_ok=True)
    probe = location / f".health-{uuid.uuid4().hex}"
    probe.write_text("ok")
    probe.unlink()
    return "filesystem"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "vector_index": check_vector_index,
    "storage": check_storage,
}


def run_checks() -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    healthy = True
    optional = set(settings.HEALTH_OPTIONAL_CHECKS)
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            backend = check()
            result = {"status": "ok", "backend": backend}
        except Skipped as reason:
            result = {"status": "skipped", "reason": str(reason)}
        except Exception as exc:  # a health check reports every failure, whatever its type
            result = {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
            if name not in optional:
                healthy = False
        result["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
        result["required"] = name not in optional
        results[name] = result
    return healthy, results


@never_cache
@require_GET
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request):
    healthy, results = run_checks()
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
