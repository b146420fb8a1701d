"""The beat schedule of ysh/beat.py installed into django-celery-beat, idempotently."""

import dataclasses

import pytest
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from ysh.beat import OWNED_PREFIX, SCHEDULE, install_schedule
from ysh.celery import QUEUES, app

pytestmark = pytest.mark.django_db


def test_install_creates_every_entry_with_a_sao_paulo_crontab():
    # when
    counts = install_schedule()

    # then
    assert counts == {"created": len(SCHEDULE), "updated": 0, "unchanged": 0, "removed": 0}
    for key, entry in SCHEDULE.items():
        task = PeriodicTask.objects.select_related("crontab").get(name=OWNED_PREFIX + key)
        assert task.task == entry.task
        assert task.enabled is True
        assert task.interval is None
        assert task.queue == entry.queue
        assert str(task.crontab.timezone) == "America/Sao_Paulo"
        assert (
            task.crontab.minute,
            task.crontab.hour,
            task.crontab.day_of_week,
            task.crontab.day_of_month,
            task.crontab.month_of_year,
        ) == (entry.minute, entry.hour, entry.day_of_week, entry.day_of_month, entry.month_of_year)


def test_installing_twice_changes_nothing():
    # given the schedule installed once
    install_schedule()
    tasks_before = list(PeriodicTask.objects.order_by("name").values())
    crontabs_before = CrontabSchedule.objects.count()

    # when it is installed again (every deploy does)
    counts = install_schedule()

    # then
    assert counts == {"created": 0, "updated": 0, "unchanged": len(SCHEDULE), "removed": 0}
    assert list(PeriodicTask.objects.order_by("name").values()) == tasks_before
    assert CrontabSchedule.objects.count() == crontabs_before


def test_an_entry_dropped_from_the_schedule_is_removed_but_staff_tasks_stay():
    # given the schedule installed, and a task staff created by hand in the admin
    install_schedule()
    every_hour = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.create(
        name="staff: one-off report", task="analytics.tasks.report", interval=every_hour
    )
    kept, dropped = list(SCHEDULE)[:1], list(SCHEDULE)[1:]

    # when the schedule loses entries
    counts = install_schedule({key: SCHEDULE[key] for key in kept})

    # then ours are removed, theirs is untouched
    assert counts["removed"] == len(dropped)
    assert not PeriodicTask.objects.filter(name__in=[OWNED_PREFIX + key for key in dropped]).exists()
    assert PeriodicTask.objects.filter(name=OWNED_PREFIX + kept[0]).exists()
    assert PeriodicTask.objects.filter(name="staff: one-off report").exists()


def test_a_task_disabled_by_staff_stays_disabled_after_reinstall():
    # given staff disabled one of our tasks in the admin
    install_schedule()
    key, entry = next(iter(SCHEDULE.items()))
    PeriodicTask.objects.filter(name=OWNED_PREFIX + key).update(enabled=False)

    # when the same schedule, then a changed time for that entry, are installed
    unchanged = install_schedule()
    moved = install_schedule({**SCHEDULE, key: dataclasses.replace(entry, minute="45")})

    # then the time follows the code and "enabled" follows staff
    assert unchanged["unchanged"] == len(SCHEDULE)
    assert moved["updated"] == 1
    task = PeriodicTask.objects.select_related("crontab").get(name=OWNED_PREFIX + key)
    assert task.crontab.minute == "45"
    assert task.enabled is False


def test_every_scheduled_task_is_registered_on_a_known_queue():
    # given the tasks Celery autodiscovers in every app
    app.loader.import_default_modules()

    # then every schedule entry names a real task and a queue a worker consumes
    for entry in SCHEDULE.values():
        assert entry.task in app.tasks, entry.task
        assert entry.queue in QUEUES


def test_setup_periodic_tasks_command_installs_the_schedule(capsys):
    # when the deploy step runs
    call_command("setup_periodic_tasks")
    call_command("setup_periodic_tasks")

    # then
    out = capsys.readouterr().out
    assert f"{len(SCHEDULE)} created" in out
    assert f"{len(SCHEDULE)} unchanged" in out
    assert PeriodicTask.objects.filter(name__startswith=OWNED_PREFIX).count() == len(SCHEDULE)
