"""The Django admin's site: for the Clinic admin only.

Being staff is not enough: a physio or a front-desk user who was ticked "staff status"
by mistake still gets the admin's login page, never its data (the admin shows clinical
records, the audit log and the users). Superusers keep access, for set-up and recovery.
"""

from functools import cache

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
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


class BadLookupsRefusedChangeList(ChangeList):
    """A list whose lookups Python or the database cannot take (the date drill-down at
    year 9999, whose end is year 10000; an id beyond 64 bits) answers like one Django
    itself finds wrong: IncorrectLookupParameters, so the list is shown again with ?e=1,
    never a server error. The queries run while the list is built, so all of it is here."""

    def __init__(self, *args, **kwargs) -> None:
        try:
            super().__init__(*args, **kwargs)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


@cache
def _refusing_bad_lookups(changelist: type[ChangeList]) -> type[ChangeList]:
    if issubclass(changelist, BadLookupsRefusedChangeList):
        return changelist
    return type(changelist.__name__, (BadLookupsRefusedChangeList, changelist), {})


class BadLookupsRefusedAdmin(admin.ModelAdmin):
    """Given to every ModelAdmin of the site (ClinicAdminSite.register), the project's and
    other apps' (axes, auditlog) alike."""

    def get_changelist(self, request, **kwargs):
        return _refusing_bad_lookups(super().get_changelist(request, **kwargs))


class ClinicAdminSite(admin.AdminSite):
    site_header = "Clinic records administration"
    site_title = "Clinic records"
    index_title = "Administration"
    login_form = ClinicAdminAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return is_clinic_admin(request.user)

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BadLookupsRefusedAdmin):
            admin_class = type(
                admin_class.__name__,
                (BadLookupsRefusedAdmin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
