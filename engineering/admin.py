"""Admin of the engineering app."""
