"""Settings for the clinic records project, driven by environment variables.

Every setting a deployment may change is read from the environment; the defaults give a
working development clinic on SQLite. See the README's "Settings" section.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", True)

# A development key is only acceptable while DEBUG is on; production must set its own.
_DEV_SECRET_KEY = "django-insecure-dev-only-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

ROOT_URLCONF = "clinic.project_urls"
WSGI_APPLICATION = "clinic.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -----------------------------------------------------------------------
INSTALLED_APPS = [
    # The host first: its templates (registration/, admin/auth/user/, bootstrap5/errors.html)
    # override those of the admin, auth and crispy's Bootstrap 5 pack, installed or not.
    "clinic",
    # The Django admin, on a site that only lets the Clinic admin in (clinic/admin_site.py).
    "clinic.admin_apps.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "auditlog",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "assessments",
    "treatments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below) on every response.
    "csp.middleware.CSPMiddleware",
    # Permissions-Policy (PERMISSIONS_POLICY below) on every response, static files too.
    "clinic.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below whitenoise, so static files keep their own caching: Cache-Control: no-store on
    # everything else, so no patient data stays in a shared computer's browser cache.
    "clinic.middleware.NoStoreMiddleware",
    # NUL characters out of the query string, form data and cookies (assessments/text.py),
    # before the sessions, CSRF and any view read them.
    "clinic.middleware.StripNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a logged-in user unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # auditlog records the acting user and their address on every logged change (the
    # address as the login lockout sees it, behind TRUSTED_PROXY_COUNT proxies).
    "clinic.audit.AuditlogMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

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
                "clinic.context_processors.roles",
                "assessments.context_processors.clinical",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# SQLite by default (zero set-up); PostgreSQL in production via DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
_database = dj_database_url.parse(DATABASE_URL)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at the start
    # of each transaction, so a check-then-insert inside one is serialised.
    _database["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file, not SQLite's shared in-memory database: tests that book
    # from several threads need real connections with real locking. One file per test run
    # (process), so runs started side by side in one work tree never delete each other's.
    _database["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"clinic-test-{os.getpid()}.sqlite3")
    }
else:
    # Persistent connections, checked before reuse so a restarted server is survived.
    _database["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}

# --- Authentication and sessions ---------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login (the app's and the admin's) before the model backend does.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clinic:home"
LOGOUT_REDIRECT_URL = "login"

# Clinic computers are shared: a session ends after this many idle seconds.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Login lockout (django-axes) -------------------------------------------------------
# After this many failed logins for one user name from one address, that pair is refused
# for the cool-off time (the Clinic admin can unlock earlier: Django admin → Access
# attempts → delete). A successful login clears the count.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And after this many failed logins from one address whatever the user names (password
# spraying), that address is refused for the cool-off time. Higher than the per-name limit:
# a clinic's computers often reach the app from one address.
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "20"))
AXES_HANDLER = "clinic.lockout.AddressLimitHandler"
AXES_RESET_ON_SUCCESS = True
# A login tried while locked is refused without being counted: counting it would move the
# end of the lock at every try (the right password included) and, summed per address,
# lock the colleagues sharing the computer's address too. No password is checked then.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Axes keeps each failure's form data (the Clinic admin reads it): never a password, and
# the account pages' current-password checks count as failures too (accounts.py).
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]
AXES_LOCKOUT_CALLABLE = "clinic.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "clinic.lockout.client_address"
# Behind this many proxies of our own (nginx, a load balancer) the client's address is the
# one the outermost of them added to X-Forwarded-For; 0 means REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- Password reset links asked for on the login page --------------------------------------
# "Forgot your password?" sends at most this many links to one account, and to all the
# accounts asked for from one address, within PASSWORD_RESET_LIMIT_MINUTES: no one fills
# a colleague's inbox or floods the clinic's mail server. Past a limit the page says what
# it always says (it never tells who has an account), and no link goes.
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "3"))
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "10"))
PASSWORD_RESET_LIMIT_MINUTES = int(os.environ.get("PASSWORD_RESET_LIMIT_MINUTES", "60"))

# --- Content Security Policy (django-csp) -----------------------------------------------
# Everything comes from the app itself: no inline script, style or event handler anywhere
# (htmx's indicator style is in clinic.css, see the htmx-config meta in base.html), so a
# script injected into a page cannot run even if escaping were ever missed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form icons as data: SVG images.
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Permissions Policy ---------------------------------------------------------------
# The browser features the app may use, each with the origins allowed ([] = none; else
# `self` or quoted origins, as in the header). It uses none: camera, microphone, location
# and the rest are off for it and anything framed. Names Chromium does not know are
# ignored with a warning, so tests/e2e/test_journey_security.py checks each is known.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
}

# --- Security (strict whenever DEBUG is off) ----------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Requests larger than this (files apart) are refused with "400 Bad Request"; each free-text
# field has its own, smaller limit in its form, which says so in words.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app itself: no CDN) ----------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Forms ------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Audit log ----------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Rows loaded from a fixture (a restore, a test database's reload) are no one's change.
AUDITLOG_DISABLE_ON_RAW_SAVE = True

# --- Assessments ------------------------------------------------------------------
# A JSON file of licensed question text ({"odi_1": "...", "lefs_1": "..."}) that a clinic
# holding the ODI or LEFS licence provides; without it only section titles are shown.
ASSESSMENT_LICENSED_TEXT = os.environ.get("ASSESSMENT_LICENSED_TEXT", "")

# --- Interoperability ----------------------------------------------------------------
# The RESTful base of the FHIR export's fullUrls (a real server's base when there is one).
FHIR_BASE_URL = os.environ.get("FHIR_BASE_URL", "https://clinic.invalid/fhir")

# --- Email --------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
# For the SMTP backend in production.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Named in appointment reminders and on the exercise handout a patient takes home, so
# patients know who wrote and whom to call, and when.
CLINIC_NAME = os.environ.get("CLINIC_NAME", "The clinic")
CLINIC_PHONE = os.environ.get("CLINIC_PHONE", "")
CLINIC_HOURS = os.environ.get("CLINIC_HOURS", "")

# --- Diary --------------------------------------------------------------------------
# Default length of each kind of appointment; the booking form may change it per booking.
APPOINTMENT_MINUTES = {
    "initial": int(os.environ.get("APPOINTMENT_MINUTES_INITIAL", "45")),
    "follow_up": int(os.environ.get("APPOINTMENT_MINUTES_FOLLOW_UP", "30")),
    "discharge_review": int(os.environ.get("APPOINTMENT_MINUTES_DISCHARGE_REVIEW", "30")),
}
# The diary's grid: free slots start on these boundaries.
DIARY_SLOT_MINUTES = int(os.environ.get("DIARY_SLOT_MINUTES", "15"))
# A physio with no working hours of their own (set by the Clinic admin in the Django admin)
# works these: (weekday with 0 = Monday, start, end), and takes these breaks.
DIARY_DEFAULT_WORKING_HOURS = [(weekday, "09:00", "17:00") for weekday in range(5)]
DIARY_DEFAULT_BREAKS = [(weekday, "13:00", "14:00") for weekday in range(5)]
# Patients who missed an appointment this many days ago or fewer and have not rebooked
# are on the follow-ups worklist.
FOLLOW_UP_NO_SHOW_DAYS = int(os.environ.get("FOLLOW_UP_NO_SHOW_DAYS", "90"))
# Email reminders go this many hours before a booked appointment.
APPOINTMENT_REMINDER_HOURS = int(os.environ.get("APPOINTMENT_REMINDER_HOURS", "24"))

# --- Background tasks (reminders) -------------------------------------------------------
# Django's tasks framework (the django-tasks backport) with its database backend: a worker
# (`manage.py db_worker`) runs what is queued. A larger clinic swaps the backend here.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Housekeeping (`manage.py prune`) ----------------------------------------------------
# Finished background-task results, and django-axes' login records, are kept this long.
TASK_RESULTS_KEEP_DAYS = int(os.environ.get("TASK_RESULTS_KEEP_DAYS", "30"))
LOGIN_RECORDS_KEEP_DAYS = int(os.environ.get("LOGIN_RECORDS_KEEP_DAYS", "365"))

# --- Logging ------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
