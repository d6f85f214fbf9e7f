"""The plugin owns its rights (reading and recording assessments and treatment, the
outcome report); the clinic gives them to its roles as they had the clinic's own."""

from django.db import migrations

from clinic.roles import PLUGIN_ROLE_PERMISSIONS, grant, revoke


def grant_plugin_permissions(apps, schema_editor):
    grant(apps, PLUGIN_ROLE_PERMISSIONS)


def revoke_plugin_permissions(apps, schema_editor):
    revoke(apps, PLUGIN_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0018_grant_exercise_library_permissions"),
        ("assessments", "0008_plugin_permissions"),
        ("treatments", "0009_plugin_permissions"),
    ]

    operations = [migrations.RunPython(grant_plugin_permissions, revoke_plugin_permissions)]
