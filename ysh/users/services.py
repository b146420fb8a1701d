"""Write-side services for users, organizations, memberships, invitations and sign-in."""

import hashlib
import hmac
import ipaddress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ysh.errors import Conflict, InvalidState, NotAllowed, OrganizationSuspended, PlanLimitExceeded
from ysh.users.models import (
    Invitation,
    InvitationStatus,
    LoginHistory,
    LoginSource,
    Membership,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    Plan,
    Role,
    User,
)
from ysh.users.selectors import user_from_reset_uid
from ysh.users.usage import LIMIT_LABELS, usage_counter
from ysh.users.validators import normalize_cnpj, normalize_cpf

# --- IPs and sign-in history ------------------------------------------------------------


def client_ip(request: HttpRequest | None) -> str:
    """The caller's IP, trusting ``X-Forwarded-For`` only for ``NUM_PROXIES`` hops."""
    if request is None:
        return ""
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if num_proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidate = hops[-min(num_proxies, len(hops))]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "") or ""


def ip_hash_for(ip: str) -> str:
    """HMAC-SHA256 of an IP with a server secret: linkable for abuse control, not reversible
    by enumerating the IPv4 space without the secret."""
    if not ip:
        return ""
    secret = settings.IP_HASH_SECRET or settings.SECRET_KEY
    return hmac.new(secret.encode(), ip.encode(), hashlib.sha256).hexdigest()


def request_ip_hash(request: HttpRequest | None) -> str:
    return ip_hash_for(client_ip(request))


def login_source_for(request: HttpRequest | None) -> str:
    if request is None:
        return LoginSource.OTHER
    path = request.path or ""
    if path.startswith("/api/"):
        return LoginSource.API
    if path.startswith("/admin/"):
        return LoginSource.ADMIN
    if path.startswith("/portal/"):
        return LoginSource.PORTAL
    return LoginSource.OTHER


def login_attempt_record(
    *,
    email: str,
    success: bool,
    request: HttpRequest | None,
    user: User | None = None,
    reason: str = "",
) -> LoginHistory:
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:400] if request else ""
    return LoginHistory.objects.create(
        user=user,
        email=(email or "").strip().lower()[:254],
        success=success,
        reason=reason[:40],
        source=login_source_for(request),
        user_agent=user_agent,
        ip_hash=request_ip_hash(request),
    )


