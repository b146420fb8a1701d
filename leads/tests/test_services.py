"""lead_create: consent first, normalized contacts, hashed IP, dedup of open leads (also under a
real race on PostgreSQL) and field errors; lead_update."""

import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from leads.consent import CURRENT_CONSENT_VERSION
from leads.models import Lead, LeadStatus
from leads.services import LeadConsentRequired, LeadInvalid, lead_create, lead_update
from leads.tests.factories import LeadFactory
from ysh.errors import Conflict, OrganizationSuspended
from ysh.users.models import OrganizationStatus
from ysh.users.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def capture(**changes):
    kwargs = {
        "name": "Ana Souza",
        "email": "ana@example.com",
        "phone": "",
        "source": "calculator",
        "interest_type": "solar",
        "consent": True,
    }
    kwargs.update(changes)
    return lead_create(**kwargs)


def test_a_capture_stores_normalized_contacts_consent_and_only_the_ip_hash(expected_ip_hash):
    # when
    lead = capture(
        name="  Ana   Souza ",
        email=" Ana.Souza@Example.COM ",
        phone="(11) 99999-8888",
        city="Campinas",
        state="sp",
        ip="203.0.113.7",
        attribution={"utm_source": "google", "gclid": "abc", "referrer": "javascript:alert(1)", "x": "y"},
        metadata={"viability_analysis": "u-1"},
    )
    # then
    lead.refresh_from_db()
    assert (lead.name, lead.email, lead.phone) == ("Ana Souza", "ana.souza@example.com", "+5511999998888")
    assert (lead.city, lead.state, lead.status) == ("Campinas", "SP", LeadStatus.NEW)
    assert lead.consent is True and lead.consent_at is not None
    assert lead.consent_text_version == CURRENT_CONSENT_VERSION
    assert lead.ip_hash == expected_ip_hash("203.0.113.7")
    # the raw address is nowhere in the row
    row = Lead.objects.filter(pk=lead.pk).values().get()
    assert not any("203.0.113.7" in str(value) for value in row.values())
    # known attribution keys only, and a referrer only when it is an http(s) URL
    assert (lead.utm_source, lead.gclid, lead.referrer) == ("google", "abc", "")
    assert lead.metadata == {"viability_analysis": "u-1"}
    assert lead.capture_count == 1


def test_without_consent_nothing_is_stored():
    # when
    with pytest.raises(LeadConsentRequired) as exc:
        capture(consent=False)
    # then
    assert "consent" in exc.value.extra
    assert exc.value.code == "consent_required"
    assert Lead.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"email": "", "phone": ""}, {"email"}),
        ({"email": "not-an-email", "phone": "123"}, {"email", "phone"}),
        ({"phone": "(11) 1234"}, {"phone"}),
        ({"source": "billboard"}, {"source"}),
        ({"interest_type": "wind"}, {"interest_type"}),
        ({"state": "XX"}, {"state"}),
        ({"name": "a" * 161}, {"name"}),
        ({"metadata": ["not", "an", "object"]}, {"metadata"}),
        ({"metadata": {"blob": "x" * 20_000}}, {"metadata"}),
        ({"consent_text_version": "1999-01"}, {"consent_text_version"}),
    ],
)
def test_bad_input_raises_field_errors_and_stores_nothing(changes, fields):
    with pytest.raises(LeadInvalid) as exc:
        capture(**changes)
    assert set(exc.value.extra) == fields
    assert Lead.objects.count() == 0


def test_the_same_person_again_updates_the_open_lead():
    # given
    organization = OrganizationFactory()
    first = capture(
        organization=organization,
        email="ana@example.com",
        attribution={"utm_source": "google", "utm_campaign": "first"},
        metadata={"viability_analysis": "u-1", "system_kwp": "4.4"},
    )
    # when the same e-mail comes back (other case), with a phone and a later campaign
    second = capture(
        organization=organization,
        name="Ana Paula Souza",
        email="ANA@example.com",
        phone="11 99999-8888",
        interest_type="battery",
        attribution={"utm_source": "meta", "utm_campaign": "second", "utm_medium": "social"},
        metadata={"viability_analysis": "u-2"},
    )
    # then
    assert second.pk == first.pk and Lead.objects.count() == 1
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.interest_type) == ("Ana Paula Souza", "+5511999998888", "battery")
    # first touch kept, blanks filled
    assert (lead.utm_source, lead.utm_campaign, lead.utm_medium) == ("google", "first", "social")
    assert lead.metadata == {"viability_analysis": "u-2", "system_kwp": "4.4"}
    assert lead.capture_count == 2
    assert lead.source == "calculator"


