"""Sign-in, sign-up and organization registration pages."""

import math

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services, tokens
from accounts.forms import ApiTokenForm, OrganizationForm, OrganizationProfileForm
from accounts.models import Membership, MembershipRole, Organization
from accounts.selectors import affiliation
from accounts.throttling import SignInRateThrottle
from core.forms import add_service_error


class LoginView(allauth_views.LoginView):
    """django-allauth's sign-in (e-mail and password; an unconfirmed address gets the confirmation
    mail again), throttled like the token endpoint: past the rate, the form answers 429 with the
    wait and does not check the password at all."""

    def post(self, request, *args, **kwargs):
        throttle = SignInRateThrottle()
        if not throttle.allow_request(request, self):
            form = self.get_form()
            wait = math.ceil(throttle.wait() or 1)
            form.errors.clear()
            form.add_error(None, _("Too many sign-in attempts. Try again in %(seconds)d seconds.") % {"seconds": wait})
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)


def privacy(request):
    return render(request, "accounts/privacy.html")


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


@login_required
def organization_edit(request, slug):
    """An administrator of the organization edits its profile; 404 for everyone else."""
    organization = get_object_or_404(Organization, slug=slug, pk__in=affiliation(request.user).admin_of)
    was_verified = organization.is_verified
    form = OrganizationProfileForm(request.POST or None, instance=Organization.objects.get(pk=organization.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            organization = services.organization_update(organization=organization, **fields)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The profile of %(name)s is saved.") % {"name": organization.name})
            if was_verified and not organization.is_verified:
                messages.info(
                    request,
                    _(
                        "You changed the website or the business registration number: "
                        "the platform staff verify it again."
                    ),
                )
            return redirect("workspace:home")
    return render(request, "accounts/organization_form.html", {"form": form, "organization": organization})


# --- The secrets a user hands to programs -----------------------------------------------------

NEW_KEY = "accounts.new_api_token"  # the session key that carries a new token's key to the page once


@login_required
def token_list(request):
    """The user's API tokens (make, see, revoke) and calendar-feed URL (copy, rotate)."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = tokens.issue(request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[NEW_KEY] = key
            messages.success(
                request, _("Your token %(name)s is made. Copy it now: it is not shown again.") % {"name": token.name}
            )
            return redirect("accounts:tokens")
    context = {
        "form": form,
        "tokens": request.user.api_tokens.all(),
        "new_key": request.session.pop(NEW_KEY, None),
        "feed_url": request.build_absolute_uri(reverse("calendar-feed", args=[tokens.feed_token(request.user)])),
    }
    return render(request, "accounts/tokens.html", context)


@login_required
@require_POST
def token_revoke(request, api_token):
    token = tokens.revoke(request.user, api_token)
    if token is None:
        raise Http404
    messages.success(
        request, _("The token %(name)s is revoked; programs using it are refused from now on.") % {"name": token.name}
    )
    return redirect("accounts:tokens")


@login_required
@require_POST
def calendar_rotate(request):
    tokens.rotate_calendar_key(request.user)
    messages.success(
        request,
        _("Your calendar link is new: the old one no longer works. Subscribe again with the link below."),
    )
    return redirect("accounts:tokens")
