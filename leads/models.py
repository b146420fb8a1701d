"""Models of the leads app."""
