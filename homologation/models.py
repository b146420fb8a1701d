"""Models of the homologation app."""
