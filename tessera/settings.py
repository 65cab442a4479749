"""Tessera settings: every value comes from the environment, with an embedded default.

The defaults run the whole portal on one machine with no services: SQLite and
uploaded files under ``var/``, e-mail printed to the console and kept in
``var/mail/``. ``.env.example`` documents every variable.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()


def read_env_file(path: Path) -> None:
    """Read ``path`` into the environment (variables already set win). A file that is there but cannot be read
    (a .env of root's, mode 600, and a service running as another user) stops the process: ignored, as
    django-environ would, its settings silently fall back to the development defaults (debug on, SQLite)."""
    try:
        with open(path, encoding="utf-8"):
            pass
    except FileNotFoundError:
        return
    except OSError as error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{path} cannot be read by this user ({error.strerror}): make it readable by the user that runs "
            "Tessera (docs/deploy.md: chown root:tessera .env; chmod 640 .env)."
        ) from None
    environ.Env.read_env(path, overwrite=False)


read_env_file(BASE_DIR / ".env")

DEBUG = env.bool("TESSERA_DEBUG", default=True)
# Outside DEBUG there is no default key: a key written here is known to everyone, and with it
# anyone can forge what Tessera signs (sessions, links, e-mail reply addresses).
SECRET_KEY = env.str("TESSERA_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "TESSERA_SECRET_KEY is not set. Outside DEBUG Tessera needs a secret key of its own: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'` and set TESSERA_SECRET_KEY "
            "(docs/deploy.md, \"The secret key\")."
        )
    SECRET_KEY = "insecure-development-key-change-me-in-production-0123456789"  # noqa: S105 (DEBUG only)
# Key rotation: the new key in TESSERA_SECRET_KEY, the old ones here (comma-separated) until what they
# signed has expired; signatures made with them still verify, new ones use the new key.
SECRET_KEY_FALLBACKS = env.list("TESSERA_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("TESSERA_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("TESSERA_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("TESSERA_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "tessera.core.admin.AdminConfig",  # django.contrib.admin: any search or selection, no 500 (core/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "axes",
    # Two-factor authentication (docs/security.md): TOTP devices and the recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "tessera.core",
    "tessera.branding",
    "tessera.accounts",
    "tessera.organizations",
    "tessera.tickets",
    "tessera.sla",
    "tessera.notifications",
    "tessera.audit",
    "tessera.portal",
    "tessera.desk",
    "tessera.demo",
    "tessera.backup",
    "tessera.imports",
    "tessera.health",
    # The REST API (docs/api.md): the interface app, its access tokens, DRF and the OpenAPI schema and docs.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tessera.tokens",
    "tessera.api",

    "tessera.webhooks",
]

MIDDLEWARE = [
    # First: the request id, the request's log line and its latency cover everything below (docs/deploy.md, "Logs").
    "tessera.core.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "tessera.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tessera.accounts.middleware.SessionActivityMiddleware",
    "tessera.accounts.middleware.TwoFactorRequiredMiddleware",
    "tessera.audit.middleware.AuditContextMiddleware",
    "tessera.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The object store down while a page needed it: a 503 page saying so (tessera/core/storage.py).
    "tessera.core.storage.StorageUnavailableMiddleware",
    # Last, as its documentation asks: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tessera.urls"
WSGI_APPLICATION = "tessera.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tessera" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tessera.branding.context_processors.branding",
            ],
        },
    },
]

# Form widgets render through the project's templates, so tessera/templates/django/forms/ can
# replace a widget's template (the select writes its options in one template, not one include each).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tessera.sqlite3'}"
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker read while the web server writes; the timeout
    # makes a writer wait for the lock instead of failing at once.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("TESSERA_DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tessera.accounts.backends.EmailOrUsernameBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "tessera.accounts.validators.DigitOrSpecialCharacterValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "tessera" / "locale"]
TIME_ZONE = env.str("TESSERA_TIME_ZONE", default="Europe/Rome")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("TESSERA_STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "tessera" / "static"]
MEDIA_ROOT = env.path("TESSERA_MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: attachments go through a checked view
# Production: collected static files carry a hash of their content in their names (tessera.3f1c2a9b.css), so the
# reverse proxy may cache them for a year; "manage.py collectstatic" must then run at every deploy (docs/deploy.md).
TESSERA_STATIC_MANIFEST = env.bool("TESSERA_STATIC_MANIFEST", default=not DEBUG)
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        if TESSERA_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
# Object storage (docs/deploy.md, "Object storage"): with TESSERA_S3_BUCKET set, attachments, logos, import files
# and the files of backups live in an S3-compatible bucket (AWS, MinIO, Ceph, ...) instead of MEDIA_ROOT.
# Endpoint and region: empty for AWS's own; keys: empty to use the machine's role (boto3's usual chain).
# Downloads pass the visibility check and the audit on the web node first, then either stream through it
# ("stream", the default: the bucket stays private to the nodes) or redirect to a link signed for
# TESSERA_S3_PRESIGNED_SECONDS ("redirect": the bytes go from the store to the browser directly).
TESSERA_S3_BUCKET = env.str("TESSERA_S3_BUCKET", default="")
TESSERA_S3_DOWNLOADS = env.str("TESSERA_S3_DOWNLOADS", default="stream")
TESSERA_S3_PRESIGNED_SECONDS = env.int("TESSERA_S3_PRESIGNED_SECONDS", default=60)
if TESSERA_S3_DOWNLOADS not in {"stream", "redirect"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f'TESSERA_S3_DOWNLOADS must be "stream" or "redirect", not "{TESSERA_S3_DOWNLOADS}".')
if TESSERA_S3_BUCKET:
    from botocore.config import Config as _S3Config

    STORAGES["default"] = {
        "BACKEND": "tessera.core.storage.S3Storage",
        "OPTIONS": {
            "bucket_name": TESSERA_S3_BUCKET,
            "endpoint_url": env.str("TESSERA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("TESSERA_S3_REGION", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("TESSERA_S3_PREFIX", default=""),
            "verify": env.bool("TESSERA_S3_VERIFY_TLS", default=True),
            "file_overwrite": False,  # like the local disk: a name in use gets a suffix, nothing is overwritten
            "default_acl": None,  # the bucket's own policy: private
            "querystring_auth": True,
            "querystring_expire": TESSERA_S3_PRESIGNED_SECONDS,
            "signature_version": "s3v4",
            # A store that does not answer fails the request within seconds (a 503 page), not after minutes.
            "client_config": _S3Config(
                connect_timeout=env.float("TESSERA_S3_TIMEOUT_SECONDS", default=5),
                read_timeout=env.float("TESSERA_S3_TIMEOUT_SECONDS", default=5) * 6,
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
                # "path" (http://host/bucket/key) suits MinIO and most stores; AWS also takes "virtual".
                s3={"addressing_style": env.str("TESSERA_S3_ADDRESSING_STYLE", default="path")},
            ),
        },
    }

# E-mail: the embedded default prints each message and keeps a copy in var/mail/.
EMAIL_URL = env.email_url("TESSERA_EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_URL["EMAIL_BACKEND"]
if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    EMAIL_BACKEND = "tessera.notifications.backends.ConsoleAndFileBackend"
EMAIL_HOST = EMAIL_URL.get("EMAIL_HOST", "localhost")
EMAIL_PORT = EMAIL_URL.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = EMAIL_URL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL_URL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL_URL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_URL.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.int("TESSERA_EMAIL_TIMEOUT", default=30)
EMAIL_FILE_PATH = env.path("TESSERA_EMAIL_FILE_PATH", default=VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("TESSERA_DEFAULT_FROM_EMAIL", default="Tessera Support <support@tessera.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": env.str("TESSERA_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("TESSERA_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
TESSERA_CSP = env.str(
    "TESSERA_CSP",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
)
# Behind a TLS-terminating proxy, set TESSERA_TRUST_X_FORWARDED_PROTO=true.
if env.bool("TESSERA_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("TESSERA_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("TESSERA_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("TESSERA_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("TESSERA_HSTS_PRELOAD", default=False)
# Joining the browsers' HSTS preload list binds every subdomain for years: the operator's decision.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# axes.W006 asks for the address among the lockout parameters: on purpose it is not there, since
# locking an address locks out a whole practice behind one router. Addresses are slowed down
# by tessera/accounts/login_throttle.py instead.
SILENCED_SYSTEM_CHECKS.append("axes.W006")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Tickets
TESSERA_TICKET_NUMBER_START = env.int("TESSERA_TICKET_NUMBER_START", default=800_000_000)
TESSERA_ATTACHMENT_MAX_BYTES = env.int("TESSERA_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS = env.bool("TESSERA_AGENTS_SEE_ONLY_TEAM_TICKETS", default=False)
# CC: at most this many addresses per ticket. A plain address (no account) must be at one of the
# organization's own domains (its active members' e-mail domains, public mail providers excepted).
TESSERA_CC_MAX_PER_TICKET = env.int("TESSERA_CC_MAX_PER_TICKET", default=10)
TESSERA_PUBLIC_MAIL_DOMAINS = env.list("TESSERA_PUBLIC_MAIL_DOMAINS", default=[
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "icloud.com",
    "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.de", "gmx.net", "gmx.at", "web.de", "t-online.de",
    "freenet.de", "libero.it", "virgilio.it", "alice.it", "tiscali.it", "yahoo.it", "hotmail.it", "outlook.it",
])
# What one customer, and one organization, may do in an hour that sends mail (tessera/tickets/rate_limits.py).
TESSERA_TICKETS_PER_HOUR_PER_USER = env.int("TESSERA_TICKETS_PER_HOUR_PER_USER", default=20)
TESSERA_TICKETS_PER_HOUR_PER_ORGANIZATION = env.int("TESSERA_TICKETS_PER_HOUR_PER_ORGANIZATION", default=100)
TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER = env.int("TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_USER", default=60)
TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_ORGANIZATION = env.int(
    "TESSERA_CUSTOMER_ACTIONS_PER_HOUR_PER_ORGANIZATION", default=300
)

# Login throttling (tessera/accounts/login_throttle.py): django-axes locks an account after
# TESSERA_LOGIN_FAILURE_LIMIT failures from anywhere for TESSERA_LOGIN_COOLOFF_MINUTES (its owner
# gets an unlock link); an address is only slowed down, with waits doubling from
# TESSERA_LOGIN_NETWORK_DELAY_AFTER failures on, and waits out the cool-off at
# TESSERA_LOGIN_NETWORK_FAILURE_LIMIT: a practice behind one router is never locked out by one user.
AXES_FAILURE_LIMIT = env.int("TESSERA_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("TESSERA_LOGIN_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "tessera.accounts.login_throttle.login_identity"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
TESSERA_LOGIN_NETWORK_DELAY_AFTER = env.int("TESSERA_LOGIN_NETWORK_DELAY_AFTER", default=10)
TESSERA_LOGIN_NETWORK_FAILURE_LIMIT = env.int("TESSERA_LOGIN_NETWORK_FAILURE_LIMIT", default=100)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Reverse proxies in front of Tessera that append the client's address to X-Forwarded-For (0: none, the
# client connects directly). The login throttle, the audit log and the link throttle all read
# tessera.core.client_ip; django-ipware is not installed, so axes needs the callable.
TESSERA_PROXY_COUNT = env.int("TESSERA_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "tessera.core.client_ip.client_ip"

# Two-factor authentication (tessera/accounts/two_factor.py, docs/security.md). Staff (agents and vendor
# administrators) must set it up before they can do anything else when TESSERA_REQUIRE_2FA_STAFF is true.
# Wrong codes are counted by axes like wrong passwords (same limit, same lock, same unlock link), so
# django-otp's own per-device delays are off: one counter, one message.
TESSERA_REQUIRE_2FA_STAFF = env.bool("TESSERA_REQUIRE_2FA_STAFF", default=False)
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Logs go to standard error. TESSERA_LOG_FORMAT=json writes one JSON object a line (what log collectors read;
# the container image sets it), "text" one plain line; every record carries the request id. At INFO (the level
# docs/deploy.md asks for in production) each request writes one line on the logger tessera.request: request id,
# user id, view, status, duration, query count.
TESSERA_LOG_FORMAT = env.str("TESSERA_LOG_FORMAT", default="text")
if TESSERA_LOG_FORMAT not in {"text", "json"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f'TESSERA_LOG_FORMAT must be "text" or "json", not "{TESSERA_LOG_FORMAT}".')
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "tessera.core.observability.logs.RequestIdFilter"}},
    "formatters": {
        "text": {"()": "tessera.core.observability.logs.TextFormatter"},
        "json": {"()": "tessera.core.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": TESSERA_LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("TESSERA_LOG_LEVEL", default="WARNING")},
}

# Metrics (/metrics, Prometheus): off unless a token or allowed networks are set; with both, both are asked.
# Scrapes send "Authorization: Bearer <token>"; networks are CIDRs (10.0.0.0/8,127.0.0.1/32) matched against
# the client's address (behind TESSERA_PROXY_COUNT proxies). Several processes: PROMETHEUS_MULTIPROC_DIR.
TESSERA_METRICS_TOKEN = env.str("TESSERA_METRICS_TOKEN", default="")
TESSERA_METRICS_ALLOWED_NETWORKS = env.list("TESSERA_METRICS_ALLOWED_NETWORKS", default=[])
for _network in TESSERA_METRICS_ALLOWED_NETWORKS:
    import ipaddress

    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f'TESSERA_METRICS_ALLOWED_NETWORKS: "{_network}" is not a network (e.g. 10.0.0.0/8).'
        ) from None
# The monitoring system scrapes the web processes directly over the private network, not through the proxy
# that terminates TLS: /metrics is not redirected to https (the token then crosses that network in clear).
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
# Health (tessera/health): load balancers probe the nodes over plain http on the private network, like /metrics.
# /readyz fails when a task due to run has waited this long for a worker (workers down or behind).
SECURE_REDIRECT_EXEMPT += [r"^healthz$", r"^readyz$"]
TESSERA_READY_MAX_TASK_AGE_SECONDS = env.int("TESSERA_READY_MAX_TASK_AGE_SECONDS", default=600)
# /readyz answers within this many seconds (a load balancer waits a few at most): a database or storage that has
# not answered by then fails its check ("did not answer within 2 seconds").
TESSERA_READY_TIMEOUT_SECONDS = env.float("TESSERA_READY_TIMEOUT_SECONDS", default=2)

# Ticket pages
TESSERA_ATTACHMENT_EXTENSIONS = env.list(
    "TESSERA_ATTACHMENT_EXTENSIONS",
    default=["pdf", "png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp", "txt", "log", "csv", "xml", "json",
             "zip", "docx", "xlsx", "pptx", "odt", "ods", "eml"],
)
TESSERA_ATTACHMENTS_PER_MESSAGE = env.int("TESSERA_ATTACHMENTS_PER_MESSAGE", default=10)
# Files stream through LimitedUploadHandler first, which refuses a file as soon as it passes the limit.
FILE_UPLOAD_HANDLERS = [
    "tessera.tickets.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Imports (tessera/imports, docs/import.md): the largest organizations file, and its most rows. Uploads in
# the desk are also held to TESSERA_ATTACHMENT_MAX_BYTES by the upload handler; larger files go through
# manage.py import_organizations.
TESSERA_IMPORT_MAX_BYTES = env.int("TESSERA_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
TESSERA_IMPORT_MAX_ROWS = env.int("TESSERA_IMPORT_MAX_ROWS", default=200_000)

# Organizations
# Linking to an organization at first login (customer code + postal code): after this many wrong
# pairs from one user, further tries wait until the oldest leaves the window.
TESSERA_LINK_FAILURE_LIMIT = env.int("TESSERA_LINK_FAILURE_LIMIT", default=5)
TESSERA_LINK_COOLOFF_MINUTES = env.int("TESSERA_LINK_COOLOFF_MINUTES", default=15)
# A practice shares one address: the limit per address is much higher than per user. An organization
# whose customer code is tried with wrong postal codes this often takes no link requests for a while.
TESSERA_LINK_NETWORK_FAILURE_LIMIT = env.int("TESSERA_LINK_NETWORK_FAILURE_LIMIT", default=50)
TESSERA_LINK_ORGANIZATION_FAILURE_LIMIT = env.int("TESSERA_LINK_ORGANIZATION_FAILURE_LIMIT", default=20)

# Accounts: how long the e-mailed links stay valid, how often account e-mails may be
# sent again, and how many wrong answers a link's page accepts before the link is void.
TESSERA_INVITATION_VALID_DAYS = env.int("TESSERA_INVITATION_VALID_DAYS", default=7)
TESSERA_REGISTRATION_CONFIRM_VALID_DAYS = env.int("TESSERA_REGISTRATION_CONFIRM_VALID_DAYS", default=3)
TESSERA_PASSWORD_RESET_VALID_HOURS = env.int("TESSERA_PASSWORD_RESET_VALID_HOURS", default=24)
TESSERA_ACCOUNT_EMAIL_INTERVAL_SECONDS = env.int("TESSERA_ACCOUNT_EMAIL_INTERVAL_SECONDS", default=60)
TESSERA_ACCOUNT_EMAILS_PER_DAY = env.int("TESSERA_ACCOUNT_EMAILS_PER_DAY", default=5)
TESSERA_TOKEN_MAX_FAILED_ATTEMPTS = env.int("TESSERA_TOKEN_MAX_FAILED_ATTEMPTS", default=5)

# Ticket list
TESSERA_TICKET_LIST_PAGE_SIZE = env.int("TESSERA_TICKET_LIST_PAGE_SIZE", default=25)
# Rows read per database round trip while an export streams; memory stays bounded by this, not by the export.
TESSERA_TICKET_EXPORT_CHUNK_SIZE = env.int("TESSERA_TICKET_EXPORT_CHUNK_SIZE", default=2000)

# Replies by e-mail: notifications carry Reply-To support+<ticket>.<user>.<signature>@<domain of this address>.
TESSERA_REPLY_ADDRESS = env.str("TESSERA_REPLY_ADDRESS", default="support@tessera.example")

# Benchmark
# `make bench` turns this on to mount the ceiling page (a static 20 KB view) at /bench/static/.
TESSERA_BENCH = env.bool("TESSERA_BENCH", default=False)

# Desk queues
TESSERA_DESK_QUEUE_PAGE_SIZE = env.int("TESSERA_DESK_QUEUE_PAGE_SIZE", default=25)
# How often an open queue refreshes its rows and counts in the browser (0: never).
TESSERA_DESK_QUEUE_REFRESH_SECONDS = env.int("TESSERA_DESK_QUEUE_REFRESH_SECONDS", default=60)
# "Recently closed" holds the tickets closed in this many days.
TESSERA_DESK_RECENTLY_CLOSED_DAYS = env.int("TESSERA_DESK_RECENTLY_CLOSED_DAYS", default=30)

# Automation
# A ticket with a provided solution that the customer leaves unanswered this many days is completed;
# the customer is reminded half-way. A ticket waiting for the customer's information is reminded once
# after TESSERA_CUSTOMER_ACTION_REMINDER_DAYS. The task worker checks every TESSERA_AUTOMATION_INTERVAL_MINUTES.
TESSERA_AUTO_COMPLETE_DAYS = env.int("TESSERA_AUTO_COMPLETE_DAYS", default=14)
TESSERA_CUSTOMER_ACTION_REMINDER_DAYS = env.int("TESSERA_CUSTOMER_ACTION_REMINDER_DAYS", default=5)
TESSERA_AUTOMATION_INTERVAL_MINUTES = env.int("TESSERA_AUTOMATION_INTERVAL_MINUTES", default=15)

# Inbound e-mail
# Mail to this address from a known, active user opens a ticket; replies to notifications go to
# plus-addresses of TESSERA_REPLY_ADDRESS (the two may be the same mailbox).
TESSERA_SUPPORT_ADDRESS = env.str("TESSERA_SUPPORT_ADDRESS", default="support@tessera.example")
# The SMTP receiver (manage.py run_mail_receiver) listens here; the MTA relays the two addresses to it.
TESSERA_INBOUND_SMTP_HOST = env.str("TESSERA_INBOUND_SMTP_HOST", default="127.0.0.1")
TESSERA_INBOUND_SMTP_PORT = env.int("TESSERA_INBOUND_SMTP_PORT", default=2525)
# Largest message the receiver accepts, in bytes.
TESSERA_INBOUND_MAX_BYTES = env.int("TESSERA_INBOUND_MAX_BYTES", default=32 * 1024 * 1024)
# The receiving mail server(s) whose Authentication-Results header (RFC 8601) Tessera believes, by
# authserv-id, comma-separated; empty = none. Only a mail with dmarc=pass from such a server may be
# threaded into a ticket without a reply address, and a mail that failed gets no automatic answer.
TESSERA_INBOUND_TRUSTED_AUTHSERV_IDS = env.list("TESSERA_INBOUND_TRUSTED_AUTHSERV_IDS", default=[])
# IMAP polling (manage.py poll_imap): imaps://user:password@host[:port]/INBOX (imap:// plain,
# imap+starttls:// upgraded); empty = off. Read mail is marked seen, or moved to the processed folder if set.
TESSERA_IMAP_URL = env.str("TESSERA_IMAP_URL", default="")
TESSERA_IMAP_PROCESSED_FOLDER = env.str("TESSERA_IMAP_PROCESSED_FOLDER", default="")
TESSERA_IMAP_POLL_SECONDS = env.int("TESSERA_IMAP_POLL_SECONDS", default=60)
# Category of tickets opened by e-mail (its team works them): an id or a path of names such as
# "Practice software / Invoicing". Empty = the first active top-level category.
TESSERA_EMAIL_TICKET_CATEGORY = env.str("TESSERA_EMAIL_TICKET_CATEGORY", default="")

# E-mail delivery
# Every message is stored (notifications.OutgoingEmail) and sent by the task worker after the commit. A failed
# attempt is tried again after 1, 2, 4, … minutes, never more than TESSERA_EMAIL_RETRY_MAX_MINUTES apart; after
# TESSERA_EMAIL_MAX_ATTEMPTS the message is marked failed and listed in the desk's outbox (/desk/outbox/).
TESSERA_EMAIL_MAX_ATTEMPTS = env.int("TESSERA_EMAIL_MAX_ATTEMPTS", default=10)
TESSERA_EMAIL_RETRY_MAX_MINUTES = env.int("TESSERA_EMAIL_RETRY_MAX_MINUTES", default=60)
# ``manage.py requeue_emails`` queues again messages still waiting this many minutes after they were due.
TESSERA_EMAIL_REQUEUE_AFTER_MINUTES = env.int("TESSERA_EMAIL_REQUEUE_AFTER_MINUTES", default=15)

# Backups
# Rows read per database round trip by "manage.py backup" and inserted per batch by "manage.py restore";
# their memory use is bounded by this, not by the size of the database.
TESSERA_BACKUP_CHUNK_SIZE = env.int("TESSERA_BACKUP_CHUNK_SIZE", default=2000)

# REST API (tessera/api, docs/api.md)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tessera.api.authentication.BearerTokenAuthentication",
        "tessera.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["tessera.api.permissions.TokenScopePermission"],
    "DEFAULT_THROTTLE_CLASSES": ["tessera.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "tessera.api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "tessera.api.errors.problem_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tessera API",
    "DESCRIPTION": "The REST API of Tessera: tickets for customers, agents and integrations. See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs' JavaScript and styles come from the drf-spectacular-sidecar package, served by us: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tessera.api.schema.add_problem_component",
    ],
}
# Requests a token may make per minute; one more is answered 429 with Retry-After. Counted in the database, so
# every web process on every node counts together.
TESSERA_API_TOKEN_RATE_PER_MINUTE = env.int("TESSERA_API_TOKEN_RATE_PER_MINUTE", default=600)
# Single sign-on with OpenID Connect (tessera/sso; README "Single sign-on", docs/security.md "SSO").
# TESSERA_OIDC_PROVIDERS names the providers, comma-separated (e.g. "cgm,staff"); each NAME is configured by
# TESSERA_OIDC_<NAME>_ISSUER (its discovery document is read from <issuer>/.well-known/openid-configuration),
# _CLIENT_ID, _CLIENT_SECRET, _SCOPES (default "openid email profile"), _LABEL (the button, e.g. "Log in with
# CGM Life"), _LOGO (an image URL on this site or a data: URI; the CSP allows no other), _AUDIENCE (customers or
# staff: who may log in through it).
INSTALLED_APPS += ["tessera.sso"]
AUTHENTICATION_BACKENDS += ["tessera.sso.backends.OidcBackend"]
TESSERA_OIDC_PROVIDERS = [
    {
        "name": _name.lower(),
        "issuer": env.str(f"TESSERA_OIDC_{_name.upper()}_ISSUER").rstrip("/"),
        "client_id": env.str(f"TESSERA_OIDC_{_name.upper()}_CLIENT_ID"),
        "client_secret": env.str(f"TESSERA_OIDC_{_name.upper()}_CLIENT_SECRET", default=""),
        "scopes": env.str(f"TESSERA_OIDC_{_name.upper()}_SCOPES", default="openid email profile"),
        "label": env.str(f"TESSERA_OIDC_{_name.upper()}_LABEL", default=f"Log in with {_name}"),
        "logo": env.str(f"TESSERA_OIDC_{_name.upper()}_LOGO", default=""),
        "audience": env.str(f"TESSERA_OIDC_{_name.upper()}_AUDIENCE", default="customers"),
    }
    for _name in env.list("TESSERA_OIDC_PROVIDERS", default=[])
]
# The discovery document and the provider's keys are kept this long before they are read again.
TESSERA_OIDC_DISCOVERY_CACHE_SECONDS = env.int("TESSERA_OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
# Seconds to wait for the provider (discovery, token, keys, user info) before telling the user it is down.
OIDC_TIMEOUT = env.int("TESSERA_OIDC_TIMEOUT_SECONDS", default=10)
# mozilla-django-oidc: authorization code flow with PKCE (S256) and a nonce; RS256 signatures checked against
# the provider's published keys (JWKS); the ID token is kept in the session for the logout at the provider.
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_STORE_ID_TOKEN = True
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
# false: customers log in only through a provider (staff keep the local login, an emergency way in).
TESSERA_LOCAL_LOGIN_CUSTOMERS = env.bool("TESSERA_LOCAL_LOGIN_CUSTOMERS", default=True)

# SLA (tessera/sla): a due time is shown as near this many minutes before it; "Breaching soon" holds those tickets.
TESSERA_SLA_WARNING_MINUTES = env.int("TESSERA_SLA_WARNING_MINUTES", default=60)

# Webhooks (tessera/webhooks, docs/webhooks.md). Never sent to loopback, link-local or private addresses unless
# TESSERA_WEBHOOKS_ALLOW_PRIVATE (SSRF). A failed attempt is tried again after BASE × 2^(n-1) seconds (at most
# RETRY_MAX_SECONDS), MAX_ATTEMPTS times; after DISABLE_AFTER_FAILURES failed attempts in a row the subscription
# is disabled and the vendor administrators are e-mailed.
TESSERA_WEBHOOKS_ALLOW_PRIVATE = env.bool("TESSERA_WEBHOOKS_ALLOW_PRIVATE", default=False)
TESSERA_WEBHOOKS_TIMEOUT_SECONDS = env.float("TESSERA_WEBHOOKS_TIMEOUT_SECONDS", default=10)
TESSERA_WEBHOOKS_MAX_ATTEMPTS = env.int("TESSERA_WEBHOOKS_MAX_ATTEMPTS", default=8)
TESSERA_WEBHOOKS_RETRY_BASE_SECONDS = env.int("TESSERA_WEBHOOKS_RETRY_BASE_SECONDS", default=30)
TESSERA_WEBHOOKS_RETRY_MAX_SECONDS = env.int("TESSERA_WEBHOOKS_RETRY_MAX_SECONDS", default=6 * 3600)
TESSERA_WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("TESSERA_WEBHOOKS_DISABLE_AFTER_FAILURES", default=20)
