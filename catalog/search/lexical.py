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
how many of them are in the name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from catalog.search.query import ParsedQuery, Term, light_stem
from catalog.search.text import search_fold

CONFIG = "pt_unaccent"
DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class LexicalRanking:
    ids: list[int] = field(default_factory=list)
    #: The products that matched every term (tier 1).
    complete: frozenset[int] = frozenset()


def lexical_ranking(*, queryset: QuerySet, query: ParsedQuery, limit: int = DEFAULT_LIMIT) -> LexicalRanking:
    """The products of ``queryset`` matching ``query``'s terms, best first."""
    if not query.terms or limit <= 0:
        return LexicalRanking()
    if connection.vendor == "postgresql":
        return _postgres_ranking(queryset, query.terms, limit)
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


def _ranked_ids(queryset: QuerySet, tsquery: str, limit: int, exclude: list[int]) -> list[int]:
    search = SearchQuery(tsquery, search_type="raw", config=CONFIG)
    matched = queryset.alias(document=_vector()).filter(document=search)
    if exclude:
        matched = matched.exclude(id__in=exclude)
    return list(
        matched.annotate(rank=SearchRank(_vector(), search))
        .order_by("-rank", "-quality_score", "id")
        .values_list("id", flat=True)[:limit]
    )


def _postgres_ranking(queryset: QuerySet, terms: tuple[Term, ...], limit: int) -> LexicalRanking:
    ids = _ranked_ids(queryset, " & ".join(_term_tsquery(t) for t in terms), limit, [])
    complete = frozenset(ids)
    if len(terms) > 1 and len(ids) < limit:
        ids += _ranked_ids(queryset, " | ".join(_term_tsquery(t) for t in terms), limit - len(ids), ids)
    typo_words = [t.text for t in terms if t.text.isalpha() and len(t.text) >= 4]
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
            .exclude(id__in=ids)
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
