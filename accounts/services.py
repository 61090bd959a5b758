"""Writes of organizations. Every save is validated with ``full_clean()`` first, so the model's
validators and constraints (사업자등록번호 checksum, Korean startups give one, unique number) are
the one place that decides what an organization may hold."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts import audit
from accounts.models import AuditAction, Organization, User


def unique_slug(name: str) -> str:
    """A free slug made from ``name`` (``organization``, ``organization-2`` … for names that have
    no Latin letters)."""
    base = (slugify(name) or "organization")[:70]
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def organization_create(*, slug: str = "", **fields) -> Organization:
    """Create an organization; without ``slug`` one is made from the English (or Korean) name."""
    organization = Organization(**fields)
    organization.slug = slug or unique_slug(organization.name_en or organization.name_ko)
    organization.full_clean()
    with transaction.atomic():
        organization.save()
    return organization


# What platform staff checked when they verified an organization: changing it asks them again.
VERIFIED_FIELDS = ("website", "business_registration_number")


def organization_update(*, organization: Organization, **fields) -> Organization:
    reverify = organization.verified_at is not None and any(
        getattr(organization, name) != value for name, value in fields.items() if name in VERIFIED_FIELDS
    )
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    changed = [*fields, "updated_at"]
    if reverify:
        organization.verified_at, organization.verified_by = None, None
        changed += ["verified_at", "verified_by"]
    with transaction.atomic():
        organization.save(update_fields=changed)
    return organization


def organization_verify(*, organization: Organization, user: User) -> Organization:
    """Platform staff verified ``organization`` (its domain, its 사업자등록번호): its teasers and
    contact details open. Verifying twice keeps the first verification."""
    with transaction.atomic():
        updated = Organization.objects.filter(pk=organization.pk, verified_at__isnull=True).update(
            verified_at=timezone.now(), verified_by=user
        )
        if updated:
            audit.record(AuditAction.ORGANIZATION_VERIFIED, actor=user, target=organization)
    organization.refresh_from_db(fields=["verified_at", "verified_by"])
    return organization
