"""Sign-up and organization registration forms of the web pages."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Organization, OrganizationKind, User
from accounts.services import unique_slug
from accounts.validators import normalize_business_registration_number, validate_business_registration_number


class SignupForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."), code="unique")
        return email


class OrganizationForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (OrganizationKind.STARTUP, OrganizationKind.STARTUP.label),
            (OrganizationKind.CORPORATE, OrganizationKind.CORPORATE.label),
        ],
        widget=forms.RadioSelect,
    )
    website = forms.URLField(label=_("website"), required=False, max_length=200, assume_scheme="https")
    # People type 123-45-67890: normalised in clean_business_registration_number, then validated.
    business_registration_number = forms.CharField(
        label=_("business registration number"),
        required=False,
        max_length=20,
        help_text=_("10 digits, e.g. 123-45-67890. Required for Korean startups."),
    )

    class Meta:
        model = Organization
        fields = (
            "kind",
            "name_ko",
            "name_en",
            "country",
            "website",
            "description",
            "business_registration_number",
            "cluster",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean_country(self):
        return (self.cleaned_data.get("country") or "").strip().upper()

    def clean_business_registration_number(self):
        digits = normalize_business_registration_number(self.cleaned_data.get("business_registration_number", ""))
        if digits:
            validate_business_registration_number(digits)
            if Organization.objects.filter(business_registration_number=digits).exists():
                raise forms.ValidationError(
                    _("An organization with this business registration number is already registered."), code="unique"
                )
        return digits

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("kind") == OrganizationKind.STARTUP
            and cleaned.get("country") == "KR"
            and "business_registration_number" not in self.errors
            and not cleaned.get("business_registration_number")
        ):
            self.add_error(
                "business_registration_number", _("Korean startups must give their business registration number.")
            )
        return cleaned

    def _post_clean(self):
        self.instance.slug = unique_slug(self.cleaned_data.get("name_en") or self.cleaned_data.get("name_ko") or "")
        super()._post_clean()


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("What the token is for, e.g. “CRM sync”."))
    days = forms.TypedChoiceField(label=_("valid for"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].choices = [
            (days, ngettext("%(days)d day", "%(days)d days", days) % {"days": days})
            for days in settings.API_TOKEN_LIFETIMES
        ]
        self.fields["days"].initial = settings.API_TOKEN_LIFETIME_DAYS
