import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRN_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalize_business_registration_number(value: str) -> str:
    """``123-45-67890`` → ``1234567890``; spaces and hyphens are how people type it."""
    return re.sub(r"[\s-]", "", value or "")


def business_registration_number_is_valid(value: str) -> bool:
    """The National Tax Service checksum of a 10-digit 사업자등록번호."""
    digits = normalize_business_registration_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    d = [int(c) for c in digits]
    total = sum(x * w for x, w in zip(d[:9], _BRN_WEIGHTS, strict=True)) + (d[8] * 5) // 10
    return (10 - total % 10) % 10 == d[9]


def validate_business_registration_number(value: str) -> None:
    digits = normalize_business_registration_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(_("A business registration number has 10 digits, e.g. 123-45-67890."), code="brn_format")
    if not business_registration_number_is_valid(digits):
        raise ValidationError(
            _("This business registration number fails the checksum; please check each digit."),
            code="brn_checksum",
        )


def validate_country_code(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{2}", value or ""):
        raise ValidationError(_("Use a two-letter country code such as KR, US or DE."), code="country")
