"""Admin of the leads app."""
