"""Users, organizations, memberships, plans, invitations and login history."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ysh.users.validators import (
    BRAZILIAN_STATES,
    normalize_cnpj,
    normalize_cpf,
    validate_cep,
    validate_cnpj,
    validate_cpf,
    validate_e164_phone,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("The e-mail is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    cpf = models.CharField(_("CPF"), max_length=11, blank=True, default="", validators=[validate_cpf])
    whatsapp = models.CharField(
        _("WhatsApp"),
        max_length=16,
        blank=True,
        default="",
        validators=[validate_e164_phone],
        help_text=_("E.164, e.g. +5511999998888"),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["cpf"], condition=~Q(cpf=""), name="user_cpf_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        self.cpf = normalize_cpf(self.cpf)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    YEARLY = "yearly", _("yearly")


class Plan(models.Model):
    """A subscription plan. A limit of ``None`` means unlimited."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    monthly_price = models.DecimalField(
        _("monthly price (BRL)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    billing_cycle = models.CharField(
        _("billing cycle"), max_length=10, choices=BillingCycle.choices, default=BillingCycle.MONTHLY
    )
    max_users = models.PositiveIntegerField(_("max users"), null=True, blank=True)
    max_projects_per_month = models.PositiveIntegerField(
        _("max homologation projects per month"), null=True, blank=True
    )
    max_products_listed = models.PositiveIntegerField(_("max products listed"), null=True, blank=True)
    features = models.JSONField(_("features"), default=list, blank=True)
    is_default = models.BooleanField(_("default for new organizations"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["monthly_price", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="plan_single_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def limit(self, name: str) -> int | None:
        return getattr(self, name)


class OrganizationKind(models.TextChoices):
    INTEGRATOR = "integrator", _("integrator")
    DISTRIBUTOR = "distributor", _("distributor")
    YSH = "ysh", _("YSH")


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")


class Module(models.TextChoices):
    CATALOG = "catalog", _("catalog")
    ENGINEERING = "engineering", _("engineering")
    HOMOLOGATION = "homologation", _("homologation")
    ORDERS = "orders", _("orders")
    LEADS = "leads", _("leads")
    ANALYTICS = "analytics", _("analytics")
    ASSISTANT = "assistant", _("assistant")


def default_modules() -> list[str]:
    return list(Module.values)


class Organization(models.Model):
    kind = models.CharField(
        _("kind"), max_length=12, choices=OrganizationKind.choices, default=OrganizationKind.INTEGRATOR
    )
    legal_name = models.CharField(_("legal name"), max_length=200)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True, default="")
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True, validators=[validate_cnpj])
    email = models.EmailField(_("contact e-mail"), blank=True, default="")
    phone = models.CharField(
        _("phone"), max_length=16, blank=True, default="", validators=[validate_e164_phone]
    )
    street = models.CharField(_("street"), max_length=200, blank=True, default="")
    number = models.CharField(_("number"), max_length=20, blank=True, default="")
    complement = models.CharField(_("complement"), max_length=100, blank=True, default="")
    district = models.CharField(_("district"), max_length=100, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, blank=True, default="", choices=BRAZILIAN_STATES)
    cep = models.CharField(_("CEP"), max_length=8, blank=True, default="", validators=[validate_cep])
    status = models.CharField(
        _("status"), max_length=10, choices=OrganizationStatus.choices, default=OrganizationStatus.ACTIVE
    )
    status_reason = models.CharField(_("status reason"), max_length=255, blank=True, default="")
    enabled_modules = models.JSONField(_("enabled modules"), default=default_modules, blank=True)
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="organizations"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["legal_name"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return self.trade_name or self.legal_name

    def clean(self):
        super().clean()
        self.cnpj = normalize_cnpj(self.cnpj)

    @property
    def is_active(self) -> bool:
        return self.status == OrganizationStatus.ACTIVE

    def has_module(self, module: str) -> bool:
        return module in (self.enabled_modules or [])


class Role(models.TextChoices):
    OWNER = "owner", _("owner")
    ADMIN = "admin", _("admin")
    MEMBER = "member", _("member")
    ENGINEER = "engineer", _("engineer")


# Roles allowed to manage members, invitations and organization data.
MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    @property
    def can_manage(self) -> bool:
        return self.role in MANAGER_ROLES


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")


class Invitation(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_usable(self) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at > timezone.now()


class LoginSource(models.TextChoices):
    API = "api", _("API")
    PORTAL = "portal", _("portal")
    ADMIN = "admin", _("admin")
    OTHER = "other", _("other")


class LoginHistory(models.Model):
    """One row per login attempt. ``ip_hash`` is an HMAC of the IP; the raw IP is never kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="login_history",
    )
    email = models.CharField(_("e-mail tried"), max_length=254, db_index=True)
    success = models.BooleanField(_("success"))
    reason = models.CharField(_("reason"), max_length=40, blank=True, default="")
    source = models.CharField(
        _("source"), max_length=10, choices=LoginSource.choices, default=LoginSource.OTHER
    )
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True, default="")
    ip_hash = models.CharField(_("IP hash"), max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login history entry")
        verbose_name_plural = _("login history")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["email", "success", "created_at"]),
            models.Index(fields=["ip_hash", "success", "created_at"]),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.created_at)
        return f"{self.email} {'ok' if self.success else 'failed'} {when:%Y-%m-%d %H:%M}"
