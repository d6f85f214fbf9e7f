from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import timezone

from .models import (
    Addendum,
    Appointment,
    ContactAttempt,
    EpisodeOfCare,
    Patient,
    TimeOff,
    Visit,
    WorkingBreak,
    WorkingHours,
)
from .roles import PHYSIOTHERAPIST, ROLES
from .text import single_line

# admin.site is clinic.admin_site.ClinicAdminSite: the Clinic admin (and superusers) only.


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["identifier", "family_name", "given_name", "date_of_birth"]
    search_fields = ["identifier", "family_name", "given_name"]
    readonly_fields = [
        "identifier",
        "created_at",
        "updated_at",
        "updated_by",
        "revision",
        "archived_at",
        "archived_by",
        "archive_reason",
    ]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            # A new revision, as in the app: a form opened before this is then refused.
            obj.revision += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Patients are never hard-deleted (archived instead, in the app).


@admin.register(EpisodeOfCare)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ["patient", "complaint", "physio", "status", "opened_on"]
    list_filter = ["status"]
    list_select_related = ["patient", "physio"]
    raw_id_fields = ["patient"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["episode", "practitioner", "starts_at", "kind", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["episode__patient", "practitioner"]
    raw_id_fields = ["episode"]
    # Signing goes through the app, which freezes the visit's assessments on the way.
    readonly_fields = ["status", "signed_by", "signed_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_signed:
            return False  # Signed visits are read-only by every path.
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Addendum)
class AddendumAdmin(admin.ModelAdmin):
    list_display = ["visit", "author", "created_at", "reason"]
    raw_id_fields = ["visit"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- The diary ---------------------------------------------------------------------------


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: bookings go through the diary, which enforces working hours and overlap."""

    list_display = ["start", "end", "practitioner", "patient", "kind", "status"]
    list_filter = ["status", "kind", "practitioner"]
    list_select_related = ["practitioner", "patient"]
    date_hierarchy = "start"
    search_fields = ["patient__identifier", "patient__family_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PhysioChoiceAdmin(admin.ModelAdmin):
    """The `practitioner` field offers the active physios only."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "practitioner":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, groups__name=PHYSIOTHERAPIST
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WeeklyTimesAdmin(PhysioChoiceAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["practitioner", "weekday"]
    list_select_related = ["practitioner"]
    ordering = ["practitioner__username", "weekday", "start"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(WeeklyTimesAdmin):
    pass


@admin.register(WorkingBreak)
class WorkingBreakAdmin(WeeklyTimesAdmin):
    list_display = [*WeeklyTimesAdmin.list_display, "label"]


@admin.register(TimeOff)
class TimeOffAdmin(PhysioChoiceAdmin):
    list_display = ["practitioner", "first_day", "last_day", "reason"]
    list_filter = ["practitioner"]
    list_select_related = ["practitioner"]
    ordering = ["-first_day"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Time off does not cancel anything: say which appointments now need moving.
        booked = (
            Appointment.objects.active()
            .for_practitioner(obj.practitioner_id)
            .filter(start__date__gte=obj.first_day, start__date__lte=obj.last_day)
            .select_related("patient")
            .order_by("start")
        )
        if booked:
            listed = "; ".join(
                f"{timezone.localtime(a.start):%a %d %b %H:%M} {a.patient.full_name}"
                for a in booked
            )
            self.message_user(
                request,
                f"{len(booked)} appointment(s) in this time off still need moving or "
                f"cancelling: {listed}.",
                level=messages.WARNING,
            )


@admin.register(ContactAttempt)
class ContactAttemptAdmin(admin.ModelAdmin):
    list_display = ["created_at", "patient", "outcome", "created_by"]
    list_select_related = ["patient", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Users: every user has a role ----------------------------------------------------------

ROLE_REQUIRED = "Give the user a role: " + ", ".join(ROLES) + "."


def _has_role(groups) -> bool:
    return any(group.name in ROLES for group in groups or [])


class UserWithRoleCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        fields = ("username", "groups")
        labels = {"groups": "Role"}

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if not _has_role(groups):
            raise forms.ValidationError(ROLE_REQUIRED)
        return groups


class UserWithRoleChangeForm(UserChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # auth.User is Django's model, so its names get the one-line rule here.
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].validators.append(single_line)

    def clean(self):
        cleaned = super().clean()
        is_staff = cleaned.get("is_staff", self.instance.is_staff)
        is_superuser = cleaned.get("is_superuser", self.instance.is_superuser)
        needs_role = "groups" in self.fields and is_staff and not is_superuser
        if needs_role and not _has_role(cleaned.get("groups")):
            self.add_error("groups", "A staff user needs a role. " + ROLE_REQUIRED)
        return cleaned


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    """Users are created with a role (a group), and a staff user keeps one. Roles are the
    only way to give permissions: only a superuser may make superusers or give a user
    permissions of their own."""

    add_form = UserWithRoleCreationForm
    form = UserWithRoleChangeForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2", "groups"),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly
