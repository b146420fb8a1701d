"""Which organization a request acts for.

API clients carry it in the JWT (``org`` claim, set at login) and may switch with the
``X-Organization`` header; portal sessions keep it in the session. Either way the membership
is re-read from the database on every request, so a removed member loses access at once."""

from django.http import HttpRequest

from ysh.users.models import Membership
from ysh.users.selectors import membership_for

SESSION_KEY = "ysh_organization_id"
HEADER = "HTTP_X_ORGANIZATION"
_UNSET = object()


def _requested_organization_id(request) -> int | None:
    raw = request.META.get(HEADER)
    if raw is None:
        auth = getattr(request, "auth", None)
        if auth is not None and hasattr(auth, "get"):
            raw = auth.get("org")
    if raw is None and hasattr(request, "session"):
        raw = request.session.get(SESSION_KEY)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        return -1  # matches nothing: a bad header must not fall back to another organization


def request_membership(request: HttpRequest) -> Membership | None:
    cached = getattr(request, "_ysh_membership", _UNSET)
    if cached is not _UNSET:
        return cached
    user = getattr(request, "user", None)
    membership = None
    if user is not None and user.is_authenticated:
        membership = membership_for(user=user, organization_id=_requested_organization_id(request))
    request._ysh_membership = membership
    return membership


def session_organization_set(request: HttpRequest, organization_id: int) -> None:
    request.session[SESSION_KEY] = organization_id
    request._ysh_membership = _UNSET
