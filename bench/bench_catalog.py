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


PRODUCT_FACTS = (
    "import json\n"
    "from catalog.models import Product\n"
    "rows = Product.objects.filter(is_active=True).values_list(\n"
    "    'kind', 'brand__name', 'brand__slug', 'model_code', 'power_w', 'energy_wh')\n"
    "print('FACTS', json.dumps([[k, b, s, m, float(p) if p else None, float(e) if e else None]\n"
    "                           for k, b, s, m, p, e in rows]))\n"
)
# How people name each kind in a search box (accents, abbreviations and all).
KIND_WORDS = {
    "module": ["painel", "painel solar", "placa solar", "módulo", "modulo fotovoltaico"],
    "inverter": ["inversor", "inv", "inversor solar", "inversor on grid"],
    "microinverter": ["microinversor", "micro inversor"],
    "battery": ["bateria", "bateria lítio", "bateria litio"],
    "structure": ["estrutura", "suporte telhado", "estrutura solo"],
    "string_box": ["string box", "stringbox"],
    "cable": ["cabo solar", "cabo"],
}
STATES = ["SP", "MG", "RJ", "PR", "SC", "RS", "GO", "BA", "PE", "CE"]


def _power_words(kind: str, power_w: float | None, energy_wh: float | None) -> list[str]:
    words = []
    if power_w:
        if kind == "module" or power_w < 2000:
            words.append(f"{power_w:.0f}w")
        else:
            kw = power_w / 1000
            words += [f"{kw:g}kw", f"{kw:g} kw"]
    if energy_wh:
        words.append(f"{energy_wh / 1000:g} kwh")
    return words


def _misspelled(word: str, rng) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return (
        word[:i] + word[i + 1 :] if rng.random() < 0.5 else word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    )


def query_mix(facts: list[list], *, size: int, seed: int = 7) -> list[str]:
    """``size`` distinct search URLs the way a storefront's visitors type them: kind words, brands
    (sometimes misspelt), model codes, powers, and now and then the list's filters. Built from
    the imported products, so every query is about something in the catalog."""
    import random
    import urllib.parse

    rng = random.Random(seed)
    seen: set[str] = set()
    urls: list[str] = []
    attempts = 0
    while len(urls) < size and attempts < size * 20:
        attempts += 1
        kind, brand, slug, model_code, power_w, energy_wh = rng.choice(facts)
        words = KIND_WORDS.get(kind, ["kit solar"])
        brand_word = brand.lower().split()[0] if brand else ""
        if brand_word and rng.random() < 0.15:
            brand_word = _misspelled(brand_word, rng)
        shape = rng.random()
        parts: list[str]
        if shape < 0.45:
            parts = [
                rng.choice(words),
                brand_word,
                *rng.sample(
                    _power_words(kind, power_w, energy_wh),
                    k=min(1, len(_power_words(kind, power_w, energy_wh))),
                ),
            ]
        elif shape < 0.65:
            parts = [brand_word, (model_code or "").lower()]
        elif shape < 0.85:
            parts = [rng.choice(words), *_power_words(kind, power_w, energy_wh)[:1]]
        else:
            parts = [rng.choice(words), brand_word]
        text = " ".join(p for p in parts if p)
        if not text:
            continue
        params = {"q": text}
        if rng.random() < 0.3:
            params["state"] = rng.choice(STATES)
        if rng.random() < 0.2:
            params["in_stock"] = "true"
        if rng.random() < 0.1 and slug:
            params["brand"] = slug
        url = "/api/v1/catalog/search/?" + urllib.parse.urlencode(params)
        if url not in seen:
            seen.add(url)
            urls.append(url)
    return urls


def scenarios(product_id: int, mix: list[str]) -> list[Scenario]:
    return [
        Scenario(FLOOR, "/health/live/"),
        Scenario("list", "/api/v1/catalog/products/"),
        Scenario("list-filtered", "/api/v1/catalog/products/?" + FILTERED),
        Scenario("detail", f"/api/v1/catalog/products/{product_id}/"),
        Scenario("search", "/api/v1/catalog/search/?q=inversor%20fronius%205kw"),
        Scenario("search-bifacial", "/api/v1/catalog/search/?q=painel%20550w%20bifacial"),
        # Every request a query no one asked before in the run: the uncached path (embedding,
        # vector query, full-text query, fusion), not the page cache.
        Scenario(f"search-mix ({len(mix):,} distinct queries)", mix[0], paths=tuple(mix)),
    ]


def import_and_index(run, scale: int) -> None:
    """Steps 1–4: scaled feeds → feed server → catalog_import → products_index, timed."""
    feeds = run.var_dir / "feeds"
    subprocess.run(
        [sys.executable, "-m", "catalog.fixtures.generate_feeds", "--scale", str(scale),
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


def main(argv: list[str] | None = None) -> int:
    parser = harness.argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=22, help="feed scale (22 ≈ 20k products)")
    parser.add_argument(
        "--reuse", action="store_true", help="with --var-dir: measure the catalog a previous run imported"
    )
    parser.add_argument("--mix-size", type=int, default=30_000, help="distinct queries in the search mix")
    args = parser.parse_args(argv)
    extra = {"CATALOG_INDEX_AFTER_IMPORT": "0", "OPENAI_API_KEY": ""}
    if os.environ.get("QDRANT_URL"):
        extra["QDRANT_URL"] = os.environ["QDRANT_URL"]
    if args.database == harness.DEFAULT_DATABASE:
        args.database = "ysh_bench_catalog"  # its own DB: dropped first, so the import starts empty
    try:
        harness.ensure_database(args.database)  # validates the name
        if args.reuse and not args.var_dir:
            raise harness.BenchError("--reuse needs the --var-dir of the run that imported the catalog")
        if not args.reuse:
            harness.psql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        with harness.BenchRun(args, extra_env=extra) as run:
            if not args.reuse:
                import_and_index(run, args.scale)
            counts = run.manage(
                "shell",
                "-c",
                "from catalog.models import Product\nprint(Product.objects.filter(is_active=True).count())",
            ).split()
            products = int(counts[-1])
            facts_out = run.manage("shell", "-c", PRODUCT_FACTS, timeout=600)
            facts = json.loads(
                next(ln for ln in facts_out.splitlines() if ln.startswith("FACTS")).split(" ", 1)[1]
            )
            mix = query_mix(facts, size=args.mix_size)
            with run.server() as server:
                _status, body = server.get("/api/v1/catalog/products/?page_size=1")
                product_id = json.loads(body)["results"][0]["id"]
                results = run.measure(server, scenarios(product_id, mix))
            run.report(f"Catalog at {products} products (scale {args.scale})", results, floor=FLOOR)
    except (harness.BenchError, subprocess.SubprocessError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
