"""Back office: the leads changelist with its filters and search, the change form (capture data
read-only, edits normalized and checked against the dedup indexes), no add."""

import pytest
from django.urls import reverse

from leads.models import Lead, LeadStatus
from leads.tests.factories import LeadFactory
from ysh.users.tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:leads_lead_changelist"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_changelist_filters_and_search(admin_client, django_assert_max_num_queries):
    # given
    org = OrganizationFactory()
    ana = LeadFactory(organization=org, name="Ana Souza", email="ana@example.com", source="quote")
    LeadFactory.create_batch(5, organization=OrganizationFactory())
    url = reverse(CHANGELIST)
    # when
    with django_assert_max_num_queries(12):
        page = admin_client.get(url)
    filtered = admin_client.get(url, {"status": "new", "source": "quote", "organization__id__exact": org.pk})
    searched = admin_client.get(url, {"q": "ana@example"})
    # then
    assert page.status_code == 200
    assert list(filtered.context["cl"].result_list) == [ana]
    assert list(searched.context["cl"].result_list) == [ana]


def test_change_form_shows_capture_data_read_only_and_add_is_off(admin_client):
    lead = LeadFactory(ip_hash="ab" * 32, utm_source="google")
    response = admin_client.get(reverse("admin:leads_lead_change", args=[lead.pk]))
    assert response.status_code == 200
    form_fields = set(response.context["adminform"].form.fields)
    assert {"ip_hash", "utm_source", "consent", "source", "organization"}.isdisjoint(form_fields)
    assert {"status", "email", "phone"} <= form_fields
    assert admin_client.get(reverse("admin:leads_lead_add")).status_code == 403


def _post(admin_client, lead, **changes):
    data = {
        "status": lead.status,
        "interest_type": lead.interest_type,
        "name": lead.name,
        "email": lead.email,
        "phone": lead.phone,
        "city": lead.city,
        "state": lead.state,
        **changes,
    }
    return admin_client.post(reverse("admin:leads_lead_change", args=[lead.pk]), data)


def test_edit_normalizes_the_email_and_refuses_a_duplicate_open_lead(admin_client):
    # given
    lead = LeadFactory(email="ana@example.com")
    LeadFactory(email="bia@example.com")
    # when
    ok = _post(admin_client, lead, email=" Ana.Nova@Example.com ", status=LeadStatus.CONTACTED)
    duplicate = _post(admin_client, lead, email="bia@example.com")
    # then
    assert ok.status_code == 302
    lead.refresh_from_db()
    assert (lead.email, lead.status) == ("ana.nova@example.com", LeadStatus.CONTACTED)
    assert duplicate.status_code == 200  # the form again, with the error
    assert "__all__" in duplicate.context["adminform"].form.errors
    assert Lead.objects.get(pk=lead.pk).email == "ana.nova@example.com"
