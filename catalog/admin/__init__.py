"""Admin of the catalog app, one module per sub-domain."""

from catalog.admin import imports, products, taxonomy  # noqa: F401
