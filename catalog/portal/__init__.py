"""Portal pages of the catalog (mounted at /portal/catalog/)."""
