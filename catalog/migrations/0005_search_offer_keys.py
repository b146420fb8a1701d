"""Search at catalog scale on PostgreSQL (a no-op on SQLite).

The lexical ranking filters by the buyer's state and the distributor without an ``EXISTS``
over the offers per matched product (20–40 ms per search at 20k products, more with each
state's 30k offers). It reads what the vector payload carries instead, kept on the product by
``products_index``; the search confirms its candidates against the offers. Like
``search_vector`` (0002), these columns are deliberately not model fields: only
``catalog.search`` reads them.

* ``offer_states``: the UFs where the product has an active offer (with ``stock_states``, the
  UFs where it is in stock, which the pipeline keeps: the state filters);
* ``offer_keys`` / ``stock_keys``: every key of ``catalog.search.filters.offer_keys`` (``any``,
  ``d:<distributor>``, ``s:<UF>``, ``ds:<distributor>:<UF>``) of its active offers, and of
  those with stock (the distributor filters);
* ``catalog_product_search_pool``: active products by quality, best first, carrying the
  stored ``search_vector`` and the most used filter columns. A lexical tier matching thousands
  of products ranks the best-quality part of them (``catalog.search.lexical.POOL``): PostgreSQL
  walks this index and stops early, testing the tsquery and the filters on the index entry
  itself (an index-only scan: "kit solar" read 13,600 heap rows, now 1,000–8,000 index
  entries). Its entries stay far below btree's ~2.7 kB limit: the state lists hold at most 27
  UFs, ``search_text`` is capped (``MAX_SEARCH_TEXT``) and the name is at most 255
  characters. The distributor keys grow with the distributors, so they stay out of it;
* GIN indexes on the state lists: a state where nothing is sold answers at once.
"""

from django.db import migrations

FORWARD = r"""
ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS offer_keys text[] NOT NULL DEFAULT '{}';
ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS stock_keys text[] NOT NULL DEFAULT '{}';
ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS offer_states text[] NOT NULL DEFAULT '{}';
-- One UPDATE: a second one would rewrite rows this transaction wrote, which queues their
-- deferred foreign-key checks, and CREATE INDEX refuses a table with pending trigger events.
UPDATE catalog_product AS p
SET offer_keys = k.offer_keys, stock_keys = k.stock_keys, offer_states = k.offer_states
FROM (
    SELECT o.product_id,
           array_agg(DISTINCT key ORDER BY key) AS offer_keys,
           coalesce(array_agg(DISTINCT key ORDER BY key) FILTER (WHERE o.stock > 0), '{}') AS stock_keys,
           coalesce(array_agg(DISTINCT w.state ORDER BY w.state) FILTER (WHERE w.state <> ''), '{}')
               AS offer_states
    FROM catalog_offer AS o
    JOIN catalog_warehouse AS w ON w.id = o.warehouse_id
    CROSS JOIN LATERAL unnest(
        CASE WHEN w.state <> ''
            THEN ARRAY['any', 'd:' || o.distributor_id, 's:' || w.state,
                       'ds:' || o.distributor_id || ':' || w.state]
            ELSE ARRAY['any', 'd:' || o.distributor_id]
        END
    ) AS key
    WHERE o.is_active
    GROUP BY o.product_id
) AS k
WHERE p.id = k.product_id AND p.is_active;
CREATE INDEX IF NOT EXISTS catalog_product_offer_states_gin ON catalog_product USING GIN (offer_states);
CREATE INDEX IF NOT EXISTS catalog_product_stock_states_gin
    ON catalog_product USING GIN (stock_states jsonb_path_ops);
CREATE INDEX IF NOT EXISTS catalog_product_search_pool
    ON catalog_product (quality_score DESC, id)
    INCLUDE (search_vector, kind, brand_id, in_stock, offer_states, stock_states)
    WHERE is_active;
"""

BACKWARD = r"""
DROP INDEX IF EXISTS catalog_product_search_pool;
DROP INDEX IF EXISTS catalog_product_stock_states_gin;
DROP INDEX IF EXISTS catalog_product_offer_states_gin;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS offer_states;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS stock_keys;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS offer_keys;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_product_associations")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
