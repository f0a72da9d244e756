"""Settings of the loopback-only openwisp-controller the noc-tui integration tests talk to.

Everything lives in OPENWISP_STATE_DIR (database, media, static): one directory per test
session, so runs never share data. No Redis or broker: local-memory cache, in-memory channel
layer, Celery tasks run eagerly in the web process.
"""

import os
from pathlib import Path

STATE_DIR = Path(os.environ.get("OPENWISP_STATE_DIR", Path.cwd() / "state")).resolve()

DEBUG = os.environ.get("OPENWISP_DEBUG") == "1"
SECRET_KEY = "noc-tui-test-controller-on-loopback-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# openwisp_utils' SpatiaLite backend: Django's own, with a faster spatial-metadata init.
DATABASES = {
    "default": {
        "ENGINE": "openwisp_utils.db.backends.spatialite",
        "NAME": str(STATE_DIR / "openwisp.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}
SPATIALITE_LIBRARY_PATH = "mod_spatialite.so"  # from Debian's libsqlite3-mod-spatialite
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SILENCED_SYSTEM_CHECKS = ["gis.W001"]  # GDAL 3.6 (Debian 12) vs 3.9's sandbox: moot on loopback

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.sites",
    "openwisp_users.accounts",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "openwisp_users",
    "openwisp_controller.config",
    "openwisp_controller.pki",
    "openwisp_controller.geo",
    "openwisp_controller.connection",
    "openwisp_notifications",
    "openwisp_ipam",  # the config admin imports it
    "openwisp_utils.admin_theme",  # before django.contrib.admin
    "admin_auto_filters",
    "django.contrib.admin",
    "django.forms",
    "sortedm2m",
    "reversion",
    "leaflet",
    "flat_json_widget",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_yasg",
    "channels",
    "import_export",
]
EXTENDED_APPS = ("django_x509", "django_loci")  # openwisp's models extend theirs
AUTH_USER_MODEL = "openwisp_users.User"
SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "owpeer.urls"
ASGI_APPLICATION = "owpeer.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {
            "loaders": [
                "django.template.loaders.filesystem.Loader",
                "openwisp_utils.loaders.DependencyLoader",
                "django.template.loaders.app_directories.Loader",
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openwisp_utils.admin_theme.context_processor.menu_groups",
                "openwisp_notifications.context_processors.notification_api_settings",
            ],
        },
    }
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

STATIC_URL = "/static/"
STATIC_ROOT = str(STATE_DIR / "static")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "openwisp_utils.staticfiles.DependencyFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = str(STATE_DIR / "media")

TIME_ZONE = "UTC"  # timestamps end in "Z", as the client's tests expect
LANGUAGE_CODE = "en-gb"
USE_TZ = True
USE_I18N = False

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False  # a failed task must not fail its request, as with a worker

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
LOGIN_REDIRECT_URL = "admin:index"
ACCOUNT_LOGOUT_REDIRECT_URL = LOGIN_REDIRECT_URL
LEAFLET_CONFIG = {"RESET_VIEW": False}

OPENWISP_USERS_AUTH_API = True  # POST /api/v1/users/token/ (throttled: 20 a day per address)
OPENWISP_CONTROLLER_GROUP_PIE_CHART = True
OPENWISP_CONTROLLER_MANAGEMENT_IP_ONLY = True  # SSH only to management_ip: loopback in the seed
OPENWISP_SSH_CONNECTION_TIMEOUT = 3
DJANGO_LOCI_GEOCODE_STRICT_TEST = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.channels.server": {"handlers": ["console"], "level": "INFO", "propagate": False}
    },
}
