"""A service's ``ValidationError`` shown on the form that called it: the one place for this glue."""

from django.core.exceptions import ValidationError


def add_service_error(form, error: ValidationError) -> None:
    """Errors on fields the form has go to those fields; the rest (and a plain error) to the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
