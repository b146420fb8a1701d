"""YSH settings: one module, every external value from the environment (12-factor).

Unset variables fall back to the embedded defaults (SQLite, filesystem Celery transport,
local files, local Qdrant, offline embedder/LLM). Production secrets have no default when
DEBUG is off, so a misconfigured deploy fails at boot instead of running insecurely.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("YSH_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)
# Outside DEBUG there is no usable default: an unset SECRET_KEY becomes UNSET_SECRET_KEY, which the
# web, worker and beat processes refuse at boot (ysh/boot.py, called from wsgi/asgi/celery). Commands
# that sign nothing (makemigrations, check, spectacular, collectstatic) still run without it.
UNSET_SECRET_KEY = "unset:SECRET_KEY-is-required-outside-DEBUG"
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-insecure-ysh-secret-key-change-me" if DEBUG else UNSET_SECRET_KEY
)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Secret used to hash IP addresses (HMAC-SHA256); empty means SECRET_KEY. Raw IPs are never stored.
IP_HASH_SECRET = env.str("IP_HASH_SECRET", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "storages",
    # ours
    "ysh.users",
    "ysh.portal",
    "catalog",
    "engineering",
    "homologation",
    "orders",
    "leads",
    "analytics",
    "assistant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ysh.urls"
WSGI_APPLICATION = "ysh.wsgi.application"
ASGI_APPLICATION = "ysh.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ysh.portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ysh.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # libpq waits forever on a host that accepts and never answers (requests and /health/ready/
    # would hang); DATABASE_URL's ?connect_timeout= still wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and broker -----------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ysh.cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "ysh",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # File-based cache is shared by the web, worker and beat processes of `make run`.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Room for the distributors' conditional-request validators (one entry per page).
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = ["ysh.users.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:login"

# Lockout: after LOGIN_FAILURE_LIMIT failures for one e-mail (or one hashed IP) inside
# LOGIN_LOCKOUT_WINDOW minutes, further attempts are refused until the window passes.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
LOGIN_LOCKOUT_WINDOW = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
LOGIN_HISTORY_RETENTION_DAYS = env.int("LOGIN_HISTORY_RETENTION_DAYS", default=180)
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

# --- I18N -----------------------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Portuguese (Brazil)")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
CURRENCY = "BRL"

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))

# Documents are private. S3/MinIO when a bucket is configured, local files otherwise.
S3_BUCKET = env.str("S3_BUCKET", default=env.str("AWS_STORAGE_BUCKET_NAME", default=""))
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default=env.str("AWS_S3_ENDPOINT_URL", default=""))
if S3_BUCKET:
    from botocore.config import Config as _BotoConfig

    _documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": S3_ENDPOINT_URL or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default="us-east-1"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("S3_URL_EXPIRE_SECONDS", default=600),
            "file_overwrite": False,
            # django-storages ignores its addressing_style/signature_version options once a
            # client_config is given (signed URLs silently fell back to SigV2), so they live here.
            "client_config": _BotoConfig(
                connect_timeout=3,
                read_timeout=10,
                retries={"max_attempts": 3, "mode": "standard"},
                s3={"addressing_style": env.str("S3_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
            ),
        },
    }
else:
    _documents_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    },
    "documents": _documents_storage,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Vector index, LLM ----------------------------------------------------------------
QDRANT_URL = env.str("QDRANT_URL", default="")
QDRANT_API_KEY = env.str("QDRANT_API_KEY", default="") or None
QDRANT_PATH = env.str("QDRANT_PATH", default=str(VAR_DIR / "qdrant"))
QDRANT_TIMEOUT = env.int("QDRANT_TIMEOUT", default=5)
QDRANT_COLLECTION_PREFIX = env.str("QDRANT_COLLECTION_PREFIX", default="ysh")
# Embedded index only: how far behind another process's writes a reader's replica may fall
# before it is copied again in the background (ysh/vectors.py).
QDRANT_REPLICA_REFRESH_SECONDS = env.float("QDRANT_REPLICA_REFRESH_SECONDS", default=5.0)
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="") or None
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_EMBEDDING_MODEL = env.str("OPENAI_EMBEDDING_MODEL", default="text-embedding-3-small")
OPENAI_EMBEDDING_DIMENSIONS = env.int("OPENAI_EMBEDDING_DIMENSIONS", default=0) or None
# Offline embedder: torch threads per process (0 = torch's default, one per core). Set 1 for
# web processes that run one worker per core; leave the worker's batch indexing at the default.
EMBEDDER_THREADS = env.int("EMBEDDER_THREADS", default=0)
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=20.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=2)
LLM_TIMEOUT_SECONDS = env.float("LLM_TIMEOUT_SECONDS", default=30.0)
LLM_MAX_RETRIES = env.int("LLM_MAX_RETRIES", default=2)

# --- Catalog import ---------------------------------------------------------------------
CATALOG_INDEX_AFTER_IMPORT = env.bool("CATALOG_INDEX_AFTER_IMPORT", default=True)
CATALOG_IMPORT_STALE_MINUTES = env.int("CATALOG_IMPORT_STALE_MINUTES", default=30)
# Raw listings (every listing of every run, as received) older than this are pruned nightly, except
# the latest per listing and those an offer or a review decision points at.
CATALOG_RAW_LISTING_RETENTION_DAYS = env.int("CATALOG_RAW_LISTING_RETENTION_DAYS", default=90)
DEMO_FEEDS_BASE_URL = env.str("DEMO_FEEDS_BASE_URL", default="http://127.0.0.1:8765")

# --- External services (clients live in their apps) ------------------------------------
ASAAS_API_KEY = env.str("ASAAS_API_KEY", default="")
ASAAS_BASE_URL = env.str("ASAAS_BASE_URL", default="https://api-sandbox.asaas.com/v3")
ASAAS_WEBHOOK_TOKEN = env.str("ASAAS_WEBHOOK_TOKEN", default="")
WHATSAPP_TOKEN = env.str("WHATSAPP_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env.str("WHATSAPP_PHONE_NUMBER_ID", default="")
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="")
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="")
WHATSAPP_API_BASE_URL = env.str("WHATSAPP_API_BASE_URL", default="https://graph.facebook.com/v21.0")

# --- Engineering data sources (clients in engineering/) ---------------------------------
ANEEL_CKAN_URL = env.str("ANEEL_CKAN_URL", default="https://dadosabertos.aneel.gov.br")
ANEEL_TARIFFS_RESOURCE_ID = env.str(
    "ANEEL_TARIFFS_RESOURCE_ID", default="fcf2906c-7c32-4b9b-a637-054e7a5234f4"
)
VIACEP_URL = env.str("VIACEP_URL", default="https://viacep.com.br/ws/")
PVGIS_URL = env.str("PVGIS_URL", default="https://re.jrc.ec.europa.eu/api/")
PVGIS_ENABLED = env.str("PVGIS_ENABLED", default="true")
PVGIS_RETRY_AFTER_S = env.str("PVGIS_RETRY_AFTER_S", default="600")
# Estimate of PIS + COFINS on the energy bill (%): it varies month to month per utility.
TARIFF_PIS_COFINS_PCT = env.str("TARIFF_PIS_COFINS_PCT", default="5.5")
GOOGLE_SOLAR_API_KEY = env.str("GOOGLE_SOLAR_API_KEY", default="")
GOOGLE_SOLAR_API_URL = env.str("GOOGLE_SOLAR_API_URL", default="https://solar.googleapis.com")

# --- E-mail ---------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="YSH <nao-responda@yellosolarhub.com.br>")

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
_results_dir = VAR_DIR / "celery" / "results"
_results_dir.mkdir(parents=True, exist_ok=True)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or f"file://{_results_dir}")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- DRF ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ysh.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ysh.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "ysh.api.throttling.AnonRateThrottle",
        "ysh.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "auth": env.str("THROTTLE_AUTH", default="20/min"),
        "public": env.str("THROTTLE_PUBLIC", default="60/min"),
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    # Without JWT_SIGNING_KEY simplejwt signs with settings.SECRET_KEY (read, and so checked, lazily).
    **({"SIGNING_KEY": env.str("JWT_SIGNING_KEY")} if env.str("JWT_SIGNING_KEY", default="") else {}),
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=60),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "YSH — Yello Solar Hub API",
    "DESCRIPTION": (
        "API of the YSH platform for the Brazilian distributed-generation solar market: "
        "catalog, engineering, homologation (HaaS), orders, leads, analytics and the Helio "
        "assistant. Authenticate with `POST /api/v1/auth/login` and send "
        "`Authorization: Bearer <access>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["ysh.api.schema.drop_slash_twins"],
    "ENUM_NAME_OVERRIDES": {
        "MembershipRoleEnum": "ysh.users.models.Role",
    },
}

# --- Health ---------------------------------------------------------------------------
# Checks listed here are reported but do not turn /health/ready/ into 503.
HEALTH_OPTIONAL_CHECKS = env.list("HEALTH_OPTIONAL_CHECKS", default=[])

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
