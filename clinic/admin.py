from django.contrib import admin

from .models import Addendum, EpisodeOfCare, Patient, Visit

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
