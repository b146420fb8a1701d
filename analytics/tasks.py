"""Celery tasks of the analytics app: take ids, import services inside, safe to run twice."""
