"""Read-side queries of the leads app."""
