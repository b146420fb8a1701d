"""Read-side queries of the orders app."""
