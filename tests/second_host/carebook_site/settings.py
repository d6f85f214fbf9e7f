"""Settings of carebook, a second and minimal clinic system hosting the plugin.

It proves the plugin (`assessments`, `treatments`) runs on a host that is not our `clinic`:
its own client, care plan and session models, base template, URL layout and roles. It
needs only what the plugin's wheel requires, plus a database driver for PostgreSQL.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = True
SECRET_KEY = "carebook-tests-only"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "carebook_site.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/London"
LANGUAGE_CODE = "en-gb"

# --- Applications: no `clinic` -----------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "carebook",
    "assessments",
    "treatments",
]
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

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
                "assessments.context_processors.clinical",
            ],
        },
    },
]

STATIC_URL = "static/"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "carebook:caseload"


# --- The plugin's contract: this host's models and page ---------------------------------
CLINICAL_PATIENT_MODEL = "carebook.Client"
CLINICAL_EPISODE_MODEL = "carebook.CarePlan"
CLINICAL_VISIT_MODEL = "carebook.Session"
CLINICAL_BASE_TEMPLATE = "carebook/layout.html"
CLINICAL_HOST_SERVICES = "carebook.services"

# What the plugin's pages and exports print about the practice.
CLINIC_NAME = "Carebook Physiotherapy"
CLINIC_PHONE = "0113 496 0000"
CLINIC_HOURS = "Tuesday to Saturday, 8am to 4pm"
FHIR_BASE_URL = "https://carebook.example/fhir"


# --- Database: DATABASE_URL (sqlite:///path or postgres://...), else SQLite in a temp dir
def database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path[1:])}
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path[1:]),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
        }
    raise ValueError(f"DATABASE_URL: unsupported scheme {parts.scheme!r}")


_TEMP = Path(tempfile.gettempdir())
_database = database_from_url(
    os.environ.get("DATABASE_URL", f"sqlite:///{_TEMP / 'carebook.sqlite3'}")
)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # A file per test run, so runs side by side never share one.
    _database["TEST"] = {"NAME": str(_TEMP / f"carebook-test-{os.getpid()}.sqlite3")}
DATABASES = {"default": _database}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
