"""The assessment form, generated from a template definition.

One field per item (named by its code); a measure item becomes one field per measure
item, named `<item>__<measure item>` (e.g. `odi__odi_3`). Answers go in and out of the
form in the shape `definitions.validate_answers` takes.
"""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape

from assessments.text import single_line

from . import measures
from .definitions import AnswerError, Item, ItemType, Section, Template, validate_answers
from .formfields import DateInput, DateTimeInput, RevisionField
from .models import RedFlagReferral

MEASURE_SEPARATOR = "__"
TEXT_LIMIT = 5000


def measure_field_name(item_code: str, measure_item_code: str) -> str:
    return f"{item_code}{MEASURE_SEPARATOR}{measure_item_code}"


def _options(item: Item) -> list[tuple[str, str]]:
    return [(choice.code, choice.label) for choice in item.options]


def _field_for(item: Item) -> forms.Field:
    common = {"label": item.label, "help_text": item.help_text, "required": False}
    match item.type:
        case ItemType.CHOICE | ItemType.YES_NO | ItemType.TEST:
            return forms.ChoiceField(
                choices=_options(item),
                widget=forms.RadioSelect(attrs={"class": "inline"}),
                **common,
            )
        case ItemType.RED_FLAG:
            return forms.ChoiceField(
                choices=_options(item), widget=forms.RadioSelect, initial="not_asked", **common
            )
        case ItemType.MULTI_CHOICE | ItemType.BODY_CHART:
            return forms.MultipleChoiceField(
                choices=_options(item), widget=forms.CheckboxSelectMultiple, **common
            )
        case ItemType.INTEGER:
            return forms.IntegerField(min_value=item.min_value, max_value=item.max_value, **common)
        case ItemType.DATE:
            return forms.DateField(widget=DateInput(), **common)
        case ItemType.TEXT:
            return forms.CharField(
                max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
    raise ValueError(f"No form field for {item.type}")


@dataclass(frozen=True)
class LicensedText:
    question: str = ""
    answers: tuple[str, ...] = ()


@functools.cache
def licensed_text() -> dict[str, LicensedText]:
    """Question and answer text a clinic holds a licence for (ODI, LEFS), loaded from its
    own JSON file; we ship section titles and our own scale words only (clinical spec, 4).

    Each key is a measure item code (``odi_1``) or a measure code (``lefs``); each value
    is the question as a string, or ``{"question": ..., "answers": [...]}`` with one
    answer per score from the lowest. A measure's answers serve its items that have none
    of their own. The README shows the format."""
    path = getattr(settings, "ASSESSMENT_LICENSED_TEXT", "")
    if not path:
        return {}
    with open(path, encoding="utf-8") as file:
        entries = json.load(file)
    if not isinstance(entries, dict):
        raise ImproperlyConfigured(f"{path}: expected an object of codes to text")
    return {str(code): _licensed_entry(path, str(code), value) for code, value in entries.items()}


def _licensed_entry(path: str, code: str, value: object) -> LicensedText:
    measure_code = code if code in measures.registry else code.rsplit("_", 1)[0]
    if measure_code not in measures.registry or (
        code != measure_code and code not in measures.registry.get(measure_code).index
    ):
        raise ImproperlyConfigured(f"{path}: {code!r} is not a measure or a measure item")
    if isinstance(value, str):
        return LicensedText(question=value)
    if not isinstance(value, dict) or not set(value) <= {"question", "answers"}:
        raise ImproperlyConfigured(f"{path}: {code}: expected text or question and answers")
    answers = value.get("answers", [])
    measure = measures.registry.get(measure_code)
    if answers and not measure.scale:
        raise ImproperlyConfigured(f"{path}: {code}: {measure.title} takes no answer text")
    if answers and (
        not isinstance(answers, list)
        or len(answers) != len(measure.scale)
        or not all(isinstance(answer, str) for answer in answers)
    ):
        raise ImproperlyConfigured(
            f"{path}: {code}: give {len(measure.scale)} answers, one per score from the lowest"
        )
    return LicensedText(question=str(value.get("question", "")), answers=tuple(answers))


def _measure_fields(item: Item) -> dict[str, forms.Field]:
    measure = measures.registry.get(item.measure)
    fields: dict[str, forms.Field] = {}
    texts = licensed_text()
    for measure_item in measure.items:
        name = measure_field_name(item.code, measure_item.code)
        if measure_item.scored and measure.scale:
            # A radio group per question, with a way back to "not answered" (ODI allows
            # two sections left blank).
            fields[name] = forms.TypedChoiceField(
                label=measure_item.label,
                choices=[("", "Not answered")]
                + [
                    (str(value), str(value))
                    for value in range(measure_item.min_value, measure_item.max_value + 1)
                ],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "btn-check measure-answer"}),
            )
        elif measure_item.scored:
            fields[name] = forms.IntegerField(
                label=measure_item.label,
                help_text=texts.get(measure_item.code, LicensedText()).question,
                required=False,
                min_value=measure_item.min_value,
                max_value=measure_item.max_value,
                widget=forms.NumberInput(attrs={"class": "measure-input", "inputmode": "numeric"}),
            )
        else:
            fields[name] = forms.CharField(
                label=measure_item.label, required=False, max_length=200, validators=[single_line]
            )
    return fields


