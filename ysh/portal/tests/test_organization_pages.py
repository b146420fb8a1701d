"""Organization data page and the organization switcher."""

import pytest
from django.urls import reverse

from ysh.users.models import Role
from ysh.users.tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")


# --- Organization switcher -------------------------------------------------------------------


def test_switch_organization_only_to_own_organizations(signed_in):
    # given a user in two organizations and a third organization they are not part of
    first = MembershipFactory(role=Role.OWNER)
    second = MembershipFactory(user=first.user, role=Role.MEMBER)
    stranger = OrganizationFactory()
    client = signed_in(first.user)
    html = client.get(DASHBOARD).content.decode()
    assert 'name="organization"' in html  # the switcher is shown

    # when they switch to their second organization
    response = client.post(reverse("portal:organization_switch"), {"organization": second.organization_id})

    # then the portal acts for it
    assert response.status_code == 302
    assert second.organization.trade_name in client.get(DASHBOARD).content.decode().split("<h1>")[1]

    # and switching to an organization they do not belong to is refused
    response = client.post(reverse("portal:organization_switch"), {"organization": stranger.pk})
    assert response.status_code == 404
    assert client.session["ysh_organization_id"] == second.organization_id


def test_switcher_hidden_for_single_membership(portal_client):
    # given a user with one organization / when they open the dashboard / then no switcher
    assert 'id="org-switch"' not in portal_client.get(DASHBOARD).content.decode()


# --- Organization data -----------------------------------------------------------------------


def test_manager_edits_organization_data(portal_client):
    # given an owner
    organization = portal_client.membership.organization
    url = reverse("portal:organization")
    data = {
        "legal_name": "Sol Nascente Energia Ltda",
        "trade_name": "Sol Nascente",
        "email": "contato@solnascente.com.br",
        "phone": "(11) 3333-4444",
        "cep": "01310-100",
        "street": "Avenida Paulista",
        "number": "1000",
        "complement": "",
        "district": "Bela Vista",
        "city": "São Paulo",
        "state": "SP",
    }

    # when they save the organization form
    response = portal_client.post(url, data)

    # then the data is stored in canonical form
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.trade_name == "Sol Nascente"
    assert organization.phone == "+551133334444"
    assert organization.cep == "01310100"

    # and the form shows errors for bad input
    response = portal_client.post(url, {**data, "phone": "123", "cep": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"phone", "cep"}


def test_organization_page_is_read_only_for_members(signed_in):
    # given a plain member
    owner = MembershipFactory(role=Role.OWNER)
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client = signed_in(member.user)
    url = reverse("portal:organization")

    # when they open the page, then there is no form
    html = client.get(url).content.decode()
    assert owner.organization.legal_name in html
    assert 'name="legal_name"' not in html

    # when they post anyway, then the service refuses
    response = client.post(url, {"legal_name": "Tomada Hostil Ltda", "state": "SP"})
    assert response.status_code == 302
    owner.organization.refresh_from_db()
    assert owner.organization.legal_name != "Tomada Hostil Ltda"
