"""The vector index in local mode: search semantics, and sharing one folder between processes."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from qdrant_client import models

from ysh import vectors

COLLECTION = "modules"
# Three catalog items in a toy 4-d embedding space.
POINTS = [
    (1, [1.0, 0.0, 0.0, 0.0], {"kind": "module", "brand": "Canadian Solar", "watts": 550}),
    (2, [0.9, 0.1, 0.0, 0.0], {"kind": "module", "brand": "Jinko", "watts": 575}),
    (3, [0.0, 1.0, 0.0, 0.0], {"kind": "inverter", "brand": "Growatt", "watts": 5000}),
]

# What a second process (the Celery worker next to the web process) runs with the same env.
WORKER_SCRIPT = """
import json, sys
import django
django.setup()
from ysh import vectors
first_id, rounds = int(sys.argv[1]), int(sys.argv[2])
seen = vectors.count("modules")
for offset in range(rounds):
    vectors.upsert("modules", [(first_id + offset, [0.0, 0.0, 1.0, 0.0], {"kind": "string-box"})])
nearest = vectors.search("modules", [1.0, 0.0, 0.0, 0.0], limit=1)[0]
print(json.dumps({"seen": seen, "nearest": nearest.id, "brand": nearest.payload["brand"]}))
"""


@pytest.fixture
def local_index(settings, tmp_path):
    settings.QDRANT_URL = ""
    settings.QDRANT_PATH = str(tmp_path / "qdrant")
    vectors.ensure_collection(COLLECTION, size=4)
    return settings.QDRANT_PATH


def run_worker(index_path: str, *, first_id: int, rounds: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ysh.settings",
        "QDRANT_URL": "",
        "QDRANT_PATH": index_path,
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, str(first_id), str(rounds)],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_search_returns_nearest_first_with_scores(local_index):
    # given three indexed items
    vectors.upsert(COLLECTION, POINTS)

    # when searching next to the first one
    hits = vectors.search(COLLECTION, [1.0, 0.05, 0.0, 0.0], limit=3)

    # then they come nearest first, with cosine scores and their payloads
    assert [hit.id for hit in hits] == [1, 2, 3]
    assert hits[0].score > hits[1].score > hits[2].score
    assert hits[0].score == pytest.approx(0.9988, abs=1e-3)
    assert hits[0].payload == POINTS[0][2]
    assert vectors.count(COLLECTION) == 3


def test_payload_filter_narrows_by_value_and_by_any_of_a_list(local_index):
    # given three indexed items
    vectors.upsert(COLLECTION, POINTS)

    # when filtering
    modules = vectors.search(COLLECTION, [0.0, 1.0, 0.0, 0.0], must={"kind": "module"})
    brands = vectors.search(COLLECTION, [1.0, 0.0, 0.0, 0.0], must={"brand": ["Jinko", "Growatt"]})
    both = vectors.search(COLLECTION, [1.0, 0.0, 0.0, 0.0], must={"kind": "module", "brand": ["Growatt"]})

    # then
    assert [hit.id for hit in modules] == [2, 1]
    assert [hit.id for hit in brands] == [2, 3]
    assert both == []


def test_upsert_replaces_and_delete_removes(local_index):
    # given three indexed items
    vectors.upsert(COLLECTION, POINTS)

    # when one is re-indexed with a new payload and another deleted
    vectors.upsert(
        COLLECTION, [(1, [1.0, 0.0, 0.0, 0.0], {"kind": "module", "brand": "Canadian Solar", "watts": 600})]
    )
    vectors.delete(COLLECTION, [2])

    # then
    assert vectors.count(COLLECTION) == 2
    hits = vectors.search(COLLECTION, [1.0, 0.0, 0.0, 0.0])
    assert [hit.id for hit in hits] == [1, 3]
    assert hits[0].payload["watts"] == 600


def test_missing_collection_reads_as_empty(local_index):
    # when / then
    assert vectors.search("never_created", [1.0, 0.0, 0.0, 0.0]) == []
    assert vectors.count("never_created") == 0


def test_qdrant_filters_work_the_same_in_the_embedded_index(local_index):
    # given items with numbers, booleans and lists in their payloads
    vectors.upsert(
        COLLECTION,
        [
            (pid, vector, {**payload, "in_stock": pid != 2, "states": ["SP", "RJ"] if pid == 1 else ["BA"]})
            for pid, vector, payload in POINTS
        ],
    )
    query = [1.0, 0.0, 0.0, 0.0]

    def ids(query_filter):
        return [hit.id for hit in vectors.search(COLLECTION, query, query_filter=query_filter)]

    # when / then: a range, a boolean, a list member, "not these ids" and an "or"
    assert ids(
        models.Filter(must=[models.FieldCondition(key="watts", range=models.Range(gte=560, lte=6000))])
    ) == [2, 3]
    assert ids(
        models.Filter(must=[models.FieldCondition(key="in_stock", match=models.MatchValue(value=True))])
    ) == [1, 3]
    assert ids(
        models.Filter(must=[models.FieldCondition(key="in_stock", match=models.MatchValue(value=False))])
    ) == [2]
    assert ids(
        models.Filter(must=[models.FieldCondition(key="states", match=models.MatchValue(value="RJ"))])
    ) == [1]
    assert ids(models.Filter(must_not=[models.HasIdCondition(has_id=[1, 2])])) == [3]
    either = models.Filter(
        should=[
            models.FieldCondition(key="brand", match=models.MatchValue(value="Growatt")),
            models.FieldCondition(key="watts", range=models.Range(lt=560)),
        ]
    )
    assert ids(either) == [1, 3]
    # and booleans come back as booleans
    assert vectors.search(COLLECTION, query, limit=1)[0].payload["in_stock"] is True
    assert vectors.payloads_get(COLLECTION, [2]) == {2: {**POINTS[1][2], "in_stock": False, "states": ["BA"]}}


def test_search_next_to_an_indexed_point_and_payload_updates_keep_the_vector(local_index):
    # given three indexed items
    vectors.upsert(COLLECTION, POINTS)

    # when a payload is replaced and the neighbours of item 1 are asked, without itself
    vectors.payloads_set(COLLECTION, [(2, {"kind": "module", "brand": "Jinko", "watts": 580})])
    not_itself = models.Filter(must_not=[models.HasIdCondition(has_id=[1])])
    hits = vectors.search(COLLECTION, 1, query_filter=not_itself, limit=2)

    # then item 2 is still the nearest (its vector stayed) with its new payload
    assert [hit.id for hit in hits] == [2, 3]
    assert hits[0].payload == {"kind": "module", "brand": "Jinko", "watts": 580}
    # and a point the index does not hold has no neighbours
    assert vectors.search(COLLECTION, 999, limit=2) == []


def test_a_collection_keeps_its_dimension(local_index):
    # when the same collection is asked for with another vector size
    with pytest.raises(vectors.VectorIndexError, match="4-d"):
        vectors.ensure_collection(COLLECTION, size=8)

    # then it is untouched, and dropping it empties it
    vectors.upsert(COLLECTION, POINTS)
    vectors.drop_collection(COLLECTION)
    assert vectors.count(COLLECTION) == 0


def test_a_reader_catches_up_with_another_process_in_the_background(local_index, settings):
    # given this process has read the index (its replica is loaded) and refreshes at once
    settings.QDRANT_REPLICA_REFRESH_SECONDS = 0
    vectors.upsert(COLLECTION, POINTS)
    assert vectors.count(COLLECTION) == 3

    # when a worker process adds an item
    worker = run_worker(local_index, first_id=100, rounds=1)
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err

    # then a later read sees it, once the background copy is in (reads never wait for it)
    deadline = time.monotonic() + 30
    while vectors.count(COLLECTION) != 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert vectors.count(COLLECTION) == 4


def test_another_process_reads_what_this_one_wrote(local_index):
    # given this (web) process indexed three items
    vectors.upsert(COLLECTION, POINTS)

    # when a worker process with the same QDRANT_PATH reads the index and adds an item
    worker = run_worker(local_index, first_id=100, rounds=1)
    out, err = worker.communicate(timeout=120)

    # then it saw our items, and we see its item
    assert worker.returncode == 0, err
    assert json.loads(out) == {"seen": 3, "nearest": 1, "brand": "Canadian Solar"}
    assert vectors.count(COLLECTION) == 4
    string_boxes = vectors.search(COLLECTION, [0.0, 0.0, 1.0, 0.0], must={"kind": "string-box"})
    assert [hit.id for hit in string_boxes] == [100]


def test_two_processes_write_to_the_local_index_at_the_same_time(local_index):
    # given the index with three items
    vectors.upsert(COLLECTION, POINTS)

    # when a worker process writes while this process keeps writing until the worker is done
    # (pausing between writes the way the indexer does while it embeds the next batch)
    worker = run_worker(local_index, first_id=1000, rounds=15)
    ours = 0
    while (worker.poll() is None and ours < 500) or ours == 0:
        vectors.upsert(COLLECTION, [(2000 + ours, [0.0, 0.0, 0.0, 1.0], {"kind": "cable"})])
        ours += 1
        time.sleep(0.02)
    _, err = worker.communicate(timeout=180)

    # then neither was locked out and no write was lost
    assert worker.returncode == 0, err
    assert vectors.count(COLLECTION) == 3 + 15 + ours
    assert len(vectors.search(COLLECTION, [0.0, 0.0, 1.0, 0.0], limit=50, must={"kind": "string-box"})) == 15


def test_a_forked_child_reads_through_its_own_replica(local_index):
    # given this process has a replica loaded (the engine runs threads of its own)
    vectors.upsert(COLLECTION, POINTS)
    assert vectors.count(COLLECTION) == 3

    # when a forked child (a Celery prefork or gunicorn worker) searches
    pid = os.fork()
    if pid == 0:  # the child: exit code 0 only if it found the nearest item
        try:
            hits = vectors.search(COLLECTION, [1.0, 0.0, 0.0, 0.0], limit=1)
            os._exit(0 if [hit.id for hit in hits] == [1] else 1)
        except BaseException:
            os._exit(2)
    deadline = time.monotonic() + 30
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)

    # then it answered (instead of hanging on the parent's engine threads)
    assert done[0] == pid, "the forked child hung"
    assert os.waitstatus_to_exitcode(done[1]) == 0
