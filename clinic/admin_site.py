"""The Django admin's site: for the Clinic admin only.

Being staff is not enough: a physio or a front-desk user who was ticked "staff status"
by mistake still gets the admin's login page, never its data (the admin shows clinical
records, the audit log and the users). Superusers keep access, for set-up and recovery.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest

from .roles import CLINIC_ADMIN


def is_clinic_admin(user) -> bool:
    """An active staff user in the Clinic admin role, or a superuser."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.groups.filter(name=CLINIC_ADMIN).exists()


class ClinicAdminAuthenticationForm(AdminAuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not is_clinic_admin(user):
            raise forms.ValidationError(
                "The administration is for the clinic admin only.", code="not_clinic_admin"
            )


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic records administration"
    site_title = "Clinic records"
    index_title = "Administration"
    login_form = ClinicAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_clinic_admin(request.user)
