from django.db import migrations

from clinic.roles import TIME_OFF_ROLE_PERMISSIONS, grant, revoke


def grant_time_off_permissions(apps, schema_editor):
    grant(apps, TIME_OFF_ROLE_PERMISSIONS)


def revoke_time_off_permissions(apps, schema_editor):
    revoke(apps, TIME_OFF_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0010_time_off")]

    operations = [migrations.RunPython(grant_time_off_permissions, revoke_time_off_permissions)]
