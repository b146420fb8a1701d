"""/health/live/ and /health/ready/: every dependency reported, 503 when a required one is down."""

import re

import pytest
from django.db.utils import ConnectionHandler, OperationalError
from django.test import override_settings

from ysh import health
from ysh.tests.conftest import project_settings, s3_documents_storage

pytestmark = pytest.mark.django_db

READY = "/health/ready/"
TIMED_OUT = re.compile(r"time(d)? ?out", re.IGNORECASE)


def redis_cache_at(port: int) -> dict:
    """CACHES as settings.py builds them for a Redis at ``port`` (same timeouts as production)."""
    return project_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0")["CACHES"]


def test_live_answers_ok(client):
    # given a running process
    # when the orchestrator asks whether it is alive
    response = client.get("/health/live/")

    # then it answers without looking at any dependency
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_lists_every_check_ok_on_the_test_configuration(client):
    # given the test configuration: eager Celery, local vector index, local documents
    # when
    response = client.get(READY)

    # then every dependency is listed with a status and latency, none failing
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == set(health.CHECKS)
    statuses = {name: check["status"] for name, check in body["checks"].items()}
    assert statuses == {
        "database": "ok",
        "cache": "ok",
        "broker": "skipped",
        "vector_index": "ok",
        "storage": "ok",
    }
    assert all(check["latency_ms"] >= 0 for check in body["checks"].values())
    assert body["checks"]["vector_index"]["backend"] == "qdrant-local"
    assert body["checks"]["storage"]["backend"] == "filesystem"
    assert "no-store" in response["Cache-Control"]


def test_ready_checks_the_configured_broker_when_tasks_are_queued(client, celery_broker):
    # given tasks go through the project's broker (Redis when REDIS_URL is set, files otherwise)
    # when
    response = client.get(READY)

    # then the broker is really probed
    assert response.status_code == 200, response.json()
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "ok"
    assert broker["backend"] in {"redis", "filesystem"}


def assert_down(response, name: str) -> dict:
    body = response.json()
    assert response.status_code == 503, body
    assert body["status"] == "unavailable"
    down = {check for check, result in body["checks"].items() if result["status"] == "down"}
    assert down == {name}
    return body["checks"][name]


def test_ready_503_when_the_cache_is_unreachable(client, settings, closed_port):
    # given the cache points to a Redis port nobody listens on
    settings.CACHES = redis_cache_at(closed_port)

    # when
    response = client.get(READY)

    # then
    cache = assert_down(response, "cache")
    assert "ConnectionError" in cache["error"]
    assert cache["required"] is True


def test_ready_503_when_the_broker_is_unreachable(client, celery_broker, closed_port):
    # given tasks are queued to a Redis broker port nobody listens on
    celery_broker(f"redis://127.0.0.1:{closed_port}/0")

    # when
    response = client.get(READY)

    # then
    broker = assert_down(response, "broker")
    assert "OperationalError" in broker["error"]


def test_ready_503_when_document_storage_is_unreachable(client, settings, closed_port):
    # given documents live in an S3 bucket whose endpoint is gone
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": s3_documents_storage(f"http://127.0.0.1:{closed_port}"),
    }

    # when
    response = client.get(READY)

    # then
    storage = assert_down(response, "storage")
    assert "EndpointConnectionError" in storage["error"]


def test_ready_follows_qdrant_url_changes_and_503_when_the_index_is_down(client, qdrant_server, closed_port):
    # given a Qdrant server that answers, then one that is gone, then the local index again
    with override_settings(QDRANT_URL=qdrant_server):
        serving = client.get(READY)
    with override_settings(QDRANT_URL=f"http://127.0.0.1:{closed_port}"):
        gone = client.get(READY)
    local = client.get(READY)

    # then each answer reflects the index configured at that moment (no stale cached client)
    assert serving.status_code == 200, serving.json()
    assert serving.json()["checks"]["vector_index"]["backend"] == "qdrant-server"
    vector_index = assert_down(gone, "vector_index")
    assert "VectorIndexError" in vector_index["error"]
    assert local.status_code == 200, local.json()
    assert local.json()["checks"]["vector_index"]["backend"] == "qdrant-local"


def test_an_optional_check_that_is_down_does_not_fail_readiness(client, settings, closed_port):
    # given the vector index is declared optional and is down
    settings.HEALTH_OPTIONAL_CHECKS = ["vector_index"]
    settings.QDRANT_URL = f"http://127.0.0.1:{closed_port}"

    # when
    response = client.get(READY)

    # then it is reported as down but the instance stays in rotation
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["vector_index"]["status"] == "down"
    assert body["checks"]["vector_index"]["required"] is False
    assert body["checks"]["database"]["required"] is True


def hang_cache(settings, celery_broker, port):
    settings.CACHES = redis_cache_at(port)


def hang_broker(settings, celery_broker, port):
    celery_broker(f"redis://127.0.0.1:{port}/0")


def hang_storage(settings, celery_broker, port):
    settings.STORAGES = {**settings.STORAGES, "documents": s3_documents_storage(f"http://127.0.0.1:{port}")}


def hang_vector_index(settings, celery_broker, port):
    settings.QDRANT_URL = f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    ("name", "hang"),
    [
        ("cache", hang_cache),
        ("broker", hang_broker),
        ("storage", hang_storage),
        ("vector_index", hang_vector_index),
    ],
)
def test_ready_gives_up_on_a_hung_dependency(client, settings, celery_broker, silent_port, name, hang):
    # given a dependency that accepts the connection and never replies
    hang(settings, celery_broker, silent_port)

    # when
    response = client.get(READY)

    # then the probe times out on its own instead of waiting forever
    check = assert_down(response, name)
    assert TIMED_OUT.search(check["error"]), check["error"]


def test_a_hung_postgres_fails_fast_instead_of_blocking(silent_port):
    # given the database settings.py builds for a PostgreSQL that accepts and never answers
    databases = project_settings(DATABASE_URL=f"postgres://ysh@127.0.0.1:{silent_port}/ysh")["DATABASES"]
    handler = ConnectionHandler(databases)

    # when / then connecting gives up on its own (the database check would otherwise hang)
    try:
        with pytest.raises(OperationalError, match="timeout"):
            handler["default"].ensure_connection()
    finally:
        handler.close_all()
