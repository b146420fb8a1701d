import pytest
from django.test import override_settings

from ysh.users.models import LoginHistory
from ysh.users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_lockout_after_repeated_failures(api_client, password):
    # given a user whose password is guessed wrong three times
    user = UserFactory()
    for _ in range(3):
        response = api_client.post(LOGIN, {"email": user.email, "password": "chute-errado-1"}, format="json")
        assert response.status_code == 401

    # when the right password is sent
    response = api_client.post(LOGIN, {"email": user.email, "password": password}, format="json")

    # then the account is locked for a while, with a clear answer
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_locked"
    assert int(response["Retry-After"]) > 0
    assert LoginHistory.objects.filter(email=user.email, success=True).count() == 0


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_lockout_also_blocks_session_login(client, password):
    user = UserFactory()
    for _ in range(3):
        client.post("/admin/login/", {"username": user.email, "password": "chute-errado-1"})
    user.is_staff = True
    user.save()
    response = client.post("/admin/login/", {"username": user.email, "password": password})
    assert response.status_code == 200  # the form again, not the redirect of a successful login
    assert "_auth_user_id" not in client.session
    assert LoginHistory.objects.filter(email=user.email, reason="locked", source="admin").exists()
    assert client.login(email=user.email, password=password) is False


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_success_resets_the_failure_count(api_client, password):
    user = UserFactory()
    for _ in range(2):
        api_client.post(LOGIN, {"email": user.email, "password": "chute-errado-1"}, format="json")
    assert (
        api_client.post(LOGIN, {"email": user.email, "password": password}, format="json").status_code == 200
    )
    for _ in range(2):
        api_client.post(LOGIN, {"email": user.email, "password": "chute-errado-1"}, format="json")
    assert (
        api_client.post(LOGIN, {"email": user.email, "password": password}, format="json").status_code == 200
    )


@override_settings(LOGIN_FAILURE_LIMIT=100, LOGIN_IP_FAILURE_LIMIT=4)
def test_one_ip_failing_across_accounts_is_locked(api_client, password):
    users = UserFactory.create_batch(4)
    for user in users:
        api_client.post(LOGIN, {"email": user.email, "password": "chute-errado-1"}, format="json")
    fresh = UserFactory()
    response = api_client.post(LOGIN, {"email": fresh.email, "password": password}, format="json")
    assert response.status_code == 429


def test_lock_expires_after_the_window(api_client, password, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = UserFactory()
    for _ in range(2):
        api_client.post(LOGIN, {"email": user.email, "password": "chute-errado-1"}, format="json")
    assert (
        api_client.post(LOGIN, {"email": user.email, "password": password}, format="json").status_code == 429
    )
    # move the failures back past the window
    from django.utils import timezone

    LoginHistory.objects.filter(email=user.email).update(
        created_at=timezone.now() - settings.LOGIN_LOCKOUT_WINDOW - timezone.timedelta(seconds=1)
    )
    assert (
        api_client.post(LOGIN, {"email": user.email, "password": password}, format="json").status_code == 200
    )


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "1000/min",
            "user": "1000/min",
            "auth": "3/min",
            "public": "3/min",
        },
    }
)
def test_auth_endpoints_are_throttled(api_client):
    codes = [
        api_client.post(LOGIN, {"email": "a@b.com", "password": "x"}, format="json").status_code
        for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
