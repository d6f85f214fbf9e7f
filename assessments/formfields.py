"""Widgets and fields the plugin's forms use, and the host's may: dates typed as the
browser's own date and date-time pickers read them, and the revision a form was opened at."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RevisionField(forms.IntegerField):
    """The revision of the record when its form was opened, hidden; 0 when nothing was saved
    yet. A POST without it (a page from before the field, a client of its own) counts as
    0 too, so a save over a record saved since is refused as stale, never let through
    unchecked."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        cleaned = super().clean(value)
        return 0 if cleaned is None else cleaned
