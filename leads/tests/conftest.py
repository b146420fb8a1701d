import hashlib
import hmac

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from ysh.users.tests.factories import UserFactory


@pytest.fixture
def expected_ip_hash():
    """HMAC-SHA256 of an IP with the server secret, computed here independently of the code."""

    def compute(ip: str) -> str:
        secret = settings.IP_HASH_SECRET or settings.SECRET_KEY
        return hmac.new(secret.encode(), ip.encode(), hashlib.sha256).hexdigest()

    return compute


@pytest.fixture
def staff_client(db) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))
    return client
