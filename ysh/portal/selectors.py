"""Read-side helpers the portal needs that ``ysh.users.selectors`` does not offer (yet)."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from ysh.users.models import User


def account_exists_for_email(*, email: str) -> bool:
    return User.objects.filter(email__iexact=(email or "").strip()).exists()


def password_reset_link_is_valid(*, uid: str, token: str) -> bool:
    """Whether a reset link can still be used, so the page can say so before asking for a
    password. ``password_reset_confirm`` checks again when the form is sent."""
    try:
        pk = force_str(urlsafe_base64_decode(uid))
        user = User.objects.get(pk=pk, is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return False
    return default_token_generator.check_token(user, token)
