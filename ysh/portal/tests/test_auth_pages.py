"""Sign-in, sign-out and password reset pages."""

import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from ysh.users.models import LoginHistory
from ysh.users.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("portal:dashboard")
MEMBERS = reverse("portal:members")
LOGIN = reverse("portal:login")


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Sign-in ---------------------------------------------------------------------------------


def test_portal_pages_require_sign_in(client):
    # given an anonymous visitor
    # when they open portal pages
    # then they are sent to the sign-in page, coming back afterwards
    for url in (DASHBOARD, MEMBERS, reverse("portal:organization")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next={url}"


def test_login_page_is_in_brazilian_portuguese(client):
    # given the default language (pt-BR)
    # when the sign-in page is shown
    response = client.get(LOGIN)

    # then its text is Portuguese
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="pt-br">' in html
    assert "Entrar no portal" in html
    assert "Esqueceu sua senha?" in html
    assert reverse("portal:password_reset") in html


def test_login_with_email_and_password_lands_on_dashboard(client, owner_membership):
    # given an organization owner
    user = owner_membership.user

    # when they sign in with their e-mail in another case
    response = client.post(LOGIN, {"username": user.email.upper(), "password": DEFAULT_PASSWORD})

    # then they land on the dashboard and the sign-in is recorded as coming from the portal
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    entry = LoginHistory.objects.get(email=user.email, success=True)
    assert entry.source == "portal"


def test_login_with_wrong_password_shows_error(client, owner_membership):
    # given an existing account
    email = owner_membership.user.email

    # when the password is wrong
    response = client.post(LOGIN, {"username": email, "password": "errada-123456"})

    # then the form says so and the failure is recorded
    assert response.status_code == 200
    assert "E-mail ou senha incorretos." in response.content.decode()
    assert LoginHistory.objects.filter(email=email, success=False).count() == 1


def test_login_locked_after_too_many_failures_says_when_to_retry(client, owner_membership):
    # given as many failures as the lockout allows
    email = owner_membership.user.email
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post(LOGIN, {"username": email, "password": "errada-123456"})

    # when even the right password is tried
    response = client.post(LOGIN, {"username": email, "password": DEFAULT_PASSWORD})

    # then sign-in is refused with a clear message naming the wait in minutes
    html = response.content.decode()
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Muitas tentativas de entrada sem sucesso" in html
    assert re.search(r"Tente novamente em 15 minuto", html)


def test_logout_requires_post(portal_client):
    # given a signed-in user
    # when logout is requested by GET
    # then nothing happens; by POST the session ends
    assert portal_client.get(reverse("portal:logout")).status_code == 405
    response = portal_client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in portal_client.session


# --- Password reset --------------------------------------------------------------------------


def test_password_reset_request_and_confirm(client, owner_membership, django_capture_on_commit_callbacks):
    # given an account that forgot its password
    user = owner_membership.user

    # when a reset is requested
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:password_reset"), {"email": user.email})

    # then the same neutral answer is given and the e-mail carries a portal link
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/portal/password-reset/(\S+)/(\S+)/", mail.outbox[0].body)
    assert link
    confirm_url = reverse("portal:password_reset_confirm", args=[link.group(1), link.group(2)])
    assert client.get(confirm_url).status_code == 200

    # when mismatched passwords are sent, nothing changes
    response = client.post(
        confirm_url, {"new_password": "Inversor-Hibrido-5kW", "new_password_confirm": "outra-coisa-123"}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)

    # when a good new password is sent, it is set and the link dies
    response = client.post(
        confirm_url, {"new_password": "Inversor-Hibrido-5kW", "new_password_confirm": "Inversor-Hibrido-5kW"}
    )
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    user.refresh_from_db()
    assert user.check_password("Inversor-Hibrido-5kW")
    assert client.get(confirm_url).status_code == 400


def test_password_reset_for_unknown_email_answers_the_same(client):
    # given no account for the e-mail
    # when a reset is requested
    response = client.post(reverse("portal:password_reset"), {"email": "ninguem@example.com.br"}, follow=True)

    # then the answer does not reveal it and no e-mail is sent
    assert response.status_code == 200
    assert len(mail.outbox) == 0
    assert any("Se existir uma conta" in text for text in message_texts(response))


def test_password_reset_confirm_with_bad_link(client):
    # given a forged link
    # when it is opened
    response = client.get(reverse("portal:password_reset_confirm", args=["MQ", "nao-e-um-token"]))

    # then the page says the link cannot be used
    assert response.status_code == 400
    assert "não pode mais ser usado" in response.content.decode()


def test_password_reset_requests_are_rate_limited_per_email(client, django_capture_on_commit_callbacks):
    # given an account
    from django.core import mail

    from ysh.users.tests.factories import UserFactory

    user = UserFactory()
    # when more reset requests than allowed are sent for it
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            statuses.append(client.post("/portal/password-reset/", {"email": user.email}).status_code)
    # then the extra one is refused and no more e-mails go out
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
