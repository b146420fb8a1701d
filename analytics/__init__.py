"""Analytics: events, catalog access and reports."""
