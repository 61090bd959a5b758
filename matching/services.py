"""Writes of offers, needs and shortlists. Forms, the API, the admin and the seed loader all go
through here, so every save is validated and queues its embedding once the transaction commits."""

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from matching import documents
from matching.models import Concept, DeviceArea, PartneringNeed, RegulatoryApproval, Shortlist, TechnologyOffer
from matching.tasks import enqueue_embedding


def _save_profile(
    instance, *, kind: str, areas=None, concepts=None, approvals=None, write_files=None, replaced_file: str = ""
) -> None:
    instance.full_clean()
    with transaction.atomic():
        if write_files is not None:
            write_files()
        instance.save()
        if areas is not None:
            instance.areas.set(areas)
        if concepts is not None:
            instance.concepts.set(concepts)
        if approvals is not None:
            _replace_approvals(instance, approvals)
        enqueue_embedding(kind=kind, ids=[instance.pk])
        if replaced_file:
            # Only once the new state is committed: a rollback keeps the row pointing at the old file.
            storage = instance.teaser.storage
            transaction.on_commit(lambda: storage.delete(replaced_file))


TEASER_FIELDS = ("teaser", "teaser_name", "teaser_size", "teaser_uploaded_at")


def _set_teaser(offer: TechnologyOffer, *, teaser: File | None, remove: bool) -> str:
    """Put a new teaser on ``offer`` (validated, not written yet) or take the current one off;
    returns the stored name of the file this replaces ("" if none), to delete after the commit."""
    current = offer.teaser.name or ""
    if teaser is not None:
        try:
            documents.validate_teaser(teaser)
        except ValidationError as error:
            raise ValidationError({"teaser": error.error_list}) from error
        offer.teaser = teaser
        offer.teaser_name = documents.display_name(teaser.name or "")
        offer.teaser_size = teaser.size
        offer.teaser_uploaded_at = timezone.now()
    elif remove and current:
        offer.teaser, offer.teaser_name, offer.teaser_size, offer.teaser_uploaded_at = "", "", None, None
    else:
        return ""
    return current


def _save_offer(offer: TechnologyOffer, *, teaser: File | None, remove_teaser: bool, **profile) -> None:
    before = {name: getattr(offer, name) for name in TEASER_FIELDS}
    replaced = _set_teaser(offer, teaser=teaser, remove=remove_teaser)
    written = ""

    def write_teaser():
        # Only after full_clean passed (an invalid offer leaves no file behind), under a generated
        # name (documents.teaser_path), inside the transaction that saves the row.
        nonlocal written
        if teaser is not None:
            offer.teaser.save(teaser.name or documents.FALLBACK_NAME, teaser, save=False)
            written = offer.teaser.name

    try:
        _save_profile(offer, kind="offer", write_files=write_teaser, replaced_file=replaced, **profile)
    except BaseException:
        # Something after the write failed and the row keeps its old teaser: the new file goes,
        # and the instance shows the stored state again.
        if written:
            offer.teaser.storage.delete(written)
        for name, value in before.items():
            setattr(offer, name, value)
        raise


def _replace_approvals(offer: TechnologyOffer, approvals: list[dict]) -> None:
    """The offer's regulatory approvals become exactly ``approvals`` (``market``, ``pathway``,
    ``status``); each is validated (a pathway of another market is refused). The embedding task
    queued by every save recomputes the offer's matches (regulatory fit is part of the score)."""
    rows = [RegulatoryApproval(offer=offer, **values) for values in approvals]
    errors = []
    for position, row in enumerate(rows, start=1):
        try:
            row.full_clean(exclude=["offer"], validate_unique=False)
        except ValidationError as error:
            errors += [_("Approval %(number)d: %(error)s") % {"number": position, "error": m} for m in error.messages]
    keys = [(row.market, row.pathway) for row in rows]
    if len(set(keys)) != len(keys):
        errors.append(_("Each market and pathway can be listed once."))
    if errors:
        raise ValidationError({"approvals": errors})
    offer.approvals.all().delete()
    RegulatoryApproval.objects.bulk_create(rows)


def offer_create(
    *,
    organization: Organization,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    approvals: list[dict] | None = None,
    teaser: File | None = None,
    **fields,
) -> TechnologyOffer:
    """A new offer; ``teaser`` is an uploaded PDF (see ``matching.documents``)."""
    offer = TechnologyOffer(organization=organization, **_profile_fields(fields))
    _save_offer(
        offer, teaser=teaser, remove_teaser=False, areas=areas or [], concepts=concepts or [], approvals=approvals
    )
    return offer


def offer_update(
    *,
    offer: TechnologyOffer,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    approvals: list[dict] | None = None,
    teaser: File | None = None,
    remove_teaser: bool = False,
    **fields,
) -> TechnologyOffer:
    """Change an offer. A new ``teaser`` replaces the current one (``remove_teaser`` is then
    ignored); ``remove_teaser`` alone takes it off. The replaced file is deleted after the commit."""
    for name, value in _profile_fields(fields).items():
        setattr(offer, name, value)
    _save_offer(offer, teaser=teaser, remove_teaser=remove_teaser, areas=areas, concepts=concepts, approvals=approvals)
    return offer


def _profile_fields(fields: dict) -> dict:
    # The teaser's file and metadata change only together, through _set_teaser.
    if unexpected := sorted(set(fields) & set(TEASER_FIELDS)):
        raise TypeError(f"set the teaser with teaser=/remove_teaser=, not {', '.join(unexpected)}")
    return fields


def need_create(
    *,
    organization: Organization,
    areas: list[DeviceArea] | None = None,
    concepts: list[Concept] | None = None,
    **fields,
) -> PartneringNeed:
    need = PartneringNeed(organization=organization, **fields)
    _save_profile(need, kind="need", areas=areas or [], concepts=concepts or [])
    return need


def need_update(
    *, need: PartneringNeed, areas: list[DeviceArea] | None = None, concepts: list[Concept] | None = None, **fields
) -> PartneringNeed:
    for name, value in fields.items():
        setattr(need, name, value)
    _save_profile(need, kind="need", areas=areas, concepts=concepts)
    return need


def shortlist_add(
    *,
    organization: Organization,
    offer: TechnologyOffer,
    need: PartneringNeed,
    user: User | None = None,
    note: str = "",
) -> Shortlist:
    """Keep a pair on one side's shortlist (idempotent: a second call updates the note)."""
    if organization.pk not in (offer.organization_id, need.organization_id):
        raise ValidationError(_("Only the two sides of a match can shortlist it."), code="not_party")
    if len(note) > 500:
        raise ValidationError({"note": [_("The note is too long (at most 500 characters).")]}, code="note")
    entry, created = Shortlist.objects.get_or_create(
        organization=organization, offer=offer, need=need, defaults={"note": note, "created_by": user}
    )
    if not created and entry.note != note:
        entry.note = note
        entry.save(update_fields=["note"])
    return entry


def shortlist_remove(*, organization: Organization, offer: TechnologyOffer, need: PartneringNeed) -> int:
    """Take a pair off the shortlist; returns how many entries went (0 or 1)."""
    deleted, _rows = Shortlist.objects.filter(organization=organization, offer=offer, need=need).delete()
    return deleted
