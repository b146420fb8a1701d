"""What every feed adapter shares: the fetch/parse contract, the typed parse error, and the
report of what could not be read.

``fetch(distributor, client)`` yields one ``SourceRecord`` per listing with the exact text
received for it, and never stops on one bad listing: a listing that cannot be read is still
yielded (its ``parse`` raises ``ListingParseError`` with the reason), and what cannot even be
cut into listings (a truncated page, a product page that would not load, a repeated SKU) lands
in ``adapter.report.problems``. ``report.complete`` is False when listings may be missing, so
the pipeline must not treat unseen offers as delisted. ``parse(record)`` is pure.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from catalog.distributor_http import DistributorClient, FeedResponse
from catalog.pipeline.types import ListingData, SourceRecord


class ListingParseError(ValueError):
    """A listing the adapter cannot read; ``reason`` says why (shown in the ImportRun)."""

    def __init__(self, reason: str, *, field: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class FeedProblem:
    """Something in the feed that is not a readable listing. ``raw`` keeps the text involved
    (a duplicate listing, the unreadable tail of a page) when there is one."""

    reason: str
    url: str = ""
    external_id: str = ""
    raw: str = ""


@dataclass
class FetchReport:
    documents: int = 0  # pages/files requested successfully (304s included)
    not_modified: int = 0  # of which the distributor answered 304 (body from the conditional cache)
    records: int = 0  # SourceRecords yielded
    complete: bool = True  # False when a page or listing could not be read at all
    problems: list[FeedProblem] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        """Every document was answered 304: the feed is exactly what the last run saw."""
        return self.documents > 0 and self.not_modified == self.documents


class FeedAdapter(ABC):
    feed_format: ClassVar[str]

    def __init__(self, options: dict[str, Any] | None = None):
        self.options = dict(options or {})
        self.report = FetchReport()

    @property
    def problems(self) -> list[FeedProblem]:
        return self.report.problems

    def fetch(self, distributor, client: DistributorClient) -> Iterator[SourceRecord]:
        """The feed's listings, each distributor SKU once (a repeated SKU is a problem)."""
        self.report = FetchReport()
        seen: set[str] = set()
        for record in self.records(distributor, client):
            if record.external_id in seen:
                self.problem(
                    f"duplicate SKU {record.external_id}: only the first listing with it is imported",
                    url=record.source_url,
                    external_id=record.external_id,
                    raw=record.raw,
                )
                continue
            seen.add(record.external_id)
            self.report.records += 1
            yield record

    @abstractmethod
    def records(self, distributor, client: DistributorClient) -> Iterator[SourceRecord]:
        """Every listing in the feed, in feed order."""

    @abstractmethod
    def parse(self, record: SourceRecord) -> ListingData:
        """The listing in the distributor's words; raises ``ListingParseError``."""

    # --- helpers for subclasses ----------------------------------------------------------
    def get(self, client: DistributorClient, url: str, **kwargs) -> FeedResponse:
        response = client.get(url, **kwargs)
        self.report.documents += 1
        if response.not_modified:
            self.report.not_modified += 1
        return response

    def problem(self, reason: str, *, url: str = "", external_id: str = "", raw: str = "", lost=False):
        self.report.problems.append(FeedProblem(reason, url, external_id, raw[:20_000]))
        if lost:
            self.report.complete = False


def absolute(base: str, href: str | None) -> str:
    """A link from the feed made absolute against where it was found."""
    href = (href or "").strip()
    return urljoin(base, href) if href else ""


def same_site(url: str, feed_url: str) -> bool:
    """Crawling stays on the distributor's own host: a link elsewhere is never followed."""
    a, b = urlsplit(url), urlsplit(feed_url)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)
