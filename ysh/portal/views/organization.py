"""Dashboard, organization data and the organization switcher."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ysh.errors import DomainError
from ysh.portal.decorators import membership_required
from ysh.portal.forms import OrganizationForm, OrganizationSwitchForm, form_add_service_error
from ysh.portal.views.errors import service_error_text
from ysh.users import services
from ysh.users.context import session_organization_set
from ysh.users.selectors import (
    membership_for,
    organization_members,
    organization_pending_invitations,
    organization_plan_usage,
)


@membership_required
def dashboard(request):
    organization = request.membership.organization
    context = {
        "organization": organization,
        "plan": organization.plan,
        "usage": organization_plan_usage(organization=organization),
        "members": organization_members(organization=organization),
        "invitations": organization_pending_invitations(organization=organization),
    }
    return render(request, "portal/dashboard.html", context)


@membership_required
def organization_detail(request):
    membership = request.membership
    organization = membership.organization
    form = OrganizationForm(request.POST or None, initial=OrganizationForm.initial_for(organization))
    if request.method == "POST" and form.is_valid():
        # Permission and suspension are the service's call, so a crafted POST is refused too.
        try:
            services.organization_update(
                organization=organization, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as exc:
            form_add_service_error(form, exc)
        except DomainError as exc:
            messages.error(request, service_error_text(exc))
            return redirect("portal:organization")
        else:
            messages.success(request, _("Organization data saved."))
            return redirect("portal:organization")
    context = {
        "organization": organization,
        "form": form,
        "can_edit": membership.can_manage and organization.is_active,
    }
    return render(request, "portal/organization.html", context)


@require_POST
@membership_required
def organization_switch(request):
    form = OrganizationSwitchForm(request.POST)
    if not form.is_valid():
        raise Http404
    # Only organizations the user belongs to; anything else looks like it does not exist.
    target = membership_for(user=request.user, organization_id=form.cleaned_data["organization"])
    if target is None:
        raise Http404
    session_organization_set(request, target.organization_id)
    messages.info(
        request, _("You are now working in %(organization)s.") % {"organization": target.organization}
    )
    # Always the dashboard: the page the switch was made from may show the other organization's data.
    return redirect("portal:dashboard")
