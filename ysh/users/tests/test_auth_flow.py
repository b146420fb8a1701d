import pytest
from django.core import mail

from ysh.users.models import LoginHistory, Membership, Organization, Role, User

pytestmark = pytest.mark.django_db

REGISTER_URL = "/api/v1/auth/register"


def registration_payload(**overrides):
    payload = {
        "email": "Maria.Silva@SolarSul.com.br",
        "password": "Painel-Bifacial-550",
        "full_name": "Maria da Silva",
        "cpf": "529.982.247-25",
        "whatsapp": "(11) 99999-8888",
        "organization": {
            "legal_name": "Solar Sul Energia Ltda",
            "trade_name": "Solar Sul",
            "cnpj": "11.222.333/0001-81",
            "state": "RS",
            "city": "Porto Alegre",
            "cep": "90010-000",
        },
    }
    payload.update(overrides)
    return payload


def test_register_login_profile_refresh_logout(api_client):
    # given a new integrator registering
    response = api_client.post(REGISTER_URL, registration_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["email"] == "maria.silva@solarsul.com.br"
    assert body["user"]["cpf"] == "52998224725"
    assert body["user"]["whatsapp"] == "+5511999998888"
    organization = Organization.objects.get(cnpj="11222333000181")
    assert Membership.objects.get(organization=organization).role == Role.OWNER

    # when they log in
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": "maria.silva@solarsul.com.br", "password": "Painel-Bifacial-550"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    tokens = response.json()
    assert tokens["organization"] == organization.pk
    assert tokens["role"] == "owner"
    assert LoginHistory.objects.filter(email="maria.silva@solarsul.com.br", success=True).count() == 1

    # then the profile is theirs
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.get("/api/v1/auth/profile")
    assert response.status_code == 200
    profile = response.json()
    assert profile["full_name"] == "Maria da Silva"
    assert profile["memberships"][0]["organization_id"] == organization.pk

    response = api_client.patch("/api/v1/auth/profile", {"full_name": "Maria S. Souza"}, format="json")
    assert response.status_code == 200
    assert User.objects.get(email="maria.silva@solarsul.com.br").full_name == "Maria S. Souza"

    # refresh rotates the refresh token
    api_client.credentials()
    response = api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    rotated = response.json()
    assert rotated["refresh"] != tokens["refresh"]
    assert "access" in rotated

    # the old refresh token was blacklisted by the rotation
    response = api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401

    # logout blacklists the current one; using it again fails
    response = api_client.post("/api/v1/auth/logout", {"refresh": rotated["refresh"]}, format="json")
    assert response.status_code == 200
    response = api_client.post("/api/v1/auth/refresh", {"refresh": rotated["refresh"]}, format="json")
    assert response.status_code == 401
    response = api_client.post("/api/v1/auth/logout", {"refresh": rotated["refresh"]}, format="json")
    assert response.status_code == 401


def test_password_reset_request_and_confirm(api_client, django_capture_on_commit_callbacks):
    # given a registered user with a live refresh token
    api_client.post(REGISTER_URL, registration_payload(), format="json")
    login = api_client.post(
        "/api/v1/auth/login",
        {"email": "maria.silva@solarsul.com.br", "password": "Painel-Bifacial-550"},
        format="json",
    ).json()

    # when they ask for a reset
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/password-reset", {"email": "maria.silva@solarsul.com.br"}, format="json"
        )
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    uid = body.split("uid: ")[1].split()[0]
    token = body.split("token: ")[1].split()[0]

    # then a weak password is refused, a good one accepted, and old sessions are revoked
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "123"},
        format="json",
    )
    assert response.status_code == 400
    assert "new_password" in response.json()
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "Inversor-Hibrido-2026"},
        format="json",
    )
    assert response.status_code == 200
    response = api_client.post("/api/v1/auth/refresh", {"refresh": login["refresh"]}, format="json")
    assert response.status_code == 401
    # the token is single-use
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "Outra-Senha-Forte-99"},
        format="json",
    )
    assert response.status_code == 400
    assert "token" in response.json()
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": "maria.silva@solarsul.com.br", "password": "Inversor-Hibrido-2026"},
        format="json",
    )
    assert response.status_code == 200


def test_password_reset_unknown_email_answers_the_same(api_client):
    response = api_client.post("/api/v1/auth/password-reset", {"email": "ninguem@example.com"}, format="json")
    assert response.status_code == 202
    assert len(mail.outbox) == 0
