"""The public ids of offers and needs (``Profile.public_id``): random UUIDs that name them in URLs,
query strings and the API, so that no one infers one profile from its neighbour's number. The
integer primary key stays internal (foreign keys, the admin)."""

from __future__ import annotations

import uuid


def parse(value) -> uuid.UUID | None:
    """The UUID that ``value`` spells in the canonical form (``8-4-4-4-12`` hex digits, any case), or
    ``None`` for anything else: an integer key, a number, a UUID in another spelling, garbage."""
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str):
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return parsed if str(parsed) == value.lower() else None
