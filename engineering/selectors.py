"""Read-side queries of the engineering app."""
