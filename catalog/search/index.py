"""Keeping the search index in step with the catalog.

``products_index`` rebuilds each product's searchable document, stores ``Product.search_text``
(lexical search reads it; on PostgreSQL a trigger refreshes ``search_vector`` from it) and
brings the product's point in Qdrant up to date:

* text changed (or embedder switched) → embed again and upsert the point;
* only the payload changed (price, stock, where it is sold) → overwrite the payload, no
  embedding;
* nothing changed → nothing is sent;
* product inactive or gone → its point is deleted.

On PostgreSQL the payload's offer and stock keys and the states with an offer are also stored
on the product (``offer_keys``/``stock_keys``/``offer_states``, migration 0005), where the
lexical ranking filters by state and distributor; they are written whenever they change,
whatever the vector index answers.

What was indexed is remembered in ``Product.indexed_hash`` = 32 hex digits of the embedded text
(with the embedder's key) + 32 of the payload. Re-running with the same data does nothing;
two runs at once write the same points. The hash is written only after Qdrant accepted the
batch, so a failed run is simply redone by the next one.

Product edits made outside the pipeline (the admin) call ``products_reindex_on_commit``: the
``catalog.tasks.index_products`` task runs after the transaction commits, never on a post_save
signal that would fire once per row during an import.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db import connection, transaction

from catalog.models import BrandAlias, Category, Offer, Product
from catalog.search.cache import index_generation_bump
from catalog.search.filters import offer_keys
from catalog.search.query import vocabulary_forget
from catalog.search.semantic import products_collection
from catalog.search.text import product_document
from ysh import embeddings, vectors

logger = logging.getLogger(__name__)

BATCH_SIZE = 256
_PRODUCT_FIELDS = (
    "id",
    "kind",
    "category_id",
    "brand__name",
    "brand_id",
    "model_code",
    "name",
    "specs",
    "power_w",
    "energy_wh",
    "phases",
    "voltage_v",
    "min_price",
    "in_stock",
    "is_active",
    "search_text",
    "indexed_hash",
)


class ProductIndexIncomplete(Exception):
    """Some products could not be written to the vector index (Qdrant or the embedder was
    unavailable). Their search text is up to date; running the index again finishes the job."""

    def __init__(self, counts: IndexCounts):
        self.counts = counts
        super().__init__(f"{counts.failed} products not indexed: {counts.error}")


@dataclass
class IndexCounts:
    scanned: int = 0
    embedded: int = 0
    payload_updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    search_text_updated: int = 0
    failed: int = 0
    error: str = ""
    collection: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _category_paths() -> dict[int, tuple[list[int], list[str]]]:
    """Each category's (ids, names) from itself up to the root."""
    rows = {row["id"]: row for row in Category.objects.values("id", "parent_id", "name")}
    paths: dict[int, tuple[list[int], list[str]]] = {}
    for category_id in rows:
        ids, names, current, guard = [], [], rows.get(category_id), 0
        while current is not None and guard < 50:  # a corrupt cycle must not hang indexing
            ids.append(current["id"])
            names.append(current["name"])
            current = rows.get(current["parent_id"])
            guard += 1
        paths[category_id] = (ids, names)
    return paths


def _aliases_by_brand() -> dict[int, list[str]]:
    aliases: dict[int, list[str]] = defaultdict(list)
    for brand_id, alias in BrandAlias.objects.order_by("alias").values_list("brand_id", "alias"):
        aliases[brand_id].append(alias)
    return aliases


def _number(value) -> float | None:
    return float(value) if value is not None else None


#: The payload fields ``ProductFilters.qdrant_filter`` filters on, indexed for filtered search.
PAYLOAD_INDEXES = {
    "kind": "keyword",
    "brand_id": "integer",
    "category_ids": "integer",
    "power_w": "float",
    "energy_wh": "float",
    "min_price": "float",
    "phases": "integer",
    "voltage_v": "integer",
    "in_stock": "bool",
    "offer_keys": "keyword",
    "stock_keys": "keyword",
}


