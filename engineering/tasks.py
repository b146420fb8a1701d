"""Celery tasks of the engineering app: take ids, import services inside, safe to run twice."""
