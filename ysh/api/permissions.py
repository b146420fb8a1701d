from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from ysh.errors import OrganizationSuspended
from ysh.users.context import request_membership


class IsOrganizationMember(permissions.BasePermission):
    """The caller belongs to the organization the request acts for. Writes need an active
    organization and, when the view sets ``write_roles``, one of those roles."""

    message = _("You are not a member of this organization.")

    def has_permission(self, request, view) -> bool:
        membership = request_membership(request)
        if membership is None:
            return False
        view.membership = membership
        if request.method in permissions.SAFE_METHODS:
            return True
        if not membership.organization.is_active:
            raise OrganizationSuspended()
        write_roles = getattr(view, "write_roles", None)
        if write_roles is not None and membership.role not in write_roles:
            self.message = _("Your role in this organization does not allow this action.")
            return False
        return True


class IsStaff(permissions.BasePermission):
    message = _("Only YSH staff can do this.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
