import logging
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone

from assessments.formfields import DateInput, DateTimeInput, RevisionField
from assessments.text import single_line

from . import accounts
from .lockout import client_address
from .models import (
    Appointment,
    AppointmentKind,
    ContactOutcome,
    DischargeReason,
    EpisodeOfCare,
    Patient,
    Visit,
)

logger = logging.getLogger(__name__)

PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{6,20}$")


class PatientForm(forms.ModelForm):
    address = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Patient
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "address",
            "referrer",
            "contact_consent",
        ]
        widgets = {"date_of_birth": DateInput(), "address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Div(
                Div("given_name", css_class="col-md-6"),
                Div("family_name", css_class="col-md-6"),
                css_class="row",
            ),
            Div(
                Div("date_of_birth", css_class="col-md-6"),
                Div("sex", css_class="col-md-6"),
                css_class="row",
            ),
            Div(
                Div("phone", css_class="col-md-6"),
                Div("email", css_class="col-md-6"),
                css_class="row",
            ),
            "address",
            "referrer",
            Field("contact_consent"),
        )

    def clean_given_name(self) -> str:
        return self.cleaned_data["given_name"].strip()

    def clean_family_name(self) -> str:
        return self.cleaned_data["family_name"].strip()

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_PATTERN.match(phone):
            raise forms.ValidationError(
                "Enter a phone number of digits, spaces and an optional leading +, "
                "e.g. 07700 900123 or +44 7700 900123."
            )
        return phone


