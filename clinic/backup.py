"""What `manage.py backup` writes and `manage.py restore` reads: a Django fixture (JSON)
of the clinic's records, its users and their roles, and the audit log.

Rows keep their primary keys, so links (calendar feed addresses, the audit log's
object ids, bookmarks) still work after a restore. Rows that a new database already has
with other primary keys are written by natural key instead: content types and
permissions (by app, model and codename) and groups (the roles, by name: migration
0002 creates them). Content types, permissions and sessions themselves are not in the
backup: `migrate` makes the first two and sessions are only logins.

Which apps' tables are backed up is the apps' own say: each registers itself from its
`AppConfig.ready()`, with the order its rows load in (after those they point at):

    backed_up_apps.register(BackedUpApp(label="treatments", order=30))
"""

import datetime
from collections.abc import Iterator

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import models

from assessments.host import backed_up_apps

# A backup is a fixture file: loaddata reads it by these suffixes.
SUFFIXES = (".json", ".json.gz")
BY_NATURAL_KEY = (ContentType, Permission, Group)


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows are in a backup, in load order: the roles and users, the
    registered apps' tables, then the audit log."""
    from auditlog import get_logentry_model

    chosen: list[type[models.Model]] = [Group, get_user_model()]
    for backed_up in backed_up_apps:
        app_config = apps.get_app_config(backed_up.label)
        chosen.extend(
            model
            for model in app_config.get_models()
            if model._meta.managed and not model._meta.proxy
        )
    chosen.append(get_logentry_model())
    return chosen


def rows_to_back_up(model: type[models.Model]) -> Iterator[models.Model]:
    queryset = model._default_manager.order_by("pk")
    natural_fks = [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model in BY_NATURAL_KEY
    ]
    if natural_fks:
        queryset = queryset.select_related(*natural_fks)
    many_to_many = [field.name for field in model._meta.many_to_many]
    if many_to_many:
        queryset = queryset.prefetch_related(*many_to_many)
    return queryset.iterator(chunk_size=2000)


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder keeps milliseconds only."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class BackupSerializer(JSONSerializer):
    """Django's JSON fixture serializer, with natural keys only where primary keys differ
    between databases (see the module's docstring) and times to the microsecond."""

    def _init_options(self) -> None:
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()

    def get_dump_object(self, obj: models.Model) -> dict:
        data = super().get_dump_object(obj)
        if isinstance(obj, Group):
            del data["pk"]  # found by name on loading, or created
        return data

    def handle_fk_field(self, obj: models.Model, field) -> None:
        if field.related_model in BY_NATURAL_KEY:
            super().handle_fk_field(obj, field)
        else:
            self._current[field.name] = self._value_from_field(obj, field)


def non_empty_tables() -> dict[str, int]:
    """Row counts of the backed-up tables that have rows, groups apart (a new database
    has the roles already)."""
    counts = {}
    for model in backed_up_models():
        if model is Group:
            continue
        count = model._default_manager.count()
        if count:
            counts[str(model._meta.verbose_name_plural)] = count
    return counts
