"""Sign-up and organization registration forms of the web pages."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Language, Organization, OrganizationKind, User
from accounts.services import unique_slug
from accounts.validators import normalize_business_registration_number, validate_business_registration_number


class SignupDetailsForm(forms.Form):
    """What django-allauth's sign-up form asks besides the e-mail address and the password
    (``ACCOUNT_SIGNUP_FORM_CLASS``): the name, the language of the e-mails, and consent to the
    collection and use of personal information (개인정보 수집·이용 동의), without which there is no
    account. Whether the address already has an account is never said (allauth mails its owner)."""

    full_name = forms.CharField(label=_("full name"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(
        label=_("preferred language"), choices=Language.choices, initial=Language.KOREAN
    )
    privacy_consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information as the privacy notice describes."),
        error_messages={"required": _("An account needs your consent to the privacy notice.")},
    )

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        User._meta.get_field("full_name").run_validators(name)
        return name

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.preferred_language = self.cleaned_data["preferred_language"]
        user.privacy_consent_at = timezone.now()
        user.save(update_fields=["full_name", "preferred_language", "privacy_consent_at"])


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
            if Organization.objects.filter(business_registration_number=digits).exclude(pk=self.instance.pk).exists():
                raise forms.ValidationError(
                    _("An organization with this business registration number is already registered."), code="unique"
                )
        return digits

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("kind", self.instance.kind) == OrganizationKind.STARTUP
            and cleaned.get("country") == "KR"
            and "business_registration_number" not in self.errors
            and not cleaned.get("business_registration_number")
        ):
            self.add_error(
                "business_registration_number", _("Korean startups must give their business registration number.")
            )
        return cleaned

    def _post_clean(self):
        if self.instance.pk is None:
            self.instance.slug = unique_slug(self.cleaned_data.get("name_en") or self.cleaned_data.get("name_ko") or "")
        super()._post_clean()


class OrganizationProfileForm(OrganizationForm):
    """An organization's administrators edit its profile: everything but its kind (and its slug),
    with its contact details. A new website or 사업자등록번호 waits for staff verification again."""

    class Meta(OrganizationForm.Meta):
        fields = (*(name for name in OrganizationForm.Meta.fields if name != "kind"), "contact_email", "contact_phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


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
