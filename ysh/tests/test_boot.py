import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from ysh.boot import require_secret_key


def test_serving_processes_refuse_the_unset_secret_key():
    # given settings loaded without SECRET_KEY outside DEBUG
    # when a web/worker/beat process boots, then it refuses
    with (
        override_settings(SECRET_KEY=settings.UNSET_SECRET_KEY),
        pytest.raises(ImproperlyConfigured, match="SECRET_KEY"),
    ):
        require_secret_key()


def test_a_real_secret_key_boots():
    with override_settings(SECRET_KEY="a-real-secret-from-the-environment"):
        require_secret_key()
