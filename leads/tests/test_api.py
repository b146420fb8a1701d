"""Leads API: the public capture (201 receipt that tells nothing about others, 400 field errors,
429 throttle, organization from the caller only) and the staff list/detail/PATCH with filters."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from leads.models import Lead, LeadStatus
from leads.tests.factories import LeadFactory
from ysh.users.api.serializers import tokens_for
from ysh.users.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads/"


def contact(**changes):
    return {
        "name": "Ana Souza",
        "email": "ana@example.com",
        "phone": "(11) 99999-8888",
        "consent": True,
        **changes,
    }


# --- public capture -------------------------------------------------------------------------------


def test_anonymous_capture_creates_a_storefront_lead_and_answers_only_a_receipt(api_client, expected_ip_hash):
    # when
    response = api_client.post(
        LEADS,
        contact(
            source="quote",
            interest_type="battery",
            state="SP",
            message="Quero orçamento de bateria",
            utm_source="google",
            utm_campaign="baterias",
            landing_url="https://ysh.example/baterias?utm_source=google",
        ),
        format="json",
    )
    # then
    assert response.status_code == 201, response.data
    assert set(response.data) == {"id", "status"}
    assert response.data["status"] == "received"
    lead = Lead.objects.get()
    assert response.data["id"] == str(lead.uuid)
    assert lead.organization is None
    assert (lead.email, lead.phone, lead.source, lead.interest_type) == (
        "ana@example.com",
        "+5511999998888",
        "quote",
        "battery",
    )
    assert (lead.utm_source, lead.utm_campaign) == ("google", "baterias")
    assert lead.landing_url == "https://ysh.example/baterias?utm_source=google"
    assert lead.metadata == {"message": "Quero orçamento de bateria"}
    assert lead.ip_hash == expected_ip_hash("127.0.0.1")


def test_a_known_person_gets_the_same_kind_of_answer_and_no_duplicate(api_client):
    # given someone else's open lead, already worked by staff
    existing = LeadFactory(email="ana@example.com", phone="", status=LeadStatus.NEGOTIATION, name="Ana")
    # when
    response = api_client.post(LEADS, contact(email="ANA@example.com", phone=""), format="json")
    # then the answer does not reveal the status nor any other data of that lead
    assert response.status_code == 201
    assert response.data == {"id": str(existing.uuid), "status": "received"}
    assert Lead.objects.count() == 1
    assert Lead.objects.get().capture_count == 2


def test_a_member_captures_for_their_organization(owner_membership):
    # given
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {tokens_for(owner_membership.user, owner_membership)['access']}"
    )
    # when
    response = client.post(LEADS, contact(source="other"), format="json")
    # then
    assert response.status_code == 201
    assert Lead.objects.get().organization == owner_membership.organization


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (contact(phone="(11) 1234"), "phone"),
        (contact(email="nope"), "email"),
        (contact(email="", phone=""), "email"),
        (contact(state="XX"), "state"),
        (contact(source="manual"), "source"),
        (contact(interest_type="wind"), "interest_type"),
        (contact(referrer="not a url"), "referrer"),
        (contact(utm_source="x" * 201), "utm_source"),
        ({k: v for k, v in contact().items() if k != "consent"}, "consent"),
        (contact(consent=False), "consent"),
    ],
)
def test_bad_input_is_400_with_field_errors_and_stores_nothing(api_client, payload, field):
    response = api_client.post(LEADS, payload, format="json")
    assert response.status_code == 400
    assert field in response.data, response.data
    assert Lead.objects.count() == 0


def test_refused_consent_has_its_own_code(api_client):
    response = api_client.post(LEADS, contact(consent=False), format="json")
    assert (response.status_code, response.data["code"]) == (400, "consent_required")


def test_public_capture_is_throttled(api_client, settings):
    # given
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "2/min"},
    }
    # when
    statuses = [
        api_client.post(LEADS, contact(email=f"p{i}@example.com", phone=""), format="json").status_code
        for i in range(3)
    ]
    # then
    assert statuses == [201, 201, 429]
    assert Lead.objects.count() == 2


# --- staff ----------------------------------------------------------------------------------------


def test_only_staff_read_leads(api_client, owner_membership):
    lead = LeadFactory()
    member = APIClient()
    member.force_authenticate(owner_membership.user)
    assert api_client.get(LEADS).status_code == 401
    assert member.get(LEADS).status_code == 403
    assert member.get(f"{LEADS}{lead.pk}/").status_code == 403
    assert member.patch(f"{LEADS}{lead.pk}/", {"status": "lost"}, format="json").status_code == 403


def test_staff_list_filters_and_search(staff_client):
    # given
    org = OrganizationFactory()
    today = timezone.now()
    a = LeadFactory(organization=org, status=LeadStatus.NEW, source="calculator", email="ana@example.com")
    b = LeadFactory(organization=org, status=LeadStatus.CONTACTED, source="quote", phone="+5521981234567")
    c = LeadFactory(status=LeadStatus.LOST, source="chat")
    Lead.objects.filter(pk=c.pk).update(created_at=today - timedelta(days=10))

    def ids(query):
        response = staff_client.get(LEADS, query)
        assert response.status_code == 200, response.data
        return {row["id"] for row in response.data["results"]}

    # when / then
    assert ids({}) == {a.pk, b.pk, c.pk}
    assert ids({"status": ["new", "contacted"]}) == {a.pk, b.pk}
    assert ids({"source": "chat"}) == {c.pk}
    assert ids({"organization": org.pk}) == {a.pk, b.pk}
    assert ids({"storefront": "true"}) == {c.pk}
    assert ids({"created_before": (today - timedelta(days=5)).date().isoformat()}) == {c.pk}
    assert ids({"created_after": (today - timedelta(days=5)).date().isoformat()}) == {a.pk, b.pk}
    assert ids({"search": "ana@exa"}) == {a.pk}
    assert ids({"search": "21981234"}) == {b.pk}
    row = staff_client.get(f"{LEADS}{a.pk}/").data
    assert (row["email"], row["organization"], row["organization_name"]) == (a.email, org.pk, str(org))
    assert "ip_hash" not in row


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "won"}, "status"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"organization": 999999}, "organization"),
    ],
)
def test_bad_filters_are_400(staff_client, query, field):
    response = staff_client.get(LEADS, query)
    assert response.status_code == 400
    assert field in response.data


def test_staff_patch_changes_status_through_the_service(staff_client):
    # given
    lead = LeadFactory()
    # when
    response = staff_client.patch(f"{LEADS}{lead.pk}/", {"status": "qualified", "state": "mg"}, format="json")
    # then
    assert response.status_code == 200, response.data
    lead.refresh_from_db()
    assert (lead.status, lead.state) == ("qualified", "MG")
    assert response.data["status"] == "qualified"


def test_staff_patch_bad_input(staff_client):
    lead = LeadFactory()
    bad_status = staff_client.patch(f"{LEADS}{lead.pk}/", {"status": "won"}, format="json")
    contact_change = staff_client.patch(f"{LEADS}{lead.pk}/", {"email": "x@example.com"}, format="json")
    assert bad_status.status_code == 400 and "status" in bad_status.data
    assert contact_change.status_code == 400 and "email" in contact_change.data
    assert staff_client.put(f"{LEADS}{lead.pk}/", {"status": "lost"}, format="json").status_code == 405
    assert staff_client.delete(f"{LEADS}{lead.pk}/").status_code == 405
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW


def test_reopening_onto_an_open_duplicate_is_409(staff_client):
    closed = LeadFactory(email="ana@example.com", phone="", status=LeadStatus.LOST)
    LeadFactory(email="ana@example.com", phone="")
    response = staff_client.patch(f"{LEADS}{closed.pk}/", {"status": "new"}, format="json")
    assert response.status_code == 409


def test_staff_list_query_count_stays_flat(staff_client, django_assert_max_num_queries):
    org = OrganizationFactory()
    LeadFactory.create_batch(3, organization=org)
    with django_assert_max_num_queries(4) as few:
        staff_client.get(LEADS)
    LeadFactory.create_batch(20, organization=OrganizationFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(LEADS)
    assert response.data["count"] == 23


def test_openapi_documents_the_leads_paths(client):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/leads/"])
    assert {"get", "patch"} <= set(paths["/api/v1/leads/{id}/"])
