"""Sign-in, password reset and invitation pages: the portal pages open to visitors."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from ysh.errors import DomainError
from ysh.portal.forms import (
    InvitationSignupForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    form_add_service_error,
)
from ysh.portal.views.errors import service_error_text
from ysh.users import services
from ysh.users.context import session_organization_set
from ysh.users.selectors import (
    account_exists_for_email,
    invitation_by_token,
    password_reset_link_is_valid,
)


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_initial(self):
        # The invitation page sends invitees here with their e-mail filled in.
        initial = super().get_initial()
        email = self.request.GET.get("email", "")
        if email:
            initial["username"] = email[:254]
        return initial


@never_cache
def password_reset_request(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        limited = services.rate_limit_exceeded(
            scope="portal-password-reset",
            ident=services.request_ip_hash(request),
            limit=10,
            window_seconds=3600,
        ) or services.rate_limit_exceeded(
            scope="portal-password-reset-email", ident=email, limit=3, window_seconds=3600
        )
        if limited:
            form.add_error(None, _("Too many reset requests. Try again later."))
            return render(request, "portal/password_reset_request.html", {"form": form}, status=429)
        services.password_reset_request(email=email)
        # The same answer whether or not the account exists, so the page reveals nothing.
        messages.success(
            request,
            _("If an account exists for this e-mail, we sent it a link to choose a new password."),
        )
        return redirect("portal:login")
    return render(request, "portal/password_reset_request.html", {"form": form})


@never_cache
@sensitive_post_parameters("new_password", "new_password_confirm")
def password_reset_confirm(request, uidb64: str, token: str):
    if not password_reset_link_is_valid(uid=uidb64, token=token):
        return render(request, "portal/password_reset_confirm.html", {"link_valid": False}, status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_confirm(
                uid=uidb64, token=token, new_password=form.cleaned_data["new_password"]
            )
        except ValidationError as exc:
            if "token" in getattr(exc, "error_dict", {}):
                return render(
                    request, "portal/password_reset_confirm.html", {"link_valid": False}, status=400
                )
            form_add_service_error(form, exc)
        else:
            messages.success(request, _("Your password was changed. Sign in with the new password."))
            return redirect("portal:login")
    return render(request, "portal/password_reset_confirm.html", {"link_valid": True, "form": form})


@never_cache
@sensitive_post_parameters("password", "password_confirm")
def invitation_detail(request, token: str):
    invitation = invitation_by_token(token=token)
    if invitation is None or not invitation.is_usable:
        return render(
            request,
            "portal/invitation.html",
            {"invitation": invitation, "mode": "invalid"},
            status=404 if invitation is None else 410,
        )
    context = {"invitation": invitation}
    user = request.user

    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "portal/invitation.html", {**context, "mode": "wrong_account"})
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=user)
            except (ValidationError, DomainError) as exc:
                messages.error(request, service_error_text(exc))
                return redirect(request.path)
            return _welcome(request, membership)
        return render(request, "portal/invitation.html", {**context, "mode": "accept"})

    if account_exists_for_email(email=invitation.email):
        login_url = (
            reverse("portal:login") + "?" + urlencode({"next": request.path, "email": invitation.email})
        )
        return render(
            request, "portal/invitation.html", {**context, "mode": "sign_in", "login_url": login_url}
        )

    form = InvitationSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_with_signup(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        except DomainError as exc:
            form.add_error(None, service_error_text(exc))
        else:
            login(request, membership.user)
            return _welcome(request, membership)
    return render(request, "portal/invitation.html", {**context, "mode": "signup", "form": form})


def _welcome(request, membership):
    session_organization_set(request, membership.organization_id)
    messages.success(request, _("Welcome to %(organization)s!") % {"organization": membership.organization})
    return redirect("portal:dashboard")
