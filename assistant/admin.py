"""Admin of the assistant app."""
