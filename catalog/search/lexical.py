"""Lexical product search: PostgreSQL full text (Portuguese stemming + unaccent, trigram for
typos) with a working SQLite fallback. Both take an already filtered queryset, so every filter
of the storefront applies unchanged.

Ranking, best first, in tiers:

1. products matching every term (each term may be a typo alternative: "fronios" | "fronius");
2. products matching some terms (only when tier 1 did not fill ``limit``);
3. PostgreSQL only: names trigram-similar to a term (``name %> 'tigre'``) for spellings the
   vocabulary did not know.

Inside a tier PostgreSQL orders by ``ts_rank`` over the stored ``search_vector`` (name weighs
more than the rest of the document, see migration 0002); SQLite by how many terms match and
how many of them are in the name. A tier matching more than ``POOL`` products (a query made of
the catalog's most common words) is ranked among its ``POOL`` best-quality matches, so its cost
stays bounded whatever the catalog's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchVectorField, TrigramWordSimilarity
from django.db import connection, connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from catalog.search.filters import id_among
from catalog.search.query import ParsedQuery, Term, light_stem
from catalog.search.text import search_fold

CONFIG = "pt_unaccent"
DEFAULT_LIMIT = 100
# A tier matching more products than this (every kit for "kit solar": 13,600 of 21,000) is
# ranked among its POOL best-quality matches. Ranking the whole tier read every match (40-90 ms
# at 20k products, ts_rank mostly tied among them); with the pool, PostgreSQL can walk the
# quality index and stop early when matches are dense. Smaller tiers are ranked whole, as before.
POOL = 1000


@dataclass(frozen=True)
class LexicalRanking:
    ids: list[int] = field(default_factory=list)
    #: The products that matched every term (tier 1).
    complete: frozenset[int] = frozenset()


def lexical_ranking(
    *, queryset: QuerySet, query: ParsedQuery, limit: int = DEFAULT_LIMIT, pool: int = POOL
) -> LexicalRanking:
    """The products of ``queryset`` matching ``query``'s terms, best first. On PostgreSQL a
    tier matching more than ``pool`` products is ranked among its ``pool`` best-quality ones."""
    if not query.terms or limit <= 0:
        return LexicalRanking()
    if connection.vendor == "postgresql":
        return _postgres_ranking(queryset, query.terms, limit, max(pool, limit))
    return _fallback_ranking(queryset, query.terms, limit)


# --- PostgreSQL -------------------------------------------------------------------------


def _vector() -> RawSQL:
    return RawSQL('"catalog_product"."search_vector"', [], output_field=SearchVectorField())


def _tsquery_word(spelling: str) -> str:
    # Terms come from query_parse: [a-z0-9] with at most one inner ".digits", safe in raw
    # tsquery syntax. Words get prefix matching so "fron" finds Fronius while typing.
    return f"{spelling}:*" if len(spelling) >= 3 and not spelling.replace(".", "").isdigit() else spelling


def _term_tsquery(term: Term) -> str:
    return "(" + " | ".join(_tsquery_word(s) for s in term.spellings) + ")"


def _ranked_ids(queryset: QuerySet, tsquery: str, limit: int, exclude: list[int], pool: int) -> list[int]:
    """The ``limit`` matches of ``tsquery`` with the best ``ts_rank``, among the ``pool``
    best-quality matches (all of them when there are fewer)."""
    search = SearchQuery(tsquery, search_type="raw", config=CONFIG)
    matched = queryset.annotate(document=_vector()).filter(document=search)
    if exclude:
        matched = matched.exclude(id_among("id", exclude))
    pool = matched.order_by("-quality_score", "id").values_list("id", "quality_score", "document")[:pool]
    pool_sql, params = pool.query.get_compiler(using=pool.db).as_sql()
    # The ORM cannot select FROM a subquery; the inner SQL is Django's own, values are parameters.
    ranked = (
        "SELECT pool.id FROM (" + pool_sql + ") AS pool "  # noqa: S608
        "ORDER BY ts_rank(pool.document, to_tsquery(%s::regconfig, %s)) DESC, "
        "pool.quality_score DESC, pool.id LIMIT %s"
    )
    with connections[pool.db].cursor() as cursor:
        cursor.execute(ranked, (*params, CONFIG, tsquery, limit))
        return [row[0] for row in cursor.fetchall()]


def _postgres_ranking(queryset: QuerySet, terms: tuple[Term, ...], limit: int, pool: int) -> LexicalRanking:
    every = " & ".join(_term_tsquery(t) for t in terms)
    ids = _ranked_ids(queryset, every, limit, [], pool)
    complete = frozenset(ids)
    if len(terms) > 1 and len(ids) < limit:
        some = " | ".join(_term_tsquery(t) for t in terms)
        ids += _ranked_ids(queryset, some, limit - len(ids), ids, pool)
    # Tier 3 is for spellings the vocabulary did not know: a known word was matched (or ruled
    # out) by the full-text tiers already, and its trigram lookup would read every product
    # named with it ("solar": most of the catalog) to rank it again.
    typo_words = [t.text for t in terms if not t.known and t.text.isalpha() and len(t.text) >= 4]
    if typo_words and len(ids) < limit:
        # word_similarity(term, name) above pg_trgm.word_similarity_threshold (0.6), served by
        # the trigram index on name; ranked by the best similarity of any term.
        condition = Q()
        for word in typo_words:
            condition |= Q(RawSQL('%s <%% "catalog_product"."name"', [word], output_field=BooleanField()))
        similarity = TrigramWordSimilarity(typo_words[0], "name")
        for word in typo_words[1:]:
            similarity = similarity + TrigramWordSimilarity(word, "name")
        ids += list(
            queryset.filter(condition)
            .exclude(id_among("id", ids))
            .annotate(similarity=similarity)
            .order_by("-similarity", "-quality_score", "id")
            .values_list("id", flat=True)[: limit - len(ids)]
        )
    return LexicalRanking(ids=ids, complete=complete)


# --- SQLite (and any other database) -----------------------------------------------------


def _fallback_ranking(queryset: QuerySet, terms: tuple[Term, ...], limit: int) -> LexicalRanking:
    stems = [tuple({light_stem(s) for s in term.spellings}) for term in terms]
    condition = Q()
    for spellings in stems:
        for stem in spellings:
            condition |= Q(search_text__contains=stem)
    rows = queryset.filter(condition).values_list("id", "name", "search_text", "quality_score")
    scored = []
    for product_id, name, search_text, quality in rows.iterator(chunk_size=2000):
        words = search_text.split()
        name_words = search_fold(name).split()
        matched = in_name = 0
        for spellings in stems:
            if any(word.startswith(stem) for stem in spellings for word in words):
                matched += 1
                if any(word.startswith(stem) for stem in spellings for word in name_words):
                    in_name += 1
        if matched:
            everything = matched == len(stems)
            scored.append((not everything, -(matched + 0.5 * in_name), -quality, product_id))
    scored.sort()
    best = scored[:limit]
    return LexicalRanking(
        ids=[row[-1] for row in best], complete=frozenset(row[-1] for row in best if not row[0])
    )
