"""Read-side queries of the homologation app."""
