"""Read-side queries for users and organizations."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from ysh.users.models import (
    Invitation,
    InvitationStatus,
    LoginHistory,
    Membership,
    Organization,
    User,
)
from ysh.users.usage import LIMIT_LABELS, usage_counter


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization", "organization__plan")


def membership_for(*, user: User, organization_id: int | None = None) -> Membership | None:
    """The membership the user acts through: the requested organization when given and the
    user belongs to it, otherwise their oldest membership."""
    if not user or not user.is_authenticated:
        return None
    qs = memberships_of(user=user)
    if organization_id is not None:
        return qs.filter(organization_id=organization_id).first()
    return qs.order_by("created_at", "id").first()


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("created_at", "id")
    )


def organization_pending_invitations(*, organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization,
        status=InvitationStatus.PENDING,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by")


def invitation_by_token(*, token: str) -> Invitation | None:
    return Invitation.objects.select_related("organization").filter(token=token).first()


@dataclass(frozen=True)
class LimitUsage:
    limit: str
    label: str
    maximum: int | None
    used: int | None

    @property
    def percent(self) -> int | None:
        if self.maximum in (None, 0) or self.used is None:
            return None
        return min(100, round(100 * self.used / self.maximum))

    @property
    def reached(self) -> bool:
        return self.maximum is not None and self.used is not None and self.used >= self.maximum


def organization_plan_usage(*, organization: Organization) -> list[LimitUsage]:
    plan = organization.plan
    rows = []
    for limit, label in LIMIT_LABELS.items():
        counter = usage_counter(limit)
        rows.append(
            LimitUsage(
                limit=limit,
                label=str(label),
                maximum=plan.limit(limit),
                used=counter(organization) if counter else None,
            )
        )
    return rows


def login_lock_remaining(*, email: str, ip_hash: str) -> int:
    """Seconds until sign-in is allowed again for this e-mail / hashed IP (0 = not locked).

    Failures count since the last success of that e-mail inside the window, so a correct
    password resets the counter; an IP that fails across many accounts is locked on its own.
    """
    now = timezone.now()
    window_start = now - settings.LOGIN_LOCKOUT_WINDOW
    email = (email or "").strip().lower()
    remaining = 0
    if email:
        last_success = (
            LoginHistory.objects.filter(email=email, success=True, created_at__gte=window_start)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        since = max(window_start, last_success) if last_success else window_start
        failures = list(
            LoginHistory.objects.filter(email=email, success=False, created_at__gte=since)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
        )
        if len(failures) >= settings.LOGIN_FAILURE_LIMIT:
            remaining = max(remaining, _seconds_left(failures[0], now))
    if ip_hash:
        failures = list(
            LoginHistory.objects.filter(ip_hash=ip_hash, success=False, created_at__gte=window_start)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: settings.LOGIN_IP_FAILURE_LIMIT]
        )
        if len(failures) >= settings.LOGIN_IP_FAILURE_LIMIT:
            remaining = max(remaining, _seconds_left(failures[0], now))
    return remaining


def _seconds_left(last_failure, now) -> int:
    unlock_at = last_failure + settings.LOGIN_LOCKOUT_WINDOW
    return max(0, int((unlock_at - now) / timedelta(seconds=1)))


def account_exists_for_email(*, email: str) -> bool:
    return User.objects.filter(email__iexact=(email or "").strip()).exists()


def user_from_reset_uid(*, uid: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        return User.objects.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return None


def password_reset_link_is_valid(*, uid: str, token: str) -> bool:
    """Whether a reset link can still be used, so a page can say so before asking for a password;
    ``password_reset_confirm`` checks again when the new password is sent."""
    user = user_from_reset_uid(uid=uid)
    return user is not None and default_token_generator.check_token(user, token)
