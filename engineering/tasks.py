"""Celery tasks of the engineering app: take ids, import services inside, safe to run twice."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def tariffs_refresh(source: str = "ckan") -> dict:
    """Weekly (``ysh/beat.py``): refresh utilities/tariffs from ANEEL open data, then drop expired
    cache entries. Idempotent: a second run with the same data creates nothing. If ANEEL is down
    the failure is recorded in ``TariffRefreshRun`` and the stored tariffs stay in force."""
    from engineering.aneel import aneel_cache_prune
    from engineering.irradiation import pvlib_cache_prune
    from engineering.tariffs import tariffs_refresh as refresh

    result = refresh(source=source)
    result["pruned"] = {"aneel": aneel_cache_prune(), "pvlib": pvlib_cache_prune()}
    logger.info("tariff refresh from %s: %s", source, result)
    return result


@shared_task(time_limit=300, soft_time_limit=280)
def render_proposal_pdf(analysis_id: int) -> dict:
    """Render and store the proposal PDF of an analysis (routed to the ``documents`` queue by the
    ``*.tasks.render_*`` rule). Safe to run twice: an up-to-date proposal is kept as it is."""
    from engineering.proposal import proposal_render

    analysis = proposal_render(analysis_id=analysis_id)
    if analysis is None:
        return {"analysis_id": analysis_id, "status": "missing"}
    return {"analysis_id": analysis_id, "status": analysis.proposal_status, "size": analysis.proposal_size}
