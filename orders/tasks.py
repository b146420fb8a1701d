"""Celery tasks of the orders app: take ids, import services inside, safe to run twice."""
