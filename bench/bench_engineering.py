"""Engineering bench: the viability analysis cold and warm, and the proposal PDF.

In-process (no HTTP: the figures are the service's own cost, what an API call or a portal POST adds on
top of the framework floor measured by ``bench_foundation.py``). On a temporary database (SQLite by
default, ``--database-url`` for PostgreSQL) it loads a catalog of ``--modules`` modules and
``--inverters`` inverters with datasheet values, the ANEEL snapshot's B1 tariff of ELETROPAULO and
a few financing products, then measures:

* **cold**: the first analysis of a site with empty caches — no ``PVLibCache`` entry, no cached
  clear-sky year in the process, PVGIS offline (the shipped Atlas table answers);
* **warm**: further analyses of the same site (irradiation cached in ``PVLibCache`` and in memory);
* **warm, other site**: a new site in the same process (database cache miss, memory warm);
* **PDF**: rendering the proposal (template + inline SVG + WeasyPrint) and storing it.

Each figure is the median of ``--repeat`` runs (cold: one run per fresh site). Run:
``python bench/bench_engineering.py`` (about a minute).
"""

# ruff: noqa: E501 - the synthetic catalog reads best one product field set per line

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--modules", type=int, default=60)
    parser.add_argument("--inverters", type=int, default=60)
    parser.add_argument(
        "--database-url", default="", help="e.g. postgres://postgres@127.0.0.1:5432/ysh_bench_eng"
    )
    return parser.parse_args(argv)


