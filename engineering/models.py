"""Models of the engineering app."""