class PatientEditForm(PatientForm):
    """Carries the revision the details were opened at: a save over a later change by
    someone else is refused (clinic.services.patient_update), never silently merged."""

    revision = RevisionField(min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append("revision")


class ArchivePatientForm(forms.Form):
    reason = forms.CharField(
        label="Why is the patient archived?",
        max_length=200,
        validators=[single_line],
        help_text="e.g. Registered twice (the record to use is ABCD-2345); moved away; deceased.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class EpisodeForm(forms.ModelForm):
    class Meta:
        model = EpisodeOfCare
        fields = ["complaint", "side", "onset_date", "physio", "opened_on"]
        widgets = {"onset_date": DateInput(), "opened_on": DateInput()}

    def __init__(self, *args, physios=None, **kwargs):
        super().__init__(*args, **kwargs)
        if physios is not None:
            self.fields["physio"].queryset = physios
        self.fields["physio"].label_from_instance = lambda user: (
            user.get_full_name() or user.username
        )
        self.helper = FormHelper()
        self.helper.form_tag = False


class VisitStartForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = ["kind", "starts_at"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class VisitNotesForm(forms.ModelForm):
    notes = forms.CharField(
        label="Clinical notes",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    class Meta:
        model = Visit
        fields = ["notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AddendumForm(forms.Form):
    reason = forms.CharField(
        max_length=200, help_text="Why the signed note needs adding to.", validators=[single_line]
    )
    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TakeOverForm(forms.Form):
    reason = forms.CharField(
        label="Why do you take this visit over?",
        max_length=200,
        help_text="e.g. Priya is off sick and I saw the patient; finishing the notes for her.",
        validators=[single_line],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class DischargeForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason")] + DischargeReason.choices)
    closed_on = forms.DateField(
        label="Discharge date",
        widget=DateInput(),
        initial=timezone.localdate,
        validators=EpisodeOfCare._meta.get_field("closed_on").validators,
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AuditFilterForm(forms.Form):
    patient = forms.CharField(required=False, label="Patient clinic number")
    user = forms.CharField(required=False, label="Done by (user name)")
    account = forms.CharField(required=False, label="Changes to the account of (user name)")
    date_from = forms.DateField(required=False, widget=DateInput(), label="From")
    date_to = forms.DateField(required=False, widget=DateInput(), label="To")


# --- The diary ---------------------------------------------------------------------------


def _physio_label(user) -> str:
    return user.get_full_name() or user.username


class AppointmentTimeForm(forms.Form):
    """When and with whom: shared by booking and rescheduling."""

    practitioner = forms.ModelChoiceField(queryset=None, label="Physio")
    start = forms.DateTimeField(
        label="Starts",
        widget=DateTimeInput(),
        validators=Appointment._meta.get_field("start").validators,
    )
    minutes = forms.IntegerField(
        label="Length (minutes)",
        min_value=5,
        max_value=240,
        required=False,
        help_text="Leave empty for the usual length of this kind of appointment.",
    )

    def __init__(self, *args, physios=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = physios
        self.fields["practitioner"].label_from_instance = _physio_label
        self.helper = FormHelper()
        self.helper.form_tag = False


class AppointmentForm(AppointmentTimeForm):
    patient = forms.CharField(
        label="Patient's clinic number",
        max_length=9,
        validators=[single_line],
        help_text="Find the patient above, or type their clinic number (e.g. ABCD-2345).",
    )
    kind = forms.ChoiceField(choices=AppointmentKind.choices, initial=AppointmentKind.FOLLOW_UP)
    notes = forms.CharField(
        label="Notes for the front desk",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Practical notes only (parking, interpreter): never clinical.",
    )
    episode = forms.ModelChoiceField(
        queryset=EpisodeOfCare.objects.open(), required=False, widget=forms.HiddenInput()
    )
    field_order = ["patient", "practitioner", "kind", "start", "minutes", "notes", "episode"]

    def clean_patient(self) -> Patient:
        number = self.cleaned_data["patient"].strip().upper()
        patient = Patient.objects.filter(identifier__iexact=number).first()
        if patient is None:
            raise forms.ValidationError(f"No patient has the clinic number {number}.")
        if patient.is_archived:
            raise forms.ValidationError(
                f"{number} is archived: the Clinic admin unarchives the patient before booking."
            )
        return patient


class CancelAppointmentForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=200,
        validators=[single_line],
        help_text="e.g. Patient unwell; physio off sick; rebooked by phone.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ContactAttemptForm(forms.Form):
    outcome = forms.ChoiceField(choices=ContactOutcome.choices)
    note = forms.CharField(max_length=200, required=False, validators=[single_line])


class StartVisitForm(forms.Form):
    """The episode the visit belongs to: one of the patient's open ones (the only one is
    chosen already), or a new complaint, which opens its episode with the visit."""

    episode = forms.ModelChoiceField(
        queryset=None,
        label="Episode of care",
        required=False,
        empty_label="A new complaint (opens an episode)",
    )
    complaint = forms.CharField(
        label="New complaint",
        required=False,
        max_length=EpisodeOfCare._meta.get_field("complaint").max_length,
        validators=EpisodeOfCare._meta.get_field("complaint").validators,
        help_text="e.g. Right buttock pain",
    )
    side = forms.ChoiceField(
        choices=EpisodeOfCare._meta.get_field("side").choices,
        initial=EpisodeOfCare._meta.get_field("side").default,
        required=False,
    )

    def __init__(self, *args, episodes=None, can_open: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["episode"].queryset = episodes
        open_episodes = list(episodes)
        if not can_open:
            del self.fields["complaint"], self.fields["side"]
            self.fields["episode"].required = True
            self.fields["episode"].empty_label = "---------"
        elif not open_episodes:
            del self.fields["episode"]
        elif len(open_episodes) == 1 and not self.is_bound:
            self.initial.setdefault("episode", open_episodes[0].pk)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self) -> dict:
        data = super().clean()
        # Blank, not invalid (an invalid complaint has its own error already).
        if not data.get("episode") and data.get("complaint") == "":
            self.add_error(
                "complaint",
                "Name the new complaint, or choose one of the patient's open episodes.",
            )
        return data


# --- The user's own account ---------------------------------------------------------------


class PasswordResetRequestForm(PasswordResetForm):
    """Django's "forgot your password" form, sending through clinic.accounts (so each link
    is logged) and also to users who never set a password: a new user whose first link was
    lost or ran out asks for another here. Whether the address exists is never shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Your email address"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def get_users(self, email: str):
        return get_user_model()._default_manager.filter(email__iexact=email, is_active=True)

    def save(self, domain_override=None, use_https=False, request=None, **ignored) -> None:
        domain = domain_override or request.get_host()
        address = client_address(request)
        for user in self.get_users(self.cleaned_data["email"]):
            if accounts.password_reset_limited(user=user, address=address):
                # Not shown either: the page says the same whatever happened.
                logger.warning("A password reset link was not sent: past the limit.")
                continue
            try:
                accounts.password_link_send(
                    user=user, by=None, domain=domain, use_https=use_https, asked_by_user=True
                )
            except accounts.AccountError:
                # Logged, not shown: the page must not tell who has an account.
                logger.exception("A password reset link could not be sent.")


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New email address", max_length=254)
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Password reset links go to this address, so changing it needs your password.",
    )

    def __init__(self, *args, user, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not accounts.password_confirmed(self.request, self.user, password):
            raise forms.ValidationError("Your password was not right: try again.")
        return password


class OwnPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_old_password(self) -> str:
        # Django's form checks the hash itself; this one counts towards the lockout.
        old_password = self.cleaned_data["old_password"]
        if not accounts.password_confirmed(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class PasswordSetForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
