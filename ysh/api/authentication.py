from rest_framework.authentication import BaseAuthentication


class AnonymousBearer(BaseAuthentication):
    """For public auth endpoints: authenticates nobody, but makes token errors answer 401 with
    a ``WWW-Authenticate: Bearer`` header instead of DRF's 403 fallback."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
