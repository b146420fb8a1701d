import pytest

from ysh.users.models import LoginHistory, Membership, Organization, User
from ysh.users.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from ysh.users.tests.test_auth_flow import REGISTER_URL, registration_payload

pytestmark = pytest.mark.django_db


def _nothing_created(users_before: int, orgs_before: int) -> bool:
    return User.objects.count() == users_before and Organization.objects.count() == orgs_before


@pytest.mark.parametrize(
    ("overrides", "error_path"),
    [
        ({"email": "not-an-email"}, ["email"]),
        ({"email": ""}, ["email"]),
        ({"password": "123"}, ["password"]),
        ({"password": "password123"}, ["password"]),
        ({"password": "mariadasilva"}, ["password"]),
        ({"full_name": ""}, ["full_name"]),
        ({"cpf": "111.111.111-11"}, ["cpf"]),
        ({"cpf": "529.982.247-24"}, ["cpf"]),
        ({"whatsapp": "12345"}, ["whatsapp"]),
        ({"organization": {"legal_name": "X Ltda", "cnpj": "11.222.333/0001-80"}}, ["organization", "cnpj"]),
        ({"organization": {"legal_name": "X Ltda", "cnpj": "abc"}}, ["organization", "cnpj"]),
        ({"organization": {"cnpj": "11.222.333/0001-81"}}, ["organization", "legal_name"]),
        (
            {"organization": {"legal_name": "X", "cnpj": "11.222.333/0001-81", "state": "XX"}},
            ["organization", "state"],
        ),
        (
            {"organization": {"legal_name": "X", "cnpj": "11.222.333/0001-81", "cep": "123"}},
            ["organization", "cep"],
        ),
        ({"organization": "not an object"}, ["organization"]),
    ],
)
def test_register_bad_field_gives_400_and_creates_nothing(api_client, overrides, error_path):
    # given
    users_before, orgs_before = User.objects.count(), Organization.objects.count()
    # when
    response = api_client.post(REGISTER_URL, registration_payload(**overrides), format="json")
    # then
    assert response.status_code == 400, response.content
    errors = response.json()
    for key in error_path:
        assert key in errors, errors
        errors = errors[key]
    assert errors  # a non-empty list of messages
    assert _nothing_created(users_before, orgs_before)


def test_register_missing_everything(api_client):
    response = api_client.post(REGISTER_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"email", "password", "full_name", "organization"}


def test_register_malformed_json_is_400(api_client):
    response = api_client.post(REGISTER_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_register_duplicates_are_field_errors(api_client):
    # given an existing user and organization
    UserFactory(email="maria.silva@solarsul.com.br", cpf="52998224725")
    OrganizationFactory(cnpj="11222333000181")
    users_before, orgs_before = User.objects.count(), Organization.objects.count()
    # when registering with the same e-mail (other case), CPF and CNPJ
    response = api_client.post(REGISTER_URL, registration_payload(), format="json")
    # then
    assert response.status_code == 400
    body = response.json()
    assert "email" in body
    assert "cpf" in body
    assert "cnpj" in body["organization"]
    assert _nothing_created(users_before, orgs_before)


def test_register_accepts_alphanumeric_cnpj(api_client):
    payload = registration_payload(
        organization={"legal_name": "Nova Era Solar Ltda", "cnpj": "12.ABC.345/01DE-35"}
    )
    response = api_client.post(REGISTER_URL, payload, format="json")
    assert response.status_code == 201, response.json()
    assert Organization.objects.filter(cnpj="12ABC34501DE35").exists()


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"email": "x@example.com"},
        {"password": "whatever"},
        {"email": "not-an-email", "password": "whatever"},
    ],
)
def test_login_bad_input(api_client, payload):
    response = api_client.post("/api/v1/auth/login", payload, format="json")
    assert response.status_code == 400
    assert response.json()


def test_login_wrong_password_is_401_and_recorded(api_client):
    user = UserFactory()
    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "errada-123456"}, format="json"
    )
    assert response.status_code == 401
    entry = LoginHistory.objects.get(email=user.email)
    assert entry.success is False
    assert entry.user == user
    assert entry.source == "api"
    assert len(entry.ip_hash) == 64 and "127.0.0.1" not in entry.ip_hash


def test_login_for_an_organization_the_user_is_not_in(api_client, password):
    membership = MembershipFactory()
    other = OrganizationFactory()
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": membership.user.email, "password": password, "organization": other.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "organization" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"cpf": "123"}, "cpf"),
        ({"whatsapp": "abc"}, "whatsapp"),
        ({"email": "nope"}, "email"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_profile_patch_bad_input(member_client, payload, field):
    user = member_client.membership.user
    before = (user.email, user.full_name, user.cpf, user.whatsapp)
    response = member_client.patch("/api/v1/auth/profile", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    user.refresh_from_db()
    assert (user.email, user.full_name, user.cpf, user.whatsapp) == before


def test_profile_patch_duplicate_email(member_client):
    other = UserFactory()
    response = member_client.patch("/api/v1/auth/profile", {"email": other.email.upper()}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_refresh_and_logout_bad_input(api_client):
    for url in ("/api/v1/auth/refresh", "/api/v1/auth/logout"):
        response = api_client.post(url, {}, format="json")
        assert response.status_code == 400
        assert "refresh" in response.json()
        response = api_client.post(url, {"refresh": "garbage"}, format="json")
        assert response.status_code == 401


def test_password_reset_bad_input(api_client):
    response = api_client.post("/api/v1/auth/password-reset", {"email": "nope"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    response = api_client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": "xx", "token": "yy", "new_password": "Uma-Senha-Forte-2026"},
        format="json",
    )
    assert response.status_code == 400
    assert "token" in response.json()
    response = api_client.post("/api/v1/auth/password-reset/confirm", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"uid", "token", "new_password"}


def test_profile_requires_authentication(api_client):
    response = api_client.get("/api/v1/auth/profile")
    assert response.status_code == 401


def test_membership_count_unchanged_on_failed_register(api_client):
    before = Membership.objects.count()
    api_client.post(REGISTER_URL, registration_payload(password="1"), format="json")
    assert Membership.objects.count() == before
