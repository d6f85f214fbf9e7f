from django.contrib.admin.apps import AdminConfig


class ClinicAdminConfig(AdminConfig):
    """`django.contrib.admin` with ClinicAdminSite (the Clinic admin only) as `admin.site`,
    so every app's `admin.register` (auditlog's, axes') lands on it. A module of its own:
    INSTALLED_APPS imports it before any model can be."""

    default_site = "clinic.admin_site.ClinicAdminSite"
