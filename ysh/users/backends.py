"""Authentication backend with sign-in lockout.

Lockout state is derived from LoginHistory (in the database), so it holds across every web
process and survives restarts. django-axes was considered and not used: it stores the raw client
IP in its tables, which our LGPD rule forbids.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from ysh.users.selectors import login_lock_remaining
from ysh.users.services import request_ip_hash


class LockoutModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        email = username or kwargs.get(get_user_model().USERNAME_FIELD) or ""
        remaining = login_lock_remaining(email=email, ip_hash=request_ip_hash(request))
        if remaining:
            if request is not None:
                request.ysh_login_locked = remaining
            # Django's authenticate() turns this into a failed sign-in (user_login_failed).
            raise PermissionDenied("locked")
        return super().authenticate(request, username=username, password=password, **kwargs)
