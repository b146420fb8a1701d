"""Products (one canonical record per real product), kit components, offers and price history."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models.taxonomy import Brand, Category, Distributor, ProductKind, Warehouse


class EnceClass(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"
    E = "E", "E"


class Product(models.Model):
    """The canonical product. ``specs`` holds the typed technical data validated by
    ``catalog.specs`` for the product's kind; the columns next to it are the few values every
    list filters and sorts on, copied from the specs and the offers by the pipeline."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices, db_index=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="products"
    )
    model_code = models.CharField(_("model code"), max_length=120)
    model_key = models.CharField(
        _("model key"), max_length=120, help_text=_("Normalized model code used for deduplication.")
    )
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    specs = models.JSONField(_("technical specs"), default=dict, blank=True)
    spec_errors = models.JSONField(_("spec validation errors"), default=list, blank=True)

    # Promoted from specs for filters and ordering.
    power_w = models.DecimalField(
        _("power (W)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Module Wp, inverter AC W, kit Wp."),
    )
    energy_wh = models.DecimalField(
        _("energy (Wh)"),
        max_digits=10,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("Battery capacity."),
    )
    phases = models.PositiveSmallIntegerField(_("phases"), null=True, blank=True)
    voltage_v = models.PositiveIntegerField(_("grid voltage (V)"), null=True, blank=True)

    # Compliance and warranty.
    inmetro_registration = models.CharField(_("INMETRO registration"), max_length=40, blank=True, default="")
    inmetro_valid_until = models.DateField(_("INMETRO registration valid until"), null=True, blank=True)
    ence_class = models.CharField(
        _("ENCE class"), max_length=1, choices=EnceClass.choices, blank=True, default=""
    )
    warranty_years = models.PositiveSmallIntegerField(_("product warranty (years)"), null=True, blank=True)
    performance_warranty_years = models.PositiveSmallIntegerField(
        _("performance warranty (years)"), null=True, blank=True
    )
    datasheet_url = models.URLField(_("datasheet"), max_length=500, blank=True, default="")
    images = models.JSONField(_("images"), default=list, blank=True)

    # Denormalized from offers by the pipeline (catalog.services.product_refresh_offer_summary).
    min_price = models.DecimalField(
        _("best price (BRL)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_price = models.DecimalField(
        _("highest price (BRL)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    median_price = models.DecimalField(
        _("median price (BRL)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    price_per_wp = models.DecimalField(
        _("BRL per Wp"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    offer_count = models.PositiveIntegerField(_("offers"), default=0)
    in_stock = models.BooleanField(_("in stock"), default=False, db_index=True)
    stock_states = models.JSONField(
        _("states with stock"), default=list, blank=True, help_text=_("UFs of warehouses with stock.")
    )

    quality_score = models.PositiveSmallIntegerField(_("quality score"), default=0)
    search_text = models.TextField(_("search text"), blank=True, default="")
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True, default="")
    indexed_hash = models.CharField(_("indexed hash"), max_length=64, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["brand", "kind", "model_key"], name="product_brand_kind_model_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "is_active", "min_price"]),
            models.Index(fields=["kind", "power_w"]),
            models.Index(fields=["price_per_wp"]),
        ]

    def __str__(self) -> str:
        return self.name


class KitComponent(models.Model):
    kit = models.ForeignKey(
        Product, verbose_name=_("kit"), on_delete=models.CASCADE, related_name="components"
    )
    component = models.ForeignKey(
        Product, verbose_name=_("component"), on_delete=models.PROTECT, related_name="used_in_kits"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("kit component")
        verbose_name_plural = _("kit components")
        constraints = [models.UniqueConstraint(fields=["kit", "component"], name="kit_component_unique")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.component}"


class Offer(models.Model):
    """A distributor selling a product from a warehouse."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="offers"
    )
    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="offers"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="offers"
    )
    sku = models.CharField(_("distributor SKU"), max_length=120)
    title = models.CharField(_("title as listed"), max_length=300)
    url = models.URLField(_("listing URL"), max_length=500, blank=True, default="")
    price = models.DecimalField(
        _("price (BRL)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    stock = models.PositiveIntegerField(_("stock"), default=0)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"))
    raw_listing = models.ForeignKey(
        "catalog.RawListing",
        verbose_name=_("raw listing"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["price"]
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "sku", "warehouse"], name="offer_unique_per_warehouse"
            ),
        ]
        indexes = [models.Index(fields=["product", "is_active", "price"])]

    def __str__(self) -> str:
        return f"{self.distributor} {self.sku} R$ {self.price}"


class PriceHistory(models.Model):
    offer = models.ForeignKey(
        Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="price_history"
    )
    price = models.DecimalField(_("price (BRL)"), max_digits=12, decimal_places=2)
    stock = models.PositiveIntegerField(_("stock"), default=0)
    observed_at = models.DateTimeField(_("observed at"))
    import_run = models.ForeignKey(
        "catalog.ImportRun", verbose_name=_("import run"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("price history entry")
        verbose_name_plural = _("price history")
        ordering = ["-observed_at"]
        indexes = [models.Index(fields=["offer", "-observed_at"])]

    def __str__(self) -> str:
        return f"{self.offer_id} R$ {self.price} @ {self.observed_at:%Y-%m-%d}"
