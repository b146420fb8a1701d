"""IntegratorPricing: how an integrator turns the distributor's equipment prices into the price
its customer pays — balance of system, freight, installation labour, project and homologation
(with the ART), other fixed costs, its margin and the tax on its service invoice — and how long a
proposal's price holds. One row per organization, created on first use with the platform
defaults; analyses of an organization use it, the public calculator uses ``platform_pricing()``.

Why these defaults (R$ per Wp of DC power; "the demo catalog" = the four sample feeds):

* ``bos_pct`` 25% of modules + inverters: structure, solar cable, MC4 connectors and a string box
  for the demo's 9-module system cost about R$ 1,565 from the demo catalog's cheapest offers (two
  4-module fibre-cement structures, R$ 269 each, plus one module's share; 2 × 50 m of 4 mm² cable,
  R$ 505; a 1E/1S string box, R$ 397; 4 connector pairs, R$ 58) = 27% of its modules + inverter
  (R$ 5,698); the catalog's 503 on-grid kits cost a median 31% (quartiles 21%–50%) over their
  modules + inverters. 25% sits between the kit quartile and the bottom-up figure.
* ``freight_pct`` 3% of equipment + BOS: distributors' kit prices usually exclude freight
  (solplace.com.br, "Aprenda como precificar seu projeto fotovoltaico", 2022). An assumption.
* ``installation_rs_wp`` R$ 0.50/Wp: a crew of three for two days on a 5 kWp roof, with vehicle,
  travel and small materials. Installers earn a median R$ 1,857/month (ganhaquanto.com.br, CBO
  7321-40, 2025); with payroll charges (~80%) that is ~R$ 150/person-day, ~R$ 900 for the crew,
  plus ~R$ 1,000–1,500 of travel, tools, supervision and consumables → R$ 0.40–0.50/Wp.
* ``homologation_fee`` R$ 1,200: project, memorial descritivo, single-line diagram, the ART/TRT
  and following the access request at the utility (the earlier platform constant). An assumption.
* ``margin_pct`` 25% markup on the cost (= 20% of the price before tax): integrators price "cost +
  margin" (sebraeplay.com.br "Como precificar o sistema de energia solar", 2024;
  sunsbrasil.com.br); margins are shrinking with competition (solarz.com.br, 2025). An
  assumption each integrator sets.
* ``service_tax_pct`` 6% "por dentro" on the service part (installation, project, other costs
  and margin): the first Simples Nacional band for services (Anexo III, LC 123/2006), which most
  integrators use (solplace.com.br); ISS alone is 2%–5% (LC 116/2003 art. 8; LC 157/2016). The
  equipment is assumed billed by the distributor straight to the customer (faturamento direto),
  so it carries no service tax.
* ``validity_days`` 15: the proposal's price follows distributor prices that change weekly (the
  earlier proposal text).

With these, the demo residential system (4.8 kWp in São Paulo) is priced at about R$ 2.9/Wp —
inside the published residential range (Solfácil Radar: R$ 2.53/Wp national average and R$ 2.43
in SP in Q3 2024, eixos.com.br 2024-11-07; "around R$ 3,500 per kWp" for 5 kWp in Feb 2026,
energia-solar-explicada.pages.dev) — see the README for the before/after figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PricingValues:
    installation_rs_wp: float = 0.50
    bos_pct: float = 25.0
    bos_rs_wp: float = 0.0
    freight_pct: float = 3.0
    homologation_fee: float = 1200.0
    other_costs: float = 0.0
    margin_pct: float = 25.0
    service_tax_pct: float = 6.0
    validity_days: int = 15

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


#: The platform defaults (public calculator; new organizations start from them). A deployment may
#: change them with the ``ENGINEERING_PRICING_DEFAULTS`` setting (a dict with any of these keys).
PLATFORM_PRICING = PricingValues()

PRICING_KEYS: tuple[str, ...] = tuple(f.name for f in fields(PricingValues))

#: (minimum, maximum) of each value: model validators, API and portal forms use the same bounds.
#: The service tax is applied "por dentro" (÷ (1 − t)), so it stays well below 100%.
PRICING_LIMITS: dict[str, tuple[float, float]] = {
    "installation_rs_wp": (0, 10),
    "bos_pct": (0, 100),
    "bos_rs_wp": (0, 5),
    "freight_pct": (0, 30),
    "homologation_fee": (0, 100_000),
    "other_costs": (0, 1_000_000),
    "margin_pct": (0, 200),
    "service_tax_pct": (0, 30),
    "validity_days": (1, 180),
}


def platform_pricing() -> dict[str, float]:
    """The platform defaults, with the deployment's ``ENGINEERING_PRICING_DEFAULTS`` applied."""
    values = PLATFORM_PRICING.as_dict()
    overrides = getattr(settings, "ENGINEERING_PRICING_DEFAULTS", None) or {}
    for key, value in overrides.items():
        if key not in PRICING_LIMITS:
            raise ImproperlyConfigured(f"ENGINEERING_PRICING_DEFAULTS: unknown key {key!r}")
        low, high = PRICING_LIMITS[key]
        if not low <= float(value) <= high:
            raise ImproperlyConfigured(f"ENGINEERING_PRICING_DEFAULTS[{key!r}] must be in [{low}, {high}]")
        values[key] = int(value) if key == "validity_days" else float(value)
    return values


