"""Read-side queries of the catalog app."""
