"""Demo users, plans and organizations (idempotent)."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction

from ysh.users.models import (
    Membership,
    Organization,
    OrganizationKind,
    Plan,
    Role,
    User,
)

PLANS = [
    {
        "slug": "starter",
        "name": "Starter",
        "monthly_price": Decimal("0.00"),
        "max_users": 3,
        "max_projects_per_month": 5,
        "max_products_listed": 0,
        "features": ["catalog", "calculator", "proposal_pdf"],
        "is_default": True,
    },
    {
        "slug": "pro",
        "name": "Pro",
        "monthly_price": Decimal("349.90"),
        "max_users": 10,
        "max_projects_per_month": 40,
        "max_products_listed": 500,
        "features": ["catalog", "calculator", "proposal_pdf", "homologation", "financing", "assistant"],
        "is_default": False,
    },
    {
        "slug": "enterprise",
        "name": "Enterprise",
        "monthly_price": Decimal("1490.00"),
        "max_users": None,
        "max_projects_per_month": None,
        "max_products_listed": None,
        "features": [
            "catalog",
            "calculator",
            "proposal_pdf",
            "homologation",
            "financing",
            "assistant",
            "api",
            "priority_support",
        ],
        "is_default": False,
    },
]

STAFF_EMAIL = "admin@ysh.local"

ORGANIZATIONS = [
    {
        "cnpj": "11222333000181",
        "legal_name": "Sol Nascente Energia Solar Ltda",
        "trade_name": "Sol Nascente",
        "kind": OrganizationKind.INTEGRATOR,
        "plan": "pro",
        "city": "Campinas",
        "state": "SP",
        "cep": "13010111",
        "email": "contato@solnascente.demo",
        "members": [
            ("dono@solnascente.demo", "Ana Paula Ferreira", Role.OWNER),
            ("gerente@solnascente.demo", "Bruno Carvalho", Role.ADMIN),
            ("vendas@solnascente.demo", "Carla Mendes", Role.MEMBER),
            ("engenharia@solnascente.demo", "Diego Albuquerque", Role.ENGINEER),
        ],
    },
    {
        "cnpj": "45723174000110",
        "legal_name": "Ventos do Sul Instalações Fotovoltaicas Ltda",
        "trade_name": "Ventos do Sul Solar",
        "kind": OrganizationKind.INTEGRATOR,
        "plan": "starter",
        "city": "Porto Alegre",
        "state": "RS",
        "cep": "90010000",
        "email": "contato@ventosdosul.demo",
        "members": [("dono@ventosdosul.demo", "Eduardo Ribeiro", Role.OWNER)],
    },
]


def demo_password() -> str:
    from environ import Env

    return Env().str("DEMO_PASSWORD", default="ysh-demo-2026")


def _user(email: str, full_name: str, password: str, **extra) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name, **extra)
    else:
        user.set_password(password)  # the printed password always works
        for field, value in extra.items():
            setattr(user, field, value)
        user.save()
    return user


@transaction.atomic
def seed_users() -> list[str]:
    password = demo_password()
    for spec in PLANS:
        Plan.objects.update_or_create(slug=spec["slug"], defaults=spec)
    _user(STAFF_EMAIL, "Equipe YSH", password, is_staff=True, is_superuser=True)
    lines = [
        f"Back office  {settings.PUBLIC_BASE_URL}/admin/   {STAFF_EMAIL} / {password}",
    ]
    for spec in ORGANIZATIONS:
        organization, _ = Organization.objects.update_or_create(
            cnpj=spec["cnpj"],
            defaults={
                "legal_name": spec["legal_name"],
                "trade_name": spec["trade_name"],
                "kind": spec["kind"],
                "plan": Plan.objects.get(slug=spec["plan"]),
                "city": spec["city"],
                "state": spec["state"],
                "cep": spec["cep"],
                "email": spec["email"],
            },
        )
        for email, full_name, role in spec["members"]:
            user = _user(email, full_name, password)
            Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": role})
            portal = f"{settings.PUBLIC_BASE_URL}/portal/"
            lines.append(f"Portal       {portal}  {email} / {password}  ({organization}, {role})")
    return lines
