"""Forms generated from the intervention kinds' schemas, and the consent, screen, note and
plan forms. Ranges are checked by the kind's schema so the message names the field and
the allowed range."""

from collections.abc import Mapping
from typing import Any

from crispy_forms.helper import FormHelper
from django import forms
from django.utils import timezone

from assessments import measures
from assessments.formfields import DateInput, RevisionField
from assessments.text import single_line

from .kinds import EXERCISE_ROW_DEFAULTS, InterventionKind, Param, ParamError, ParamType
from .models import Consent, ConsentMethod, Severity, TreatmentPlan, VisitNote
from .safety import DRY_NEEDLING_SCREEN

EXERCISE_ROWS_SHOWN = 3  # blank rows offered beyond those filled
NOTE_LIMIT = 5000  # characters in each part of a visit note


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _label(param: Param) -> str:
    return param.display_name


def _field(param: Param) -> forms.Field:
    common: dict[str, Any] = {
        "label": _label(param),
        "required": False,
        "help_text": param.help_text,
    }
    match param.type:
        case ParamType.CHOICE:
            choices = [("", "—")] + [(c.code, c.label) for c in param.choices]
            return forms.ChoiceField(choices=choices, **common)
        case ParamType.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                choices=[(c.code, c.label) for c in param.choices],
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        case ParamType.YES_NO:
            return forms.ChoiceField(
                choices=[("", "Not recorded"), ("yes", "Yes"), ("no", "No")], **common
            )
        case ParamType.INTEGER | ParamType.DECIMAL:
            attrs = {"inputmode": "numeric" if param.type is ParamType.INTEGER else "decimal"}
            return forms.CharField(widget=forms.TextInput(attrs=attrs), max_length=20, **common)
        case ParamType.TEXT:
            return forms.CharField(max_length=1000, validators=[single_line], **common)
    raise ValueError(param.type)


def exercise_field_name(row: int, code: str) -> str:
    return f"exercises-{row}-{code}"


# Sent by a form that shows the exercise rows, inside that block. A post with it, or with
# any row field, carries the whole block: rows left empty or taken out are removed. A post
# with neither (an older page, a script, a form without the block) says nothing about the
# exercises, and the saved rows stay.
EXERCISE_BLOCK_FIELD = "exercise_block"
# The id of the page's list of the library's exercises (intervention_form.html).
EXERCISE_LIBRARY_LIST = "exercise-library"


class InterventionForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )

    def __init__(self, *args, kind: InterventionKind, exercise_rows: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.exercise_param = None
        for param in kind.params:
            if param.type is ParamType.EXERCISES:
                self.exercise_param = param
                continue
            self.fields[param.code] = _field(param)
            if param.required:
                self.fields[param.code].label += " *"
        self.notes_field = self.fields.pop("notes")
        self.fields["notes"] = self.notes_field
        self.exercise_rows = 0
        if self.exercise_param is not None:
            self.fields[EXERCISE_BLOCK_FIELD] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial="shown"
            )
            rows = max(exercise_rows, _posted_rows(self.data)) + EXERCISE_ROWS_SHOWN
            self.exercise_rows = rows
            for row in range(rows):
                for param in self.exercise_param.row_params:
                    field = _field(param)
                    field.label = _label(param)
                    if param.code == "name":
                        # The clinic's exercise library, offered as the physio types.
                        field.widget.attrs["list"] = EXERCISE_LIBRARY_LIST
                    self.fields[exercise_field_name(row, param.code)] = field
        self.helper = _helper()
        self.helper.form_show_labels = True

    def exercise_grid(self):
        """Rows of bound fields for the exercise table of the template."""
        if self.exercise_param is None:
            return []
        codes = [param.code for param in self.exercise_param.row_params]
        return [
            [self[exercise_field_name(row, code)] for code in codes]
            for row in range(self.exercise_rows)
        ]

    def exercise_headers(self) -> list[str]:
        return (
            [_label(param) for param in self.exercise_param.row_params]
            if self.exercise_param
            else []
        )

    @property
    def omitted_params(self) -> list[str]:
        """Params this post did not carry at all, whose saved values stay (see
        EXERCISE_BLOCK_FIELD); a param carried empty is cleared."""
        if self.exercise_param is None:
            return []
        carried = EXERCISE_BLOCK_FIELD in self.data or any(
            name.startswith("exercises-") for name in self.data
        )
        return [] if carried else [self.exercise_param.code]

    def params(self) -> dict[str, object]:
        data = self.cleaned_data
        params: dict[str, object] = {}
        for param in self.kind.params:
            if param.type is ParamType.EXERCISES:
                if param.code in self.omitted_params:
                    continue
                rows = []
                for row in range(self.exercise_rows):
                    values = {
                        p.code: data.get(exercise_field_name(row, p.code)) for p in param.row_params
                    }
                    values = {
                        code: value for code, value in values.items() if value not in ("", None, [])
                    }
                    if values:
                        rows.append(values)
                if rows:
                    params[param.code] = rows
                continue
            value = data.get(param.code)
            if value not in ("", None, []):
                params[param.code] = value
        return params

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.validated_params = self.kind.validate(self.params())
        except ParamError as error:
            self._add_param_error(error)
        return cleaned

    def _add_param_error(self, error: ParamError) -> None:
        row = getattr(error, "row", None)
        field = getattr(error, "field", None)
        if row and field:
            name = exercise_field_name(row - 1, field)
            if name in self.fields:
                self.add_error(name, str(error))
                return
        if error.param_code in self.fields:
            self.add_error(error.param_code, str(error))
        else:
            self.add_error(None, str(error))


