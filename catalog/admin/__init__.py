"""Admin of the catalog app, one module per sub-domain."""

from catalog.admin import associations, imports, products, taxonomy  # noqa: F401
