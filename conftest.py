"""Fixtures shared by every app's tests."""

import pytest
from rest_framework.test import APIClient

from ysh.users.tests.factories import DEFAULT_PASSWORD, MembershipFactory

pytest_plugins = ["ysh.testing.browser"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    from catalog.search.cache import local_caches_clear

    cache.clear()
    local_caches_clear()
    yield
    cache.clear()
    local_caches_clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD


@pytest.fixture
def owner_membership(db):
    return MembershipFactory()


@pytest.fixture
def member_client(owner_membership):
    """An API client authenticated as the owner of a fresh organization (JWT)."""
    from ysh.users.api.serializers import tokens_for

    client = APIClient()
    tokens = tokens_for(owner_membership.user, owner_membership)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    client.membership = owner_membership
    return client
