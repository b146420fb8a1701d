"""Leads: capture, scoring, funnel, notifications and LGPD."""
