"""Load the bilingual taxonomy and the demo data into the database.

Every record is validated with ``full_clean`` and the whole load runs in one transaction, so a
bad record stops the load with a message naming it and leaves the database as it was. Loading
twice changes nothing: records are matched on natural keys (codes, slugs, e-mails) and saved
only when a field differs.
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import Membership, Organization, OrganizationKind, User
from events import follow_up, salon_service, schedule_service
from events.models import (
    Event,
    EventStatus,
    Meeting,
    MeetingRequest,
    Outcome,
    ProgramItem,
    Registration,
    RequestOrigin,
    RequestStatus,
    Slot,
    Table,
)
from matching import services
from matching.models import Concept, DeviceArea, PartneringNeed, TechnologyOffer
from matching.tasks import embeddings_batched, enqueue_embedding

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "demo-password"  # noqa: S105 — documented demo credential, refused in production


class SeedError(Exception):
    """A seed record is invalid; the message names the file, the record and the field."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # ids of the offers and needs loaded, for their embedding
    profiles: dict = field(default_factory=lambda: {"offer": set(), "need": set()})

    def record(self, label: str, outcome: str) -> None:
        getattr(self, outcome)[label] += 1

    def summary_lines(self) -> list[str]:
        labels = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        return [
            f"{label}: {self.created[label]} created, {self.updated[label]} updated, {self.unchanged[label]} unchanged"
            for label in labels
        ]


def read_json(name: str) -> dict:
    path = DATA_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"{path}: missing") from None
    except json.JSONDecodeError as exc:
        raise SeedError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None


