"""The demo seeder creates its leads through lead_create and is idempotent."""

import pytest

from leads.demo import DEMO_LEADS, SOL_NASCENTE, leads_demo_seed
from leads.models import Lead
from ysh.demo import seeders
from ysh.users.demo import seed_users

pytestmark = pytest.mark.django_db


def test_demo_leads_are_seeded_once_with_their_funnel_status():
    # given
    seed_users()
    # when
    leads_demo_seed()
    leads_demo_seed()
    # then
    assert Lead.objects.count() == len(DEMO_LEADS)
    for spec in DEMO_LEADS:
        lead = Lead.objects.get(email=spec["email"])
        assert lead.status == spec["status"]
        assert lead.capture_count == 1
        assert lead.consent is True
        assert (lead.organization.cnpj if lead.organization else None) == spec["org"]
    assert Lead.objects.filter(organization__cnpj=SOL_NASCENTE).count() == sum(
        1 for spec in DEMO_LEADS if spec["org"] == SOL_NASCENTE
    )
    assert "leads" in {seeder.name for seeder in seeders()}
