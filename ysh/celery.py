"""The Celery application: named queues, routing by app, safe task defaults.

Broker: Redis when ``REDIS_URL`` is set, otherwise kombu's filesystem transport, so the
`make run` worker and beat really execute tasks on a laptop with no server installed.
Beat schedules are not defined here: they all live in :mod:`ysh.beat`.
"""

import os

from celery import Celery, signals
from kombu import Exchange, Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ysh.settings")

app = Celery("ysh")
app.config_from_object("django.conf:settings", namespace="CELERY")

QUEUES = ("default", "scraping", "enrichment", "documents", "notifications")

app.conf.update(
    task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
    task_default_queue="default",
    task_default_exchange="default",
    task_default_routing_key="default",
    # Each app's tasks declare their queue in @shared_task(queue=...); these routes are the
    # fallback for modules whose every task belongs to one queue.
    task_routes={
        "catalog.tasks.scrape_*": {"queue": "scraping"},
        "catalog.tasks.enrich_*": {"queue": "enrichment"},
        "catalog.tasks.index_*": {"queue": "enrichment"},
        "*.tasks.render_*": {"queue": "documents"},
        "*.tasks.notify_*": {"queue": "notifications"},
        "*.tasks.send_*": {"queue": "notifications"},
    },
    # Tasks are written to be idempotent, so redelivery after a worker crash is safe.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=15 * 60,
    task_soft_time_limit=14 * 60,
    task_track_started=True,
    result_expires=24 * 3600,
    task_ignore_result=False,
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=4,
    worker_hijack_root_logger=False,
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
)

app.autodiscover_tasks()


@signals.worker_init.connect
@signals.beat_init.connect
def _require_secret_key(**kwargs) -> None:
    """Workers sign reset tokens and hash IPs: refuse to start without a SECRET_KEY."""
    from django.core.exceptions import ImproperlyConfigured

    from ysh.boot import require_secret_key

    try:
        require_secret_key()
    except ImproperlyConfigured as exc:
        # Celery only logs exceptions raised by signal handlers; exiting is what stops the boot.
        raise SystemExit(str(exc)) from exc
