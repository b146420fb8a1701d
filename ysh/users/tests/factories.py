from datetime import timedelta

import factory
from django.utils import timezone
from validate_docbr import CNPJ, CPF

from ysh.users.models import Invitation, Membership, Organization, Plan, Role, User

DEFAULT_PASSWORD = "Sol-forte-2026!"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Plano {n}")
    slug = factory.Sequence(lambda n: f"plano-{n}")
    monthly_price = "199.00"
    max_users = 5
    max_projects_per_month = 10
    max_products_listed = 100


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pessoa{n}@example.com.br")
    full_name = factory.Faker("name", locale="pt_BR")
    cpf = factory.LazyFunction(lambda: CPF().generate())
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    legal_name = factory.Sequence(lambda n: f"Solar Integradora {n} Ltda")
    trade_name = factory.Sequence(lambda n: f"Solar {n}")
    cnpj = factory.LazyFunction(lambda: CNPJ().generate())
    state = "SP"
    city = "São Paulo"
    plan = factory.SubFactory(PlanFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.OWNER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"convidado{n}@example.com.br")
    role = Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
