"""Factories for the search, storefront API, recommendation and portal tests, and the fixture
catalog of ``catalog.tests.search_catalog`` (real products sold in Brazil) built with them.

Kept apart from ``catalog/tests/factories.py`` (the pipeline's) so both can evolve; products
here are written as the pipeline leaves them: specs, promoted columns and the offer summary
filled in.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from django.utils.text import slugify

from catalog.models import Brand, BrandAlias, Category, Distributor, KitComponent, Offer, Product, Warehouse
from catalog.models.taxonomy import FeedFormat, ProductKind
from catalog.tests.search_catalog import BRANDS, CATALOG, CATEGORIES, DISTRIBUTORS, KITS

K = ProductKind
REGULATED = (K.MODULE, K.INVERTER, K.MICROINVERTER)


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Marca {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Categoria {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = K.MODULE


class DistributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Distributor
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Distribuidora {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    feed_format = FeedFormat.JSON_API
    feed_url = factory.LazyAttribute(lambda o: f"http://127.0.0.1:9/{o.slug}/")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("distributor", "code")

    distributor = factory.SubFactory(DistributorFactory)
    code = factory.Sequence(lambda n: f"CD{n}")
    name = factory.LazyAttribute(lambda o: f"CD {o.code}")
    state = "SP"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    kind = K.MODULE
    category = factory.SubFactory(CategoryFactory, kind=factory.SelfAttribute("..kind"))
    brand = factory.SubFactory(BrandFactory)
    model_code = factory.Sequence(lambda n: f"MOD-{n}")
    model_key = factory.LazyAttribute(lambda o: slugify(o.model_code).replace("-", ""))
    name = factory.LazyAttribute(lambda o: f"Produto {o.model_code}")
    slug = factory.LazyAttribute(lambda o: slugify(f"{o.name}-{o.model_code}"))
    specs = factory.LazyFunction(dict)


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    distributor = factory.SelfAttribute("warehouse.distributor")
    sku = factory.Sequence(lambda n: f"SKU{n:06d}")
    title = factory.LazyAttribute(lambda o: o.product.name)
    price = Decimal("1000.00")
    stock = 10
    lead_time_days = 3
    last_seen_at = factory.LazyFunction(timezone.now)


class KitComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KitComponent

    kit = factory.SubFactory(ProductFactory, kind=K.KIT)
    component = factory.SubFactory(ProductFactory)
    quantity = 1


def product_summarize(product: Product) -> Product:
    """The offer summary the pipeline keeps on Product (min/max/median, R$/Wp, stock)."""
    offers = list(product.offers.filter(is_active=True).select_related("warehouse"))
    prices = [offer.price for offer in offers]
    product.offer_count = len(offers)
    product.min_price = min(prices) if prices else None
    product.max_price = max(prices) if prices else None
    product.median_price = Decimal(statistics.median(prices)).quantize(Decimal("0.01")) if prices else None
    product.price_per_wp = (
        (product.min_price / product.power_w).quantize(Decimal("0.0001"))
        if prices and product.power_w and product.kind in (K.MODULE, K.KIT)
        else None
    )
    product.stock_states = sorted({o.warehouse.state for o in offers if o.stock > 0})
    product.in_stock = bool(product.stock_states)
    product.save()
    return product


@dataclass
class FixtureCatalog:
    products: dict[str, Product] = field(default_factory=dict)  # by model code
    brands: dict[str, Brand] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    distributors: dict[str, Distributor] = field(default_factory=dict)
    warehouses: dict[tuple[str, str], Warehouse] = field(default_factory=dict)

    def __getitem__(self, code: str) -> Product:
        return self.products[code]


def _base_price(item: dict) -> Decimal:
    kind = item["kind"]
    if kind == K.MODULE:
        return Decimal(item["power_w"]) * Decimal("1.25")
    if kind == K.INVERTER:
        extra = Decimal("1.6") if item["specs"]["inverter_type"] == "hybrid" else Decimal("1")
        return Decimal(item["power_w"]) * Decimal("1.10") * extra
    if kind == K.MICROINVERTER:
        return Decimal(item["power_w"]) * Decimal("1.9")
    if kind == K.BATTERY:
        return Decimal(item["energy_wh"]) * Decimal("2.6")
    return {K.STRUCTURE: Decimal(520), K.STRING_BOX: Decimal(680), K.CABLE: Decimal("8.9")}.get(
        kind, Decimal("35.00")
    )


def fixture_catalog_build() -> FixtureCatalog:
    """63 products as the pipeline would leave them, with offers at the four distributors."""
    catalog = FixtureCatalog()
    for position, (slug, name, kind, parent) in enumerate(CATEGORIES):
        catalog.categories[slug] = Category.objects.create(
            slug=slug, name=name, kind=kind, parent=catalog.categories.get(parent), position=position
        )
    for name, aliases in BRANDS.items():
        brand = Brand.objects.create(name=name, slug=slugify(name))
        catalog.brands[name] = brand
        for alias in aliases:
            BrandAlias.objects.create(brand=brand, alias=slugify(alias).replace("-", ""))
    for name, warehouses in DISTRIBUTORS.items():
        distributor = DistributorFactory(name=name, slug=slugify(name))
        catalog.distributors[distributor.slug] = distributor
        for code, label, state in warehouses:
            catalog.warehouses[(distributor.slug, state)] = WarehouseFactory(
                distributor=distributor, code=code, name=label, state=state
            )
    today = date.today()
    distributors = list(catalog.distributors.values())
    for index, item in enumerate(CATALOG):
        regulated = item["kind"] in REGULATED
        product = Product.objects.create(
            kind=item["kind"],
            category=catalog.categories[item["category"]],
            brand=catalog.brands[item["brand"]],
            model_code=item["code"],
            model_key=slugify(item["code"]).replace("-", ""),
            name=item["name"],
            slug=slugify(item["name"])[:240] + f"-{index}",
            specs=item["specs"],
            power_w=item.get("power_w"),
            energy_wh=item.get("energy_wh"),
            phases=item.get("phases"),
            voltage_v=item.get("voltage_v"),
            inmetro_registration=f"{index + 1:06d}/2023" if regulated else "",
            inmetro_valid_until=today + timedelta(days=400) if regulated else None,
            ence_class="A" if regulated else "",
            warranty_years=12 if item["kind"] == K.MODULE else 10,
            performance_warranty_years=25 if item["kind"] == K.MODULE else None,
            quality_score=80,
        )
        catalog.products[item["code"]] = product
        base = _base_price(item)
        # Each product at two or three distributors, a little dearer at each.
        for step in range(2 + index % 2):
            distributor = distributors[(index + step) % len(distributors)]
            states = [s for (slug, s) in catalog.warehouses if slug == distributor.slug]
            state = states[(index + step) % len(states)]
            OfferFactory(
                product=product,
                warehouse=catalog.warehouses[(distributor.slug, state)],
                distributor=distributor,
                sku=f"{distributor.slug[:3].upper()}-{index:03d}-{step}",
                title=item["name"],
                price=(base * (Decimal(1) + Decimal(step) / 20)).quantize(Decimal("0.01")),
                stock=0 if (index % 9 == 4 or (index + step) % 5 == 0) else 5 + index,
                lead_time_days=2 + step * 3,
            )
        product_summarize(product)
    for name, code, parts, kwp in KITS:
        kit = Product.objects.create(
            kind=K.KIT,
            category=catalog.categories["kits"],
            brand=catalog.products[parts[1][0]].brand,
            model_code=code,
            model_key=slugify(code).replace("-", ""),
            name=name,
            slug=slugify(name),
            specs={
                "power_kwp": float(kwp),
                "module_count": parts[0][1],
                "inverter_count": 1,
                "roof_type": "cerâmico",
            },
            power_w=kwp * 1000,
            phases=1,
            voltage_v=220,
            quality_score=75,
        )
        total = Decimal(0)
        for part_code, quantity in parts:
            component = catalog.products[part_code]
            KitComponent.objects.create(kit=kit, component=component, quantity=quantity)
            total += component.min_price * quantity
        OfferFactory(
            product=kit,
            warehouse=catalog.warehouses[("neosolar", "SP")],
            distributor=catalog.distributors["neosolar"],
            sku=f"NEO-{code}",
            title=name,
            price=(total * Decimal("0.93")).quantize(Decimal("0.01")),
            stock=3,
        )
        product_summarize(kit)
        catalog.products[code] = kit
    return catalog


def fixture_catalog_delete(catalog: FixtureCatalog) -> None:
    """Undo ``fixture_catalog_build`` (module-scoped fixtures commit outside test transactions)."""
    ids = [p.id for p in catalog.products.values()]
    KitComponent.objects.filter(kit_id__in=ids).delete()
    Offer.objects.filter(product_id__in=ids).delete()
    Product.objects.filter(id__in=ids).delete()
    Warehouse.objects.filter(id__in=[w.id for w in catalog.warehouses.values()]).delete()
    Distributor.objects.filter(id__in=[d.id for d in catalog.distributors.values()]).delete()
    BrandAlias.objects.filter(brand_id__in=[b.id for b in catalog.brands.values()]).delete()
    Brand.objects.filter(id__in=[b.id for b in catalog.brands.values()]).delete()
    for category in sorted(catalog.categories.values(), key=lambda c: c.parent_id is None):
        category.delete()


def fresh_local_caches():
    """Autouse fixture body for the storefront tests: the root conftest clears the shared cache
    around each test; this clears the per-process memos in front of it."""
    from catalog.search.cache import local_caches_clear

    local_caches_clear()
    yield
    local_caches_clear()


def indexed_catalog(django_db_blocker, qdrant_path) -> Iterator[FixtureCatalog]:
    """Module-scoped fixture body: the fixture catalog committed once and indexed into a local
    Qdrant at ``qdrant_path`` with the offline embedder; removed again afterwards. Use it as

        @pytest.fixture(scope="module")
        def catalog(django_db_setup, django_db_blocker, tmp_path_factory):
            yield from indexed_catalog(django_db_blocker, tmp_path_factory.mktemp("qdrant"))

    Tests see it through their own (rolled back) transactions."""
    from django.test import override_settings

    from catalog.search.index import products_index
    from catalog.search.query import vocabulary_forget

    with override_settings(QDRANT_URL="", QDRANT_PATH=str(qdrant_path), OPENAI_API_KEY=""):
        with django_db_blocker.unblock():
            catalog = fixture_catalog_build()
            products_index()
            vocabulary_forget()
        try:
            yield catalog
        finally:
            with django_db_blocker.unblock():
                fixture_catalog_delete(catalog)
                vocabulary_forget()


def unused_loopback_port() -> int:
    """A loopback port nothing listens on (bound once to pick it, then released): a Qdrant
    server that is down."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
