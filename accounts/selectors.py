"""Who a user acts for. One query per request: the result is kept on the user object."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Organization, OrganizationKind


@dataclass(frozen=True)
class Affiliation:
    organizations: frozenset[int]  # every organization the user belongs to
    startups: frozenset[int]
    corporates: frozenset[int]
    organizers: frozenset[int]
    admin_of: frozenset[int]  # organizations where the user is an administrator
    verified: frozenset[int] = frozenset()  # those that platform staff verified (Organization.verified_at)

    @property
    def is_organizer(self) -> bool:
        return bool(self.organizers)


def affiliation(user) -> Affiliation:
    if not getattr(user, "is_authenticated", False):
        return Affiliation(frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    cached = getattr(user, "_affiliation", None)
    if cached is None:
        rows = list(
            user.memberships.values_list("organization_id", "organization__kind", "role", "organization__verified_at")
        )
        by_kind = {kind: frozenset(pk for pk, k, _r, _v in rows if k == kind) for kind in OrganizationKind.values}
        cached = Affiliation(
            organizations=frozenset(pk for pk, _k, _r, _v in rows),
            startups=by_kind[OrganizationKind.STARTUP],
            corporates=by_kind[OrganizationKind.CORPORATE],
            organizers=by_kind[OrganizationKind.ORGANIZER],
            admin_of=frozenset(pk for pk, _k, role, _v in rows if role == "admin"),
            verified=frozenset(pk for pk, _k, _r, verified_at in rows if verified_at is not None),
        )
        user._affiliation = cached
    return cached


def salon_participants(organizer_ids) -> QuerySet[Organization]:
    """The organizations that applied (in any status) to a salon of these organizer organizations:
    the ones whose profiles and contact details the organizers need to run their salons.

    Registrations belong to ``events``; the lookup follows their relation by its name, so this
    module does not import that app (dependencies point events → matching → accounts)."""
    return Organization.objects.filter(registrations__event__organizer_id__in=list(organizer_ids)).distinct()
