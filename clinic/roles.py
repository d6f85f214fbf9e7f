"""The clinic's roles: Django groups and the permissions each is given.

The data migration `0002_create_roles` creates them from `ROLE_PERMISSIONS`; later apps
add their own permissions to the roles in their own data migrations with `grant()`.
"""

PHYSIOTHERAPIST = "Physiotherapist"
CLINIC_ADMIN = "Clinic admin"
FRONT_DESK = "Front desk"
ROLES = (PHYSIOTHERAPIST, CLINIC_ADMIN, FRONT_DESK)

ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHYSIOTHERAPIST: [
        "clinic.view_patient",
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_episodeofcare",
        "clinic.add_episodeofcare",
        "clinic.change_episodeofcare",
        "clinic.view_visit",
        "clinic.add_visit",
        "clinic.change_visit",
        "clinic.view_addendum",
        "clinic.add_addendum",
        "clinic.view_clinical_record",
        "clinic.record_clinical",
        "clinic.sign_visit",
    ],
    CLINIC_ADMIN: [
        "clinic.view_patient",
        "clinic.add_patient",
        "clinic.change_patient",
        "clinic.view_episodeofcare",
        "clinic.view_visit",
        "clinic.view_addendum",
        "clinic.view_clinical_record",
        "clinic.view_audit_log",
        "clinic.view_outcome_report",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
    FRONT_DESK: [
        "clinic.view_patient",
        "clinic.add_patient",
        "clinic.change_patient",
    ],
}


def grant(apps, role_permissions: dict[str, list[str]]) -> None:
    """Give each role its permissions (for use in data migrations)."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are normally created after migrate; a data migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    for role, perms in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, role_permissions: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in role_permissions.items():
        group = Group.objects.filter(name=role).first()
        if group is None:
            continue
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )


# The diary (migration 0006_grant_diary_permissions). Both the physios and the front desk
# book and run the day; only the Clinic admin may book in the past (backfill) and set
# each physio's working hours and breaks (in the Django admin).
_DIARY = [
    "clinic.view_appointment",
    "clinic.add_appointment",
    "clinic.change_appointment",
    "clinic.view_contactattempt",
    "clinic.add_contactattempt",
    "clinic.view_workinghours",
    "clinic.view_workingbreak",
]
DIARY_ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHYSIOTHERAPIST: _DIARY,
    FRONT_DESK: _DIARY,
    CLINIC_ADMIN: [
        *_DIARY,
        "clinic.backfill_appointment",
        "clinic.add_workinghours",
        "clinic.change_workinghours",
        "clinic.delete_workinghours",
        "clinic.add_workingbreak",
        "clinic.change_workingbreak",
        "clinic.delete_workingbreak",
    ],
}

# Time off (migration 0011_grant_time_off_permissions): everyone who books sees it in the
# diary; the Clinic admin records it, in the Django admin beside the working hours.
TIME_OFF_ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHYSIOTHERAPIST: ["clinic.view_timeoff"],
    FRONT_DESK: ["clinic.view_timeoff"],
    CLINIC_ADMIN: [
        "clinic.view_timeoff",
        "clinic.add_timeoff",
        "clinic.change_timeoff",
        "clinic.delete_timeoff",
    ],
}

# Calendar feeds (migration 0014_grant_calendar_feed_permissions): the Clinic admin lists
# every physio's feed in the Django admin and revokes one (a lost phone, a physio leaving).
CALENDAR_FEED_ROLE_PERMISSIONS: dict[str, list[str]] = {
    CLINIC_ADMIN: ["clinic.view_calendarfeed", "clinic.revoke_calendarfeed"],
}

# The plugin's exercise library (treatments.Exercise): physios read it, the Clinic admin
# curates it (migration 0018).
EXERCISE_ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHYSIOTHERAPIST: ["treatments.view_exercise"],
    CLINIC_ADMIN: [
        "treatments.view_exercise",
        "treatments.add_exercise",
        "treatments.change_exercise",
        "treatments.delete_exercise",
    ],
}

# The plugin's own rights (assessments, treatments), given to the clinic's roles as they
# had them when they were the clinic's (record_clinical, view_clinical_record and
# view_outcome_report): migration 0019.
PLUGIN_ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHYSIOTHERAPIST: [
        "assessments.read_assessment",
        "assessments.record_assessment",
        "treatments.read_treatment",
        "treatments.record_intervention",
    ],
    CLINIC_ADMIN: [
        "assessments.read_assessment",
        "treatments.read_treatment",
        "treatments.view_outcome_report",
    ],
}
