"""Dashboard, team page, invitations, organization isolation and query counts."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ysh.users.models import (
    Invitation,
    InvitationStatus,
    Membership,
    OrganizationStatus,
    Role,
    User,
)
from ysh.users.tests.factories import (
    DEFAULT_PASSWORD,
    InvitationFactory,
    MembershipFactory,
    PlanFactory,
    UserFactory,
)
from ysh.users.usage import LIMIT_LABELS, usage_counter

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")
MEMBERS = reverse("portal:members")
LOGIN = reverse("portal:login")


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_organization_plan_usage_members_and_invitations(portal_client):
    # given an organization with a plan, members and a pending invitation
    owner = portal_client.membership
    organization = owner.organization
    organization.cnpj = "11222333000181"
    organization.save(update_fields=["cnpj"])
    plan = organization.plan
    plan.monthly_price = "1234.56"
    plan.max_products_listed = None
    plan.save()
    engineer = MembershipFactory(organization=organization, role=Role.ENGINEER)
    InvitationFactory(organization=organization, email="nova@solar.com.br", invited_by=owner.user)

    # when the owner opens the dashboard
    response = portal_client.get(DASHBOARD)

    # then it shows the organization, the plan in BRL, usage for every limit, members and invitations
    html = response.content.decode()
    assert response.status_code == 200
    assert organization.trade_name in html
    assert "11.222.333/0001-81" in html
    assert plan.name in html
    assert "R$ 1.234,56" in html
    assert 'data-limit="max_users"' in html
    assert 'data-limit="max_projects_per_month"' in html
    assert 'data-limit="max_products_listed"' in html
    # users: 2 members + 1 pending invitation of 5 seats
    assert re.search(r'data-limit="max_users".*?3 / 5', html, re.S)
    assert "ilimitado" in html
    assert owner.user.email in html
    assert engineer.user.email in html
    assert "Engenheiro" in html
    assert "nova@solar.com.br" in html


def test_dashboard_shows_suspension_banner(portal_client):
    # given a suspended organization
    organization = portal_client.membership.organization
    organization.status = OrganizationStatus.SUSPENDED
    organization.status_reason = "Fatura em atraso"
    organization.save()

    # when a member opens the dashboard
    html = portal_client.get(DASHBOARD).content.decode()

    # then a banner says they can read but not create
    assert "banner--suspended" in html
    assert "Fatura em atraso" in html
    assert "não pode criar" in html


def test_user_without_membership_sees_friendly_page(client):
    # given a signed-in user who belongs to no organization
    user = UserFactory()
    client.force_login(user)

    # when they open the dashboard
    response = client.get(DASHBOARD)

    # then a friendly page explains it, without a link to the admin
    html = response.content.decode()
    assert response.status_code == 403
    assert "ainda não faz parte de nenhuma organização" in html
    assert reverse("admin:index") not in html


def test_staff_without_membership_gets_admin_link(client):
    # given a staff user with no organization
    user = UserFactory(is_staff=True)
    client.force_login(user)

    # when they open the portal
    html = client.get(DASHBOARD).content.decode()

    # then the page points them to the admin
    assert reverse("admin:index") in html


def test_session_of_a_left_organization_falls_back_to_another_membership(signed_in):
    # given a user in two organizations whose session points at one they were removed from
    first = MembershipFactory(role=Role.MEMBER)
    second = MembershipFactory(user=first.user, role=Role.MEMBER)
    client = signed_in(first.user)
    client.post(reverse("portal:organization_switch"), {"organization": second.organization_id})
    second.delete()

    # when they open the dashboard
    response = client.get(DASHBOARD)

    # then they see their remaining organization
    assert response.status_code == 200
    assert first.organization.trade_name in response.content.decode()


# --- Members ---------------------------------------------------------------------------------


def test_members_page_lists_members_and_invitations(portal_client):
    # given an organization with a member and an invitation
    organization = portal_client.membership.organization
    member = MembershipFactory(organization=organization, role=Role.MEMBER)
    invitation = InvitationFactory(organization=organization, invited_by=portal_client.membership.user)
    from_admin = InvitationFactory(organization=organization, invited_by=None)

    # when the owner opens the team page
    html = portal_client.get(MEMBERS).content.decode()

    # then they are listed with the manager controls
    assert member.user.email in html
    assert invitation.email in html
    assert from_admin.email in html
    assert reverse("portal:membership_set_role", args=[member.pk]) in html
    assert reverse("portal:invitation_revoke", args=[invitation.pk]) in html
    assert reverse("portal:invitation_create") in html


def test_manager_invites_changes_role_removes_and_revokes(portal_client, django_capture_on_commit_callbacks):
    # given an owner and a member of their organization
    owner = portal_client.membership
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)

    # when the owner invites someone
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_client.post(
            reverse("portal:invitation_create"), {"email": "Ana@Solar.com.br", "role": Role.ENGINEER}
        )

    # then the invitation is created and e-mailed
    assert response.status_code == 302
    invitation = Invitation.objects.get(organization=owner.organization, email="ana@solar.com.br")
    assert invitation.role == Role.ENGINEER
    assert len(mail.outbox) == 1
    assert f"/portal/invitations/{invitation.token}/" in mail.outbox[0].body

    # when they promote the member, then it sticks
    portal_client.post(reverse("portal:membership_set_role", args=[member.pk]), {"role": Role.ADMIN})
    member.refresh_from_db()
    assert member.role == Role.ADMIN

    # when they revoke the invitation, then it is revoked
    portal_client.post(reverse("portal:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED

    # when they remove the member, then the membership is gone
    portal_client.post(reverse("portal:membership_remove", args=[member.pk]))
    assert not Membership.objects.filter(pk=member.pk).exists()


def test_invite_over_plan_limit_shows_the_service_error(portal_client):
    # given an organization whose plan has one seat, already used by the owner
    organization = portal_client.membership.organization
    organization.plan = PlanFactory(slug="solo", name="Solo", max_users=1)
    organization.save()

    # when the owner tries to invite
    response = portal_client.post(
        reverse("portal:invitation_create"), {"email": "mais@solar.com.br", "role": Role.MEMBER}
    )

    # then the page is shown again with the plan-limit message and nothing is created
    assert response.status_code == 200
    assert any("Solo" in text and "usuários" in text for text in message_texts(response))
    assert 'value="mais@solar.com.br"' in response.content.decode()
    assert not Invitation.objects.filter(email="mais@solar.com.br").exists()


def test_invite_existing_member_is_a_form_error(portal_client):
    # given a member of the organization
    member = MembershipFactory(organization=portal_client.membership.organization, role=Role.MEMBER)

    # when the owner invites them again
    response = portal_client.post(
        reverse("portal:invitation_create"), {"email": member.user.email, "role": Role.MEMBER}
    )

    # then the e-mail field carries the service's error
    assert response.status_code == 200
    assert "Esta pessoa já é membro" in response.content.decode()


def test_members_page_write_actions_refused_for_plain_member(signed_in):
    # given a plain member, another member and a pending invitation in the same organization
    owner = MembershipFactory(role=Role.OWNER)
    organization = owner.organization
    plain = MembershipFactory(organization=organization, role=Role.MEMBER)
    other = MembershipFactory(organization=organization, role=Role.MEMBER)
    invitation = InvitationFactory(organization=organization, invited_by=owner.user)
    client = signed_in(plain.user)

    # when they open the team page, then it is read-only
    html = client.get(MEMBERS).content.decode()
    assert other.user.email in html
    assert reverse("portal:invitation_create") not in html
    assert reverse("portal:membership_set_role", args=[other.pk]) not in html
    assert reverse("portal:membership_remove", args=[other.pk]) not in html
    assert reverse("portal:invitation_revoke", args=[invitation.pk]) not in html

    # when they post the write actions anyway
    responses = [
        client.post(reverse("portal:invitation_create"), {"email": "x@solar.com.br", "role": Role.MEMBER}),
        client.post(reverse("portal:membership_set_role", args=[other.pk]), {"role": Role.OWNER}),
        client.post(reverse("portal:membership_set_role", args=[plain.pk]), {"role": Role.ADMIN}),
        client.post(reverse("portal:membership_remove", args=[other.pk])),
        client.post(reverse("portal:invitation_revoke", args=[invitation.pk])),
    ]

    # then every one is refused with a message and nothing changed
    for response in responses:
        assert any("Apenas proprietários e administradores" in text for text in message_texts(response))
    assert not Invitation.objects.filter(email="x@solar.com.br").exists()
    other.refresh_from_db()
    plain.refresh_from_db()
    invitation.refresh_from_db()
    assert other.role == Role.MEMBER
    assert plain.role == Role.MEMBER
    assert invitation.status == InvitationStatus.PENDING


def test_member_can_leave_but_last_owner_cannot(signed_in):
    # given an organization with its only owner and a member
    owner = MembershipFactory(role=Role.OWNER)
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)

    # when the member leaves, then their membership is gone
    response = signed_in(member.user).post(reverse("portal:membership_leave"))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()

    # when the last owner tries to leave, then it is refused
    response = signed_in(owner.user).post(reverse("portal:membership_leave"))
    assert Membership.objects.filter(pk=owner.pk).exists()
    assert any("pelo menos um proprietário" in text for text in message_texts(response))


def test_admin_is_not_offered_the_owner_role(signed_in):
    # given an admin
    owner = MembershipFactory(role=Role.OWNER)
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)

    # when they open the team page
    response = signed_in(admin.user).get(MEMBERS)

    # then the invite form offers no owner role and the owner row has no controls
    invite_roles = [value for value, _ in response.context["invite_form"].fields["role"].choices]
    assert Role.OWNER not in invite_roles
    html = response.content.decode()
    assert reverse("portal:membership_set_role", args=[owner.pk]) not in html
    assert reverse("portal:membership_remove", args=[owner.pk]) not in html


def test_suspended_organization_refuses_invitations(portal_client):
    # given a suspended organization
    organization = portal_client.membership.organization
    organization.status = OrganizationStatus.SUSPENDED
    organization.save()

    # when the owner opens the team page, then there is no invite form
    assert reverse("portal:invitation_create") not in portal_client.get(MEMBERS).content.decode()

    # when they post an invitation anyway, then the suspension message is shown
    response = portal_client.post(
        reverse("portal:invitation_create"), {"email": "x@solar.com.br", "role": Role.MEMBER}
    )
    assert any("suspensa" in text for text in message_texts(response))
    assert not Invitation.objects.filter(email="x@solar.com.br").exists()


def test_cannot_act_on_another_organizations_memberships_or_invitations(portal_client):
    # given another organization with a member and a pending invitation
    foreign_member = MembershipFactory(role=Role.MEMBER)
    foreign_invitation = InvitationFactory(organization=foreign_member.organization)

    # when the owner of the first organization targets their ids
    responses = [
        portal_client.post(
            reverse("portal:membership_set_role", args=[foreign_member.pk]), {"role": "admin"}
        ),
        portal_client.post(reverse("portal:membership_remove", args=[foreign_member.pk])),
        portal_client.post(reverse("portal:invitation_revoke", args=[foreign_invitation.pk])),
    ]

    # then they look like they do not exist and nothing changes
    assert [response.status_code for response in responses] == [404, 404, 404]
    foreign_member.refresh_from_db()
    foreign_invitation.refresh_from_db()
    assert foreign_member.role == Role.MEMBER
    assert foreign_invitation.status == InvitationStatus.PENDING


def test_write_actions_are_post_only(portal_client):
    # given a member id / when a write URL is opened with GET / then it is refused
    pk = portal_client.membership.pk
    assert portal_client.get(reverse("portal:membership_remove", args=[pk])).status_code == 405
    assert portal_client.get(reverse("portal:invitation_create")).status_code == 405


def test_write_actions_check_csrf(owner_membership):
    # given a browser session that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_membership.user)

    # when a write is posted without the token
    response = client.post(reverse("portal:invitation_create"), {"email": "x@solar.com.br", "role": "member"})

    # then it is rejected
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="x@solar.com.br").exists()


# --- Invitations -----------------------------------------------------------------------------


def test_invitation_accept_when_signed_in_with_the_invited_email(signed_in):
    # given an invitation to an existing user's e-mail
    user = UserFactory()
    invitation = InvitationFactory(email=user.email, role=Role.ENGINEER)
    client = signed_in(user)
    url = reverse("portal:invitation", args=[invitation.token])

    # when they open it, then an accept button is shown
    response = client.get(url)
    assert response.status_code == 200
    assert "Aceitar o convite" in response.content.decode()

    # when they accept
    response = client.post(url)

    # then they join with the invited role and the portal acts for that organization
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    membership = Membership.objects.get(user=user, organization=invitation.organization)
    assert membership.role == Role.ENGINEER
    assert client.session["ysh_organization_id"] == invitation.organization_id
    assert invitation.organization.trade_name in client.get(DASHBOARD).content.decode()


def test_invitation_signed_in_as_someone_else(signed_in):
    # given an invitation for another e-mail
    invitation = InvitationFactory()
    client = signed_in(UserFactory())

    # when a different signed-in user opens it
    response = client.get(reverse("portal:invitation", args=[invitation.token]))

    # then they are told to sign in with the invited e-mail, and cannot accept it
    assert invitation.email in response.content.decode()
    client.post(reverse("portal:invitation", args=[invitation.token]))
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING


def test_invitation_signup_creates_account_and_signs_in(client):
    # given an invitation to an e-mail with no account
    invitation = InvitationFactory(email="nova.pessoa@solar.com.br")
    url = reverse("portal:invitation", args=[invitation.token])
    assert 'name="full_name"' in client.get(url).content.decode()

    # when a weak password is sent, then the password error is shown and nothing is created
    response = client.post(url, {"full_name": "Nova Pessoa", "password": "123", "password_confirm": "123"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert not User.objects.filter(email="nova.pessoa@solar.com.br").exists()

    # when the sign-up form is filled in properly
    response = client.post(
        url,
        {
            "full_name": "Nova Pessoa",
            "password": "Modulo-Solar-450W",
            "password_confirm": "Modulo-Solar-450W",
        },
    )

    # then the account exists, belongs to the organization and is signed in
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    user = User.objects.get(email="nova.pessoa@solar.com.br")
    assert user.check_password("Modulo-Solar-450W")
    assert Membership.objects.filter(user=user, organization=invitation.organization).exists()
    assert client.get(DASHBOARD).status_code == 200


def test_invitation_for_existing_account_asks_to_sign_in(client):
    # given an invitation to an e-mail that already has an account
    user = UserFactory()
    invitation = InvitationFactory(email=user.email)
    url = reverse("portal:invitation", args=[invitation.token])

    # when an anonymous visitor opens it
    html = client.get(url).content.decode()

    # then it asks to sign in and come back, and offers no sign-up form
    assert 'name="full_name"' not in html
    assert f"{LOGIN}?next=%2Fportal%2Finvitations%2F{invitation.token}%2F" in html

    # when they sign in through that link, they come back to the invitation
    response = client.post(
        f"{LOGIN}?next={url}", {"username": user.email, "password": DEFAULT_PASSWORD, "next": url}
    )
    assert response["Location"] == url


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"expires_at": timezone.now() - timedelta(days=1)}, 410),
        ({"status": InvitationStatus.REVOKED}, 410),
        ({"status": InvitationStatus.ACCEPTED}, 410),
    ],
)
def test_unusable_invitation_shows_clear_message(client, overrides, status):
    # given an expired, revoked or used invitation
    invitation = InvitationFactory(**overrides)

    # when it is opened
    response = client.get(reverse("portal:invitation", args=[invitation.token]))

    # then the page says it is no longer valid
    assert response.status_code == status
    assert "Este convite não é válido" in response.content.decode()


def test_unknown_invitation_token(client):
    # given a token that does not exist / when opened / then a clear not-found page
    response = client.get(reverse("portal:invitation", args=["nao-existe"]))
    assert response.status_code == 404
    assert "Este convite não é válido" in response.content.decode()


# --- Query counts ----------------------------------------------------------------------------


def _add_team(owner: Membership, *, members: int, invitations: int) -> None:
    for index in range(members):
        role = Role.MEMBER if index % 2 else Role.ENGINEER
        MembershipFactory(organization=owner.organization, role=role)
    for _ in range(invitations):
        InvitationFactory(organization=owner.organization, invited_by=owner.user)


# The portal's own queries: session, user, membership, switcher, members, invitations. Each
# usage counter that an app registers adds its own, so those are counted on top.
PORTAL_QUERIES = 6


@pytest.mark.parametrize("url_name", ["portal:dashboard", "portal:members"])
def test_portal_pages_keep_query_count_flat(django_assert_max_num_queries, signed_in, url_name):
    # given an organization with 3 members and some invitations on an unlimited plan
    owner = MembershipFactory(role=Role.OWNER)
    owner.organization.plan.max_users = None
    owner.organization.plan.save()
    _add_team(owner, members=2, invitations=2)
    client = signed_in(owner.user)
    url = reverse(url_name)
    counters = sum(1 for limit in LIMIT_LABELS if usage_counter(limit) is not None)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    assert len(small) <= PORTAL_QUERIES + 2 * counters

    # when the team grows to 30 members and more invitations
    _add_team(owner, members=27, invitations=8)

    # then the page runs no more queries than it did for 3
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="person__email"') >= 30
