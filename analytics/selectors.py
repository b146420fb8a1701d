"""Read-side queries of the analytics app."""