def setup_django(database_url: str) -> None:
    var_dir = tempfile.mkdtemp(prefix="ysh-bench-eng-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ysh.settings")
    os.environ["YSH_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["DEBUG"] = "0"
    os.environ["PVGIS_ENABLED"] = "false"  # offline: the shipped Atlas table answers
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(modules: int, inverters: int) -> None:
    from catalog.models import Brand, Category, Product
    from catalog.models.taxonomy import ProductKind
    from engineering.models import FinancingProduct
    from engineering.tariffs import tariffs_refresh

    tariffs_refresh(source="snapshot")
    brand, _ = Brand.objects.get_or_create(name="Bench Solar", slug="bench-solar")
    cat_m, _ = Category.objects.get_or_create(
        slug="bench-modulos", defaults={"name": "Módulos", "kind": ProductKind.MODULE}
    )
    cat_i, _ = Category.objects.get_or_create(
        slug="bench-inversores", defaults={"name": "Inversores", "kind": ProductKind.INVERTER}
    )
    rows = []
    for n in range(modules):
        power = 400 + (n % 16) * 10
        voc, vmp = 37.0 + power / 50, 31.0 + power / 60
        rows.append(
            Product(
                kind=ProductKind.MODULE, category=cat_m, brand=brand, model_code=f"BM{n}", model_key=f"BM{n}",
                name=f"Módulo Bench {power} W #{n}", slug=f"bench-modulo-{n}", power_w=power,
                specs={"power_w": power, "voc_v": voc, "vmp_v": vmp, "imp_a": power / vmp, "isc_a": power / vmp * 1.06,
                       "temp_coeff_voc_pct": -0.27, "temp_coeff_pmax_pct": -0.35, "length_mm": 2100, "width_mm": 1100},
                min_price=Decimal(power) * Decimal("1.18") + n, in_stock=n % 3 != 0,
            )
        )  # fmt: skip
    for n in range(inverters):
        ac = [3000, 3600, 4200, 5000, 6000, 8000, 10000, 15000][n % 8]
        phases = 3 if ac >= 10000 else 1
        rows.append(
            Product(
                kind=ProductKind.INVERTER, category=cat_i, brand=brand, model_code=f"BI{n}", model_key=f"BI{n}",
                name=f"Inversor Bench {ac} W #{n}", slug=f"bench-inversor-{n}", power_w=ac, phases=phases,
                specs={"ac_power_w": ac, "max_dc_power_w": ac * 1.5, "mppt_count": 2 if ac < 10000 else 3,
                       "strings_per_mppt": 1 if ac < 8000 else 2, "mppt_min_v": 80, "mppt_max_v": 550,
                       "max_dc_voltage_v": 600, "start_voltage_v": 100, "max_input_current_a": 16, "phases": phases},
                min_price=Decimal(900 + ac * 0.55 + n), in_stock=n % 4 != 0,
            )
        )  # fmt: skip
    Product.objects.bulk_create(rows)
    for bank, rate in (("Banco A", "1.39"), ("Banco B", "1.59"), ("Cooperativa C", "1.25")):
        FinancingProduct.objects.get_or_create(
            bank=bank,
            name="Solar",
            defaults={"monthly_rate_pct": Decimal(rate), "min_amount": 1000, "max_amount": 10**6},
        )


SITES = [
    (-23.55, -46.63),
    (-22.91, -43.17),
    (-19.92, -43.94),
    (-25.43, -49.27),
    (-30.03, -51.23),
    (-15.79, -47.88),
]


def analysis(lat: float, lon: float):
    from engineering.services import viability_analysis_create
    from ysh.users.models import Organization, Plan

    plan, _ = Plan.objects.get_or_create(slug="bench", defaults={"name": "Bench", "monthly_price": 0})
    org, _ = Organization.objects.get_or_create(
        cnpj="11222333000181",
        defaults={"legal_name": "Bench Solar Ltda", "trade_name": "Bench Solar", "plan": plan},
    )
    utility = "ELETROPAULO"
    return viability_analysis_create(
        data={
            "lat": lat,
            "lon": lon,
            "state": "SP",
            "utility": utility,
            "connection_type": "bi",
            "monthly_kwh": [620, 580, 600, 540, 500, 470, 480, 510, 530, 560, 590, 640],
            "roof_area_m2": 80,
            "title": "Bench",
        },
        organization=org,
    )


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.db import connection

    from engineering import irradiation
    from engineering.models import PVLibCache
    from engineering.proposal import proposal_pdf_bytes, proposal_render

    seed(args.modules, args.inverters)
    results: dict[str, list[float]] = {
        "cold": [],
        "warm": [],
        "warm_other_site": [],
        "pdf_render": [],
        "pdf_task": [],
    }
    # Cold: a fresh site each time, nothing cached anywhere.
    for lat, lon in SITES[: max(1, min(len(SITES), args.repeat))]:
        PVLibCache.objects.all().delete()
        irradiation._sky.cache_clear()
        ms, _ = timed(lambda lat=lat, lon=lon: analysis(lat, lon))
        results["cold"].append(ms)
    # Warm: the same site again.
    analysis(*SITES[0])
    for _ in range(args.repeat):
        ms, last = timed(lambda: analysis(*SITES[0]))
        results["warm"].append(ms)
    # New site, process memory warm for the first one only (DB cache miss).
    for i in range(args.repeat):
        lat, lon = SITES[i % len(SITES)]
        PVLibCache.objects.all().delete()
        ms, _ = timed(lambda lat=lat, lon=lon: analysis(lat + 0.03, lon + 0.03))
        results["warm_other_site"].append(ms)
    size = 0
    for _ in range(args.repeat):
        ms, pdf = timed(lambda: proposal_pdf_bytes(last))
        size = len(pdf)
        results["pdf_render"].append(ms)
    for _ in range(max(1, args.repeat // 2)):
        type(last).objects.filter(pk=last.pk).update(proposal_status="")
        ms, _ = timed(lambda: proposal_render(analysis_id=last.pk))
        results["pdf_task"].append(ms)

    print(
        f"\nEngineering bench — {connection.vendor}, {args.modules} modules × {args.inverters} inverters in the catalog"
    )
    print(f"system sized: {last.system_kwp} kWp, {last.module_count} × {last.sizing['module']['name']}, "
          f"{last.inverter_count} × {last.sizing['inverter']['name']} ({last.sizing['candidates_evaluated']} pairs evaluated)")  # fmt: skip
    print(f"{'measure':<34}{'median ms':>12}{'min ms':>10}{'max ms':>10}{'runs':>6}")
    labels = {
        "cold": "viability analysis, cold",
        "warm": "viability analysis, warm",
        "warm_other_site": "analysis, new site (DB cache miss)",
        "pdf_render": "proposal PDF render",
        "pdf_task": "proposal task (render + store)",
    }
    for key, label in labels.items():
        values = results[key]
        print(
            f"{label:<34}{statistics.median(values):>12.1f}{min(values):>10.1f}{max(values):>10.1f}{len(values):>6}"
        )
    print(f"proposal PDF size: {size / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
