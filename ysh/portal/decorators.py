"""View decorators for portal pages. Other apps' portal views use them too: decorate a view
with ``@membership_required`` and read ``request.membership.organization`` to scope queries."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ysh.users.context import request_membership, session_organization_set
from ysh.users.selectors import membership_for


def portal_membership(request):
    """The membership the portal request acts for. A session pointing at an organization the
    user has left falls back to their oldest remaining membership instead of locking them out."""
    membership = request_membership(request)
    if membership is None and request.user.is_authenticated:
        fallback = membership_for(user=request.user)
        if fallback is not None:
            session_organization_set(request, fallback.organization_id)
            membership = request_membership(request)
    return membership


def membership_required(view):
    """Signed in and acting for an organization; sets ``request.membership``. A user without any
    membership gets a friendly page, never an error."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        membership = portal_membership(request)
        if membership is None:
            return render(request, "portal/no_organization.html", status=403)
        request.membership = membership
        return view(request, *args, **kwargs)

    return wrapper
