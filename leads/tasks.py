"""Celery tasks of the leads app: take ids, import services inside, safe to run twice."""
