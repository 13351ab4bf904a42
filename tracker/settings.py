"""Settings for GCM Tracker, read from the environment.

DJANGO_ENV=production switches on the deployment settings (DEBUG off, a SECRET_KEY
and ALLOWED_HOSTS required, HTTPS-only cookies, HSTS). Without it the project runs
for development on an embedded SQLite database.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}")
IS_PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "development-only-secret-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,[::1]")
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# The licence of the published data and whom the public may write to: shown on "How this
# tracker works", in every download and brief. Set them to what the network decides.
DATA_LICENCE_NAME = os.environ.get("DATA_LICENCE_NAME", "CC BY 3.0 IGO")
DATA_LICENCE_URL = os.environ.get(
    "DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/3.0/igo/"
)
PUBLIC_CONTACT_EMAIL = os.environ.get("PUBLIC_CONTACT_EMAIL", "")

INSTALLED_APPS = [
    # Before the admin, which it extends with a field per language.
    "modeltranslation",
    "tracker.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_tasks_db",
    "consultations",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "tracker.languages.PreferredLanguageMiddleware",
    "tracker.calendars.CalendarMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.time_zones.TimeZoneMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tracker.two_factor.RequireVerifiedMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Signs people in as Django does; what they may do is decided by tracker.permissions.
    "tracker.permissions.RoleBackend",
]

ROOT_URLCONF = "tracker.urls"


def _consultation_url(consultation) -> str:
    from django.urls import reverse

    return reverse("tracker:consultation_detail", args=[consultation.slug])


def _recommendation_url(recommendation) -> str:
    from tracker import links

    return links.recommendation_path(recommendation.code)


def _paragraph_url(paragraph) -> str:
    # A long report has several pages: ?paragraph= leads to the one holding it.
    url = _consultation_url(paragraph.consultation)
    return f"{url}?paragraph={paragraph.number}#{paragraph.anchor}"


# A report's and a recommendation's public pages show progress, so tracker serves them;
# the consultations app names no URL of tracker's.
ABSOLUTE_URL_OVERRIDES = {
    "consultations.consultation": _consultation_url,
    "consultations.recommendation": _recommendation_url,
    "consultations.paragraph": _paragraph_url,
}
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # The date filter, with Buddhist Era years for Thai readers who choose them.
            "builtins": ["tracker.templatetags.calendar_dates"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "tracker.context_processors.demo_data",
                "tracker.context_processors.site_facts",
                "tracker.languages.choices",
                "tracker.page_cache.csrf_placeholder",
            ],
        },
    },
]

FORM_RENDERER = "tracker.form_rendering.FormRenderer"

# SQLite by default, in WAL mode; writers take the lock at BEGIN (IMMEDIATE) and
# wait up to 20 s for it instead of failing with "database is locked". Connections are
# kept between requests: opening one (and its PRAGMAs) costs more than a cached page.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": SQLITE_PATH}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from psycopg_pool import ConnectionPool

    # psycopg's pool keeps the connections; Django must not keep its own (CONN_MAX_AGE=0).
    # Through a restart of the database (tests/faults/): each connection is checked before a
    # request gets it (a round trip, about 0.1 ms), so none broken by the restart is used;
    # while the database is down a request waits 3 s at most for a connection, then gets the
    # error page (500); and a new connection is tried every 2 s at most (psycopg doubles its
    # delay between attempts, to minutes after a long outage, until `reconnect_timeout`; the
    # next request starts again). Pages come back within seconds of the database, with no
    # restart of the app.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN_SIZE", 2)),
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", 10)),
        "check": ConnectionPool.check_connection,
        "timeout": 3,
        "reconnect_timeout": 5,
    }
    # The queries every page runs are prepared on the connections the pool keeps: after
    # its fifth run on a connection, PostgreSQL has a query parsed and planned already
    # (planning took 0.2-2.3 ms a query, often as long as running it or longer: a
    # country's open deadlines 1.1 ms to plan, 0.5 to run). Prepared statements need the
    # parameters bound by the server, and a connection of the app's own: behind a pooler
    # in transaction mode (PgBouncer's), DB_PREPARED_STATEMENTS=false turns them off.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# English and the languages of the GCM Champion Countries. Filipino is not among Django's
# languages: its entry is added to LANG_INFO (the one accepted way of adding a language).
LANG_INFO.setdefault(
    "fil",
    {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
)
LANGUAGES = [
    ("en", "English"),
    ("km", "Khmer"),
    ("th", "Thai"),
    ("id", "Indonesian"),
    ("ne", "Nepali"),
    ("fil", "Filipino"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Staff translate recommendations' short titles in the admin (consultations/translation.py):
# a column per language; a title with none in the page's language reads in English.
MODELTRANSLATION_LANGUAGES = tuple(code for code, _ in LANGUAGES)
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)


def MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME(name, language):
    """A column's label in the admin: "short title (ភាសាខ្មែរ)"."""
    from tracker.languages import NATIVE_NAMES

    return f"{name} ({NATIVE_NAMES['id' if language == 'ind' else language]})"


TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# One way of writing dates everywhere ("30 Nov 2026"), times with their zone named.
FORMAT_MODULE_PATH = ["tracker.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Evidence files live apart from MEDIA_ROOT, where no URL serves them: they are downloaded
# only through the view that checks who may see them (internal evidence included).
EVIDENCE_ROOT = Path(os.environ.get("EVIDENCE_ROOT", BASE_DIR / "var" / "evidence"))
UPLOADS_ROOT = Path(os.environ.get("UPLOADS_ROOT", BASE_DIR / "var" / "uploads"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": EVIDENCE_ROOT, "base_url": None},
    },
    # Files waiting for a background task: a report uploaded for import, until it is read.
    "uploads": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": UPLOADS_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# With S3_ENDPOINT_URL, evidence files live in S3-compatible object storage instead
# (django-storages), in a private bucket (no public ACL: objects take the bucket's own,
# which is private), under evidence/; they are still downloaded only through the view that
# checks who may see them, which streams them from the store. Reports uploaded for import
# wait there too, under uploads/, for the worker that reads them.
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
if S3_ENDPOINT_URL:
    for alias, folder in (("evidence", "evidence"), ("uploads", "uploads")):
        STORAGES[alias] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "endpoint_url": S3_ENDPOINT_URL,
                "bucket_name": os.environ.get("S3_BUCKET", "gcm-tracker"),
                "access_key": os.environ.get("S3_ACCESS_KEY_ID", ""),
                "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY", ""),
                "region_name": os.environ.get("S3_REGION", "us-east-1"),
                "location": folder,
                "default_acl": None,
                "file_overwrite": False,
                "addressing_style": os.environ.get("S3_ADDRESSING_STYLE", "path"),
                "signature_version": "s3v4",
            },
        }

# In development whitenoise serves straight from the apps' and project's static folders;
# production serves what `collectstatic` gathered in STATIC_ROOT.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# Public pages are cached whole, under a token that changes with any data they show
# (tracker/page_cache.py): changes show at once. 0 switches it off. The cache is a folder
# of files that gunicorn's workers share (a page is rendered once, not once per worker);
# REDIS_URL=redis://host:6379/0 puts it in Redis instead, for several application hosts.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", 3600))
# After a change, while one request renders a page afresh: how long the others wait for it,
# and for how long after the change visitors (not signed in) may be given the page as it
# was instead (tracker/page_cache.py).
PUBLIC_PAGE_WAIT_SECONDS = float(os.environ.get("PUBLIC_PAGE_WAIT_SECONDS", 2))
PUBLIC_PAGE_STALE_SECONDS = float(os.environ.get("PUBLIC_PAGE_STALE_SECONDS", 5))
CACHE_ENTRIES = int(os.environ.get("CACHE_ENTRIES", 2000))
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache"),
            "OPTIONS": {"MAX_ENTRIES": CACHE_ENTRIES},
        }
    }

# Largest evidence file (PDF, image, office document) a focal point may upload.
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))

