"""ASGI entry for daphne's runserver: HTTP through Django, openwisp's websockets in memory."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "owpeer.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

http_app = get_asgi_application()  # before the channels imports: they need the app registry

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from openwisp_controller.routing import get_routes  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(get_routes()))),
    }
)
