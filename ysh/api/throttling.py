"""Rate limits. Anonymous callers are identified by the HMAC of their IP, so not even the
cache holds a raw address."""

from rest_framework import throttling
from rest_framework.settings import api_settings

from ysh.users.services import ip_hash_for


class _HashedIdentMixin:
    def get_ident(self, request):
        return ip_hash_for(super().get_ident(request))

    def get_rate(self):
        # Read at request time (DRF caches the rates at import), so settings changes apply.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_HashedIdentMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_HashedIdentMixin, throttling.UserRateThrottle):
    pass


class AuthRateThrottle(_HashedIdentMixin, throttling.SimpleRateThrottle):
    """Per-IP rate for sign-in, registration, refresh and password reset."""

    scope = "auth"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicRateThrottle(AuthRateThrottle):
    """Per-IP rate for public write endpoints (leads, events, calculator)."""

    scope = "public"
