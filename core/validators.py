"""Control characters in what people type: the one rule for names, titles and free text.

A name or title is one line: no control character at all (CR and LF would break e-mail headers,
.ics summaries and spreadsheet cells built from it), no Unicode line or paragraph separator, and no
bidirectional override (which makes a name read differently from what it is). Free text
(descriptions, messages, notes) may hold line breaks and tabs, and nothing else of the kind."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Explicit directional formatting (LRE … RLO) and isolates (LRI … PDI); see Unicode UAX #9.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_SEPARATORS = frozenset("\u2028\u2029")
_TEXT_ALLOWED = frozenset("\n\r\t")


def _describe(character: str):
    """How the message names ``character`` (lazy, so that it reads in the language of the page)."""
    if character in "\r\n\u2028\u2029\x85":
        return _("a line break")
    if character == "\t":
        return _("a tab")
    return f"U+{ord(character):04X}"


def forbidden_character(value: str, *, multiline: bool) -> tuple[int, str] | None:
    """The first character ``value`` may not hold, with its position (1-based), or None."""
    for position, character in enumerate(value or "", start=1):
        if multiline and character in _TEXT_ALLOWED:
            continue
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS or character in _LINE_SEPARATORS:
            return position, character
    return None


@deconstructible
class ControlCharacterValidator:
    """Refuses control characters: all of them on one line (``multiline=False``, names and titles),
    all but line breaks and tabs in free text."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        found = forbidden_character(str(value), multiline=self.multiline)
        if found is None:
            return
        position, character = found
        message = (
            _("This text contains a control character (%(character)s at position %(position)d); please remove it.")
            if self.multiline
            else _(
                "Use one line without line breaks or control characters (found %(character)s at position %(position)d)."
            )
        )
        raise ValidationError(
            message, code="control_character", params={"character": _describe(character), "position": position}
        )

    def __eq__(self, other) -> bool:
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline


validate_single_line = ControlCharacterValidator()
validate_text = ControlCharacterValidator(multiline=True)
