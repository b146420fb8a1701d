"""Full-text and trigram search on PostgreSQL (a no-op on SQLite).

* extensions ``unaccent`` and ``pg_trgm`` (both "trusted": the database owner may create them);
* text search configuration ``pt_unaccent``: Portuguese stemming after accent folding, so
  "monofásico", "Monofasico" and "monofásicos" meet;
* ``catalog_product.search_vector``: a tsvector kept by a trigger from ``name`` (weight A) and
  ``search_text`` (weight B), with a GIN index. Ranking reads the stored vector: computing
  ``to_tsvector`` per row at query time cost ~1 s over 20k products, the stored one ~12 ms.
  A trigger rather than a generated column so that later migrations may still change the type
  of ``name``/``search_text`` (PostgreSQL refuses that for columns a generated column uses).
  The column is deliberately not a model field: SQLite has no tsvector, and only
  ``catalog.search.lexical`` reads it;
* a trigram GIN index on ``name`` for the typo fallback (``name %> 'fronios'``).
"""

from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pt_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION pt_unaccent (COPY = portuguese);
        ALTER TEXT SEARCH CONFIGURATION pt_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem;
    END IF;
END
$$;
ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS search_vector tsvector;
CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('pt_unaccent', coalesce(NEW.name, '')), 'A')
        || setweight(to_tsvector('pt_unaccent', coalesce(NEW.search_text, '')), 'B');
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS catalog_product_search_vector_update ON catalog_product;
CREATE TRIGGER catalog_product_search_vector_update
    BEFORE INSERT OR UPDATE OF name, search_text ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector();
UPDATE catalog_product SET search_vector =
    setweight(to_tsvector('pt_unaccent', coalesce(name, '')), 'A')
    || setweight(to_tsvector('pt_unaccent', coalesce(search_text, '')), 'B');
CREATE INDEX IF NOT EXISTS catalog_product_search_vector_gin ON catalog_product USING GIN (search_vector);
CREATE INDEX IF NOT EXISTS catalog_product_name_trgm ON catalog_product USING GIN (name gin_trgm_ops);
"""

BACKWARD = r"""
DROP INDEX IF EXISTS catalog_product_name_trgm;
DROP INDEX IF EXISTS catalog_product_search_vector_gin;
DROP TRIGGER IF EXISTS catalog_product_search_vector_update ON catalog_product;
DROP FUNCTION IF EXISTS catalog_product_search_vector();
ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector;
DROP TEXT SEARCH CONFIGURATION IF EXISTS pt_unaccent;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
