import pytest
from django.core import mail
from rest_framework.test import APIClient

from ysh.users.api.serializers import tokens_for
from ysh.users.models import Invitation, InvitationStatus, Membership, OrganizationStatus, Role
from ysh.users.tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db


def client_for(membership) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(membership.user, membership)['access']}")
    return client


def test_members_of_another_organization_are_not_found():
    # given two organizations, each with a member and a pending invitation
    a = MembershipFactory()
    b = MembershipFactory()
    b_member = MembershipFactory(organization=b.organization, role=Role.MEMBER)
    b_invitation = InvitationFactory(organization=b.organization)
    client = client_for(a)

    # when A asks for B's objects by id
    # then the shared base viewset answers 404 for each, and lists only A's
    assert client.get(f"/api/v1/organization/members/{b_member.pk}/").status_code == 404
    assert client.patch(f"/api/v1/organization/members/{b_member.pk}/", {"role": "admin"}).status_code == 404
    assert client.delete(f"/api/v1/organization/members/{b_member.pk}/").status_code == 404
    assert client.get(f"/api/v1/organization/invitations/{b_invitation.pk}/").status_code == 404
    assert client.delete(f"/api/v1/organization/invitations/{b_invitation.pk}/").status_code == 404
    listed = client.get("/api/v1/organization/members/").json()
    assert [m["id"] for m in listed["results"]] == [a.pk]
    assert client.get("/api/v1/organization/invitations/").json()["count"] == 0
    b_member.refresh_from_db()
    assert b_member.role == Role.MEMBER
    assert Invitation.objects.get(pk=b_invitation.pk).status == InvitationStatus.PENDING


def test_switching_to_an_organization_you_do_not_belong_to_is_refused():
    a = MembershipFactory()
    b = MembershipFactory()
    client = client_for(a)
    response = client.get("/api/v1/organization/members/", HTTP_X_ORGANIZATION=str(b.organization_id))
    assert response.status_code == 403
    response = client.get("/api/v1/organization/members/", HTTP_X_ORGANIZATION="garbage")
    assert response.status_code == 403


def test_a_user_in_two_organizations_switches_with_the_header():
    a = MembershipFactory()
    second = MembershipFactory(user=a.user, role=Role.MEMBER)
    client = client_for(a)
    response = client.get("/api/v1/organization", HTTP_X_ORGANIZATION=str(second.organization_id))
    assert response.status_code == 200
    assert response.json()["id"] == second.organization_id


def test_removed_member_loses_access_at_once():
    a = MembershipFactory()
    client = client_for(a)
    a.delete()
    assert client.get("/api/v1/organization").status_code == 403


def test_current_organization_shows_plan_usage(member_client):
    response = member_client.get("/api/v1/organization")
    assert response.status_code == 200
    usage = {row["limit"]: row for row in response.json()["usage"]}
    assert usage["max_users"]["used"] == 1
    assert usage["max_users"]["maximum"] == 5


def test_invite_member_sends_email_and_holds_a_seat(member_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            "/api/v1/organization/invitations/", {"email": "novo@example.com", "role": "member"}
        )
    assert response.status_code == 201, response.json()
    assert len(mail.outbox) == 1
    assert "/portal/invitations/" in mail.outbox[0].body
    usage = {row["limit"]: row for row in member_client.get("/api/v1/organization").json()["usage"]}
    assert usage["max_users"]["used"] == 2


def test_plan_limit_on_users_is_enforced_with_a_clear_4xx():
    # given an organization on a 2-user plan with one member and one pending invitation
    plan = PlanFactory(max_users=2)
    owner = MembershipFactory(organization__plan=plan)
    InvitationFactory(organization=owner.organization)
    client = client_for(owner)

    # when a third seat is requested
    response = client.post("/api/v1/organization/invitations/", {"email": "terceiro@example.com"})

    # then it is refused, saying which limit was hit, and nothing was stored
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "plan_limit_exceeded"
    assert body["maximum"] == 2
    assert body["current"] == 2
    assert "users" in body["limit"] or "usuários" in body["limit"]
    assert not Invitation.objects.filter(email="terceiro@example.com").exists()


