"""The user's own account: their details, their password and their email address, and the
pages of the emailed links (Django's password-reset views, with the clinic's wording)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from . import accounts
from .audit import acting
from .context_processors import roles
from .forms import EmailChangeForm, OwnPasswordChangeForm, PasswordResetRequestForm, PasswordSetForm


def account(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/account.html", roles(request))


def account_email(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, user=request.user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.email_change(user=request.user, email=form.cleaned_data["email"])
        except accounts.AccountError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, "Your email address is changed.")
            return redirect("account")
    return render(request, "registration/email_change_form.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("account")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        with acting(self.request.user, event="Changed their own password"):
            response = super().form_valid(form)
        messages.success(self.request, "Your password is changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The page of every emailed link: a new user's first password and a reset alike."""

    form_class = PasswordSetForm

    def form_valid(self, form):
        # No one is logged in here: the change is the user's own, proven by the link.
        with acting(form.user, event="Set their password with an emailed link"):
            return super().form_valid(form)
