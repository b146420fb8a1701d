"""Extract: one adapter per ``FeedFormat``, chosen by ``adapter_for(distributor)``.

adapter = adapter_for(distributor)
with DistributorClient(distributor) as client:
    for record in adapter.fetch(distributor, client):   # SourceRecord: raw text as received
        try:
            listing = adapter.parse(record)              # ListingData, distributor's words
        except ListingParseError as exc:
            ...                                          # rejected with exc.reason
adapter.report                                           # documents, 304s, problems, complete
"""

from catalog.models.taxonomy import FeedFormat
from catalog.pipeline.adapters.base import FeedAdapter, FeedProblem, FetchReport, ListingParseError
from catalog.pipeline.adapters.html_shop import HtmlShopAdapter
from catalog.pipeline.adapters.json_api import JsonApiAdapter
from catalog.pipeline.adapters.price_list import PriceListAdapter
from catalog.pipeline.adapters.xml_feed import XmlFeedAdapter

ADAPTERS: dict[str, type[FeedAdapter]] = {
    FeedFormat.JSON_API: JsonApiAdapter,
    FeedFormat.HTML: HtmlShopAdapter,
    FeedFormat.CSV: PriceListAdapter,
    FeedFormat.XML: XmlFeedAdapter,
}


def adapter_for(distributor) -> FeedAdapter:
    """A fresh adapter for the distributor's feed format, configured with its feed options."""
    try:
        adapter_class = ADAPTERS[distributor.feed_format]
    except KeyError:
        raise ValueError(f"no adapter for feed format {distributor.feed_format!r}") from None
    return adapter_class(distributor.feed_options or {})


__all__ = [
    "ADAPTERS",
    "FeedAdapter",
    "FeedProblem",
    "FetchReport",
    "ListingParseError",
    "adapter_for",
]
