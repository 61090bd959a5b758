"""The audit log of sensitive actions (approvals, scheduling, disclosure, exports, imports).

Services call :func:`record` inside their own transaction, so an action and its trace commit or
roll back together; views call it for what only they see (downloads). ``actor`` is ``None`` for
actions taken by the system or a management command. A target that is a salon, or belongs to one
(an ``event_id``), puts the salon's id in ``details["salon"]``: its organizer's audit page filters
on it."""

from __future__ import annotations

from django.db import models

from accounts.models import AuditAction, AuditEvent, Organization, User


def record(
    action: AuditAction,
    *,
    actor: User | None,
    organization: Organization | int | None = None,
    target: models.Model | None = None,
    **details,
) -> AuditEvent:
    """Add one row to the audit log. ``details`` must be JSON-serialisable (ids, codes, counts)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    if target is not None:
        salon = target.pk if target._meta.label_lower == "events.event" else getattr(target, "event_id", None)
        if salon is not None:
            details.setdefault("salon", salon)
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=actor.email if actor is not None else "",
        organization_id=organization_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        details=details,
    )
