"""Celery tasks of the catalog app: take ids, import services inside, safe to run twice."""