def test_unlimited_plan_has_no_user_limit():
    plan = PlanFactory(max_users=None)
    owner = MembershipFactory(organization__plan=plan)
    client = client_for(owner)
    for n in range(6):
        assert (
            client.post("/api/v1/organization/invitations/", {"email": f"p{n}@example.com"}).status_code
            == 201
        )


def test_suspended_organization_can_log_in_and_read_but_not_create(api_client, password):
    owner = MembershipFactory(organization__status=OrganizationStatus.SUSPENDED)
    response = api_client.post(
        "/api/v1/auth/login", {"email": owner.user.email, "password": password}, format="json"
    )
    assert response.status_code == 200
    client = client_for(owner)
    assert client.get("/api/v1/organization").status_code == 200
    assert client.get("/api/v1/organization/members/").status_code == 200
    response = client.post("/api/v1/organization/invitations/", {"email": "x@example.com"})
    assert response.status_code == 403
    assert response.json()["code"] == "organization_suspended"
    response = client.patch("/api/v1/organization", {"trade_name": "Outro"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_plain_members_cannot_invite_or_change_roles():
    owner = MembershipFactory()
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client = client_for(member)
    assert client.post("/api/v1/organization/invitations/", {"email": "x@example.com"}).status_code == 403
    assert client.patch(f"/api/v1/organization/members/{owner.pk}/", {"role": "member"}).status_code == 403
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_last_owner_cannot_be_demoted_or_removed():
    owner = MembershipFactory()
    client = client_for(owner)
    response = client.patch(f"/api/v1/organization/members/{owner.pk}/", {"role": "member"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_state"
    assert client.delete(f"/api/v1/organization/members/{owner.pk}/").status_code == 400
    assert Membership.objects.filter(pk=owner.pk, role=Role.OWNER).exists()


def test_admin_cannot_grant_owner():
    owner = MembershipFactory()
    admin = MembershipFactory(organization=owner.organization, role=Role.ADMIN)
    member = MembershipFactory(organization=owner.organization, role=Role.MEMBER)
    client = client_for(admin)
    assert client.patch(f"/api/v1/organization/members/{member.pk}/", {"role": "owner"}).status_code == 403
    assert client.patch(f"/api/v1/organization/members/{member.pk}/", {"role": "engineer"}).status_code == 200


def test_bad_role_and_duplicate_invitation_are_field_errors(member_client):
    response = member_client.post(
        "/api/v1/organization/invitations/", {"email": "x@example.com", "role": "boss"}
    )
    assert response.status_code == 400
    assert "role" in response.json()
    assert (
        member_client.post("/api/v1/organization/invitations/", {"email": "x@example.com"}).status_code == 201
    )
    response = member_client.post("/api/v1/organization/invitations/", {"email": "X@example.com"})
    assert response.status_code == 400
    assert "email" in response.json()
    owner_email = member_client.membership.user.email
    response = member_client.post("/api/v1/organization/invitations/", {"email": owner_email})
    assert response.status_code == 400


def test_organization_patch_bad_input(member_client):
    organization = member_client.membership.organization
    response = member_client.patch("/api/v1/organization", {"state": "ZZ", "cep": "12"})
    assert response.status_code == 400
    assert set(response.json()) == {"state", "cep"}
    response = member_client.patch("/api/v1/organization", {"cnpj": "00000000000000"})
    assert response.status_code == 200  # read-only field ignored
    organization.refresh_from_db()
    assert organization.cnpj != "00000000000000"


def test_member_list_query_count_is_flat(member_client, django_assert_max_num_queries):
    organization = member_client.membership.organization
    organization.plan.max_users = None
    organization.plan.save()
    MembershipFactory.create_batch(3, organization=organization, role=Role.MEMBER)
    with django_assert_max_num_queries(6):
        assert member_client.get("/api/v1/organization/members/").status_code == 200
    MembershipFactory.create_batch(30, organization=organization, role=Role.MEMBER)
    with django_assert_max_num_queries(6):
        response = member_client.get("/api/v1/organization/members/?page_size=100")
    assert response.json()["count"] == 34


def test_other_org_data_unaffected_by_isolation_checks():
    OrganizationFactory()
    a = MembershipFactory()
    assert client_for(a).get("/api/v1/organization").json()["id"] == a.organization_id
