"""Caches of raw responses from external systems (ANEEL open data, PVGIS)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AneelCache(models.Model):
    """A raw ANEEL response, keyed by the SHA-256 of the request (URL + sorted params).

    Small JSON bodies live in ``body``; the CSV resource (≈83 MB) is streamed to a file under
    ``YSH_VAR_DIR`` and only its path is kept in ``body_path``. 30-day TTL (``expires_at``)."""

    key = models.CharField(_("request key"), max_length=64, unique=True)
    url = models.TextField(_("URL"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), default=200)
    content_type = models.CharField(_("content type"), max_length=120, blank=True, default="")
    body = models.TextField(_("body"), blank=True, default="")
    body_path = models.CharField(_("body file"), max_length=500, blank=True, default="")
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    fetched_at = models.DateTimeField(_("fetched at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    last_hit_at = models.DateTimeField(_("last hit at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ANEEL cache entry")
        verbose_name_plural = _("ANEEL cache entries")
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return self.url[:120]


class PVLibCache(models.Model):
    """Irradiation data for a location, keyed by ``<kind>:<lat>:<lon>`` with coordinates rounded to
    2 decimals (≈1.1 km). 7-day TTL. ``payload`` is the JSON-serialisable result (monthly GHI,
    temperatures, metadata of the source)."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    lat = models.DecimalField(_("latitude"), max_digits=6, decimal_places=2)
    lon = models.DecimalField(_("longitude"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=20)
    payload = models.JSONField(_("payload"), default=dict)
    fetched_at = models.DateTimeField(_("fetched at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    last_hit_at = models.DateTimeField(_("last hit at"), null=True, blank=True)

    class Meta:
        verbose_name = _("PVLib/PVGIS cache entry")
        verbose_name_plural = _("PVLib/PVGIS cache entries")
        ordering = ["-fetched_at"]

    def __str__(self) -> str:
        return self.key
