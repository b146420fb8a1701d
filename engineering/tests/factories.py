"""factory_boy factories of the engineering models (shared: E1 utilities/tariffs/caches, E2 appends)."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from engineering.models import AneelCache, PVLibCache, Tariff, TariffSource, Utility


class UtilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utility
        django_get_or_create = ("sig_agente",)

    sig_agente = factory.Sequence(lambda n: f"DIST-{n}")
    name = factory.LazyAttribute(lambda o: o.sig_agente)
    cnpj = factory.Sequence(lambda n: f"{n:014d}")
    states = factory.LazyFunction(lambda: ["SP"])


class TariffFactory(factory.django.DjangoModelFactory):
    """A B1 residential conventional tariff ("Tarifa de Aplicação", "Não se aplica"), R$/MWh."""

    class Meta:
        model = Tariff

    utility = factory.SubFactory(UtilityFactory)
    resolution = "RESOLUÇÃO HOMOLOGATÓRIA Nº 9.999, DE 1 DE JULHO DE 2025"
    valid_from = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    valid_to = factory.LazyFunction(lambda: date.today() + timedelta(days=335))
    base = "Tarifa de Aplicação"
    subgroup = "B1"
    modality = "Convencional"
    klass = "Residencial"
    subclass = "Residencial"
    detail = "Não se aplica"
    posto = "Não se aplica"
    unit = "MWh"
    accessor = "Não se aplica"
    tusd_rs_mwh = Decimal("450.00")
    te_rs_mwh = Decimal("300.00")
    fio_b_rs_mwh = None
    source = TariffSource.SNAPSHOT
    first_seen = factory.LazyFunction(timezone.now)
    last_seen = factory.LazyFunction(timezone.now)
    key_hash = factory.Sequence(lambda n: hashlib.sha256(f"key-{n}".encode()).hexdigest())
    fingerprint = factory.Sequence(lambda n: hashlib.sha256(f"fp-{n}".encode()).hexdigest())


class AneelCacheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AneelCache

    key = factory.Sequence(lambda n: hashlib.sha256(f"req-{n}".encode()).hexdigest())
    url = "https://dadosabertos.aneel.gov.br/api/3/action/datastore_search"
    body = '{"success": true, "result": {"records": [], "fields": [], "total": 0}}'
    fetched_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class PVLibCacheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PVLibCache

    lat = Decimal("-23.55")
    lon = Decimal("-46.63")
    key = factory.LazyAttribute(lambda o: f"pvgis-tmy:{o.lat}:{o.lon}")
    source = "pvgis-tmy"
    payload = factory.LazyFunction(dict)
    fetched_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


# --- E2: viability, financing, photogrammetry, engineers ------------------------------------------


class FinancingProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "engineering.FinancingProduct"

    bank = factory.Sequence(lambda n: f"Banco {n}")
    name = "Crédito Solar"
    monthly_rate_pct = Decimal("1.4900")
    min_term_months = 12
    max_term_months = 72
    min_amount = Decimal("5000")
    max_amount = Decimal("500000")
    fee_fixed = Decimal("0")


class EngineerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "engineering.Engineer"

    name = factory.Sequence(lambda n: f"Eng. Fulano {n}")
    registration_number = factory.Sequence(lambda n: f"50{n:08d}")
    registration_state = "SP"
    disciplines = factory.LazyFunction(lambda: ["electrical"])
    states = factory.LazyFunction(lambda: ["SP"])
    monthly_capacity = 10
    rating = Decimal("4.0")


class EngineerUnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "engineering.EngineerUnavailability"

    engineer = factory.SubFactory(EngineerFactory)
    start = factory.LazyFunction(date.today)
    end = factory.LazyFunction(lambda: date.today() + timedelta(days=7))
    reason = "férias"


class EngineerAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "engineering.EngineerAssignment"

    engineer = factory.SubFactory(EngineerFactory)
    reference = factory.Sequence(lambda n: f"homologation.project:{n}")
    state = "SP"
