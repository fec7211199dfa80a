"""Django settings, read from the environment (interfaces.md, "Configuration").

MEPSIS_DATABASE_URL  where the data lives (default: a SQLite file under MEPSIS_DATA_DIR)
MEPSIS_DATA_DIR      the folder for the SQLite file, the secret key and uploads (default ./var)
MEPSIS_STATE         two-letter code of the state that runs the system (default WI)
MEPSIS_SOON_AFTER_DAYS  the "soon after the move" window of the engaged prong, in days (default 60)
MEPSIS_SEA_EDFI_ID   the SEA's Ed-Fi education organization id (default: the state's FIPS code, 55 for WI)
MEPSIS_SMALL_CELL    counts below the state hide cells of fewer children than this (default 10)
MEPSIS_SECRET_KEY    Django's secret key (default: made once and kept in MEPSIS_DATA_DIR/secret_key)
MEPSIS_SESSION_SECONDS, MEPSIS_LOGIN_FAILURES, MEPSIS_LOGIN_COOLOFF_MINUTES  sign-in (see below)
MEPSIS_DEBUG, MEPSIS_ALLOWED_HOSTS, MEPSIS_TIME_ZONE
"""

import datetime
import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MEPSIS_DATA_DIR") or "var").resolve()

MEPSIS_STATE = (os.environ.get("MEPSIS_STATE") or "WI").upper()
MEPSIS_SOON_AFTER_DAYS = int(os.environ.get("MEPSIS_SOON_AFTER_DAYS") or 60)

# The state education agency's Ed-Fi education organization id (the programReference of every SMEPA
# record). Ed-Fi ids are positive integers and each state picks its own; until it sets it, the state's
# FIPS code stands in (0, refused by the export, for a state code without one).
_STATE_FIPS = {
    "AL": 1, "AK": 2, "AZ": 4, "AR": 5, "CA": 6, "CO": 8, "CT": 9, "DE": 10, "DC": 11, "FL": 12, "GA": 13,
    "HI": 15, "ID": 16, "IL": 17, "IN": 18, "IA": 19, "KS": 20, "KY": 21, "LA": 22, "ME": 23, "MD": 24,
    "MA": 25, "MI": 26, "MN": 27, "MS": 28, "MO": 29, "MT": 30, "NE": 31, "NV": 32, "NH": 33, "NJ": 34,
    "NM": 35, "NY": 36, "NC": 37, "ND": 38, "OH": 39, "OK": 40, "OR": 41, "PA": 42, "RI": 44, "SC": 45,
    "SD": 46, "TN": 47, "TX": 48, "UT": 49, "VT": 50, "VA": 51, "WA": 53, "WV": 54, "WI": 55, "WY": 56,
    "AS": 60, "GU": 66, "MP": 69, "PR": 72, "VI": 78,
}
MEPSIS_SEA_EDFI_ID = int(os.environ.get("MEPSIS_SEA_EDFI_ID") or _STATE_FIPS.get(MEPSIS_STATE, 0))
# The state's FIPS code, as EDFacts files name the state ("55" for WI).
MEPSIS_STATE_FIPS = _STATE_FIPS.get(MEPSIS_STATE, 0)
# Counts below the state level hide cells of fewer children than this, with complementary suppression.
MEPSIS_SMALL_CELL = int(os.environ.get("MEPSIS_SMALL_CELL") or 10)

# The stages that link a run's enrollments to certified children, in order; each is called as
# stage(run, actor=...) and returns a mepsis.matching.exact.LinkReport.
MEPSIS_LINK_STAGES = ["mepsis.matching.exact.link_exact", "mepsis.matching.probabilistic.link_probabilistic"]
# Probabilistic linkage: the engine (duckdb, or spark on MEPSIS_SPARK_MASTER) and the match weights at or
# above which a pair is linked, and at or above which it goes to the match worklist.
MEPSIS_LINK_ENGINE = os.environ.get("MEPSIS_LINK_ENGINE") or "duckdb"
MEPSIS_SPARK_MASTER = os.environ.get("MEPSIS_SPARK_MASTER") or "local[*]"
MEPSIS_LINK_AUTO_WEIGHT = float(os.environ.get("MEPSIS_LINK_AUTO_WEIGHT") or 12)
MEPSIS_LINK_REVIEW_WEIGHT = float(os.environ.get("MEPSIS_LINK_REVIEW_WEIGHT") or 4)


def _database_url() -> str:
    url = os.environ.get("MEPSIS_DATABASE_URL")
    if url:
        return url
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA_DIR / 'mepsis.sqlite3'}"


def _secret_key() -> str:
    key = os.environ.get("MEPSIS_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


# Each gunicorn worker keeps its connection between requests: opening a PostgreSQL connection costs more
# than most pages' queries together (checked before reuse, so a restarted server is no error).
DATABASES = {"default": dj_database_url.parse(_database_url(), conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE avoids lock upgrades failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": None}
else:
    # PostgreSQL's JIT compiles the plans of costly queries: it adds most of a second to a regional count and
    # never paid back on these queries, which read by index.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

SECRET_KEY = _secret_key()
DEBUG = (os.environ.get("MEPSIS_DEBUG") or "").lower() in ("1", "true", "yes")
ALLOWED_HOSTS = (os.environ.get("MEPSIS_ALLOWED_HOSTS") or "localhost,127.0.0.1,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "mepsis.access",
    "mepsis.reference",
    "mepsis.orgs",
    "mepsis.registry",
    "mepsis.enrollments",
    "mepsis.matching",
    "mepsis.alerts",
    "mepsis.reports",
    "mepsis.delivery",
    "axes",
    "django_htmx",
    "mepsis.web",
    "rest_framework",
    "drf_spectacular",
    "mepsis.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mepsis.access.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it turns a locked-out sign-in into its answer (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mepsis.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
WSGI_APPLICATION = "mepsis.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"

# Sign-in (roles.md): passwords hashed by Django; a session lasts MEPSIS_SESSION_SECONDS from sign-in (default
# 8 hours) and ends when the browser closes; failed sign-ins are throttled by django-axes: after
# MEPSIS_LOGIN_FAILURES failures (default 5) for one username from one address, that pair waits
# MEPSIS_LOGIN_COOLOFF_MINUTES (default 15). API clients use revocable tokens (mepsis.access.tokens).
SESSION_COOKIE_AGE = int(os.environ.get("MEPSIS_SESSION_SECONDS") or 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AUTHENTICATION_BACKENDS = ["mepsis.access.backends.LoginThrottle", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = int(os.environ.get("MEPSIS_LOGIN_FAILURES") or 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("MEPSIS_LOGIN_COOLOFF_MINUTES") or 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("MEPSIS_TIME_ZONE") or "America/Chicago"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Served by WhiteNoise straight from the installed packages: no collectstatic step before the first run.
WHITENOISE_USE_FINDERS = True

# The REST API (mepsis.api): tokens for machine clients, the session for people; every view asks the
# caller's scope (mepsis.access.scope) for its records and permissions; errors answer in one shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["mepsis.access.tokens.TokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mepsis.api.common.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MEPSIS API",
    "DESCRIPTION": "The REST API of MEPSIS, a state Migrant Education Program student information system. "
                   "Field names are those of its file formats (interfaces.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CoeStatusEnum": "mepsis.registry.models.CoeStatus",
                            "ReferralStatusEnum": "mepsis.alerts.models.Referral.Status"},
}