def _payload(row: dict, offers: list[tuple[int, str, int]], category_ids: list[int]) -> dict:
    available, stocked = offer_keys(offers)
    return {
        "product_id": row["id"],
        "kind": row["kind"],
        "brand_id": row["brand_id"],
        "category_id": row["category_id"],
        "category_ids": category_ids,
        "power_w": _number(row["power_w"]),
        "energy_wh": _number(row["energy_wh"]),
        "phases": row["phases"],
        "voltage_v": row["voltage_v"],
        "min_price": _number(row["min_price"]),
        "in_stock": bool(row["in_stock"]),
        "stock_states": sorted({state for _, state, stock in offers if stock > 0}),
        "offer_keys": available,
        "stock_keys": stocked,
    }


def products_index(
    *, product_ids: Iterable[int] | None = None, force: bool = False, batch_size: int = BATCH_SIZE
) -> IndexCounts:
    """Bring the search index up to date for ``product_ids`` (all products when None).
    Raises ProductIndexIncomplete when the vector side failed for some of them."""
    info = embeddings.embedder_info()
    collection = products_collection()
    counts = IndexCounts(collection=collection)
    vector_error: str | None = None
    try:
        vectors.ensure_collection(collection, size=info.dimension, indexes=PAYLOAD_INDEXES)
        # A new or wiped collection holds nothing the hashes claim: index everything again.
        force = force or vectors.count(collection) == 0
    except vectors.VectorIndexError as exc:
        vector_error = str(exc)

    wanted = None if product_ids is None else sorted({int(pid) for pid in product_ids})
    categories = _category_paths()
    aliases = _aliases_by_brand()
    base = Product.objects.order_by("id")
    if wanted is not None:
        base = base.filter(id__in=wanted)
    seen: set[int] = set()
    last_id = 0
    while True:
        rows = list(base.filter(id__gt=last_id).values(*_PRODUCT_FIELDS)[:batch_size])
        if not rows:
            break
        last_id = rows[-1]["id"]
        seen.update(row["id"] for row in rows)
        vector_error = _index_batch(rows, categories, aliases, info, counts, force, vector_error)

    if wanted is not None:
        gone = [pid for pid in wanted if pid not in seen]
        if gone and vector_error is None:
            try:
                vectors.delete(collection, gone)
                counts.deleted += len(gone)
            except vectors.VectorIndexError as exc:
                vector_error = str(exc)
                counts.failed += len(gone)
    if counts.embedded or counts.deleted:
        vocabulary_forget()  # new names may carry new brands and product lines
    if counts.embedded or counts.deleted or counts.payload_updated:
        index_generation_bump()  # cached semantic answers are stale
    if vector_error is not None:
        counts.error = vector_error
        logger.warning("search index incomplete: %s", counts.as_dict())
        raise ProductIndexIncomplete(counts)
    return counts


