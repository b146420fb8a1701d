"""Celery tasks of the assistant app: take ids, import services inside, safe to run twice."""
