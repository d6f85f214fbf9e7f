"""`manage.py check` names whatever the host lacks of the plugin's contract
(`assessments.host`): a model the settings name that is not installed, a field or an
attribute a host model lacks, a service the host's services module lacks, the context
processor the plugin's pages need. Registered by the plugin's AppConfig.ready()."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from . import host

GETTERS = {
    "CLINICAL_PATIENT_MODEL": host.get_patient_model,
    "CLINICAL_EPISODE_MODEL": host.get_episode_model,
    "CLINICAL_VISIT_MODEL": host.get_visit_model,
}
CONTEXT_PROCESSOR = "assessments.context_processors.clinical"


def missing_on(model: type[models.Model], setting: str) -> list[checks.CheckMessage]:
    """What `model` (named by `setting`) lacks of what the plugin reads of it."""
    attributes, fields = host.REQUIRED[setting]
    errors = []
    for name in fields:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"{model._meta.label} lacks the field `{name}` ({setting}): the plugin "
                    "queries it, so a property will not do.",
                    hint="See assessments/host.py for what a host model provides.",
                    obj=model,
                    id="assessments.E002",
                )
            )
    for name in attributes:
        if not hasattr(model, name):
            errors.append(
                checks.Error(
                    f"{model._meta.label} lacks `{name}` ({setting}).",
                    hint="A field, a property or a method: see assessments/host.py.",
                    obj=model,
                    id="assessments.E003",
                )
            )
    if setting == "CLINICAL_VISIT_MODEL" and not hasattr(model._default_manager, "signed"):
        errors.append(
            checks.Error(
                f"{model._meta.label}'s default manager lacks `signed()` ({setting}).",
                hint="Return the signed visits: the plugin's guards read them.",
                obj=model,
                id="assessments.E003",
            )
        )
    return errors


def check_host(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for setting, getter in GETTERS.items():
        try:
            model = getter()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="assessments.E001"))
            continue
        errors += missing_on(model, setting)
    try:
        services = host.services()
    except ImproperlyConfigured as error:
        errors.append(checks.Error(str(error), id="assessments.E004"))
    else:
        for name in host.HOST_SERVICE_NAMES:
            if not callable(getattr(services, name, None)):
                errors.append(
                    checks.Error(
                        f"The host's services ({host.HOST_SERVICES}) lack `{name}()` "
                        "(CLINICAL_HOST_SERVICES).",
                        hint="See HostServices in assessments/host.py.",
                        id="assessments.E004",
                    )
                )
    processors = [
        processor
        for engine in settings.TEMPLATES
        for processor in engine.get("OPTIONS", {}).get("context_processors", [])
    ]
    if CONTEXT_PROCESSOR not in processors:
        errors.append(
            checks.Warning(
                f"Add {CONTEXT_PROCESSOR!r} to TEMPLATES' context_processors: without it the "
                "plugin's pages extend base.html, whatever CLINICAL_BASE_TEMPLATE says.",
                id="assessments.W001",
            )
        )
    return errors
