"""Categories, brands (with the aliases distributors use) and distributors with warehouses."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ysh.users.validators import BRAZILIAN_STATES


class ProductKind(models.TextChoices):
    MODULE = "module", _("PV module")
    INVERTER = "inverter", _("inverter")
    MICROINVERTER = "microinverter", _("micro-inverter")
    BATTERY = "battery", _("battery")
    STRUCTURE = "structure", _("mounting structure")
    STRING_BOX = "string_box", _("string box")
    CABLE = "cable", _("cable")
    CONNECTOR = "connector", _("connector")
    CHARGE_CONTROLLER = "charge_controller", _("charge controller")
    KIT = "kit", _("kit (gerador)")
    OTHER = "other", _("other")


class Category(models.Model):
    """A node of the category tree. ``kind`` is the product kind its products have."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("product kind"), max_length=20, choices=ProductKind.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.parent} › {self.name}" if self.parent_id else self.name


class Brand(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=90, unique=True)
    country = models.CharField(_("country"), max_length=60, blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BrandAlias(models.Model):
    """A spelling distributors use for a brand ("JA", "JASolar", "Ja Solar" → JA Solar).
    ``alias`` is stored normalized (lower case, no accents or punctuation)."""

    brand = models.ForeignKey(
        Brand, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="aliases"
    )
    alias = models.CharField(_("alias"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("brand alias")
        verbose_name_plural = _("brand aliases")
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} → {self.brand}"


class FeedFormat(models.TextChoices):
    JSON_API = "json_api", _("paginated JSON API")
    HTML = "html", _("HTML catalog pages")
    CSV = "csv", _("CSV/XLSX price list")
    XML = "xml", _("XML product feed")


class Distributor(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True, default="")
    cnpj = models.CharField(_("CNPJ"), max_length=14, blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    feed_format = models.CharField(_("feed format"), max_length=10, choices=FeedFormat.choices)
    feed_url = models.URLField(_("feed URL"), max_length=500)
    feed_options = models.JSONField(
        _("feed options"),
        default=dict,
        blank=True,
        help_text=_("Adapter options (page size, sheet name, …)."),
    )
    politeness_delay_ms = models.PositiveIntegerField(_("delay between requests (ms)"), default=250)
    is_active = models.BooleanField(_("active"), default=True)
    last_synced_at = models.DateTimeField(_("last synced at"), null=True, blank=True)
    organization = models.ForeignKey(
        "users.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="distributors",
        help_text=_("The distributor's organization on YSH, if it has one."),
    )

    class Meta:
        verbose_name = _("distributor")
        verbose_name_plural = _("distributors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    distributor = models.ForeignKey(
        Distributor, verbose_name=_("distributor"), on_delete=models.CASCADE, related_name="warehouses"
    )
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, choices=BRAZILIAN_STATES)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["distributor", "state", "name"]
        constraints = [
            models.UniqueConstraint(fields=["distributor", "code"], name="warehouse_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.distributor} · {self.name} ({self.state})"
