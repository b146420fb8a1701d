import pytest

pytestmark = pytest.mark.django_db


def test_schema_lists_the_auth_contract(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/profile",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/organization",
        "/api/v1/organization/members/",
        "/api/v1/organization/invitations/",
    ]:
        assert path in paths, path


def test_swagger_ui_is_served_without_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_api_root(client):
    body = client.get("/api/v1/").json()
    assert body["docs"].endswith("/api/v1/docs/")


def test_unknown_api_path_is_a_json_404(api_client):
    response = api_client.get("/api/v1/does-not-exist/")
    assert response.status_code == 404


def test_unauthenticated_integrator_endpoint_is_401(api_client):
    response = api_client.get("/api/v1/organization/members/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
