import factory
from django.utils import timezone

from leads.consent import CURRENT_CONSENT_VERSION
from leads.models import InterestType, Lead, LeadSource, LeadStatus


class LeadFactory(factory.django.DjangoModelFactory):
    """A consented lead with normalized contacts (what ``lead_create`` stores). No organization
    by default (YSH's storefront); pass ``organization=`` for an integrator's."""

    class Meta:
        model = Lead

    name = factory.Faker("name", locale="pt_BR")
    email = factory.Sequence(lambda n: f"cliente{n}@example.com.br")
    phone = factory.Sequence(lambda n: f"+55119{91000000 + n}")
    city = "Campinas"
    state = "SP"
    source = LeadSource.CALCULATOR
    interest_type = InterestType.SOLAR
    status = LeadStatus.NEW
    consent = True
    consent_at = factory.LazyFunction(timezone.now)
    consent_text_version = CURRENT_CONSENT_VERSION
    last_captured_at = factory.LazyFunction(timezone.now)
