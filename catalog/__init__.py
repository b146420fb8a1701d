"""Catalog: products, brands, distributors, offers and the import pipeline."""
