"""Start-up guard for the processes that serve requests or run tasks."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key() -> None:
    """Refuse to start without a real SECRET_KEY: it signs sessions, JWTs and reset links and keys
    the IP hashes. Offline management commands do not call this."""
    if settings.SECRET_KEY == settings.UNSET_SECRET_KEY:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable (or DEBUG=1 for development).")
