"""Celery tasks of the homologation app: take ids, import services inside, safe to run twice."""
