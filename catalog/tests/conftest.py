"""Catalog test fixtures: the demo distributors' systems served over real HTTP on 127.0.0.1."""

import pytest

from catalog.feedserver import FeedServer, start_feed_server
from catalog.fixtures.constants import DISTRIBUTORS
from catalog.models import Distributor


@pytest.fixture(scope="session")
def _feed_server_session():
    server, _ = start_feed_server(port=0)
    yield server
    server.stop()


@pytest.fixture
def feed_server(_feed_server_session) -> FeedServer:
    """``catalog.feedserver`` playing Fortlev/Neosolar/Odex/Solfacil from the sample feeds.
    One server per test session, reset for each test (no faults, empty ``requests`` log);
    ``feed_server.base_url`` is where it listens, ``feed_server.fault_add(...)`` injects faults."""
    _feed_server_session.reset()
    yield _feed_server_session
    _feed_server_session.reset()


@pytest.fixture
def make_distributor(feed_server):
    """An unsaved demo Distributor pointing at the feed server (no database needed):
    ``make_distributor("odex", feed_url=..., feed_options=...)``. No politeness delay unless given."""

    def build(slug: str, **changes) -> Distributor:
        demo = next(d for d in DISTRIBUTORS if d.slug == slug)
        fields = {
            "name": demo.name,
            "slug": demo.slug,
            "feed_format": demo.feed_format,
            "feed_url": feed_server.base_url + demo.feed_path,
            "feed_options": dict(demo.feed_options),
            "politeness_delay_ms": 0,
        }
        return Distributor(**{**fields, **changes})

    return build


@pytest.fixture
def demo_distributors(db, feed_server) -> dict[str, Distributor]:
    """The four demo Distributor rows (with warehouses) pointing at the feed server, without
    politeness delay so whole-feed tests stay fast."""
    from catalog.fixtures.distributors import distributors_install

    installed = distributors_install(feed_server.base_url)
    Distributor.objects.filter(pk__in=[d.pk for d in installed]).update(politeness_delay_ms=0)
    return {d.slug: d for d in Distributor.objects.filter(pk__in=[d.pk for d in installed])}