def _index_batch(rows, categories, aliases, info, counts: IndexCounts, force: bool, vector_error):
    collection = products_collection()
    offers_by_product: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    active_ids = [row["id"] for row in rows if row["is_active"]]
    for product_id, distributor_id, state, stock in Offer.objects.filter(
        product_id__in=active_ids, is_active=True
    ).values_list("product_id", "distributor_id", "warehouse__state", "stock"):
        offers_by_product[product_id].append((distributor_id, state, stock))

    text_updates: list[Product] = []
    to_embed: list[tuple[dict, str, dict, str]] = []
    to_payload: list[tuple[dict, dict, str]] = []
    to_delete: list[dict] = []
    for row in rows:
        counts.scanned += 1
        category_ids, category_names = categories.get(row["category_id"], ([row["category_id"]], []))
        document = product_document(
            name=row["name"],
            kind=row["kind"],
            brand=row["brand__name"],
            model_code=row["model_code"],
            specs=row["specs"] if isinstance(row["specs"], dict) else {},
            aliases=aliases.get(row["brand_id"], ()),
            categories=category_names,
            power_w=row["power_w"],
            energy_wh=row["energy_wh"],
            phases=row["phases"],
            voltage_v=row["voltage_v"],
        )
        if document.search_text != row["search_text"]:
            text_updates.append(Product(id=row["id"], search_text=document.search_text))
        if not row["is_active"]:
            if row["indexed_hash"] or force:
                to_delete.append(row)
            else:
                counts.unchanged += 1
            continue
        payload = _payload(row, offers_by_product.get(row["id"], []), category_ids)
        text_hash = _digest(f"{info.key}\n{document.text}")
        payload_hash = _digest(json.dumps(payload, sort_keys=True))
        indexed = row["indexed_hash"] or ""
        if force or indexed[:32] != text_hash:
            to_embed.append((row, document.text, payload, text_hash + payload_hash))
        elif indexed[32:] != payload_hash:
            to_payload.append((row, payload, text_hash + payload_hash))
        else:
            counts.unchanged += 1

    if text_updates:
        Product.objects.bulk_update(text_updates, ["search_text"])
        counts.search_text_updated += len(text_updates)
    _offer_keys_store(rows, offers_by_product)

    pending = len(to_embed) + len(to_payload) + len(to_delete)
    if vector_error is not None:
        counts.failed += pending
        return vector_error
    hashes: list[Product] = []
    try:
        if to_embed:
            vectors_ = embeddings.embed_texts([text for _, text, _, _ in to_embed])
            vectors.upsert(
                collection,
                [
                    (row["id"], vector, payload)
                    for (row, _, payload, _), vector in zip(to_embed, vectors_, strict=True)
                ],
            )
            counts.embedded += len(to_embed)
            hashes += [Product(id=row["id"], indexed_hash=digest) for row, _, _, digest in to_embed]
        if to_payload:
            from catalog.search.semantic import payloads_set

            payloads_set([(row["id"], payload) for row, payload, _ in to_payload])
            counts.payload_updated += len(to_payload)
            hashes += [Product(id=row["id"], indexed_hash=digest) for row, _, digest in to_payload]
        if to_delete:
            vectors.delete(collection, [row["id"] for row in to_delete])
            counts.deleted += len(to_delete)
            hashes += [Product(id=row["id"], indexed_hash="") for row in to_delete]
    except (vectors.VectorIndexError, embeddings.EmbeddingError) as exc:
        counts.failed += pending - (len(hashes))
        vector_error = f"{type(exc).__name__}: {exc}"
    if hashes:
        Product.objects.bulk_update(hashes, ["indexed_hash"])
    return vector_error


def _offer_keys_store(rows: list[dict], offers_by_product: dict[int, list[tuple[int, str, int]]]) -> None:
    """PostgreSQL: the products' offer and stock keys (the payload's) in the columns the lexical
    ranking filters with (``ProductFilters.apply_indexed``, migration 0005). Written whatever
    the vector index answers, and only where they changed."""
    if connection.vendor != "postgresql" or not rows:
        return
    records = []
    for row in rows:
        # Inactive products have no offers here: their keys empty out.
        offers = offers_by_product.get(row["id"], [])
        available, stocked = offer_keys(offers)
        states = sorted({state for _, state, _ in offers if state})
        records.append(
            {"id": row["id"], "offer_keys": available, "stock_keys": stocked, "offer_states": states}
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE catalog_product AS p
            SET offer_keys = v.offer_keys, stock_keys = v.stock_keys, offer_states = v.offer_states
            FROM jsonb_to_recordset(%s::jsonb)
                AS v(id bigint, offer_keys text[], stock_keys text[], offer_states text[])
            WHERE p.id = v.id
              AND (p.offer_keys IS DISTINCT FROM v.offer_keys OR p.stock_keys IS DISTINCT FROM v.stock_keys
                   OR p.offer_states IS DISTINCT FROM v.offer_states)
            """,
            [json.dumps(records)],
        )


def products_reindex_on_commit(*, product_ids: Iterable[int]) -> None:
    """Queue ``catalog.tasks.index_products`` for these products once the current transaction
    commits (immediately when there is none). For admin saves, deletes and bulk edits."""
    ids = sorted({int(pid) for pid in product_ids})
    if not ids:
        return

    def enqueue() -> None:
        from catalog.tasks import index_products

        index_products.delay(ids)

    transaction.on_commit(enqueue)


def product_reindex_on_commit(product_id: int) -> None:
    products_reindex_on_commit(product_ids=[product_id])
