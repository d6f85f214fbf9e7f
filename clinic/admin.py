from django.contrib import admin
from django.contrib.auth import get_user_model

from .models import (
    Addendum,
    Appointment,
    ContactAttempt,
    EpisodeOfCare,
    Patient,
    Visit,
    WorkingBreak,
    WorkingHours,
)
from .roles import PHYSIOTHERAPIST

admin.site.site_header = "Clinic records administration"
admin.site.site_title = "Clinic records"


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["identifier", "family_name", "given_name", "date_of_birth"]
    search_fields = ["identifier", "family_name", "given_name"]
    readonly_fields = ["identifier", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Patients are never hard-deleted.


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


class WeeklyTimesAdmin(admin.ModelAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["practitioner", "weekday"]
    list_select_related = ["practitioner"]
    ordering = ["practitioner__username", "weekday", "start"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "practitioner":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, groups__name=PHYSIOTHERAPIST
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(WorkingHours)
class WorkingHoursAdmin(WeeklyTimesAdmin):
    pass


@admin.register(WorkingBreak)
class WorkingBreakAdmin(WeeklyTimesAdmin):
    list_display = [*WeeklyTimesAdmin.list_display, "label"]


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