def _posted_rows(data: Mapping[str, Any]) -> int:
    rows = -1
    for name in data:
        if name.startswith("exercises-"):
            try:
                rows = max(rows, int(name.split("-")[1]))
            except (IndexError, ValueError):
                continue
    return rows + 1


def initial_from_params(kind: InterventionKind, params: Mapping[str, Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for code, value in params.items():
        if code == "exercises":
            for row, values in enumerate(value):
                for field, field_value in values.items():
                    initial[exercise_field_name(row, field)] = field_value
        else:
            initial[code] = value
    return initial


def new_exercise_row_initial(row: int) -> dict[str, Any]:
    return {exercise_field_name(row, code): value for code, value in EXERCISE_ROW_DEFAULTS.items()}


class ConsentForm(forms.Form):
    given_on = forms.DateField(
        label="Consent given on",
        widget=DateInput(),
        initial=timezone.localdate,
        validators=Consent._meta.get_field("given_on").validators,
    )
    method = forms.ChoiceField(choices=ConsentMethod.choices, widget=forms.RadioSelect)
    risks_discussed = forms.MultipleChoiceField(
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Risks discussed",
    )
    right_to_withdraw_explained = forms.BooleanField(
        label="The patient was told they may withdraw consent at any time", required=False
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    # The consent in force when the form was opened (0: none), which this one replaces.
    replaces = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, kind: InterventionKind, after_discharge: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        # The risks of this kind, and only those (spec section 5).
        risks = kind.consent_terms.risks
        if risks:
            self.fields["risks_discussed"].choices = risks
        else:
            del self.fields["risks_discussed"]
        if after_discharge:
            self.fields["reason"] = after_discharge_reason_field("is this consent recorded")
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("risks_discussed", [])
        return cleaned


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label="Consent withdrawn on", widget=DateInput(), initial=timezone.localdate
    )

    def __init__(self, *args, after_discharge: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if after_discharge:
            self.fields["reason"] = after_discharge_reason_field("is the withdrawal recorded")
        self.helper = _helper()


def after_discharge_reason_field(why: str) -> forms.CharField:
    """The reason a change to a discharged episode needs (the service refuses without
    one, saying so); shown only when the episode is discharged."""
    return forms.CharField(
        label=f"Why {why} after discharge?",
        help_text="Listed with the change on the discharge summary, as added after discharge.",
        max_length=200,
        required=False,
        validators=[single_line],
    )


class ScreenForm(forms.Form):
    present = forms.MultipleChoiceField(
        label="Contraindications found (leave all unticked if none)",
        choices=[
            (item.code, item.label + ("" if item.blocks else " (caution)"))
            for item in DRY_NEEDLING_SCREEN
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    justification = forms.CharField(
        label="Clinical justification (needed for any caution)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    # The latest screen when the form was opened (0: none), which this one follows.
    follows = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class AdverseEventForm(forms.Form):
    event_type = forms.CharField(label="Type of event", max_length=120, validators=[single_line])
    severity = forms.ChoiceField(choices=Severity.choices)
    action_taken = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def _limited_note_field(model_field, **kwargs) -> forms.Field:
    # The note's text fields have no limit in the database; the form gives each one.
    return model_field.formfield(max_length=NOTE_LIMIT, **kwargs)


class VisitNoteForm(forms.ModelForm):
    revision = RevisionField()

    class Meta:
        model = VisitNote
        fields = ["subjective", "objective", "analysis", "plan"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}
        formfield_callback = _limited_note_field

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()


def measure_choices() -> list[tuple[str, str]]:
    """Read when a form is built: the measures are registered by the app, not on import."""
    return [("", "—")] + [(m.code, m.code.upper()) for m in measures.registry]


class PlanForm(forms.Form):
    planned_interventions = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, required=False, label="Planned interventions"
    )
    visit_interval_days = forms.IntegerField(
        label="See the patient every (days)",
        min_value=1,
        max_value=365,
        initial=7,
        help_text="7 for weekly, 14 for fortnightly. The diary's follow-ups due come from this.",
    )
    planned_visits = forms.IntegerField(
        label="Number of visits planned", min_value=1, max_value=100, initial=6
    )
    next_review_on = forms.DateField(
        label="Next review",
        required=False,
        widget=DateInput(),
        validators=TreatmentPlan._meta.get_field("next_review_on").validators,
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    # The plan's revision when the form was opened (0: no plan yet).
    revision = RevisionField()

    def __init__(
        self, *args, kind_choices, goal_rows: int = 3, after_discharge: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned_interventions"].choices = kind_choices
        if after_discharge:
            self.fields["reason"] = after_discharge_reason_field("does the plan change")
        self.goal_rows = goal_rows
        for row in range(goal_rows):
            self.fields[f"goal-{row}-text"] = forms.CharField(
                label="Goal", required=False, max_length=300, validators=[single_line]
            )
            self.fields[f"goal-{row}-measure_code"] = forms.ChoiceField(
                label="Measure", choices=measure_choices, required=False
            )
            self.fields[f"goal-{row}-comparator"] = forms.ChoiceField(
                label="Target",
                choices=[("", "—"), ("<=", "at most"), (">=", "at least")],
                required=False,
            )
            self.fields[f"goal-{row}-target_value"] = forms.FloatField(
                label="Value", required=False
            )
        self.helper = _helper()

    def goal_grid(self):
        names = ["text", "measure_code", "comparator", "target_value"]
        return [[self[f"goal-{row}-{name}"] for name in names] for row in range(self.goal_rows)]

    def clean(self):
        cleaned = super().clean()
        goals = []
        for row in range(self.goal_rows):
            text = (cleaned.get(f"goal-{row}-text") or "").strip()
            code = cleaned.get(f"goal-{row}-measure_code") or ""
            comparator = cleaned.get(f"goal-{row}-comparator") or ""
            target = cleaned.get(f"goal-{row}-target_value")
            if not (text or code or comparator or target is not None):
                continue
            if not text:
                self.add_error(f"goal-{row}-text", "Describe the goal in words.")
                continue
            if code or comparator or target is not None:
                if not (code and comparator and target is not None):
                    self.add_error(
                        f"goal-{row}-target_value",
                        "A measurable goal needs the measure, at most / at least, and a value.",
                    )
                    continue
                measure = measures.registry.get(code)
                if not measure.min_value <= target <= measure.max_value:
                    self.add_error(
                        f"goal-{row}-target_value",
                        f"{code.upper()} targets must be between {measure.min_value} and {measure.max_value}.",
                    )
                    continue
            goals.append(
                {
                    "text": text,
                    "measure_code": code,
                    "comparator": comparator,
                    "target_value": target,
                }
            )
        cleaned["goals"] = goals
        return cleaned
