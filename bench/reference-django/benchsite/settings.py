"""Settings of the Django REST Framework benchmark peer: one SQLite database, no auth, JSON only."""

import os

DATABASE_FILE = os.environ["RESTABLE_BENCH_DATABASE"]

SECRET_KEY = "restable-bench-reference-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["rest_framework", "leaves"]
MIDDLEWARE = []
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"

USE_I18N = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATABASE_FILE,
        # One connection per worker for its whole life, as a tuned deployment would keep it.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # Busy timeout in seconds, so the two workers wait for each other's write lock.
            "timeout": 5,
            # Django >= 5.1: atomic blocks open with BEGIN IMMEDIATE.
            "transaction_mode": "IMMEDIATE",
            # Django >= 5.1: run on every new connection (the table is already in WAL mode).
            "init_command": "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Without django.contrib.auth installed there is no AnonymousUser to fall back on.
    "UNAUTHENTICATED_USER": None,
}

# No per-request logging; only errors reach stderr.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
