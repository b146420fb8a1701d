"""Demo data of the engineering app (E2 part): financing products, the engineer network and one
viability analysis (with its proposal) per demo integrator. Idempotent: products and engineers are
upserted by natural key; an analysis is created only when the organization has none of that title.

The financing conditions are SAMPLE figures in the range Brazilian banks advertised for solar
credit in 2025–2026 (about 1.3–2.2% a.m.), not offers of the named kind of lender."""

# ruff: noqa: E501 - data tables read best one row per item

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

FINANCING_PRODUCTS = [
    {"bank": "Banco Solar Demo", "name": "CDC Energia Solar", "borrowers": "pf", "monthly_rate_pct": Decimal("1.39"),
     "min_term_months": 12, "max_term_months": 96, "max_grace_months": 3, "min_amount": Decimal("5000"),
     "max_amount": Decimal("300000"), "fee_fixed": Decimal("0"), "costs_financed": True},
    {"bank": "Cooperativa de Crédito Demo", "name": "Crédito Verde", "borrowers": "both", "monthly_rate_pct": Decimal("1.25"),
     "min_term_months": 12, "max_term_months": 72, "max_grace_months": 6, "min_amount": Decimal("3000"),
     "max_amount": Decimal("150000"), "fee_fixed": Decimal("350"), "costs_financed": True},
    {"bank": "Financeira Sol Demo", "name": "Financiamento Fotovoltaico", "borrowers": "pf", "monthly_rate_pct": Decimal("1.79"),
     "min_term_months": 24, "max_term_months": 120, "max_grace_months": 4, "min_amount": Decimal("8000"),
     "max_amount": Decimal("500000"), "fee_fixed": Decimal("790"), "costs_financed": True},
    {"bank": "Banco Empresarial Demo", "name": "Capital de Giro Solar PJ", "borrowers": "pj", "monthly_rate_pct": Decimal("1.49"),
     "min_term_months": 12, "max_term_months": 60, "max_grace_months": 6, "min_amount": Decimal("20000"),
     "max_amount": Decimal("2000000"), "fee_fixed": Decimal("0"), "fee_pct": Decimal("1.0"), "costs_financed": False},
]  # fmt: skip

ENGINEERS = [
    ("Eng. Marcos Tavares", "CREA", "SP", "5062345678", ["electrical"], ["SP", "MG"], 20, Decimal("4.8")),
    ("Eng. Juliana Prado", "CREA", "SP", "5069876543", ["electrical", "civil"], ["SP"], 12, Decimal("4.6")),
    ("Téc. Rafael Nunes", "CFT", "RJ", "0123456789", ["electrical"], ["RJ", "ES"], 15, Decimal("4.3")),
    ("Eng. Patrícia Lemos", "CREA", "RS", "RS201234", ["electrical"], ["RS", "SC", "PR"], 18, Decimal("4.9")),
    (
        "Eng. Henrique Sá",
        "CREA",
        "PE",
        "PE123456",
        ["electrical"],
        ["PE", "PB", "RN", "AL", "BA"],
        10,
        Decimal("4.1"),
    ),
]

DEMO_ANALYSES = [
    ("11222333000181", {"title": "Demo — Residência Oliveira", "customer_name": "Família Oliveira", "city": "São Paulo",
     "state": "SP", "lat": Decimal("-23.5874"), "lon": Decimal("-46.6576"), "utility": "ELETROPAULO", "connection_type": "bi",
     "monthly_kwh": [640, 610, 620, 560, 520, 480, 490, 520, 540, 580, 610, 660], "roof_area_m2": Decimal("70"),
     "tilt_deg": Decimal("18"), "azimuth_deg": Decimal("10")}),
    ("45723174000110", {"title": "Demo — Padaria Pão Quente", "customer_name": "Padaria Pão Quente", "city": "Porto Alegre",
     "state": "RS", "lat": Decimal("-30.0346"), "lon": Decimal("-51.2177"), "utility": "CEEE-D", "connection_type": "tri",
     "average_kwh": 1400, "roof_area_m2": Decimal("150"), "tilt_deg": Decimal("25"), "azimuth_deg": Decimal("0")}),
]  # fmt: skip


@transaction.atomic
def _network() -> tuple[int, int]:
    from engineering.models import Engineer, FinancingProduct
    from engineering.tariffs import utility_list

    for spec in FINANCING_PRODUCTS:
        FinancingProduct.objects.update_or_create(bank=spec["bank"], name=spec["name"], defaults=spec)
    for name, body, uf, number, disciplines, states, capacity, rating in ENGINEERS:
        engineer, _created = Engineer.objects.update_or_create(
            registry_body=body,
            registration_state=uf,
            registration_number=number,
            defaults={
                "name": name,
                "disciplines": disciplines,
                "states": states,
                "monthly_capacity": capacity,
                "rating": rating,
            },
        )
        # The SP specialists list their utilities; the others cover every utility of their states.
        engineer.utilities.set(utility_list(state=uf)[:3] if uf == "SP" else [])
    return len(FINANCING_PRODUCTS), len(ENGINEERS)


def engineering_network_demo_seed() -> list[str]:
    from django.utils import timezone

    from engineering.models import SolarViabilityAnalysis
    from engineering.proposal import proposal_render
    from engineering.services import viability_analysis_create
    from ysh.errors import DomainError
    from ysh.users.models import Organization

    products, engineers = _network()
    lines = [
        _("Financing: %(p)s sample products; engineer network: %(e)s engineers.")
        % {"p": products, "e": engineers}
    ]
    for cnpj, data in DEMO_ANALYSES:
        organization = Organization.objects.filter(cnpj=cnpj).first()
        if organization is None:
            continue
        analysis = SolarViabilityAnalysis.objects.filter(
            organization=organization, title=data["title"]
        ).first()
        if analysis is None:
            try:
                analysis = viability_analysis_create(
                    data={**data, "protocol_date": timezone.localdate()}, organization=organization
                )
            except DomainError as exc:
                lines.append(
                    _("Demo analysis for %(org)s not created: %(reason)s")
                    % {"org": organization, "reason": exc.message}
                )
                continue
        try:
            proposal_render(analysis_id=analysis.pk)
        except Exception as exc:  # the demo goes on without the PDF
            lines.append(_("Proposal PDF of the demo analysis failed: %(error)s") % {"error": exc})
        lines.append(
            _(
                "Viability analysis #%(id)s for %(org)s: %(kwp)s kWp, payback %(payback)s years, proposal PDF ready."
            )
            % {
                "id": analysis.pk,
                "org": organization,
                "kwp": number_format(analysis.system_kwp, 2),
                "payback": number_format(analysis.simple_payback_years, 1),
            }
        )
    return lines