def test_dedup_by_phone_in_any_format_and_in_the_storefront_scope():
    # given a storefront lead (no organization) by phone only
    first = capture(email="", phone="+55 (21) 98123-4567")
    # when
    second = capture(email="", phone="21981234567")
    # then
    assert second.pk == first.pk
    assert Lead.objects.get().capture_count == 2


def test_other_organization_or_closed_lead_means_a_new_lead():
    # given
    org_a, org_b = OrganizationFactory(), OrganizationFactory()
    lead_a = capture(organization=org_a)
    # when
    lead_b = capture(organization=org_b)
    lead_ysh = capture()
    Lead.objects.filter(pk=lead_a.pk).update(status=LeadStatus.CONVERTED)
    lead_a2 = capture(organization=org_a)
    # then
    assert len({lead_a.pk, lead_b.pk, lead_ysh.pk, lead_a2.pk}) == 4
    assert Lead.objects.get(pk=lead_a.pk).capture_count == 1


def test_email_of_one_lead_and_phone_of_another_updates_the_email_lead_only():
    # given
    by_email = capture(email="ana@example.com", phone="")
    by_phone = capture(email="", phone="(11) 99999-8888")
    # when
    result = capture(email="ana@example.com", phone="(11) 99999-8888", name="Ana")
    # then
    assert result.pk == by_email.pk
    by_email.refresh_from_db()
    by_phone.refresh_from_db()
    assert (by_email.email, by_email.phone, by_email.capture_count) == ("ana@example.com", "", 2)
    assert (by_phone.phone, by_phone.capture_count) == ("+5511999998888", 1)


def test_a_suspended_organization_captures_nothing():
    organization = OrganizationFactory(status=OrganizationStatus.SUSPENDED)
    with pytest.raises(OrganizationSuspended):
        capture(organization=organization)
    assert Lead.objects.count() == 0


@pytest.mark.parametrize("with_organization", [False, True])
def test_the_database_refuses_a_second_open_lead_with_the_same_contact(with_organization):
    # given
    organization = OrganizationFactory() if with_organization else None
    LeadFactory(organization=organization, email="ana@example.com", phone="+5511999998888")
    # when / then: same e-mail, other phone
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadFactory(organization=organization, email="ana@example.com", phone="+5511988887777")
    # same phone, other e-mail
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadFactory(organization=organization, email="bia@example.com", phone="+5511999998888")
    # a closed lead with the same contact is fine
    LeadFactory(organization=organization, email="ana@example.com", phone="", status=LeadStatus.LOST)
    assert Lead.objects.count() == 2


def test_lead_update_changes_allowed_fields_and_refuses_the_others():
    # given
    lead = LeadFactory()
    # when
    updated = lead_update(lead=lead, data={"status": "contacted", "state": "rj", "city": "Niterói"})
    # then
    lead.refresh_from_db()
    assert (lead.status, lead.state, lead.city) == ("contacted", "RJ", "Niterói")
    assert updated.pk == lead.pk
    with pytest.raises(LeadInvalid) as exc:
        lead_update(lead=lead, data={"email": "x@example.com", "status": "won"})
    assert set(exc.value.extra) == {"email", "status"}


def test_reopening_a_closed_lead_while_another_is_open_is_a_conflict():
    # given
    closed = LeadFactory(email="ana@example.com", phone="", status=LeadStatus.LOST)
    LeadFactory(email="ana@example.com", phone="")
    # when / then
    with pytest.raises(Conflict):
        lead_update(lead=closed, data={"status": "new"})
    closed.refresh_from_db()
    assert closed.status == LeadStatus.LOST


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_captures_of_one_person_end_in_one_lead():
    """Capture A inserts and holds its transaction open; capture B finds nothing (A is not committed),
    inserts, and waits on the unique index; A commits; B's insert fails and B retries as an update."""
    inserted, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                results["a"] = capture(name="Ana A")
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second():
        try:
            results["b"] = capture(name="Ana B", phone="(11) 99999-8888")
        except Exception as exc:  # reported by the assertions below
            results["b"] = exc
        finally:
            connections.close_all()

    thread_a = threading.Thread(target=first)
    thread_a.start()
    assert inserted.wait(10)
    thread_b = threading.Thread(target=second)
    thread_b.start()
    # wait (bounded) until B is blocked on A's uncommitted index entry
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the second capture never waited on the first one")
    release.set()
    thread_a.join(10)
    thread_b.join(10)

    assert isinstance(results["b"], Lead), results["b"]
    lead = Lead.objects.get()
    assert results["b"].pk == results["a"].pk == lead.pk
    assert (lead.name, lead.phone, lead.capture_count) == ("Ana B", "+5511999998888", 2)
