"""`make run`'s demo data: every app's seeder, end to end, through the real pipelines.

The catalog comes in over HTTP from the sample feeds (the seed serves them itself when no feed
server listens), then the engineering reference data, analyses sized on that catalog, and the
leads; a second seed changes nothing."""

import socket

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def demo_env(settings, tmp_path):
    settings.DEMO_FEEDS_BASE_URL = f"http://127.0.0.1:{free_loopback_port()}"
    settings.QDRANT_URL = ""
    settings.QDRANT_PATH = str(tmp_path / "qdrant")
    settings.OPENAI_API_KEY = ""
    return settings


def counts() -> dict[str, int]:
    from catalog.models import Offer, Product, ProductAssociation, RawListing
    from engineering.models import SolarViabilityAnalysis, Tariff, Utility
    from leads.models import Lead
    from ysh.users.models import Organization

    return {
        "products": Product.objects.count(),
        "offers": Offer.objects.count(),
        "raw_listings": RawListing.objects.count(),
        "associations": ProductAssociation.objects.count(),
        "utilities": Utility.objects.count(),
        "tariffs": Tariff.objects.count(),
        "analyses": SolarViabilityAnalysis.objects.count(),
        "leads": Lead.objects.count(),
        "organizations": Organization.objects.count(),
    }


def test_seed_demo_loads_a_living_platform_and_a_second_seed_changes_nothing(demo_env, capsys):
    from catalog.models import ImportRun

    # when the demo is seeded
    call_command("seed_demo")
    out = capsys.readouterr().out
    first = counts()

    # then the catalog came through the importer from all four sample feeds
    runs = ImportRun.objects.order_by("pk")
    assert runs.count() == 4 and {run.status for run in runs} <= {"succeeded", "partial"}
    assert first["raw_listings"] > 1500 and first["products"] > 900 and first["offers"] > first["products"]
    assert first["associations"] > 0
    # the engineering data, the analyses sized on that catalog and the leads are there
    assert first["utilities"] > 0 and first["tariffs"] > 0 and first["analyses"] > 0
    assert first["leads"] > 0 and first["organizations"] >= 2
    # and the log-in details printed on start work
    assert "admin@ysh.local" in out and "dono@solnascente.demo" in out
    assert authenticate(email="admin@ysh.local", password="ysh-demo-2026") is not None
    assert authenticate(email="dono@solnascente.demo", password="ysh-demo-2026") is not None

    # when it is seeded again, nothing new appears: the same products, analyses, leads … (each
    # run keeps the listings it received, and a listing the first seed left for review may now
    # join a product a later distributor brought, as the daily sync would)
    call_command("seed_demo")
    second = counts()
    assert second["raw_listings"] == 2 * first["raw_listings"]
    assert first["offers"] <= second["offers"] <= first["offers"] + 10
    stable = ("raw_listings", "offers")
    assert {k: v for k, v in second.items() if k not in stable} == {
        k: v for k, v in first.items() if k not in stable
    }
    assert all(run.status in ("succeeded", "partial") for run in ImportRun.objects.order_by("-pk")[:4])
