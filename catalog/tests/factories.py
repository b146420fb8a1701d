"""factory_boy factories of the catalog models, plus ``listing_data`` for pipeline-stage tests."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.models import (
    Brand,
    BrandAlias,
    Category,
    DedupCandidate,
    Distributor,
    ImportRun,
    KitComponent,
    Offer,
    PriceHistory,
    Product,
    RawListing,
    Warehouse,
)
from catalog.models.imports import ImportRunStatus, ImportTrigger, ListingStatus
from catalog.models.taxonomy import FeedFormat, ProductKind
from catalog.pipeline.types import ListingData, WarehouseStock


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Categoria {n}")
    slug = factory.Sequence(lambda n: f"categoria-{n}")
    kind = ProductKind.MODULE


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Marca {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))


class BrandAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandAlias

    brand = factory.SubFactory(BrandFactory)
    alias = factory.Sequence(lambda n: f"apelido{n}")


class DistributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distributor

    name = factory.Sequence(lambda n: f"Distribuidora {n}")
    slug = factory.Sequence(lambda n: f"distribuidora-{n}")
    feed_format = FeedFormat.JSON_API
    feed_url = factory.Sequence(lambda n: f"http://127.0.0.1:9/feed-{n}")
    politeness_delay_ms = 0


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    distributor = factory.SubFactory(DistributorFactory)
    code = factory.Sequence(lambda n: f"CD-{n}")
    name = factory.Sequence(lambda n: f"CD {n}")
    city = "São Paulo"
    state = "SP"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    kind = ProductKind.MODULE
    category = factory.SubFactory(CategoryFactory, kind=factory.SelfAttribute("..kind"))
    brand = factory.SubFactory(BrandFactory)
    model_code = factory.Sequence(lambda n: f"TST{n:04d}-550")
    model_key = factory.LazyAttribute(lambda o: o.model_code.replace("-", "").upper())
    name = factory.LazyAttribute(lambda o: f"Módulo Fotovoltaico {o.brand.name} {o.model_code}")
    slug = factory.Sequence(lambda n: f"produto-{n}")
    specs = factory.LazyFunction(lambda: {"power_w": 550})
    power_w = Decimal("550")


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    product = factory.SubFactory(ProductFactory)
    distributor = factory.SubFactory(DistributorFactory)
    warehouse = factory.SubFactory(WarehouseFactory, distributor=factory.SelfAttribute("..distributor"))
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    title = factory.LazyAttribute(lambda o: o.product.name)
    price = Decimal("499.90")
    stock = 10
    last_seen_at = factory.LazyFunction(timezone.now)


class PriceHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceHistory

    offer = factory.SubFactory(OfferFactory)
    price = Decimal("499.90")
    stock = 10
    observed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class KitComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitComponent

    kit = factory.SubFactory(ProductFactory, kind=ProductKind.KIT, specs={"power_kwp": 5.5})
    component = factory.SubFactory(ProductFactory)
    quantity = 10


class ImportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRun

    distributor = factory.SubFactory(DistributorFactory)
    trigger = ImportTrigger.ADMIN
    status = ImportRunStatus.SUCCEEDED
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)


class RawListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RawListing

    import_run = factory.SubFactory(ImportRunFactory)
    distributor = factory.SelfAttribute("import_run.distributor")
    external_id = factory.Sequence(lambda n: f"EXT-{n}")
    raw = factory.Sequence(lambda n: f'{{"sku": "EXT-{n}", "name": "Painel Solar 550W"}}')
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    status = ListingStatus.NEW
    normalized = factory.LazyFunction(dict)


class DedupCandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DedupCandidate

    listing = factory.SubFactory(RawListingFactory, status=ListingStatus.REVIEW)
    candidate = factory.SubFactory(ProductFactory)
    score = Decimal("88.50")
    reasons = factory.LazyFunction(lambda: ["model 'A' ~ 'B': 88.5"])


def listing_data(title: str, *, price: str | None = "1000.00", **kwargs) -> ListingData:
    """A ListingData as an adapter would produce it."""
    warehouses = kwargs.pop("warehouses", None)
    data = ListingData(
        external_id=kwargs.pop("external_id", "X-1"),
        title=title,
        price=Decimal(price) if price is not None else None,
        **kwargs,
    )
    if warehouses is not None:
        data.warehouses = [w if isinstance(w, WarehouseStock) else WarehouseStock(**w) for w in warehouses]
    return data
