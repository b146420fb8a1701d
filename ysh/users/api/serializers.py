from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainSerializer
from rest_framework_simplejwt.tokens import RefreshToken

from ysh.errors import LoginLocked
from ysh.users.models import (
    Invitation,
    Membership,
    Organization,
    OrganizationKind,
    Plan,
    Role,
)
from ysh.users.selectors import login_lock_remaining, membership_for, organization_plan_usage
from ysh.users.services import login_attempt_record, request_ip_hash
from ysh.users.validators import (
    BRAZILIAN_STATES,
    normalize_cep,
    normalize_cnpj,
    normalize_cpf,
    normalize_phone,
    validate_cnpj,
    validate_cpf,
)

User = get_user_model()


def _django_errors_to_drf(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(list(exc.messages))


class CPFField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = normalize_cpf(super().to_internal_value(data))
        try:
            validate_cpf(value)
        except DjangoValidationError as exc:
            raise _django_errors_to_drf(exc) from exc
        return value


class PhoneField(serializers.CharField):
    """Accepts Brazilian formats ("(11) 99999-8888") and stores E.164 ("+5511999998888")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 25)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return normalize_phone(value)
        except DjangoValidationError as exc:
            raise _django_errors_to_drf(exc) from exc


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "slug",
            "monthly_price",
            "billing_cycle",
            "max_users",
            "max_projects_per_month",
            "max_products_listed",
            "features",
        ]


class OrganizationRegisterSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    trade_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    cnpj = serializers.CharField(max_length=18)
    kind = serializers.ChoiceField(
        choices=[OrganizationKind.INTEGRATOR, OrganizationKind.DISTRIBUTOR],
        default=OrganizationKind.INTEGRATOR,
    )
    phone = PhoneField()
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=BRAZILIAN_STATES, required=False, allow_blank=True)
    cep = serializers.CharField(max_length=9, required=False, allow_blank=True)

    def validate_cnpj(self, value: str) -> str:
        value = normalize_cnpj(value)
        try:
            validate_cnpj(value)
        except DjangoValidationError as exc:
            raise _django_errors_to_drf(exc) from exc
        if Organization.objects.filter(cnpj=value).exists():
            raise serializers.ValidationError(_("An organization with this CNPJ is already registered."))
        return value

    def validate_cep(self, value: str) -> str:
        value = normalize_cep(value)
        if value and len(value) != 8:
            raise serializers.ValidationError(_("Enter a valid CEP (8 digits)."))
        return value


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150)
    cpf = CPFField()
    whatsapp = PhoneField()
    organization = OrganizationRegisterSerializer()

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError(_("A user with this e-mail already exists."))
        return value

    def validate_cpf(self, value: str) -> str:
        if value and User.objects.filter(cpf=value).exists():
            raise serializers.ValidationError(_("A user with this CPF already exists."))
        return value

    def validate(self, attrs):
        from django.contrib.auth.password_validation import validate_password

        candidate = User(email=attrs.get("email", ""), full_name=attrs.get("full_name", ""))
        try:
            validate_password(attrs.get("password", ""), candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class MembershipBriefSerializer(serializers.ModelSerializer):
    organization_id = serializers.IntegerField(source="organization.id", read_only=True)
    organization_name = serializers.CharField(source="organization.__str__", read_only=True)
    organization_status = serializers.CharField(source="organization.status", read_only=True)

    class Meta:
        model = Membership
        fields = ["organization_id", "organization_name", "organization_status", "role"]


class ProfileSerializer(serializers.ModelSerializer):
    cpf = CPFField()
    whatsapp = PhoneField()
    memberships = MembershipBriefSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "cpf", "whatsapp", "is_staff", "date_joined", "memberships"]
        read_only_fields = ["id", "is_staff", "date_joined", "memberships"]

    def validate_email(self, value: str) -> str:
        value = value.strip().lower()
        if User.objects.filter(email__iexact=value).exclude(pk=self.instance.pk).exists():
            raise serializers.ValidationError(_("A user with this e-mail already exists."))
        return value

    def validate_cpf(self, value: str) -> str:
        if value and User.objects.filter(cpf=value).exclude(pk=self.instance.pk).exists():
            raise serializers.ValidationError(_("A user with this CPF already exists."))
        return value


def tokens_for(user, membership: Membership | None) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    if membership is not None:
        refresh["org"] = membership.organization_id
        refresh["role"] = membership.role
    refresh["staff"] = bool(user.is_staff)
    return {"refresh": str(refresh), "access": str(refresh.access_token)}


class LoginSerializer(TokenObtainSerializer):
    """E-mail + password → access and refresh tokens whose claims carry the organization
    (``org``) and the caller's role in it (``role``)."""

    token_class = RefreshToken
    organization = serializers.IntegerField(
        required=False, write_only=True, help_text=_("Organization to act for; defaults to the first.")
    )
    default_error_messages = {
        "no_active_account": _("E-mail or password is incorrect."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.EmailField(max_length=254)

    def validate(self, attrs):
        request = self.context["request"]
        remaining = login_lock_remaining(
            email=attrs.get(self.username_field, ""), ip_hash=request_ip_hash(request)
        )
        if remaining:
            raise LoginLocked(retry_after_seconds=remaining)
        super().validate(attrs)  # authenticates; failures are recorded by the auth signal
        membership = membership_for(user=self.user, organization_id=attrs.get("organization"))
        if attrs.get("organization") is not None and membership is None:
            raise serializers.ValidationError(
                {"organization": [_("You are not a member of this organization.")]}
            )
        login_attempt_record(email=self.user.email, success=True, request=request, user=self.user)
        from django.contrib.auth.models import update_last_login

        update_last_login(None, self.user)
        return {
            **tokens_for(self.user, membership),
            "organization": membership.organization_id if membership else None,
            "role": membership.role if membership else None,
        }


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class LoginResponseSerializer(TokenPairSerializer):
    organization = serializers.IntegerField(allow_null=True)
    role = serializers.CharField(allow_null=True)


class RegisterResponseSerializer(serializers.Serializer):
    user = ProfileSerializer()
    tokens = TokenPairSerializer()


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField()
    token = serializers.CharField()
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- Organization ------------------------------------------------------------------------


class LimitUsageSerializer(serializers.Serializer):
    limit = serializers.CharField()
    label = serializers.CharField()
    maximum = serializers.IntegerField(allow_null=True)
    used = serializers.IntegerField(allow_null=True)


class OrganizationSerializer(serializers.ModelSerializer):
    plan = PlanSerializer(read_only=True)
    usage = serializers.SerializerMethodField()
    phone = PhoneField()

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "legal_name",
            "trade_name",
            "cnpj",
            "email",
            "phone",
            "street",
            "number",
            "complement",
            "district",
            "city",
            "state",
            "cep",
            "status",
            "enabled_modules",
            "plan",
            "usage",
            "created_at",
        ]
        read_only_fields = ["id", "kind", "cnpj", "status", "enabled_modules", "plan", "usage", "created_at"]

    @staticmethod
    def get_usage(obj) -> list[dict]:
        return LimitUsageSerializer(organization_plan_usage(organization=obj), many=True).data

    def validate_cep(self, value: str) -> str:
        value = normalize_cep(value)
        if value and len(value) != 8:
            raise serializers.ValidationError(_("Enter a valid CEP (8 digits)."))
        return value


class MemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "full_name", "role", "created_at"]
        read_only_fields = ["id", "user_id", "email", "full_name", "created_at"]


class InvitationSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "created_at", "expires_at"]
        read_only_fields = ["id", "status", "created_at", "expires_at"]
