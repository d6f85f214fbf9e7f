"""The clinic's exercise library, curated by the Clinic admin in the Django admin."""

from django.contrib import admin

from .models import Exercise


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ["name", "sets", "reps", "hold_seconds", "frequency", "active"]
    list_filter = ["active"]
    search_fields = ["name"]
