"""Read side of the storefront (API and portal): product rows, facets and the product page."""
