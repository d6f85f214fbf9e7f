from django.db import migrations

from clinic.roles import CLINIC_ADMIN, grant, revoke

# In the Django admin the Clinic admin reads the audit log (read-only there, as in the
# app), and sees the failed logins of django-axes and unlocks a locked-out user by
# deleting their access attempts.
ADMIN_SECURITY_PERMISSIONS = {
    CLINIC_ADMIN: [
        "auditlog.view_logentry",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    ]
}


def grant_admin_security_permissions(apps, schema_editor):
    grant(apps, ADMIN_SECURITY_PERMISSIONS)


def revoke_admin_security_permissions(apps, schema_editor):
    revoke(apps, ADMIN_SECURITY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0008_grant_archive_permission"),
        ("auditlog", "0017_add_actor_email"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(grant_admin_security_permissions, revoke_admin_security_permissions)
    ]
