"""Roof analyses (photogrammetry) kept as a cache: an analysis costs money at the provider, and the
same roof is asked about again and again (quote, proposal, homologation).

Three-level lookup (``engineering.photogrammetry``): the SHA-256 of the normalized address, then the
SHA-256 of the coordinates rounded to 5 decimals (~1.1 m), then the nearest analysis within ~11 m.
Entries expire after ``cache_ttl_days`` (90); every reuse is counted."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoofProvider(models.TextChoices):
    MANUAL = "manual", _("manual entry by the integrator")
    GOOGLE_SOLAR = "google_solar", _("Google Solar API (buildingInsights)")


class PhotogrammetryStatus(models.TextChoices):
    COMPLETED = "completed", _("completed")
    FAILED = "failed", _("failed")


class PhotogrammetryAnalysis(models.Model):
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    normalized_address = models.CharField(_("normalized address"), max_length=300, blank=True, default="")
    address_hash = models.CharField(_("address hash"), max_length=64, blank=True, default="", db_index=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    coordinates_hash = models.CharField(
        _("coordinates hash"), max_length=64, blank=True, default="", db_index=True
    )
    street = models.CharField(_("street"), max_length=200, blank=True, default="")
    number = models.CharField(_("number"), max_length=20, blank=True, default="")
    city = models.CharField(_("city"), max_length=100, blank=True, default="")
    state = models.CharField(_("state"), max_length=2, blank=True, default="")
    cep = models.CharField(_("CEP"), max_length=8, blank=True, default="")

    provider = models.CharField(_("provider"), max_length=20, choices=RoofProvider.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PhotogrammetryStatus.choices,
        default=PhotogrammetryStatus.COMPLETED,
    )
    total_area_m2 = models.DecimalField(
        _("roof area (m²)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    usable_area_m2 = models.DecimalField(
        _("usable area (m²)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    tilt_deg = models.DecimalField(_("tilt (°)"), max_digits=4, decimal_places=1, null=True, blank=True)
    azimuth_deg = models.DecimalField(_("azimuth (°)"), max_digits=5, decimal_places=1, null=True, blank=True)
    roof_segments = models.JSONField(_("roof planes"), default=list, blank=True)
    max_panels = models.PositiveIntegerField(_("maximum panels"), null=True, blank=True)
    panel_capacity_w = models.PositiveIntegerField(_("panel used by the provider (W)"), null=True, blank=True)
    system_size_kwp = models.DecimalField(
        _("maximum system (kWp)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    annual_sunshine_hours = models.DecimalField(
        _("max sunshine hours per year"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    annual_shade_pct = models.DecimalField(
        _("shading (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    imagery_quality = models.CharField(_("imagery quality"), max_length=10, blank=True, default="")
    imagery_date = models.DateField(_("imagery date"), null=True, blank=True)
    confidence_score = models.DecimalField(
        _("confidence (0–1)"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    raw_response = models.JSONField(_("provider response"), default=dict, blank=True)
    cost_usd = models.DecimalField(_("cost (USD)"), max_digits=8, decimal_places=4, default=0)
    api_calls = models.PositiveSmallIntegerField(_("API calls"), default=0)
    processing_ms = models.PositiveIntegerField(_("processing (ms)"), default=0)

    times_reused = models.PositiveIntegerField(_("times reused"), default=0)
    last_reused_at = models.DateTimeField(_("last reused at"), null=True, blank=True)
    cache_ttl_days = models.PositiveSmallIntegerField(_("cache TTL (days)"), default=90)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    organization = models.ForeignKey(
        "users.Organization",
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("roof analysis (photogrammetry)")
        verbose_name_plural = _("roof analyses (photogrammetry)")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lat", "lon"], name="eng_photo_latlon_idx")]

    def __str__(self) -> str:
        where = self.address or f"{self.lat}, {self.lon}"
        return f"{where} ({self.get_provider_display()})"
