from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UsernameField
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from assessments.audit import ClinicalAccessAdmin
from assessments.text import single_line

from . import accounts, selectors
from .diary import services as diary_services
from .models import (
    Addendum,
    Appointment,
    CalendarFeed,
    ContactAttempt,
    EpisodeOfCare,
    Patient,
    TimeOff,
    Visit,
    WorkingBreak,
    WorkingHours,
)
from .roles import CLINIC_ADMIN, PHYSIOTHERAPIST, ROLES

# admin.site is clinic.admin_site.ClinicAdminSite: the Clinic admin (and superusers) only.
# The ModelAdmin of every model whose pages show clinical content (an episode shows its
# complaint wherever it is named) is a ClinicalAccessAdmin: each view is logged.


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["identifier", "family_name", "given_name", "date_of_birth"]
    search_fields = ["identifier", "family_name", "given_name"]
    readonly_fields = [
        "identifier",
        "created_at",
        "updated_at",
        "updated_by",
        "revision",
        "archived_at",
        "archived_by",
        "archive_reason",
    ]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            # A new revision, as in the app: a form opened before this is then refused.
            obj.revision += 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Patients are never hard-deleted (archived instead, in the app).


@admin.register(EpisodeOfCare)
class EpisodeAdmin(ClinicalAccessAdmin):
    list_display = ["patient", "complaint", "physio", "status", "opened_on"]
    list_filter = ["status"]
    list_select_related = ["patient", "physio"]
    raw_id_fields = ["patient"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(ClinicalAccessAdmin):
    list_display = ["episode", "practitioner", "starts_at", "kind", "status"]
    list_filter = ["status", "kind"]
    list_select_related = ["episode__patient", "practitioner"]
    raw_id_fields = ["episode"]
    # Signing goes through the app, which freezes the visit's assessments on the way.
    readonly_fields = ["status", "signed_by", "signed_at"]

    def get_readonly_fields(self, request, obj=None):
        # Whose visit it is changes only by a takeover in the app, which is recorded.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + ["practitioner"] if obj is not None else readonly

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_signed:
            return False  # Signed visits are read-only by every path.
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Addendum)
class AddendumAdmin(ClinicalAccessAdmin):
    list_display = ["visit", "author", "created_at", "reason"]
    list_select_related = ["visit__episode", "author"]
    raw_id_fields = ["visit"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- The diary ---------------------------------------------------------------------------


@admin.register(Appointment)
class AppointmentAdmin(ClinicalAccessAdmin):
    """Read-only: bookings go through the diary, which enforces working hours and overlap.
    Its page names the appointment's episode (the complaint)."""

    list_display = ["start", "end", "practitioner", "patient", "kind", "status"]
    list_filter = ["status", "kind", "practitioner"]
    list_select_related = ["practitioner", "patient", "episode"]
    date_hierarchy = "start"
    search_fields = ["patient__identifier", "patient__family_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class PhysioChoiceAdmin(admin.ModelAdmin):
    """The `practitioner` field offers the active physios only."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "practitioner":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_active=True, groups__name=PHYSIOTHERAPIST
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WeeklyTimesAdmin(PhysioChoiceAdmin):
    list_display = ["practitioner", "weekday", "start", "end"]
    list_filter = ["practitioner", "weekday"]
    list_select_related = ["practitioner"]
    ordering = ["practitioner__username", "weekday", "start"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(WeeklyTimesAdmin):
    pass


@admin.register(WorkingBreak)
class WorkingBreakAdmin(WeeklyTimesAdmin):
    list_display = [*WeeklyTimesAdmin.list_display, "label"]


@admin.register(TimeOff)
class TimeOffAdmin(PhysioChoiceAdmin):
    list_display = ["practitioner", "first_day", "last_day", "reason"]
    list_filter = ["practitioner"]
    list_select_related = ["practitioner"]
    ordering = ["-first_day"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Time off does not cancel anything: say which appointments now need moving.
        booked = (
            Appointment.objects.active()
            .for_practitioner(obj.practitioner_id)
            .filter(start__date__gte=obj.first_day, start__date__lte=obj.last_day)
            .select_related("patient")
            .order_by("start")
        )
        if booked:
            listed = "; ".join(
                f"{timezone.localtime(a.start):%a %d %b %H:%M} {a.patient.full_name}"
                for a in booked
            )
            self.message_user(
                request,
                f"{len(booked)} appointment(s) in this time off still need moving or "
                f"cancelling: {listed}.",
                level=messages.WARNING,
            )


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ClinicalAccessAdmin):
    """Its page names the episode the call was about (the complaint)."""

    list_display = ["created_at", "patient", "outcome", "created_by"]
    list_select_related = ["patient", "created_by", "episode"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Every physio's calendar feed, to revoke one (a lost phone, a physio leaving). Never
    the token or the address: whoever holds it reads the physio's diary. Read-only, but
    for the "Revoke" action, which the audit log records."""

    list_display = ["practitioner", "created_at", "last_used_at", "answering"]
    list_select_related = ["practitioner"]
    search_fields = [
        "practitioner__username",
        "practitioner__first_name",
        "practitioner__last_name",
    ]
    fields = ["practitioner", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        physio = selectors.physiotherapists().filter(pk=OuterRef("practitioner_id"))
        return super().get_queryset(request).annotate(answering=Exists(physio))

    @admin.display(boolean=True, description="answers", ordering="answering")
    def answering(self, feed: CalendarFeed) -> bool:
        """Whether the address still works: only while the physio is active in the role."""
        return feed.answering

    def has_add_permission(self, request) -> bool:
        return False  # a physio turns their own feed on

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoking is the action below

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("clinic.revoke_calendarfeed")

    @admin.action(
        description="Revoke the selected calendar feeds (their addresses stop working)",
        permissions=["revoke"],
    )
    def revoke(self, request, queryset):
        feeds = list(queryset.select_related("practitioner"))
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "admin/clinic/calendarfeed/revoke_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Revoke these calendar feeds?",
                    "opts": self.model._meta,
                    "feeds": feeds,
                    "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                },
            )
        with transaction.atomic():
            for feed in feeds:
                diary_services.calendar_feed_revoke(practitioner=feed.practitioner)
        revoked = f"{len(feeds)} calendar feed" + ("" if len(feeds) == 1 else "s")
        self.message_user(
            request,
            f"Revoked {revoked}: the addresses no longer work. A physio who still needs a "
            "feed makes a new address on their calendar feed page.",
            messages.SUCCESS,
        )
        return None


# --- The audit log: old and new values of clinical records --------------------------------

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class ClinicLogEntryAdmin(ClinicalAccessAdmin, LogEntryAdmin):
    """auditlog's own (read-only) admin, with each view of the log logged."""


# --- Users: every user has a role, and no one sets another user's password ----------------
# Who may manage whom is clinic.accounts' rule; the admin applies it to the page, the
# fields, their choices and every POST (a field the form does not show is never saved).

ROLE_REQUIRED = "Give the user a role: " + ", ".join(ROLES) + "."


def _has_role(groups) -> bool:
    return any(group.name in ROLES for group in groups or [])


class AccountFormMixin:
    """Shared by the forms that create and change users."""

    # The groups the admin using the form may give; set per request by ClinicUserAdmin.
    grantable_groups = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # auth.User is Django's model, so its names get the one-line rule here.
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].validators.append(single_line)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_name"), cleaned.get("last_name")
        active = cleaned.get("is_active", self.instance.is_active)
        if first is not None and last is not None and active:
            namesake = accounts.active_namesake(
                first, last, other_than=self.instance if self.instance.pk else None
            )
            if namesake is not None:
                self.add_error(
                    "last_name",
                    f"Another active user is already called {namesake.get_full_name()} "
                    f"({namesake.get_username()}): signed records name their signer, so give "
                    "each user a name that tells them apart (a middle initial, say).",
                )
        return cleaned

    def clean_email(self) -> str:
        email = get_user_model().objects.normalize_email(self.cleaned_data.get("email", ""))
        if email and accounts.email_taken(
            email, other_than=self.instance if self.instance.pk else None
        ):
            raise forms.ValidationError(
                "Another user already has this email address: each user has their own, "
                "where their password links are sent."
            )
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        # The administration lets in staff only: a Clinic admin needs it.
        if any(group.name == CLINIC_ADMIN for group in self.cleaned_data.get("groups") or []):
            user.is_staff = True
        if commit:
            user.save()
            self.save_m2m()
        return user


class UserInviteForm(AccountFormMixin, forms.ModelForm):
    """A new user: who they are, their address and their role. No password: the user sets
    their own from the link emailed to them."""

    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email", "groups")
        field_classes = {"username": UsernameField}
        help_texts = {"email": "Required: the link to set their password is sent there."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with that user name already exists.")
        return username

    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if not _has_role(groups):
            raise forms.ValidationError(ROLE_REQUIRED)
        return groups

    def save(self, commit=True):
        self.instance.set_unusable_password()
        return super().save(commit)


class UserAccountForm(AccountFormMixin, forms.ModelForm):
    """An existing user. The password is not a field: no one sets it for them."""

    class Meta:
        model = get_user_model()
        fields = (
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "groups",
            "is_staff",
            "is_superuser",
            "user_permissions",
        )
        field_classes = {"username": UsernameField}

    def clean_groups(self):
        chosen = self.cleaned_data["groups"]
        if self.instance.pk and self.grantable_groups is not None:
            # Groups the admin cannot give are not theirs to take either: keep them.
            kept = self.instance.groups.exclude(pk__in=self.grantable_groups)
            chosen = (chosen | kept).distinct()
        return chosen

    def clean(self):
        cleaned = super().clean()
        is_staff = cleaned.get("is_staff", self.instance.is_staff)
        is_superuser = cleaned.get("is_superuser", self.instance.is_superuser)
        needs_role = "groups" in self.fields and is_staff and not is_superuser
        if needs_role and not _has_role(cleaned.get("groups")):
            self.add_error("groups", "A staff user needs a role. " + ROLE_REQUIRED)
        return cleaned


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    """Users are created with an email address and a role, and set their own password from
    an emailed link; a forgotten password gets a new link. No page sets a password for
    someone else, for the Clinic admin or a superuser. The Clinic admin manages the
    Physiotherapist and Front desk accounts only (clinic.accounts), and no one deletes a
    user: deactivate them, so that the records and the audit log still name them."""

    add_form = UserInviteForm
    add_form_template = None
    form = UserAccountForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "first_name", "last_name", "email", "groups"),
            },
        ),
    )
    fieldsets = (
        (None, {"fields": ("username", "password_status")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Role and access",
            {"fields": ("is_active", "groups", "is_staff", "is_superuser", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("password_status", "last_login", "date_joined")
    actions = ["send_password_links"]

    def get_urls(self):
        link = path(
            "<id>/password-link/",
            self.admin_site.admin_view(self.password_link_view),
            name="auth_user_password_link",
        )
        return [link, *super().get_urls()]

    def user_change_password(self, request, id, form_url=""):
        # UserAdmin's page for typing another user's password: gone, for everyone.
        raise Http404("No one sets another user's password: send them a password reset link.")

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or accounts.may_manage(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Deactivate instead: a deleted user would vanish from the audit log.

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return readonly
        if not request.user.is_superuser:
            readonly += ["username", "is_staff", "is_superuser", "user_permissions"]
        if not accounts.email_correctable(obj):
            readonly.append("email")
        return readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.grantable_groups = accounts.grantable_roles(request.user)
        return form

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = accounts.grantable_roles(request.user)
            kwargs["label"] = "Role"
            kwargs["help_text"] = (
                "The user gets the permissions of each of their roles."
                if request.user.is_superuser
                else "Physiotherapist or Front desk: only a superuser gives the Clinic admin role."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Password")
    def password_status(self, obj) -> str:
        if obj.has_usable_password():
            return (
                "Set by the user. No one else sees or sets it: for a forgotten password, "
                "use “Send a password reset link” above."
            )
        return "Not set yet: the user sets it with the link emailed to them."

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if not change:
            self._send_link(request, form.instance)

    def _send_link(self, request, user) -> bool:
        try:
            accounts.password_link_send(
                user=user, by=request.user, domain=request.get_host(), use_https=request.is_secure()
            )
        except accounts.AccountError as error:
            self.message_user(request, str(error), level=messages.ERROR)
            return False
        self.message_user(
            request,
            f"{user.get_username()} was sent a link to set their password, at {user.email}.",
        )
        return True

    def password_link_view(self, request, id):
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404("No such user.")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            self._send_link(request, user)
            return redirect(reverse("admin:auth_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Send {user.get_username()} a password reset link?",
            "opts": self.opts,
            "original": user,
        }
        return TemplateResponse(request, "admin/auth/user/password_link.html", context)

    @admin.action(description="Send a password reset link", permissions=["change"])
    def send_password_links(self, request, queryset) -> None:
        sent = not_managed = failed = 0
        for user in queryset:
            if not accounts.may_manage(request.user, user):
                not_managed += 1
                continue
            try:
                accounts.password_link_send(
                    user=user,
                    by=request.user,
                    domain=request.get_host(),
                    use_https=request.is_secure(),
                )
            except accounts.AccountError as error:
                failed += 1
                self.message_user(request, str(error), level=messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(
                request, f"{sent} user{pluralize(sent, ' was,s were')} sent a password reset link."
            )
        if not_managed:
            self.message_user(
                request,
                f"It was not sent to {not_managed} user{pluralize(not_managed)} you cannot "
                "manage (Clinic admins, superusers and your own account).",
                level=messages.WARNING,
            )
