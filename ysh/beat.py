"""Every periodic task of the platform, in one place.

``install_schedule()`` writes this table into django-celery-beat idempotently (run at deploy and
by `make run` through ``manage.py setup_periodic_tasks``): entries are created or updated by
name, and entries we own (``ysh:`` prefix) that are no longer listed here are removed. Times are
crontab expressions in America/Sao_Paulo."""

import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

OWNED_PREFIX = "ysh:"


@dataclass(frozen=True)
class BeatEntry:
    task: str
    minute: str = "0"
    hour: str = "*"
    day_of_week: str = "*"
    day_of_month: str = "*"
    month_of_year: str = "*"
    queue: str = "default"
    kwargs: dict = field(default_factory=dict)
    description: str = ""


SCHEDULE: dict[str, BeatEntry] = {
    "users.invitations_expire": BeatEntry(
        task="ysh.users.tasks.invitations_expire",
        minute="15",
        description="Mark pending invitations past their expiry as expired.",
    ),
    "users.login_history_prune": BeatEntry(
        task="ysh.users.tasks.login_history_prune",
        minute="30",
        hour="3",
        description="Delete sign-in history older than LOGIN_HISTORY_RETENTION_DAYS (LGPD).",
    ),
    # One entry that fans out to one task per active distributor (not one entry per distributor):
    # distributors are added in the admin at any time and the schedule is code, so a fan-out
    # covers new ones without a deploy, and each distributor still runs (and fails) on its own.
    "catalog.distributors_sync": BeatEntry(
        task="catalog.tasks.scrape_all_distributors",
        minute="0",
        hour="2",
        queue="scraping",
        kwargs={"trigger": "schedule"},
        description="Daily import of every active distributor's feed (one scraping task each).",
    ),
    # After the 02:00 import has refreshed the kits (and their components) of every distributor.
    "catalog.associations_refresh": BeatEntry(
        task="catalog.tasks.enrich_product_associations",
        minute="30",
        hour="3",
        queue="enrichment",
        description="Nightly recompute of 'frequently bought together' from kits (and orders).",
    ),
    # After the 02:00 import and the 03:30 associations refresh, away from both.
    "catalog.raw_listings_prune": BeatEntry(
        task="catalog.tasks.raw_listings_prune",
        minute="40",
        hour="4",
        description="Delete raw listings past CATALOG_RAW_LISTING_RETENTION_DAYS that nothing needs.",
    ),
    "engineering.tariffs_refresh": BeatEntry(
        task="engineering.tasks.tariffs_refresh",
        minute="20",
        hour="4",
        day_of_week="1",
        description="Weekly refresh of utilities and tariffs from ANEEL open data (history kept).",
    ),
}


@transaction.atomic
def install_schedule(schedule: dict[str, BeatEntry] | None = None) -> dict[str, int]:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    schedule = SCHEDULE if schedule is None else schedule
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    for key, entry in schedule.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=entry.minute,
            hour=entry.hour,
            day_of_week=entry.day_of_week,
            day_of_month=entry.day_of_month,
            month_of_year=entry.month_of_year,
            timezone=settings.TIME_ZONE,
        )
        wanted = {
            "task": entry.task,
            "crontab": crontab,
            "interval": None,
            "queue": entry.queue,
            "kwargs": json.dumps(entry.kwargs, sort_keys=True),
            "description": entry.description,
        }
        name = OWNED_PREFIX + key
        task = PeriodicTask.objects.filter(name=name).first()
        if task is None:
            PeriodicTask.objects.create(name=name, enabled=True, **wanted)
            counts["created"] += 1
            continue
        changed = [k for k, v in wanted.items() if getattr(task, k) != v]
        if changed:
            for k in changed:
                setattr(task, k, wanted[k])
            task.save()  # staff may have disabled it in the admin: "enabled" is left as they set it
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    stale = PeriodicTask.objects.filter(name__startswith=OWNED_PREFIX).exclude(
        name__in=[OWNED_PREFIX + key for key in schedule]
    )
    counts["removed"] = stale.count()
    stale.delete()
    return counts
