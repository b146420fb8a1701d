from catalog.models.associations import ProductAssociation
from catalog.models.imports import DedupCandidate, ImportRun, RawListing
from catalog.models.products import KitComponent, Offer, PriceHistory, Product
from catalog.models.taxonomy import Brand, BrandAlias, Category, Distributor, Warehouse

__all__ = [
    "Brand",
    "BrandAlias",
    "Category",
    "DedupCandidate",
    "Distributor",
    "ImportRun",
    "KitComponent",
    "Offer",
    "PriceHistory",
    "Product",
    "ProductAssociation",
    "RawListing",
    "Warehouse",
]
