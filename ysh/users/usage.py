"""Plan-limit usage counters.

Each plan limit (``Plan.max_users``, ``Plan.max_projects_per_month``, ``Plan.max_products_listed``)
is measured by a counter registered by the app that owns the counted objects, so this module
never imports them. Apps register in their ``AppConfig.ready``::

    from ysh.users.usage import register_usage_counter
    register_usage_counter("max_projects_per_month", projects_this_month)
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from ysh.users.models import Organization

UsageCounter = Callable[["Organization"], int]

LIMIT_LABELS = {
    "max_users": _("users"),
    "max_projects_per_month": _("homologation projects this month"),
    "max_products_listed": _("products listed"),
}

_counters: dict[str, UsageCounter] = {}


def register_usage_counter(limit: str, counter: UsageCounter) -> None:
    if limit not in LIMIT_LABELS:
        raise ValueError(f"Unknown plan limit {limit!r}")
    _counters[limit] = counter


def usage_counter(limit: str) -> UsageCounter | None:
    return _counters.get(limit)


def _users_in_use(organization: "Organization") -> int:
    """Members plus pending invitations: an invitation holds a seat until it is answered."""
    from django.utils import timezone

    from ysh.users.models import InvitationStatus

    members = organization.memberships.count()
    pending = organization.invitations.filter(
        status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    ).count()
    return members + pending


register_usage_counter("max_users", _users_in_use)
