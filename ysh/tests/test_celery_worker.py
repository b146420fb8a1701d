"""A real round trip: .delay() → broker → worker → result backend, on the project's Celery app.

The broker is whatever settings.py picks: Redis when REDIS_URL is set (CI), kombu's filesystem
transport in the test run's temporary YSH_VAR_DIR otherwise, so the embedded default of
`make run` is proven to really execute tasks."""

import os
from datetime import timedelta

import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping, the worker's ready check
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.core import mail
from django.utils import timezone

from ysh.celery import app
from ysh.users.models import Invitation, InvitationStatus
from ysh.users.tasks import invitations_expire, send_invitation_email
from ysh.users.tests.factories import InvitationFactory

RESULT_TIMEOUT = 30


@pytest.fixture
def worker(celery_broker):
    """An embedded worker thread consuming every project queue through the real broker."""
    app.loader.import_default_modules()
    app.control.purge()  # leftovers of an interrupted run must not be consumed here
    deliveries: dict[str, str] = {}

    def record_delivery(sender=None, task=None, **kwargs):
        deliveries[task.name] = task.request.delivery_info.get("routing_key")

    task_prerun.connect(record_delivery, weak=False)
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=True) as started:
            started.deliveries = deliveries
            yield started
    finally:
        task_prerun.disconnect(record_delivery)


@pytest.mark.django_db(transaction=True)
def test_housekeeping_task_runs_in_the_worker_from_the_default_queue(worker):
    # given the project's broker (Redis under REDIS_URL, files otherwise)
    transport = app.conf.broker_url.split(":", 1)[0]
    assert transport == ("redis" if os.environ.get("REDIS_URL") else "filesystem")
    # and one invitation past its expiry and one still valid
    stale = InvitationFactory(expires_at=timezone.now() - timedelta(days=1))
    fresh = InvitationFactory()

    # when the task is queued, not run in-process
    result = invitations_expire.delay()

    # then the worker ran it against the database and stored its result
    assert result.get(timeout=RESULT_TIMEOUT) == 1
    assert result.status == "SUCCESS"
    assert worker.deliveries[invitations_expire.name] == "default"
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == InvitationStatus.EXPIRED
    assert fresh.status == InvitationStatus.PENDING


@pytest.mark.django_db(transaction=True)
def test_email_task_travels_through_the_notifications_queue(worker):
    # given a pending invitation
    invitation = InvitationFactory()

    # when its e-mail is queued
    result = send_invitation_email.delay(invitation.pk)

    # then the worker took it from the notifications queue and sent the e-mail
    assert result.get(timeout=RESULT_TIMEOUT) == "sent"
    assert worker.deliveries[send_invitation_email.name] == "notifications"
    assert [message.to for message in mail.outbox] == [[invitation.email]]
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING
