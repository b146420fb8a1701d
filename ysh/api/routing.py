from django.urls import path


def slash_optional(route: str, view, name: str):
    """PRODUCT.md writes some paths without a trailing slash (``auth/login``); accept both forms.
    The slashed twin is hidden from the OpenAPI schema by ``ysh.api.schema.drop_slash_twins``."""
    return [path(route, view, name=name), path(f"{route}/", view)]
