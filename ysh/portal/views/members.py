"""The team page: members, roles, invitations. Every write is one service call; the services
decide who may do what, the page only hides what the viewer cannot use."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ysh.errors import DomainError
from ysh.portal.decorators import membership_required
from ysh.portal.forms import (
    InvitationCreateForm,
    MembershipRoleForm,
    form_add_service_error,
    role_choices_for,
)
from ysh.portal.views.errors import service_error_text
from ysh.users import services
from ysh.users.selectors import (
    organization_members,
    organization_pending_invitations,
    organization_plan_usage,
)


def _members_context(request, *, invite_form=None) -> dict:
    membership = request.membership
    organization = membership.organization
    can_manage = membership.can_manage and organization.is_active
    seats = next(
        (row for row in organization_plan_usage(organization=organization) if row.limit == "max_users"),
        None,
    )
    if can_manage and invite_form is None:
        invite_form = InvitationCreateForm(actor_role=membership.role)
    return {
        "organization": organization,
        "members": organization_members(organization=organization),
        "invitations": organization_pending_invitations(organization=organization),
        "seats": seats,
        "can_manage": can_manage,
        "invite_form": invite_form if can_manage else None,
        "role_choices": role_choices_for(membership.role),
    }


@membership_required
def members(request):
    return render(request, "portal/members.html", _members_context(request))


@require_POST
@membership_required
def invitation_create(request):
    membership = request.membership
    form = InvitationCreateForm(request.POST, actor_role=membership.role)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=membership.organization,
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        except DomainError as exc:
            messages.error(request, service_error_text(exc))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("portal:members")
    return render(request, "portal/members.html", _members_context(request, invite_form=form))


@require_POST
@membership_required
def invitation_revoke(request, pk: int):
    organization = request.membership.organization
    invitation = get_object_or_404(organization_pending_invitations(organization=organization), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, actor=request.user)
    except (ValidationError, DomainError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("portal:members")


@require_POST
@membership_required
def membership_set_role(request, pk: int):
    organization = request.membership.organization
    target = get_object_or_404(organization_members(organization=organization), pk=pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("portal:members")
    try:
        services.membership_set_role(membership=target, role=form.cleaned_data["role"], actor=request.user)
    except (ValidationError, DomainError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": target.user.full_name or target.user.email, "role": target.get_role_display()},
        )
    return redirect("portal:members")


@require_POST
@membership_required
def membership_remove(request, pk: int):
    organization = request.membership.organization
    target = get_object_or_404(organization_members(organization=organization), pk=pk)
    leaving = target.user_id == request.user.pk
    try:
        services.membership_remove(membership=target, actor=request.user)
    except (ValidationError, DomainError) as exc:
        messages.error(request, service_error_text(exc))
        return redirect("portal:members")
    if leaving:
        messages.success(request, _("You left %(organization)s.") % {"organization": organization})
        return redirect("portal:dashboard")
    messages.success(
        request,
        _("%(name)s was removed from the team.") % {"name": target.user.full_name or target.user.email},
    )
    return redirect("portal:members")


@require_POST
@membership_required
def membership_leave(request):
    organization = request.membership.organization
    try:
        services.membership_remove(membership=request.membership, actor=request.user)
    except (ValidationError, DomainError) as exc:
        messages.error(request, service_error_text(exc))
        return redirect("portal:members")
    messages.success(request, _("You left %(organization)s.") % {"organization": organization})
    return redirect("portal:dashboard")
