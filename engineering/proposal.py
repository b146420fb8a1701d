"""The proposal PDF the integrator sends to their customer: system, equipment, generation by month,
savings, payback, financing options and the assumptions, under the integrator's name (and logo when
the organization has one). HTML from ``templates/engineering/proposal.html`` rendered by WeasyPrint;
charts are inline SVG (``engineering.charts``), fonts are the system's (DejaVu), nothing is fetched.

``proposal_render`` is what the Celery task ``engineering.tasks.render_proposal_pdf`` runs: it is
safe to run twice (a ready proposal newer than the analysis' last computation is kept) and records a
failure on the analysis instead of losing it."""

from __future__ import annotations

import base64
import logging
from decimal import Decimal

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engineering.charts import monthly_bars_svg, payback_svg
from engineering.financing import LoanRequest, financing_compare
from engineering.models import ProposalStatus, SolarViabilityAnalysis
from ysh.storage import document_path, document_save

logger = logging.getLogger(__name__)

MONTHS_PT = ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"]
FINANCING_TERMS = (36, 60)


def _logo_data_uri(organization) -> str | None:
    logo = getattr(organization, "logo", None) if organization else None
    if not logo or not getattr(logo, "name", ""):
        return None
    try:
        with logo.open("rb") as handle:
            content = handle.read()
    except OSError:
        return None
    kind = (
        "svg+xml"
        if logo.name.lower().endswith(".svg")
        else "png"
        if logo.name.lower().endswith(".png")
        else "jpeg"
    )
    return f"data:image/{kind};base64,{base64.b64encode(content).decode()}"


def analysis_charts(analysis: SolarViabilityAnalysis) -> dict[str, str]:
    result = analysis.result or {}
    months = result.get("months") or []
    cashflow = result.get("cashflow") or []
    metrics = result.get("metrics") or {}
    return {
        "generation": monthly_bars_svg(
            labels=MONTHS_PT[: len(months)],
            series=[
                (_("Generation"), [m["generation_kwh"] for m in months], "#f5b700"),
                (_("Consumption"), [m["consumption_kwh"] for m in months], "#4c6ef5"),
            ],
            unit="kWh",
            title=_("Generation and consumption by month (year 1)"),
        ),
        "payback": payback_svg(
            years=[row["year"] for row in cashflow],
            cumulative=[row["cumulative"] for row in cashflow],
            initial=float(analysis.total_investment or 0),
            payback_years=metrics.get("simple_payback_years"),
            title=_("Cumulative cash flow (R$)"),
            payback_label=_("payback (years)"),
        ),
        "bills": monthly_bars_svg(
            labels=MONTHS_PT[: len(months)],
            series=[
                (_("Bill without solar"), [m["bill_without"] for m in months], "#adb5bd"),
                (_("Bill with solar"), [m["bill_with"] for m in months], "#2f9e44"),
            ],
            unit="R$",
            title=_("Electricity bill by month (year 1)"),
        ),
    }


def financing_options(analysis: SolarViabilityAnalysis, *, limit: int = 4) -> list[dict]:
    if not analysis.total_investment:
        return []
    options = []
    for months in FINANCING_TERMS:
        request = LoanRequest(
            system_cost=analysis.total_investment, down_payment=Decimal(0), term_months=months
        )
        options += financing_compare(request=request)["options"][:2]
    options.sort(key=lambda o: (int(o["term_months"]), Decimal(o["cet_annual_pct"])))
    savings = analysis.monthly_savings or Decimal(0)
    for option in options:
        option["net_monthly"] = savings - Decimal(option["first_payment"])
    return options[:limit]


def proposal_context(analysis: SolarViabilityAnalysis) -> dict:
    organization = analysis.organization
    result = analysis.result or {}
    return {
        "analysis": analysis,
        "organization": organization,
        "logo": _logo_data_uri(organization),
        "result": result,
        "sizing": analysis.sizing or {},
        "metrics": result.get("metrics") or {},
        "energy": result.get("energy") or {},
        "investment": result.get("investment") or {},
        "units": result.get("units") or [],
        "risks": result.get("risks") or [],
        "next_steps": result.get("next_steps") or [],
        "context": analysis.context or {},
        "charts": analysis_charts(analysis),
        "financing": financing_options(analysis),
        "issued_at": timezone.localdate(),
        "tariff_inflation_pct": float((result.get("assumptions") or {}).get("tariff_inflation") or 0) * 100,
        "year1_bill_without": sum(m["bill_without"] for m in result.get("months") or []),
        "year1_bill_with": sum(m["bill_with"] for m in result.get("months") or []),
    }


def proposal_pdf_bytes(analysis: SolarViabilityAnalysis) -> bytes:
    from weasyprint import HTML

    with translation.override("pt-br"):
        html = render_to_string("engineering/proposal.html", proposal_context(analysis))
    return HTML(string=html, base_url=None).write_pdf()


def proposal_render(*, analysis_id: int) -> SolarViabilityAnalysis | None:
    analysis = SolarViabilityAnalysis.objects.select_related("organization").filter(pk=analysis_id).first()
    if analysis is None:
        return None
    fresh = (
        analysis.proposal_status == ProposalStatus.READY
        and analysis.proposal_generated_at
        and analysis.computed_at
        and analysis.proposal_generated_at >= analysis.computed_at
        and analysis.proposal_path
    )
    if fresh:
        return analysis
    try:
        content = proposal_pdf_bytes(analysis)
        path = document_save(
            path=document_path(
                organization_id=analysis.organization_id or 0,
                area="proposals",
                filename=f"proposta-{analysis.pk}.pdf",
            ),
            content=content,
        )
    except Exception as exc:  # any rendering/storage failure is recorded, never lost
        logger.exception("proposal %s failed", analysis_id)
        SolarViabilityAnalysis.objects.filter(pk=analysis_id).update(
            proposal_status=ProposalStatus.FAILED, proposal_error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    with transaction.atomic():
        locked = SolarViabilityAnalysis.objects.select_for_update().get(pk=analysis_id)
        locked.proposal_status = ProposalStatus.READY
        locked.proposal_path = path
        locked.proposal_size = len(content)
        locked.proposal_generated_at = timezone.now()
        locked.proposal_error = ""
        locked.save(
            update_fields=[
                "proposal_status",
                "proposal_path",
                "proposal_size",
                "proposal_generated_at",
                "proposal_error",
                "updated_at",
            ]
        )
    return locked
