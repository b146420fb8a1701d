"""Homologation (HaaS): projects, documents, INMETRO checks and monitoring."""
