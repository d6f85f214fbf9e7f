from django.db import migrations

from clinic.roles import CALENDAR_FEED_ROLE_PERMISSIONS, grant, revoke


def grant_calendar_feed_permissions(apps, schema_editor):
    grant(apps, CALENDAR_FEED_ROLE_PERMISSIONS)


def revoke_calendar_feed_permissions(apps, schema_editor):
    revoke(apps, CALENDAR_FEED_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0013_calendar_feed_last_used")]

    operations = [
        migrations.RunPython(grant_calendar_feed_permissions, revoke_calendar_feed_permissions)
    ]
