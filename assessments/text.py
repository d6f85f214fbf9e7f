"""Rules for the text the app stores, whatever the path it comes by.

- **No NUL character, anywhere.** PostgreSQL cannot store one: psycopg refuses it in a
  text value, and in a jsonb value (an assessment draft, intervention parameters) the
  server fails with "unsupported Unicode escape sequence" and writes the failing
  statement, clinical text included, to its log. On SQLite one would be stored, and then
  break the move to PostgreSQL (`manage.py restore`). NUL means nothing in clinical text
  (it comes from a broken paste or on purpose), so it is removed, not refused: from each
  request's data before any view reads it (`clinic.middleware.StripNulMiddleware`), and
  from every model instance saved through the ORM (`strip_nul_before_save`, for services
  called by other code, the shell and fixture loads). Bulk `update()` and `bulk_create()`
  send no signal: the app uses them for figures and derived rows, never for typed text.
- **A one-line field holds one line** (`single_line`): a name, a phone number or a
  complaint with a line break in it breaks the diary grid, CSV rows, calendar entries and
  letters, and is almost always a paste gone wrong. Every `CharField` of the three apps'
  models carries the validator (multi-line text is a `TextField`), so `full_clean()`
  (services, the Django admin, model forms) refuses it; plain forms put it on their
  one-line fields.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_save

NUL = "\x00"
# Every character str.splitlines() breaks on: besides CR and LF, the vertical tab, form
# feed, the file, group and record separators, NEL and Unicode's line and paragraph
# separators, which editors, browsers and other programs may show as a new line too.
LINE_BREAKS = ("\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")
SINGLE_LINE_MESSAGE = "Keep this to one line: line breaks are not allowed here."


def single_line(value: object) -> None:
    """Validator: refuse a line break of any kind (LINE_BREAKS)."""
    if isinstance(value, str) and any(mark in value for mark in LINE_BREAKS):
        raise ValidationError(SINGLE_LINE_MESSAGE, code="line_break")


def has_nul(value: Any) -> bool:
    """Whether a string, or any string, key or item of JSON-shaped data, holds a NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(has_nul(item) for item in value)
    return False


def without_nul(value: Any) -> Any:
    """`value` with every NUL removed from its strings, keys and items."""
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [without_nul(item) for item in value]
    return value


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def strip_nul_before_save(sender: type[models.Model], instance: models.Model, **kwargs) -> None:
    """pre_save receiver, for every model: remove NUL from its text and JSON values.

    Reads the instance's own values only (never a deferred field, which would cost a
    query), and rebuilds a value only when it holds a NUL, so a clean save is untouched.
    """
    values = instance.__dict__
    for field in sender._meta.concrete_fields:
        if isinstance(field, TEXT_FIELDS) and has_nul(values.get(field.attname)):
            values[field.attname] = without_nul(values[field.attname])


def connect() -> None:
    # For every sender: the audit log's entries, users and the other apps' rows are
    # stored text too. Connected before the apps register with auditlog, so an audited
    # change is logged with the text as it is stored.
    pre_save.connect(strip_nul_before_save, dispatch_uid="assessments.text.strip_nul_before_save")