def login_history_prune(*, older_than_days: int | None = None) -> int:
    days = older_than_days or settings.LOGIN_HISTORY_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = LoginHistory.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def rate_limit_exceeded(*, scope: str, ident: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for ``ident`` in a fixed window shared by every process (the cache);
    True once more than ``limit`` hits were counted. For form views outside DRF's throttles."""
    from django.core.cache import cache

    key = f"ratelimit:{scope}:{ident}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        hits = 1
    return hits > limit


# --- Plans and organization state --------------------------------------------------------


def plan_default() -> Plan:
    plan = Plan.objects.filter(is_default=True, is_active=True).first()
    if plan is None:
        plan, _ = Plan.objects.get_or_create(
            slug="starter",
            defaults={"name": "Starter", "max_users": 3, "max_projects_per_month": 5},
        )
    return plan


def organization_ensure_writable(*, organization: Organization) -> None:
    if organization.status != OrganizationStatus.ACTIVE:
        raise OrganizationSuspended()


def plan_limit_ensure(*, organization: Organization, limit: str, adding: int = 1) -> None:
    """Raise PlanLimitExceeded if adding ``adding`` more units would pass the plan's limit."""
    maximum = organization.plan.limit(limit)
    if maximum is None:
        return
    counter = usage_counter(limit)
    if counter is None:
        raise RuntimeError(f"No usage counter registered for plan limit {limit!r}")
    current = counter(organization)
    if current + adding > maximum:
        raise PlanLimitExceeded(
            limit=str(LIMIT_LABELS[limit]), maximum=maximum, current=current, plan=organization.plan.name
        )


def _lock_organization(organization: Organization) -> Organization:
    """Row lock so concurrent seat checks on one organization are serialized."""
    return Organization.objects.select_for_update().select_related("plan").get(pk=organization.pk)


# --- Registration and profile --------------------------------------------------------------


def _password_validate(password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def _full_clean_nested(obj, key: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise ValidationError({key: exc.message_dict}) from exc


def organization_register(**kwargs) -> tuple[User, Organization]:
    """Create a user, their organization (default plan) and the owner membership, all or nothing.

    Uniqueness is checked up front for clear messages; the database constraints settle races.
    """
    try:
        return _organization_register(**kwargs)
    except IntegrityError as exc:
        raise Conflict(_("This e-mail, CPF or CNPJ was registered at the same moment.")) from exc


@transaction.atomic
def _organization_register(
    *,
    email: str,
    password: str,
    full_name: str,
    organization: dict[str, Any],
    cpf: str = "",
    whatsapp: str = "",
) -> tuple[User, Organization]:
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("A user with this e-mail already exists.")]})
    cnpj = normalize_cnpj(organization.get("cnpj", ""))
    if Organization.objects.filter(cnpj=cnpj).exists():
        raise ValidationError(
            {"organization": {"cnpj": [_("An organization with this CNPJ is already registered.")]}}
        )
    user = User(email=email, full_name=full_name.strip(), cpf=normalize_cpf(cpf), whatsapp=whatsapp)
    if user.cpf and User.objects.filter(cpf=user.cpf).exists():
        raise ValidationError({"cpf": [_("A user with this CPF already exists.")]})
    _password_validate(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    org = Organization(
        kind=organization.get("kind") or OrganizationKind.INTEGRATOR,
        legal_name=organization["legal_name"].strip(),
        trade_name=(organization.get("trade_name") or "").strip(),
        cnpj=cnpj,
        email=organization.get("email") or email,
        phone=organization.get("phone", ""),
        city=organization.get("city", ""),
        state=organization.get("state", ""),
        cep=organization.get("cep", ""),
        plan=plan_default(),
    )
    _full_clean_nested(org, "organization")
    org.save()
    Membership.objects.create(user=user, organization=org, role=Role.OWNER)
    return user, org


@transaction.atomic
def user_update_profile(*, user: User, data: dict[str, Any]) -> User:
    allowed = {"full_name", "cpf", "whatsapp", "email"}
    for field, value in data.items():
        if field not in allowed:
            continue
        if field == "cpf":
            value = normalize_cpf(value)
        if field == "email":
            value = User.objects.normalize_email(value).strip().lower()
            if User.objects.filter(email__iexact=value).exclude(pk=user.pk).exists():
                raise ValidationError({"email": [_("A user with this e-mail already exists.")]})
        setattr(user, field, value)
    if user.cpf and User.objects.filter(cpf=user.cpf).exclude(pk=user.pk).exists():
        raise ValidationError({"cpf": [_("A user with this CPF already exists.")]})
    user.full_clean()
    user.save()
    return user


# --- Password reset ------------------------------------------------------------------------


def password_reset_request(*, email: str) -> None:
    """Queue the reset e-mail if the account exists; the caller answers the same either way."""
    from ysh.users.tasks import send_password_reset_email

    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    transaction.on_commit(lambda: send_password_reset_email.delay(user.pk))


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    user = user_from_reset_uid(uid=uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise ValidationError({"token": [_("This reset link is invalid or has expired.")]})
    _password_validate(new_password, user, "new_password")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_tokens_revoke(user=user)
    return user


def user_tokens_revoke(*, user: User) -> int:
    """Blacklist every outstanding refresh token of the user (password change, compromise)."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    outstanding = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now()).exclude(
        blacklistedtoken__isnull=False
    )
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    return len(created)


# --- Invitations and memberships --------------------------------------------------------------


def _ensure_manager(*, organization: Organization, actor: User) -> Membership:
    membership = Membership.objects.filter(organization=organization, user=actor).first()
    if membership is None or not membership.can_manage:
        raise NotAllowed(_("Only owners and admins can manage members."))
    return membership


@transaction.atomic
def invitation_create(
    *, organization: Organization, actor: User, email: str, role: str = Role.MEMBER
) -> Invitation:
    from ysh.users.tasks import send_invitation_email

    organization = _lock_organization(organization)
    organization_ensure_writable(organization=organization)
    actor_membership = _ensure_manager(organization=organization, actor=actor)
    if role == Role.OWNER and actor_membership.role != Role.OWNER:
        raise NotAllowed(_("Only owners can invite another owner."))
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": [_("This person is already a member.")]})
    # An expired pending invitation does not block a new one.
    Invitation.objects.filter(
        organization=organization,
        email=email,
        status=InvitationStatus.PENDING,
        expires_at__lte=timezone.now(),
    ).update(status=InvitationStatus.EXPIRED)
    if Invitation.objects.filter(
        organization=organization, email=email, status=InvitationStatus.PENDING
    ).exists():
        raise ValidationError({"email": [_("There is already a pending invitation for this e-mail.")]})
    plan_limit_ensure(organization=organization, limit="max_users")
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    transaction.on_commit(lambda: send_invitation_email.delay(invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    _ensure_manager(organization=invitation.organization, actor=actor)
    if invitation.status != InvitationStatus.PENDING:
        raise InvalidState(_("Only pending invitations can be revoked."))
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status"])
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvalidState(_("This invitation is no longer valid."))
    if invitation.email.lower() != user.email.lower():
        raise NotAllowed(_("This invitation was sent to another e-mail address."))
    organization = _lock_organization(invitation.organization)
    organization_ensure_writable(organization=organization)
    existing = Membership.objects.filter(organization=organization, user=user).first()
    if existing:
        membership = existing
    else:
        # The invitation already holds a seat, so accepting never exceeds the limit it passed.
        membership = Membership.objects.create(organization=organization, user=user, role=invitation.role)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    return membership


@transaction.atomic
def invitation_accept_with_signup(*, invitation: Invitation, full_name: str, password: str) -> Membership:
    """Accept an invitation by creating the account for the invited e-mail."""
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict(_("An account with this e-mail exists; sign in to accept."))
    user = User(email=invitation.email, full_name=full_name.strip())
    _password_validate(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return invitation_accept(invitation=invitation, user=user)


def invitations_expire() -> int:
    return Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=timezone.now()).update(
        status=InvitationStatus.EXPIRED
    )


def _owners_left_after(membership: Membership) -> int:
    return (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    organization = _lock_organization(membership.organization)
    organization_ensure_writable(organization=organization)
    actor_membership = _ensure_manager(organization=organization, actor=actor)
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    touches_owner = role == Role.OWNER or membership.role == Role.OWNER
    if touches_owner and actor_membership.role != Role.OWNER:
        raise NotAllowed(_("Only owners can grant or remove the owner role."))
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left_after(membership) == 0:
        raise InvalidState(_("An organization must keep at least one owner."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    organization = _lock_organization(membership.organization)
    if membership.user_id != actor.pk:
        actor_membership = _ensure_manager(organization=organization, actor=actor)
        if membership.role == Role.OWNER and actor_membership.role != Role.OWNER:
            raise NotAllowed(_("Only owners can remove an owner."))
    if membership.role == Role.OWNER and _owners_left_after(membership) == 0:
        raise InvalidState(_("An organization must keep at least one owner."))
    membership.delete()


@transaction.atomic
def organization_update(*, organization: Organization, actor: User, data: dict[str, Any]) -> Organization:
    organization = _lock_organization(organization)
    organization_ensure_writable(organization=organization)
    _ensure_manager(organization=organization, actor=actor)
    editable = {
        "legal_name",
        "trade_name",
        "email",
        "phone",
        "street",
        "number",
        "complement",
        "district",
        "city",
        "state",
        "cep",
    }
    for field, value in data.items():
        if field in editable:
            setattr(organization, field, value)
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def organization_set_status(*, organization: Organization, status: str, reason: str = "") -> Organization:
    organization = _lock_organization(organization)
    organization.status = status
    organization.status_reason = reason[:255]
    organization.save(update_fields=["status", "status_reason", "updated_at"])
    return organization
