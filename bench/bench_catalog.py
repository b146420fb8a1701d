"""Catalog bench: the importer on scaled feeds, then list/detail/search against the floor.

1. writes the sample feeds scaled ``--scale`` times (``catalog.fixtures.generate_feeds``; 22 gives
   about 41k listings and 20k distinct products) into the bench's temp dir;
2. serves them with ``catalog.feedserver`` on a free loopback port and points the four demo
   distributors at it (no politeness delay);
3. runs ``manage.py catalog_import`` (every distributor, LLM off, indexing deferred) and prints
   listings/s per distributor and overall;
4. indexes the products (``catalog.search.index.products_index``: embeddings + Qdrant) and prints
   products/s;
5. measures, with the harness's wrk settings against the same gunicorn: the trivial JSON view
   (the floor), the product list, a filtered list, a product detail and two searches.

Run: ``python bench/bench_catalog.py --scale 22`` (long: the import and the CPU embedder take most
of it); ``--scale 2`` checks the whole chain in a few minutes. Set ``QDRANT_URL`` in the environment
to measure search against a Qdrant server instead of the embedded local mode.
"""

import json
import os
import subprocess
import sys
import time

import harness
from harness import Scenario

FLOOR = "floor"
FILTERED = "kind=module&power_min=500&power_max=600&ordering=price"
INDEX_ALL = (
    "import time, json\n"
    "from catalog.search.index import products_index\n"
    "t = time.perf_counter()\n"
    "counts = products_index()\n"
    "print('INDEXED', json.dumps({'seconds': time.perf_counter() - t, **counts.as_dict()}, default=str))\n"
)
POINT_DISTRIBUTORS = (
    "from catalog.fixtures.distributors import distributors_install\n"
    "from catalog.models import Distributor\n"
    "distributors_install({base!r})\n"
    "Distributor.objects.update(politeness_delay_ms=0)\n"
)


def scenarios(product_id: int) -> list[Scenario]:
    return [
        Scenario(FLOOR, "/health/live/"),
        Scenario("list", "/api/v1/catalog/products/"),
        Scenario("list-filtered", "/api/v1/catalog/products/?" + FILTERED),
        Scenario("detail", f"/api/v1/catalog/products/{product_id}/"),
        Scenario("search", "/api/v1/catalog/search/?q=inversor%20fronius%205kw"),
        Scenario("search-bifacial", "/api/v1/catalog/search/?q=painel%20550w%20bifacial"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = harness.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=22, help="feed scale (22 ≈ 20k products)")
    args = parser.parse_args(argv)
    extra = {"CATALOG_INDEX_AFTER_IMPORT": "0", "OPENAI_API_KEY": ""}
    if os.environ.get("QDRANT_URL"):
        extra["QDRANT_URL"] = os.environ["QDRANT_URL"]
    if args.database == harness.DEFAULT_DATABASE:
        args.database = "ysh_bench_catalog"  # its own DB: dropped first, so the import starts empty
    try:
        harness.ensure_database(args.database)  # validates the name
        harness.psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        with harness.BenchRun(args, extra_env=extra) as run:
            feeds = run.var_dir / "feeds"
            subprocess.run(
                [sys.executable, "-m", "catalog.fixtures.generate_feeds", "--scale", str(args.scale),
                 "--out", str(feeds)],
                check=True, env=run.env, timeout=1800,
            )  # fmt: skip
            port = harness.free_port()
            feed_server = subprocess.Popen(
                [sys.executable, "-m", "catalog.feedserver", "--port", str(port), "--root", str(feeds)],
                env=run.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                time.sleep(1.5)
                run.manage("shell", "-c", POINT_DISTRIBUTORS.format(base=f"http://127.0.0.1:{port}"))
                started = time.perf_counter()
                print(run.manage("catalog_import", timeout=7200))
                seconds = time.perf_counter() - started
            finally:
                feed_server.terminate()
                feed_server.wait(timeout=10)
            counts = run.manage(
                "shell", "-c",
                "from catalog.models import Product, RawListing\n"
                "print(RawListing.objects.count(), Product.objects.filter(is_active=True).count())",
            ).split()  # fmt: skip
            listings, products = int(counts[-2]), int(counts[-1])
            print(f"import: {listings} listings in {seconds:.0f} s = {listings / seconds:.0f} listings/s; "
                  f"{products} active products")  # fmt: skip
            indexed = run.manage("shell", "-c", INDEX_ALL, timeout=7200)
            for line in indexed.splitlines():
                if line.startswith("INDEXED"):
                    data = json.loads(line.split(" ", 1)[1])
                    rate = products / data["seconds"] if data["seconds"] else 0
                    print(f"index: {data['seconds']:.0f} s = {rate:.1f} products/s ({data})")
            with run.server() as server:
                _status, body = server.get("/api/v1/catalog/products/?page_size=1")
                product_id = json.loads(body)["results"][0]["id"]
                results = run.measure(server, scenarios(product_id))
            run.report(f"Catalog at {products} products (scale {args.scale})", results, floor=FLOOR)
    except (harness.BenchError, subprocess.SubprocessError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
