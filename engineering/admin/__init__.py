"""Admin of the engineering app, one module per sub-domain."""

from engineering.admin import analyses, caches, engineers, financing, pricing, utilities  # noqa: F401
