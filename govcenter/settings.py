"""GovCenter settings, read from the environment.

Every variable has a safe default for the embedded run (SQLite, the ORM broker for django-q2), so an
empty environment starts the portal. Production sets SECRET_KEY and DEBUG=false; with DEBUG off and
no SECRET_KEY the portal refuses to start rather than sign sessions with a known key.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


SECRET_KEY = env_str("SECRET_KEY")
# No SECRET_KEY means the embedded demo run: debug on, with a key that is only good for a laptop.
DEBUG = env_bool("DEBUG", default=not SECRET_KEY)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (production).")
    SECRET_KEY = "insecure-embedded-demo-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
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
    "rest_framework.authtoken",
    "django_filters",
    "guardian",
    "django_q",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "govcenter.apps.GovcenterConfig",
    "grids.apps.GridsConfig",
    "cases.apps.CasesConfig",
    "mediation.apps.MediationConfig",
    "reports.apps.ReportsConfig",
    "onboarding.apps.OnboardingConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # An ETag on every full response: a browser asking again for what it has gets a 304, no body.
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "govcenter.middleware.ReadReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "govcenter.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "govcenter.urls"
WSGI_APPLICATION = "govcenter.wsgi.application"
ASGI_APPLICATION = "govcenter.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL unset: the embedded SQLite file. IMMEDIATE transactions take the write lock at
# BEGIN, so two writers queue instead of failing with "database is locked" on lock upgrade.
SQLITE_PATH = BASE_DIR / env_str("SQLITE_NAME", "db.sqlite3")
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
if env_str("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME")}
# Read replicas (PostgreSQL streaming replicas of DATABASE_URL), comma-separated: aliases replica1,
# replica2 … that read-only requests and `db_router.read_only()` read from (docs/scaling.md). None
# set: the router answers nothing and every query goes to default, as on one machine.
DATABASE_REPLICAS = [f"replica{index}" for index in range(1, len(env_list("DATABASE_REPLICA_URLS", [])) + 1)]
for alias, url in zip(DATABASE_REPLICAS, env_list("DATABASE_REPLICA_URLS", []), strict=True):
    DATABASES[alias] = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True)
    # Tests never create a database on a replica: it stands for default, as replication would.
    DATABASES[alias]["TEST"] = {"MIRROR": "default"}
if DATABASE_REPLICAS and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL on PostgreSQL.")
if DATABASE_REPLICAS and not env_str("REDIS_URL"):
    # Several app servers need one cache anyway; the API clients' read-your-writes pin lives in it.
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs REDIS_URL (a cache shared by the app servers).")
DATABASE_ROUTERS = ["govcenter.db_router.ReplicaRouter"]
# After a write (any request but GET, HEAD, OPTIONS) the client reads on the primary this long.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE columns) are PostgreSQL's; SQLite builds the same indexes without the
# extra columns, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# --- Cache --------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Per process: throttle counters count per gunicorn worker. Several workers or servers: REDIS_URL.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions live in the database, so any app server serves any request; with a shared cache the
# session is read from Redis first. Never cached_db on LocMemCache: a logout on one server would
# leave the session alive in another server's memory.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"

# --- Background work (django-q2) ------------------------------------------------------------------
# Every `manage.py qcluster`, on this host or another, takes tasks from the same queue: the Redis
# broker when Q_REDIS_URL (default REDIS_URL) is set, else the database. "name" is the queue's key,
# the same on every host. A task may run `timeout` seconds; one not acknowledged after `retry`
# seconds is handed out again, so retry must exceed timeout.
Q_REDIS_URL = env_str("Q_REDIS_URL", REDIS_URL)
Q_CLUSTER = {
    "name": "govcenter",
    "workers": env_int("Q_WORKERS", 2),
    "recycle": env_int("Q_RECYCLE", 500),
    "timeout": env_int("Q_TIMEOUT", 600),
    "retry": env_int("Q_RETRY", 900),
    "max_attempts": 3,
    "catch_up": False,
    "label": _("Background tasks"),
}
if Q_CLUSTER["retry"] <= Q_CLUSTER["timeout"]:
    raise ImproperlyConfigured("Q_RETRY must be larger than Q_TIMEOUT, or running tasks are started twice.")
if Q_REDIS_URL:
    Q_CLUSTER["redis"] = Q_REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth -----------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; citizens never get object grants

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "govcenter" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads and finished exports. Several app servers and qcluster hosts: one shared folder (an NFS
# mount at the same path everywhere), or another storage class in STORAGE_BACKEND with its keyword
# arguments as JSON in STORAGE_OPTIONS (docs/scaling.md).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env_str("STORAGE_OPTIONS"):
    STORAGES["default"]["OPTIONS"] = json.loads(env_str("STORAGE_OPTIONS"))
WHITENOISE_USE_FINDERS = True
# In the embedded run, serve straight from the source folders; production runs collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous caller then gets 401 with "WWW-Authenticate: Token", not 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "govcenter.drf.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "govcenter.schema.AutoSchema",
    "EXCEPTION_HANDLER": "govcenter.drf.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_str("AUTH_THROTTLE_RATE", "10/min"),
        "public": env_str("PUBLIC_THROTTLE_RATE", "20/hour"),
        "public_lookup": env_str("PUBLIC_LOOKUP_THROTTLE_RATE", "120/hour"),
    },
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GovCenter API",
    "DESCRIPTION": "综治中心 case-management portal: the REST contract for courts, police, hotlines and data pools.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name ("status", "kind", "level", "role") get a name of their own
    # in the schema, instead of a hash suffix that changes when a choice is added.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "cases.models.Kind",
        "CaseStatusEnum": "cases.models.Status",
        "CenterLevelEnum": "govcenter.divisions.Level",
        "HandoffStatusEnum": "cases.models.Handoff.State",
        "ImportStatusEnum": "onboarding.models.ImportRun.Status",
        "MemberRoleEnum": "govcenter.models.Role",
        "RatingValueEnum": "cases.models.Rating.Value",
        "RiskLevelEnum": "cases.risk.models.RiskLevel",
        "RiskMeasureKindEnum": "cases.risk.models.RiskMeasure.Kind",
        "WarningStatusEnum": "cases.risk.models.WarningStatus",
    },
}

# --- Security for production ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Behind a proxy that terminates TLS, set SECURE_SSL_REDIRECT=false and SECURE_PROXY_SSL_HEADER to the
# header the proxy sets (e.g. "HTTP_X_FORWARDED_PROTO=https"), so Django knows the request was HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    _header, _, _value = _proxy_ssl_header.partition("=")
    SECURE_PROXY_SSL_HEADER = (_header.strip(), _value.strip() or "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The preload directive only allows a submission to the browsers' lists; nothing is submitted here.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Content-Security-Policy (govcenter.middleware.ContentSecurityPolicyMiddleware): scripts only from
# the portal itself or with the per-request nonce.
CSP_ENABLED = env_bool("CSP_ENABLED", default=True)
# drf-spectacular's SpectacularSwaggerView starts the UI with an inline script; its split view
# (SpectacularSwaggerSplitView) serves that script from a URL and would let this list go empty.
CSP_INLINE_SCRIPT_PATHS = ["/api/docs/"]

# Login lockout (django-axes): N failures for one username from one address lock that pair out for
# the cool-off, on the login page and on the API token endpoint alike.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["govcenter.middleware.ContentSecurityPolicyMiddleware", "govcenter.middleware.LockoutMiddleware"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# In hours, as axes reads a number.
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# LockoutMiddleware is axes' own middleware with the portal's lockout page; axes checks for its name.
SILENCED_SYSTEM_CHECKS += ["axes.W002"]

# Log records never carry identity card or mobile numbers in clear (govcenter.logfilters.MaskPersonalDataFilter).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "govcenter.logfilters.MaskPersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "loggers": {
        "govcenter": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # A request that failed (500), with its traceback, masked. Django's default sends it only to
        # ADMINS by mail, which is not set: a production error would otherwise leave no trace.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- Documents ----------------------------------------------------------------------------------------
# Where a printed document's QR code sends the reader to check it (the portal's public address).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
VERIFY_THROTTLE_RATE = env_str("VERIFY_THROTTLE_RATE", "60/hour")

# --- Mail (optional) ------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "govcenter@localhost")
NOTIFY_BY_EMAIL = bool(EMAIL_HOST)

# --- Uploads ----------------------------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Exports ----------------------------------------------------------------------------------------
# How long a finished export's file is kept for its owner before the hourly sweep deletes it.
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 72)
# The most dossiers one bulk export (a ZIP) may hold; more must be narrowed by the filter.
EXPORT_MAX_CASES = env_int("EXPORT_MAX_CASES", 500)
# Early warning: the level from which a scored case raises a warning with visit tasks (yellow, orange
# or red), and the hours of cases a hotspot pass groups.
RISK_WARNING_LEVEL = env_str("RISK_WARNING_LEVEL", "orange")
HOTSPOT_WINDOW_HOURS = env_int("HOTSPOT_WINDOW_HOURS", 6)
