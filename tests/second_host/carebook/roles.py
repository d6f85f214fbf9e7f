"""Carebook's roles: its physios get every permission of the plugin's apps, its reception
none of them (the plugin's pages answer 403 to reception)."""

PHYSIO = "Physio"
RECEPTION = "Reception"

PLUGIN_APPS = ("assessments", "treatments")

ROLE_PERMISSIONS: dict[str, list[str]] = {
    PHYSIO: [
        "carebook.view_client",
        "carebook.view_careplan",
        "carebook.view_session",
        "carebook.write_session",
        "carebook.sign_session",
    ],
    RECEPTION: ["carebook.view_client", "carebook.add_client", "carebook.change_client"],
}


def create_roles(apps, schema_editor) -> None:
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # Permissions are created after migrate; this migration needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    physio = Group.objects.get(name=PHYSIO)
    physio.permissions.add(*Permission.objects.filter(content_type__app_label__in=PLUGIN_APPS))


def remove_roles(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()
