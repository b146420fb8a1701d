"""Read-side queries of the assistant app."""