def _describe(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(str(m) for m in error.messages)


def _upsert(
    report: LoadReport,
    label: str,
    model: type[models.Model],
    lookup: dict,
    values: dict,
    *,
    where: str,
    create_only: dict | None = None,
):
    """Create or update one row matched by ``lookup``; validate before saving."""
    instance = model.objects.filter(**lookup).first()
    outcome = "unchanged"
    if instance is None:
        instance = model(**lookup, **values, **(create_only or {}))
        outcome = "created"
    else:
        for name, value in values.items():
            if getattr(instance, name) != value:
                setattr(instance, name, value)
                outcome = "updated"
    if outcome != "unchanged":
        try:
            instance.full_clean()
        except ValidationError as exc:
            raise SeedError(f"{where}: {_describe(exc)}") from None
        instance.save()
    report.record(label, outcome)
    return instance


def _set_m2m(manager, objects, report: LoadReport, label: str) -> None:
    if set(manager.values_list("pk", flat=True)) != {obj.pk for obj in objects}:
        manager.set(objects)
        report.record(f"{label} (links)", "updated")


def _resolve(index: dict, keys: list[str], *, kind: str, where: str) -> list:
    missing = [key for key in keys if key not in index]
    if missing:
        raise SeedError(f"{where}: unknown {kind} {', '.join(missing)}")
    return [index[key] for key in keys]


def load_taxonomy(data: dict, report: LoadReport) -> None:
    for record in data["areas"]:
        _upsert(
            report,
            "device areas",
            DeviceArea,
            {"code": record["code"]},
            {"name_ko": record["name_ko"], "name_en": record["name_en"]},
            where=f"taxonomy.json area {record['code']}",
        )
    areas = {area.code: area for area in DeviceArea.objects.all()}
    for record in data["concepts"]:
        where = f"taxonomy.json concept {record['code']}"
        (area,) = _resolve(areas, [record["area"]], kind="area", where=where)
        _upsert(
            report,
            "concepts",
            Concept,
            {"code": record["code"]},
            {
                "area": area,
                "name_ko": record["name_ko"],
                "name_en": record["name_en"],
                "synonyms_ko": record.get("synonyms_ko", []),
                "synonyms_en": record.get("synonyms_en", []),
            },
            where=where,
        )


def _through_service(
    report: LoadReport, label: str, instance, wanted: dict, *, where: str, create, update, related=None
):
    """Create or change one profile through its service (``matching.services`` or
    ``accounts.services``) when anything differs from ``wanted`` (fields) or ``related`` (what the
    service sets beside the fields: areas, concepts, approvals; each ``(current, wanted)``, both in
    the form the service takes, sorted, so that they compare as they are)."""
    related = related or {}
    if instance is None:
        outcome = "created"
    elif any(getattr(instance, name) != value for name, value in wanted.items()) or any(
        current() != value for current, value in related.values()
    ):
        outcome = "updated"
    else:
        report.record(label, "unchanged")
        return instance
    arguments = {**wanted, **{name: value for name, (_current, value) in related.items()}}
    try:
        instance = create(**arguments) if instance is None else update(instance, **arguments)
    except ValidationError as exc:
        raise SeedError(f"{where}: {_describe(exc)}") from None
    report.record(label, outcome)
    return instance


def _update(service, entity: str, instance, **fields):
    return service(**{entity: instance}, **fields)


def load_demo_profiles(data: dict, report: LoadReport) -> None:
    """Organizations, offers and needs, written through the same services as the forms and the API."""
    organizations = {}
    for record in data["organizations"]:
        where = f"demo.json organization {record['key']}"
        values = {
            key: record.get(key, "")
            for key in (
                "kind",
                "name_ko",
                "name_en",
                "website",
                "description",
                "business_registration_number",
                "cluster",
                "contact_email",
                "contact_phone",
            )
        }
        values["country"] = record.get("country", "KR")
        organizations[record["key"]] = _through_service(
            report,
            "organizations",
            Organization.objects.filter(slug=record["key"]).first(),
            values,
            where=where,
            create=partial(accounts_services.organization_create, slug=record["key"]),
            update=partial(_update, accounts_services.organization_update, "organization"),
        )
    # The demo's organizations count as verified by the platform staff (teasers and contacts open).
    Organization.objects.filter(slug__in=list(organizations), verified_at__isnull=True).update(
        verified_at=timezone.now()
    )
    areas = {area.code: area for area in DeviceArea.objects.all()}
    concepts = {concept.code: concept for concept in Concept.objects.all()}

    def by_pk(objects):
        return sorted(objects, key=lambda obj: obj.pk)

    def approval_rows(rows):
        return sorted(rows, key=lambda row: (row["market"], row["pathway"]))

    def taxonomy(instance, record, where):
        # Read only when the profile exists (_through_service compares nothing for a new one).
        return {
            "areas": (
                lambda: by_pk(instance.areas.all()),
                by_pk(_resolve(areas, record["areas"], kind="area", where=where)),
            ),
            "concepts": (
                lambda: by_pk(instance.concepts.all()),
                by_pk(_resolve(concepts, record["concepts"], kind="concept", where=where)),
            ),
        }

    for record in data["offers"]:
        where = f"demo.json offer {record['key']}"
        (organization,) = _resolve(organizations, [record["organization"]], kind="organization", where=where)
        offer = TechnologyOffer.objects.filter(organization=organization, title=record["title"]).first()
        offer = _through_service(
            report,
            "technology offers",
            offer,
            {
                "title": record["title"],
                "description": record["description"],
                "stage": record["stage"],
                "deal_types": record["deal_types"],
                "target_regions": record["target_regions"],
                "status": record.get("status", "approved"),
            },
            related={
                **taxonomy(offer, record, where),
                "approvals": (
                    lambda offer=offer: approval_rows(offer.approvals.values("market", "pathway", "status")),
                    approval_rows(
                        {key: a[key] for key in ("market", "pathway", "status")} for a in record.get("approvals", [])
                    ),
                ),
            },
            where=where,
            create=partial(services.offer_create, organization=organization),
            update=partial(_update, services.offer_update, "offer"),
        )
        report.profiles["offer"].add(offer.pk)

    for record in data["needs"]:
        where = f"demo.json need {record['key']}"
        (organization,) = _resolve(organizations, [record["organization"]], kind="organization", where=where)
        need = PartneringNeed.objects.filter(organization=organization, title=record["title"]).first()
        need = _through_service(
            report,
            "partnering needs",
            need,
            {
                "title": record["title"],
                "description": record["description"],
                "stage_min": record["stage_min"],
                "stage_max": record["stage_max"],
                "deal_types": record["deal_types"],
                "regions": record["regions"],
                "is_confidential": record.get("is_confidential", False),
                "status": record.get("status", "open"),
            },
            related=taxonomy(need, record, where),
            where=where,
            create=partial(services.need_create, organization=organization),
            update=partial(_update, services.need_update, "need"),
        )
        report.profiles["need"].add(need.pk)


def _at(day: dt.date, hhmm: str, tz: ZoneInfo) -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def load_salons(data: dict, report: LoadReport, *, today: dt.date) -> None:
    """Salons are placed relative to ``today`` when first created, so the demo always has a past
    salon and upcoming ones; later loads keep the dates they were given."""
    organizer_record = data["organizer"]
    organizer = _upsert(
        report,
        "organizations",
        Organization,
        {"slug": organizer_record["key"]},
        {
            "kind": OrganizationKind.ORGANIZER,
            **{
                key: organizer_record.get(key, "")
                for key in ("name_ko", "name_en", "website", "description", "cluster", "contact_email", "contact_phone")
            },
            "country": organizer_record.get("country", "KR"),
        },
        where=f"salons.json organizer {organizer_record['key']}",
    )
    areas = {area.code: area for area in DeviceArea.objects.all()}
    organizations = {org.slug: org for org in Organization.objects.all()}

    for record in data["salons"]:
        where = f"salons.json salon {record['key']}"
        tz = ZoneInfo(record.get("timezone", settings.TIME_ZONE))
        day = today + dt.timedelta(days=record["days_from_today"])
        event = _upsert(
            report,
            "salons",
            Event,
            {"slug": record["key"]},
            {
                "organizer": organizer,
                "title_ko": record["title_ko"],
                "title_en": record["title_en"],
                "city": record["city"],
                "venue": record["venue"],
                "description": record.get("description", ""),
                "slot_minutes": record["slots"]["minutes"],
                "changeover_minutes": record["slots"]["changeover_minutes"],
                "meeting_quota": record["meeting_quota"],
                "status": record["status"],
                "timezone": str(tz),
            },
            create_only={
                "date": day,
                "registration_opens_at": _at(
                    day - dt.timedelta(days=record["registration_days_before"][0]), "09:00", tz
                ),
                "registration_closes_at": _at(
                    day - dt.timedelta(days=record["registration_days_before"][1]), "18:00", tz
                ),
            },
            where=where,
        )
        day = event.date  # keep the date given at creation
        _set_m2m(event.theme_areas, _resolve(areas, record["theme_areas"], kind="area", where=where), report, "salons")
        for position, item in enumerate(record["program"], start=1):
            _upsert(
                report,
                "program items",
                ProgramItem,
                {"event": event, "title_en": item["title_en"]},
                {
                    "kind": item["kind"],
                    "title_ko": item["title_ko"],
                    "speaker": item.get("speaker", ""),
                    "starts_at": _at(day, item["start"], tz),
                    "ends_at": _at(day, item["end"], tz),
                },
                where=f"{where} program item {position}",
            )
        # The one slot rule (``events.salon_service.slot_times``): the program's partnering blocks,
        # cut into meetings plus changeover, around the program's breaks.
        program = record["program"]
        times = salon_service.slot_times(
            [(_at(day, i["start"], tz), _at(day, i["end"], tz)) for i in program if i["kind"] == "partnering"],
            [(_at(day, i["start"], tz), _at(day, i["end"], tz)) for i in program if i["kind"] == "break"],
            minutes=record["slots"]["minutes"],
            changeover=record["slots"]["changeover_minutes"],
        )
        for index, (starts_at, ends_at) in enumerate(times, start=1):
            _upsert(
                report,
                "slots",
                Slot,
                {"event": event, "index": index},
                {"starts_at": starts_at, "ends_at": ends_at},
                where=f"{where} slot {index}",
            )
        for number in range(1, record["tables"] + 1):
            _upsert(report, "tables", Table, {"event": event, "number": number}, {}, where=f"{where} table {number}")
        tables = {table.number: table for table in event.tables.all()}
        for key in record["registrations"]:
            (organization,) = _resolve(organizations, [key], kind="organization", where=where)
            fixed = record.get("fixed_tables", {}).get(key)
            _upsert(
                report,
                "registrations",
                Registration,
                {"event": event, "organization": organization},
                {
                    "status": record.get("registration_status", "approved"),
                    "max_meetings": record["meeting_quota"],
                    "languages": ["ko", "en"] if organization.country == "KR" else ["en"],
                    "fixed_table": tables[fixed] if fixed else None,
                },
                where=f"{where} registration {key}",
            )


def load_demo_users(data: dict, report: LoadReport) -> None:
    organizations = {org.slug: org for org in Organization.objects.all()}
    for record in data["users"]:
        where = f"salons.json user {record['email']}"
        user = User.objects.filter(email=record["email"]).first()
        if user is None:
            user = User.objects.create_user(
                record["email"],
                DEMO_PASSWORD,
                full_name=record["full_name"],
                preferred_language=record["preferred_language"],
                is_staff=record.get("is_staff", False),
            )
            report.record("demo users", "created")
        else:
            report.record("demo users", "unchanged")
        # The demo addresses count as confirmed: the demo logins work without a mailbox.
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        (organization,) = _resolve(organizations, [record["organization"]], kind="organization", where=where)
        _upsert(
            report,
            "memberships",
            Membership,
            {"user": user, "organization": organization},
            {"role": record.get("role", "admin")},
            where=where,
        )
        registrations = Registration.objects.filter(organization=organization)
        for registration in registrations:
            if not registration.representatives.filter(pk=user.pk).exists():
                registration.representatives.add(user)


def load_seeds(*, demo: bool = True, today: dt.date | None = None) -> LoadReport:
    """Load the taxonomy and, unless ``demo`` is false, the demo organizations, profiles, salons and users."""
    from django.utils import timezone

    if demo and settings.PRODUCTION:
        raise ImproperlyConfigured(
            "Demo users have a published password; load_seeds refuses to create them when DJANGO_ENV=production. "
            "Use `load_seeds --no-demo` to load the taxonomy only."
        )
    report = LoadReport()
    taxonomy = read_json("taxonomy.json")
    demo_data = read_json("demo.json") if demo else None
    salons = read_json("salons.json") if demo else None
    with transaction.atomic():
        load_taxonomy(taxonomy, report)
        if demo:
            # The services queue each saved profile; collected here, they go out in batches of 100,
            # on commit, with every loaded profile (unchanged texts are skipped by the task itself).
            with embeddings_batched():
                load_demo_profiles(demo_data, report)
                for kind, ids in report.profiles.items():
                    enqueue_embedding(kind=kind, ids=sorted(ids))
            load_salons(salons, report, today=today or timezone.localdate())
            load_demo_users(salons, report)
            load_salon_meetings(salons, demo_data, report)
    return report


def load_salon_meetings(salons: dict, demo: dict, report: LoadReport) -> None:
    """Accepted meetings of the seed salons; a published salon's are placed (its agenda shows them),
    a past salon's too, and they get their outcomes."""
    offer_keys = {record["key"]: (record["organization"], record["title"]) for record in demo["offers"]}
    need_keys = {record["key"]: (record["organization"], record["title"]) for record in demo["needs"]}
    organizations = {org.slug: org for org in Organization.objects.all()}
    for record in salons["salons"]:
        if not record.get("meetings"):
            continue
        event = Event.objects.get(slug=record["key"])
        accepted = []
        for position, item in enumerate(record["meetings"], start=1):
            where = f"salons.json salon {record['key']} meeting {position}"
            (offer_org, offer_title) = _resolve(offer_keys, [item["offer"]], kind="offer", where=where)[0]
            (need_org, need_title) = _resolve(need_keys, [item["need"]], kind="need", where=where)[0]
            offer = TechnologyOffer.objects.get(organization=organizations[offer_org], title=offer_title)
            need = PartneringNeed.objects.get(organization=organizations[need_org], title=need_title)
            request = _upsert(
                report,
                "accepted meetings",
                MeetingRequest,
                {"event": event, "startup": offer.organization, "corporate": need.organization},
                {"offer": offer, "need": need, "origin": RequestOrigin.ORGANIZER, "status": RequestStatus.ACCEPTED},
                where=where,
            )
            accepted.append(request)
        if event.status not in (EventStatus.PUBLISHED, EventStatus.CLOSED):
            continue
        if Meeting.objects.filter(event=event).count() < len(record["meetings"]):
            schedule_service.event_schedule(event=event, time_limit=2, include_closed=True)
        if event.status != EventStatus.CLOSED:
            continue
        for request, item in zip(accepted, record["meetings"], strict=True):
            meeting = Meeting.objects.get(request=request)
            for side, outcome in item.get("outcomes", {}).items():
                organization = meeting.startup if side == "startup" else meeting.corporate
                fields = ("took_place", "next_step", "note", "featured")
                before = Outcome.objects.filter(meeting=meeting, organization=organization).values(*fields).first()
                saved = follow_up.outcome_record(meeting=meeting, organization=organization, **outcome)
                after = {name: getattr(saved, name) for name in fields}
                report.record(
                    "meeting outcomes", "created" if before is None else "unchanged" if before == after else "updated"
                )
