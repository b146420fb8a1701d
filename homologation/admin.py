"""Admin of the homologation app."""