def _bounded(key: str) -> list:
    low, high = PRICING_LIMITS[key]
    return [MinValueValidator(Decimal(str(low))), MaxValueValidator(Decimal(str(high)))]


def _decimal(verbose, key: str, *, max_digits: int, help_text=""):
    return models.DecimalField(
        verbose,
        max_digits=max_digits,
        decimal_places=2,
        default=Decimal(str(getattr(PLATFORM_PRICING, key))),
        validators=_bounded(key),
        help_text=help_text,
    )


class IntegratorPricing(models.Model):
    """An organization's pricing settings for viability analyses and proposals."""

    organization = models.OneToOneField(
        "users.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="integrator_pricing",
    )
    installation_rs_wp = _decimal(
        _("installation labour (R$/Wp)"),
        "installation_rs_wp",
        max_digits=5,
        help_text=_("Crew, travel, tools and small materials, per Wp of modules."),
    )
    bos_pct = _decimal(
        _("balance of system (% of equipment)"),
        "bos_pct",
        max_digits=5,
        help_text=_("Structure, cabling, string box and protections, as a share of modules + inverters."),
    )
    bos_rs_wp = _decimal(
        _("balance of system (R$/Wp)"),
        "bos_rs_wp",
        max_digits=4,
        help_text=_("Added to the percentage; use either or both."),
    )
    freight_pct = _decimal(
        _("freight (% of equipment)"),
        "freight_pct",
        max_digits=4,
        help_text=_("On modules, inverters and balance of system."),
    )
    homologation_fee = _decimal(
        _("project and homologation (R$)"),
        "homologation_fee",
        max_digits=9,
        help_text=_("Project, memorial descritivo, diagrams, ART/TRT and the access request."),
    )
    other_costs = _decimal(
        _("other fixed costs (R$)"),
        "other_costs",
        max_digits=10,
        help_text=_("Per proposal: site survey, commissioning, monitoring set-up…"),
    )
    margin_pct = _decimal(
        _("margin (% markup on the cost)"),
        "margin_pct",
        max_digits=5,
        help_text=_("Added to the sum of every cost above. Never shown to the customer."),
    )
    service_tax_pct = _decimal(
        _("tax on the service invoice (%)"),
        "service_tax_pct",
        max_digits=4,
        help_text=_(
            "ISS or your Simples Nacional rate, applied on installation, project, other costs and "
            "margin; the equipment is billed by the distributor."
        ),
    )
    validity_days = models.PositiveSmallIntegerField(
        _("proposal validity (days)"),
        default=PLATFORM_PRICING.validity_days,
        validators=[
            MinValueValidator(PRICING_LIMITS["validity_days"][0]),
            MaxValueValidator(PRICING_LIMITS["validity_days"][1]),
        ],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("integrator pricing")
        verbose_name_plural = _("integrator pricing")
        ordering = ["organization_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(**{f"{key}__gte": low, f"{key}__lte": high}),
                name=f"eng_pricing_{key}_range",
            )
            for key, (low, high) in PRICING_LIMITS.items()
        ]

    def __str__(self) -> str:
        return str(_("Pricing of %(organization)s") % {"organization": self.organization})

    @classmethod
    def with_defaults(cls, *, organization) -> IntegratorPricing:
        """An unsaved row with the platform defaults (what an organization starts from)."""
        values = platform_pricing()
        return cls(
            organization=organization,
            **{
                key: int(value) if key == "validity_days" else Decimal(str(value)).quantize(Decimal("0.01"))
                for key, value in values.items()
            },
        )

    def as_dict(self) -> dict[str, float]:
        """The values as the viability computation takes them."""
        return {
            key: int(getattr(self, key)) if key == "validity_days" else float(getattr(self, key))
            for key in PRICING_KEYS
        }
