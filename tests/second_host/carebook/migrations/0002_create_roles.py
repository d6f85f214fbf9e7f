"""Carebook's roles, with the plugin's permissions for its physios (carebook.roles)."""

from django.db import migrations

from carebook.roles import create_roles, remove_roles


class Migration(migrations.Migration):
    dependencies = [
        ("carebook", "0001_initial"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
        # The plugin's models must exist for their permissions to be given.
        ("assessments", "__latest__"),
        ("treatments", "__latest__"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
