"""Sign-up and organization registration pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import OrganizationForm, SignupForm
from accounts.models import Membership, MembershipRole


def signup(request):
    if request.user.is_authenticated:
        return redirect("workspace:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Now register your organization."))
        response = redirect("accounts:organization-new")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.preferred_language,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
        return response
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def organization_new(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            organization = form.save()
            Membership.objects.create(user=request.user, organization=organization, role=MembershipRole.ADMIN)
        messages.success(request, _("Your organization %(name)s is registered.") % {"name": organization.name})
        return redirect("workspace:home")
    return render(request, "accounts/organization_form.html", {"form": form})