class AssessmentForm(forms.Form):
    revision = RevisionField()

    def __init__(
        self, *args, template: Template, red_flags_answered: bool = False, **kwargs
    ) -> None:
        """`red_flags_answered`: saving an initial assessment needs every red-flag question
        answered yes or no ("not asked" is no answer there); a draft keeps anything."""
        super().__init__(*args, **kwargs)
        self.template = template
        self.red_flags_answered = red_flags_answered
        layout = []
        sections = list(template.sections)
        for section, next_section in zip(sections, [*sections[1:], None], strict=True):
            names = [_skip_link(next_section)] if next_section else []
            for item in section.items:
                if item.type == ItemType.MEASURE:
                    measure_fields = _measure_fields(item)
                    self.fields.update(measure_fields)
                    names.append(_measure_block(item, list(measure_fields)))
                else:
                    self.fields[item.code] = _field_for(item)
                    names.append(_item_block(item))
            layout.append(
                Fieldset(
                    f'<h2 class="h5 mb-0">{escape(section.title)}</h2>',
                    *names,
                    css_id=f"section-{section.code}",
                    css_class="card card-body mb-3",
                )
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout("revision", *layout)

    def answers(self) -> dict[str, object]:
        """The cleaned answers in the template's shape (unanswered items left out)."""
        data = self.cleaned_data
        answers: dict[str, object] = {}
        for item in self.template.items():
            if item.type == ItemType.MEASURE:
                measure = measures.registry.get(item.measure)
                values = {
                    measure_item.code: data.get(measure_field_name(item.code, measure_item.code))
                    for measure_item in measure.items
                }
                values = {code: value for code, value in values.items() if value not in (None, "")}
                if values:
                    answers[item.code] = values
                continue
            value = data.get(item.code)
            if value in (None, "", []):
                continue
            answers[item.code] = value.isoformat() if item.type == ItemType.DATE else value
        return answers

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.validated_answers = validate_answers(self.template, self.answers())
            except AnswerError as error:
                self._add_answer_error(error)
        # After the answers' own checks, so the form says all that needs correcting.
        if self.red_flags_answered:
            self._check_red_flags_answered(cleaned)
        return cleaned

    def _check_red_flags_answered(self, cleaned: dict) -> None:
        unanswered = [
            item
            for item in self.template.items()
            if item.type == ItemType.RED_FLAG and cleaned.get(item.code) not in ("yes", "no")
        ]
        if not unanswered:
            return
        self.add_error(
            None,
            "Answer every red-flag question yes or no before saving the initial assessment "
            "(Save draft keeps what you entered meanwhile). Not answered yet: "
            + "; ".join(item.label for item in unanswered)
            + ".",
        )
        for item in unanswered:
            self.add_error(item.code, "Answer yes or no before saving the assessment.")

    def _add_answer_error(self, error: AnswerError) -> None:
        message = str(error).split(": ", 1)[-1]
        if error.measure_item_code:
            name = measure_field_name(error.item_code, error.measure_item_code)
            if name in self.fields:
                self.add_error(name, message)
                return
        if error.item_code in self.fields:
            self.add_error(error.item_code, message)
        else:
            self.add_error(None, str(error))


def initial_from_answers(template: Template, answers: Mapping[str, object]) -> dict[str, object]:
    initial: dict[str, object] = {}
    for code, value in answers.items():
        if code not in template.index:
            continue
        if isinstance(value, Mapping):
            for measure_item_code, measure_value in value.items():
                initial[measure_field_name(code, measure_item_code)] = measure_value
        else:
            initial[code] = value
    return initial


def initial_from_draft(form: AssessmentForm, draft: Mapping[str, list[str]]) -> dict[str, object]:
    """Raw draft input back into initial values (lists stay lists for multi-choice)."""
    initial: dict[str, object] = {}
    for name, values in draft.items():
        field = form.fields.get(name)
        if field is None or name == "revision":
            continue
        initial[name] = values if isinstance(field, forms.MultipleChoiceField) else values[-1]
    return initial


def _item_block(item: Item):
    if item.type == ItemType.BODY_CHART:
        return Div(
            HTML("{% load assessment_tags %}{% body_chart form." + item.code + " %}"),
            css_class="body-chart-block",
        )
    return Div(item.code, css_class=f"item item-{item.type}")


def _skip_link(next_section: Section) -> HTML:
    """A keyboard user passes over a section not in use (shown when it has the focus)."""
    return HTML(
        f'<a class="section-skip visually-hidden-focusable" href="#section-{next_section.code}">'
        f"Skip to {escape(next_section.title)}</a>"
    )


def _measure_block(item: Item, field_names: list[str]):
    measure = measures.registry.get(item.measure)
    heading = HTML(
        f'<h3 class="h6 mt-2">{escape(measure.title)}'
        f'<span class="text-body-secondary fw-normal"> · {escape(item.help_text)}</span></h3>'
        if item.help_text
        else f'<h3 class="h6 mt-2">{escape(measure.title)}</h3>'
    )
    if measure.scale:
        body = HTML("{% load assessment_tags %}{% measure_scale form '" + item.code + "' %}")
    else:
        body = Div(
            *[Div(name, css_class="col") for name in field_names],
            css_class="row row-cols-2 row-cols-md-5 g-2",
        )
    live = {}
    if measure.live_score:
        scored = measure.scored_items
        live = {
            "data_live_score": measure.live_score.value,
            "data_items": str(len(scored)),
            "data_item_max": str(scored[0].max_value),
            "data_min_answered": str(measure.min_answered or len(scored)),
            "data_unit": measure.unit,
            "data_bands": json.dumps(measure.bands),
            "data_title": measure.code.upper(),
        }
        # Under the heading, so it is in view while the first answers go in.
        heading = Div(
            heading,
            HTML(
                f'<p class="measure-live small mb-1" role="status" '
                f'id="live-{escape(item.code)}"></p>'
            ),
        )
    return Div(
        heading,
        body,
        css_class=f"measure measure-{measure.code}",
        css_id=f"measure-{item.code}",
        **live,
    )


def carried_over(template: Template, visit) -> dict[str, object]:
    """PSFS activities are the patient's own words and carry over to later visits."""
    from .models import Measurement

    initial: dict[str, object] = {}
    psfs_items = [item for item in template.items() if item.measure == "psfs"]
    if not psfs_items:
        return initial
    latest = (
        Measurement.objects.filter(episode_id=visit.episode_id, measure_code="psfs")
        .exclude(visit=visit)
        .order_by("-scored_at")
        .first()
    )
    if latest is None:
        return initial
    for item in psfs_items:
        for code, value in latest.raw.items():
            if code.endswith("_activity"):
                initial[measure_field_name(item.code, code)] = value
    return initial


class WorkingDiagnosisForm(forms.Form):
    """The working diagnosis on a page of its own (the visit page has it beside the panel);
    a discharged episode's is corrected here, with the reason the change needs."""

    source = forms.MultipleChoiceField(
        label="Pain sources you confirm",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    main = forms.ChoiceField(
        label="Main diagnosis",
        help_text="The one you treat as the working diagnosis; the other ticked sources are "
        "differentials.",
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Why does the diagnosis change after discharge?",
        help_text="e.g. The consultant's letter of 12 Jan confirms a hamstring tendinopathy.",
        max_length=200,
        required=False,
        validators=[single_line],
    )

    def __init__(self, *args, after_discharge: bool, sources: Mapping[str, str], **kwargs) -> None:
        """`sources`: those of the rule sets of the episode's assessments."""
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = list(sources.items())
        self.fields["main"].choices = list(sources.items())
        if not after_discharge:
            del self.fields["reason"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        from .services import AssessmentError, main_diagnosis_check

        data = super().clean()
        if data.get("source"):
            try:
                data["main"] = main_diagnosis_check(data["source"], data.get("main", ""))
            except AssessmentError as error:
                self.add_error("main", str(error))
        return data


class RedFlagReferralForm(forms.ModelForm):
    class Meta:
        model = RedFlagReferral
        fields = ["referred_to", "referred_to_name", "urgency", "referred_at", "method", "note"]
        labels = {"referred_to": "Referred to", "referred_at": "When", "method": "How"}
        widgets = {
            "referred_to": forms.RadioSelect,
            "urgency": forms.RadioSelect,
            "method": forms.RadioSelect,
            "referred_at": DateTimeInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].max_length = TEXT_LIMIT
        for name in ("referred_to", "urgency", "method"):
            # Radio buttons: no "---------" choice among them.
            field = self.fields[name]
            field.choices = [(code, label) for code, label in field.choices if code]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
