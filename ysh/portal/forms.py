"""Portal forms: input parsing and display only; every write goes through ysh.users.services."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ysh.errors import LoginLocked
from ysh.portal.formatting import format_cep, format_phone
from ysh.users.models import Organization, Role
from ysh.users.selectors import login_lock_remaining
from ysh.users.services import request_ip_hash
from ysh.users.validators import normalize_cep, normalize_phone, validate_cep

ORGANIZATION_EDITABLE_FIELDS = (
    "legal_name",
    "trade_name",
    "email",
    "phone",
    "cep",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "state",
)


def role_choices_for(actor_role: str) -> list[tuple[str, str]]:
    """Only owners may grant the owner role, so admins are not offered it."""
    return [
        (value, capfirst(label))
        for value, label in Role.choices
        if actor_role == Role.OWNER or value != Role.OWNER
    ]


def form_add_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service ValidationError to the form: on its field when the form has it,
    as a non-field error otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's text says both fields are case-sensitive; the e-mail is not.
        "invalid_login": _("E-mail or password is incorrect."),
    }
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        email = self.cleaned_data.get("username")
        if email and self.request is not None:
            remaining = login_lock_remaining(email=email, ip_hash=request_ip_hash(self.request))
            if remaining:
                raise ValidationError(str(LoginLocked(retry_after_seconds=remaining).message), code="locked")
        try:
            return super().clean()
        except ValidationError:
            # The backend may have locked the account between our check and its own.
            remaining = getattr(self.request, "ysh_login_locked", 0)
            if remaining:
                raise ValidationError(
                    str(LoginLocked(retry_after_seconds=remaining).message), code="locked"
                ) from None
            raise


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text=_("At least 10 characters, not only numbers and not a common password."),
    )
    new_password_confirm = forms.CharField(
        label=_("Confirm the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if first and second and first != second:
            self.add_error("new_password_confirm", _("The two passwords do not match."))
        return cleaned


class InvitationSignupForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "name"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters, not only numbers and not a common password."),
    )
    password_confirm = forms.CharField(
        label=_("Confirm the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password"), cleaned.get("password_confirm")
        if first and second and first != second:
            self.add_error("password_confirm", _("The two passwords do not match."))
        return cleaned


class InvitationCreateForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "nome@empresa.com.br"}),
    )
    role = forms.ChoiceField(label=_("Role"), initial=Role.MEMBER)

    def __init__(self, *args, actor_role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices_for(actor_role)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)  # the service decides who may set what


class OrganizationSwitchForm(forms.Form):
    organization = forms.IntegerField(min_value=1)


class OrganizationForm(forms.Form):
    """The organization's editable data. A plain form (not a ModelForm) so validating it never
    touches the instance: ``organization_update`` applies and validates the change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Organization, fields=ORGANIZATION_EDITABLE_FIELDS))
        self.fields["phone"].help_text = _("With area code, e.g. (11) 3333-4444.")
        self.fields["phone"].max_length = 25
        self.fields["phone"].widget.attrs["maxlength"] = 25
        self.fields["cep"].max_length = 9
        self.fields["cep"].widget.attrs.update({"maxlength": 9, "inputmode": "numeric"})
        self.fields["state"].choices = [("", "—"), *self.fields["state"].choices[1:]]
        for name in ("phone", "cep"):
            # People type masks ("(11) 3333-4444", "01310-100"); the model's max_length counts
            # the canonical form that clean_<field> produces, so it must not apply to the input.
            self.fields[name].validators = []

    def clean_phone(self):
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def clean_cep(self):
        cep = normalize_cep(self.cleaned_data.get("cep", ""))
        validate_cep(cep)
        return cep

    @classmethod
    def initial_for(cls, organization: Organization) -> dict:
        initial = {field: getattr(organization, field) for field in ORGANIZATION_EDITABLE_FIELDS}
        initial["phone"] = format_phone(organization.phone)
        initial["cep"] = format_cep(organization.cep)
        return initial
