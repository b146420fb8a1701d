"""Record every session sign-in (portal, admin) and every failed attempt (all channels)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from ysh.users.services import login_attempt_record


@receiver(user_logged_in, dispatch_uid="ysh_login_success")
def _record_login(sender, request, user, **kwargs):
    login_attempt_record(email=user.email, success=True, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="ysh_login_failed")
def _record_login_failure(sender, credentials, request=None, **kwargs):
    field = get_user_model().USERNAME_FIELD
    email = credentials.get(field) or credentials.get("username") or ""
    locked = getattr(request, "ysh_login_locked", 0) if request is not None else 0
    user = get_user_model().objects.filter(email__iexact=email).first() if email else None
    login_attempt_record(
        email=email,
        success=False,
        request=request,
        user=user,
        reason="locked" if locked else "bad_credentials",
    )
