"""Demo leads: a few contacts captured by the demo integrator's channels and one from YSH's own
storefront, created through ``lead_create`` (consent, normalization, dedup) and moved along the
funnel with ``lead_update``. Idempotent: a lead whose e-mail already exists in its scope is skipped.
The people are fictitious (``.demo`` e-mail domain)."""

# ruff: noqa: E501 - data tables read best one row per item

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

SOL_NASCENTE = "11222333000181"

DEMO_LEADS = [
    {"org": SOL_NASCENTE, "name": "Mariana Costa", "email": "mariana.costa@cliente.demo", "phone": "(19) 99812-3456",
     "city": "Campinas", "state": "SP", "source": "calculator", "interest_type": "solar", "status": "new",
     "attribution": {"utm_source": "google", "utm_medium": "cpc", "utm_campaign": "solar-campinas",
                     "landing_url": "https://solnascente.demo/calculadora?utm_source=google"}},
    {"org": SOL_NASCENTE, "name": "Roberto Almeida", "email": "roberto.almeida@cliente.demo", "phone": "(19) 3234-5678",
     "city": "Valinhos", "state": "SP", "source": "quote", "interest_type": "battery", "status": "contacted",
     "attribution": {"utm_source": "instagram", "utm_medium": "social", "utm_campaign": "baterias-2026"}},
    {"org": SOL_NASCENTE, "name": "Condomínio Jardim das Flores", "email": "sindico.jardimflores@cliente.demo",
     "phone": "(19) 99745-1020", "city": "Campinas", "state": "SP", "source": "whatsapp", "interest_type": "ev_charger",
     "status": "qualified", "attribution": {}},
    {"org": SOL_NASCENTE, "name": "Fernanda Lima", "email": "fernanda.lima@cliente.demo", "phone": "",
     "city": "Sumaré", "state": "SP", "source": "catalog", "interest_type": "solar", "status": "proposal",
     "attribution": {"referrer": "https://www.google.com/"}},
    {"org": None, "name": "Paulo Henrique Souza", "email": "paulo.souza@cliente.demo", "phone": "(31) 98877-6655",
     "city": "Belo Horizonte", "state": "MG", "source": "chat", "interest_type": "solar", "status": "new",
     "attribution": {"utm_source": "newsletter", "utm_medium": "email"}},
]  # fmt: skip


@transaction.atomic
def leads_demo_seed() -> list[str]:
    from leads.models import Lead
    from leads.services import lead_create, lead_update
    from ysh.users.models import Organization

    created = 0
    for spec in DEMO_LEADS:
        organization = None
        if spec["org"]:
            organization = Organization.objects.filter(cnpj=spec["org"]).first()
            if organization is None:
                continue
        scope = {"organization": organization} if organization else {"organization__isnull": True}
        if Lead.objects.filter(email=spec["email"], **scope).exists():
            continue
        lead = lead_create(
            name=spec["name"],
            email=spec["email"],
            phone=spec["phone"],
            city=spec["city"],
            state=spec["state"],
            source=spec["source"],
            interest_type=spec["interest_type"],
            consent=True,
            organization=organization,
            attribution=spec["attribution"],
            metadata={"demo": True},
        )
        if spec["status"] != lead.status:
            lead_update(lead=lead, data={"status": spec["status"]})
        created += 1
    return [
        _("Leads: %(total)s demo leads (%(created)s created now).")
        % {"total": len(DEMO_LEADS), "created": created}
    ]
