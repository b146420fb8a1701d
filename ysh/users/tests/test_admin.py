import pytest
from django.urls import reverse

from ysh.users.models import LoginHistory, OrganizationStatus
from ysh.users.services import login_attempt_record
from ysh.users.tests.factories import (
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:users_user_changelist",
    "admin:users_organization_changelist",
    "admin:users_membership_changelist",
    "admin:users_plan_changelist",
    "admin:users_invitation_changelist",
    "admin:users_loginhistory_changelist",
]


@pytest.fixture
def staff_client(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    return client


def _populate(n: int) -> None:
    for _ in range(n):
        membership = MembershipFactory()
        InvitationFactory(organization=membership.organization, invited_by=membership.user)
        login_attempt_record(email=membership.user.email, success=True, request=None, user=membership.user)


@pytest.mark.parametrize("url_name", CHANGELISTS)
def test_changelists_render_with_flat_query_counts(staff_client, url_name, django_assert_max_num_queries):
    # given a few rows, then many more
    _populate(2)
    staff_client.get(reverse(url_name))  # warm caches (content types, permissions)
    with django_assert_max_num_queries(14) as few:
        assert staff_client.get(reverse(url_name)).status_code == 200
    _populate(20)
    # then the number of queries does not grow with the rows shown
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(reverse(url_name)).status_code == 200


def test_search_and_change_pages(staff_client):
    membership = MembershipFactory()
    organization = membership.organization
    response = staff_client.get(reverse("admin:users_organization_changelist"), {"q": organization.cnpj})
    assert organization.legal_name in response.content.decode()
    for name, obj in [
        ("admin:users_organization_change", organization),
        ("admin:users_user_change", membership.user),
        ("admin:users_plan_change", organization.plan),
    ]:
        assert staff_client.get(reverse(name, args=[obj.pk])).status_code == 200
    autocomplete = staff_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "users",
            "model_name": "membership",
            "field_name": "user",
            "term": membership.user.email,
        },
    )
    assert autocomplete.status_code == 200
    assert membership.user.email in autocomplete.content.decode()


def test_suspend_and_reactivate_actions(staff_client):
    organizations = OrganizationFactory.create_batch(2)
    url = reverse("admin:users_organization_changelist")
    staff_client.post(url, {"action": "suspend", "_selected_action": [o.pk for o in organizations]})
    for organization in organizations:
        organization.refresh_from_db()
        assert organization.status == OrganizationStatus.SUSPENDED
    staff_client.post(url, {"action": "reactivate", "_selected_action": [organizations[0].pk]})
    organizations[0].refresh_from_db()
    assert organizations[0].status == OrganizationStatus.ACTIVE


def test_login_history_is_read_only(staff_client):
    login_attempt_record(email="a@example.com", success=False, request=None)
    entry = LoginHistory.objects.get(email="a@example.com")
    assert staff_client.get(reverse("admin:users_loginhistory_add")).status_code == 403
    response = staff_client.post(
        reverse("admin:users_loginhistory_change", args=[entry.pk]), {"email": "changed@example.com"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.email == "a@example.com"


def test_non_staff_cannot_open_the_admin(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("admin:users_organization_changelist"))
    assert response.status_code == 302
