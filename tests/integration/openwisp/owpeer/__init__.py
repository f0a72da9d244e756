"""Django project of the test controller: openwisp-controller 1.3.2 on SpatiaLite, no Redis."""

from .tasks import celery_app

__all__ = ["celery_app"]