# History: reverting to an old version would bypass review, so it is switched off.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Spreadsheet uploads of the progress table (bulk updates).
PROGRESS_IMPORT_MAX_BYTES = int(os.environ.get("PROGRESS_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
PROGRESS_IMPORT_MAX_ROWS = int(os.environ.get("PROGRESS_IMPORT_MAX_ROWS", 5000))
# An upload the size of an accepted spreadsheet stays in memory while it is checked: it is
# never written to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = PROGRESS_IMPORT_MAX_BYTES
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_IGNORE_BLANK_LINES = True
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True
# A previewed upload waits for its confirmation in the database (tracker.uploads): outside
# MEDIA_ROOT and any URL, whichever host serves the confirmation, and for an hour at most.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "tracker.uploads.PendingUploadStorage"
IMPORT_EXPORT_FORMATS = [
    "tracker.spreadsheet_formats.CSV",
    "tracker.spreadsheet_formats.XLSX",
    "tracker.spreadsheet_formats.JSON",
]

# Largest report file accepted by the admin upload: a published PDF (the PDF reader has its
# own limits: REPORT_PDF_MAX_BYTES, _MAX_PAGES, _SECONDS, _MEMORY in consultations/documents).
REPORT_UPLOAD_MAX_BYTES = int(os.environ.get("REPORT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))

# Background tasks (emails, reminders, digests, purges) are rows of the database, run by
# `manage.py run_worker` (django-tasks-db); tracker.worker retries them and runs again those
# of a worker that died.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
TASK_ATTEMPTS = int(os.environ.get("TASK_ATTEMPTS", 5))
TASK_RETRY_SECONDS = float(os.environ.get("TASK_RETRY_SECONDS", 30))  # doubled each time
TASK_HEARTBEAT_SECONDS = float(os.environ.get("TASK_HEARTBEAT_SECONDS", 10))
TASK_WORKER_LOST_SECONDS = float(os.environ.get("TASK_WORKER_LOST_SECONDS", 60))
TASK_TIMEOUT_SECONDS = float(os.environ.get("TASK_TIMEOUT_SECONDS", 3600))
TASK_KEEP_DAYS = int(os.environ.get("TASK_KEEP_DAYS", 14))
EMAIL_KEEP_DAYS = int(os.environ.get("EMAIL_KEEP_DAYS", 30))
# Deadline reminders and digests go out once a day, from this hour (TIME_ZONE).
DAILY_JOBS_HOUR = int(os.environ.get("DAILY_JOBS_HOUR", 6))

# Downloads bigger than these are made by the background worker (tracker/downloads.py):
# spreadsheets of more rows, briefs of more commitments. The page that waits for one looks
# again every DOWNLOAD_REFRESH_SECONDS; a download is kept DOWNLOAD_KEEP_HOURS.
DOWNLOAD_BACKGROUND_ROWS = int(os.environ.get("DOWNLOAD_BACKGROUND_ROWS", 10_000))
BRIEF_BACKGROUND_COMMITMENTS = int(os.environ.get("BRIEF_BACKGROUND_COMMITMENTS", 100))
DOWNLOAD_REFRESH_SECONDS = int(os.environ.get("DOWNLOAD_REFRESH_SECONDS", 3))
DOWNLOAD_KEEP_HOURS = int(os.environ.get("DOWNLOAD_KEEP_HOURS", 24))

# Mail: the console in development, SMTP from the environment in production.
if IS_PRODUCTION or os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", 25)),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gcm-tracker@localhost")

LOGIN_URL = "admin:login"

# Sign-in throttling: failures count per username *and* address together, so that nobody
# can lock a focal point out by guessing against their name from elsewhere.
AXES_VERBOSE = False  # no banner on every command
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tracker.client_ip.client_ip"
# Addresses of the reverse proxies whose X-Forwarded-For is believed; nobody else's is.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Two-factor sign-in (TOTP) for everyone who uses the admin, when switched on.
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=False)
OTP_TOTP_ISSUER = "GCM Tracker"

# No inline scripts or styles anywhere: the site, the admin and its extensions.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every page it lays out at INFO; its warnings (a missing glyph) stay.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}

# The read API (/api/v1/, tracker/api): JSON only, read by anyone, the data's licence in
# every response; anonymous clients are limited per address (the address as sign-in
# throttling reads it, through TRUSTED_PROXIES).
API_RATE = os.environ.get("API_RATE", "120/minute")
API_UNLIMITED_ADDRESSES = env_list("API_UNLIMITED_ADDRESSES")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # A token is needed only to submit; one that is sent anywhere and cannot be used is 401.
    "DEFAULT_AUTHENTICATION_CLASSES": ["tracker.api.tokens.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["tracker.api.throttling.AddressRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"address": API_RATE},
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "tracker.api.errors.handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GCM Tracker API",
    "DESCRIPTION": (
        "What the GCM Champion Countries do with the recommendations of their regional "
        "consultations: only progress reviewed by the UN Network on Migration, and public "
        "evidence. Reading is open to anyone, JSON, no key needed. Focal points' national "
        "systems submit progress (/api/v1/submissions/) with a personal API token; what "
        "they submit waits for review."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "LICENSE": {"name": DATA_LICENCE_NAME, "url": DATA_LICENCE_URL},
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every status, and the statuses an update may report (not "Not started").
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "tracker.models.Status",
        "ReportedStatusEnum": "tracker.api.submissions.REPORTED_STATUSES",
    },
}
# Following a country or a recommendation by email (tracker.following): how often an
# address may ask (the form), how soon a confirmation may be sent again for the same thing,
# how many confirmations an address gets a day, and how long an unconfirmed address stays.
FOLLOW_RATE = os.environ.get("FOLLOW_RATE", "10/hour")
FOLLOW_RESEND_HOURS = int(os.environ.get("FOLLOW_RESEND_HOURS", 24))
FOLLOW_CONFIRMATIONS_PER_DAY = int(os.environ.get("FOLLOW_CONFIRMATIONS_PER_DAY", 5))
FOLLOW_UNCONFIRMED_DAYS = int(os.environ.get("FOLLOW_UNCONFIRMED_DAYS", 7))

# CORS: any origin may read the API; nothing else is shared.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]
