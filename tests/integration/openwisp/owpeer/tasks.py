"""A Celery app bound to the Django settings.

openwisp queues its background work (commands, config pushes) with @shared_task; without an
app reading CELERY_* from settings those tasks would look for an AMQP broker. Here they run
eagerly inside the request (settings.CELERY_TASK_ALWAYS_EAGER), so no worker is needed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "owpeer.settings")

celery_app = Celery("owpeer")
celery_app.config_from_object("django.conf:settings", namespace="CELERY")
celery_app.autodiscover_tasks()
