import pytest
from django.test import Client


@pytest.fixture
def portal_client(owner_membership) -> Client:
    """A browser session signed in as the owner of a fresh organization."""
    client = Client()
    client.force_login(owner_membership.user)
    client.membership = owner_membership
    return client


@pytest.fixture
def signed_in():
    """Sign a user in on a fresh client: ``signed_in(user)``."""

    def _sign_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _sign_in
