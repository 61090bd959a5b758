import datetime as dt
import json
import shutil

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import translation

from accounts.models import Membership, Organization, User
from events import follow_up
from events.models import Event, Meeting, MeetingRequest, Outcome, ProgramItem, Registration, Slot, Table
from matching.models import Concept, DeviceArea, Embedding, PartneringNeed, RegulatoryApproval, TechnologyOffer
from seeds import loader
from seeds.loader import DEMO_PASSWORD, SeedError, load_seeds

TODAY = dt.date(2026, 11, 23)
MODELS = [
    DeviceArea,
    Concept,
    Organization,
    TechnologyOffer,
    RegulatoryApproval,
    PartneringNeed,
    Event,
    ProgramItem,
    Slot,
    Table,
    Registration,
    User,
    Membership,
    Embedding,
]


def row_counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def lexical(settings):
    from matching import concepts, embeddings

    settings.EMBEDDING_BACKEND = "lexical"
    embeddings.reset_backends()
    concepts.default_index.cache_clear()
    yield
    embeddings.reset_backends()
    concepts.default_index.cache_clear()


@pytest.mark.django_db(transaction=True)
def test_loading_twice_creates_nothing_the_second_time(lexical):
    first = load_seeds(today=TODAY)
    counts = row_counts()
    second = load_seeds(today=TODAY)
    assert row_counts() == counts
    assert sum(second.created.values()) == 0
    assert sum(second.updated.values()) == 0
    assert {label: second.unchanged[label] for label in first.created} == dict(first.created)
    # Every offer and need was embedded once, on commit of the first load.
    assert counts["Embedding"] == counts["TechnologyOffer"] + counts["PartneringNeed"]


@pytest.mark.django_db
def test_the_taxonomy_is_bilingual_and_large_enough(lexical):
    load_seeds(demo=False)
    assert DeviceArea.objects.count() >= 15
    assert Concept.objects.count() >= 200
    assert not Concept.objects.filter(name_ko="").exists()
    assert not Concept.objects.filter(name_en="").exists()
    for concept in Concept.objects.all():
        assert concept.synonyms_ko or concept.synonyms_en, concept.code
    assert Organization.objects.count() == 0  # --no-demo loads the taxonomy only
    lung = Concept.objects.filter(name_en__icontains="nodule").first()
    assert lung is not None and "결절" in lung.name_ko


@pytest.mark.django_db
def test_the_demo_has_every_kind_of_user_and_realistic_bilingual_profiles(lexical):
    load_seeds(today=TODAY)
    assert Organization.objects.filter(kind="startup", country="KR").count() >= 30
    assert Organization.objects.filter(kind="corporate").count() >= 12
    assert Organization.objects.filter(kind="organizer").count() == 1
    offers = TechnologyOffer.objects.all()
    assert offers.count() >= 40
    assert offers.filter(language="ko").count() * 2 >= offers.count()
    needs = PartneringNeed.objects.all()
    assert needs.count() >= 30
    assert needs.filter(language="en").count() == needs.count()
    assert needs.filter(is_confidential=True).exists()
    for organization in Organization.objects.filter(kind="startup"):
        organization.full_clean()  # checksums, enumerations, constraints
    logins = {user.email: user for user in User.objects.all()}
    assert set(logins) == {"organizer@demo.local", "startup@demo.local", "startup2@demo.local", "bd@demo.local"}
    assert all(user.check_password(DEMO_PASSWORD) for user in logins.values())
    kind_of = {m.user.email: m.organization for m in Membership.objects.select_related("user", "organization")}
    assert kind_of["startup@demo.local"].kind == kind_of["startup2@demo.local"].kind == "startup"
    assert kind_of["startup@demo.local"] != kind_of["startup2@demo.local"]
    assert kind_of["bd@demo.local"].kind == "corporate"
    assert kind_of["organizer@demo.local"].kind == "organizer"
    assert logins["organizer@demo.local"].is_staff is True


@pytest.mark.django_db
def test_the_four_salons_have_programs_slots_tables_and_registrations(lexical):
    load_seeds(today=TODAY)
    salons = {event.city: event for event in Event.objects.all()}
    assert set(salons) == {"pangyo", "daejeon", "osong", "daegu"}
    assert salons["pangyo"].date < TODAY < salons["daejeon"].date < salons["osong"].date < salons["daegu"].date
    for event in salons.values():
        assert event.program.filter(kind="success_case").exists()
        assert event.program.filter(kind="bd_expert_talk").exists()
        partnering = event.program.get(kind="partnering")
        slots = list(event.slots.order_by("index"))
        assert len(slots) >= 5
        # Meetings happen inside the program's partnering block, one after another.
        assert partnering.starts_at == slots[0].starts_at and slots[-1].ends_at <= partnering.ends_at
        assert all(a.ends_at <= b.starts_at for a, b in zip(slots, slots[1:], strict=False))
        assert event.tables.count() >= 10
        assert event.registrations.filter(organization__kind="startup").count() >= 8
        assert event.registrations.filter(organization__kind="corporate").count() >= 4
    # The past salon's history: its accepted meetings placed (in Δ = 2 of 5 slots) and the outcomes
    # each side reported, so the funnel and "met before" have something to show.
    pangyo = salons["pangyo"]
    placed = Meeting.objects.filter(event=pangyo, status="scheduled")
    assert (placed.count(), placed.values("slot").distinct().count()) == (9, 2)
    assert set(placed.filter(corporate__slug="rheinwerk").values_list("table__number", flat=True)) == {1}
    (funnel,) = follow_up.funnels([pangyo])
    assert funnel.ordered() == [
        ("meetings", 9),
        ("held", 7),
        ("follow_up_call", 6),
        ("nda_cda", 4),
        ("evaluation", 3),
        ("term_sheet", 1),
        ("deal", 0),
    ]
    assert funnel.no_shows == 1
    assert MeetingRequest.objects.filter(event=salons["osong"], status="accepted").count() == 13
    osong = salons["osong"]
    first = osong.slots.get(index=1)
    assert (first.starts_at.astimezone(dt.UTC).hour, first.starts_at.astimezone(dt.UTC).minute) == (6, 30)  # 15:30 KST


@pytest.mark.django_db
@pytest.mark.parametrize("today", [TODAY, dt.date(2025, 5, 20)])
def test_the_demo_has_a_salon_in_every_stage_relative_to_the_load_day(lexical, today):
    load_seeds(today=today)
    salons = {event.slug: event for event in Event.objects.all()}
    assert {slug: (event.status, event.date - today) for slug, event in salons.items()} == {
        "pangyo-2026-10": ("closed", dt.timedelta(days=-39)),
        "daejeon-2026-12": ("published", dt.timedelta(days=6)),
        "osong-2026-12": ("matching", dt.timedelta(days=17)),
        "daegu-2027-01": ("open", dt.timedelta(days=59)),
    }
    # Registration is open on the load day at the open salon: it takes applications now.
    daegu = salons["daegu-2027-01"]
    assert daegu.takes_applications is True
    assert (daegu.registration_opens_at.date(), daegu.registration_closes_at.date()) == (
        today - dt.timedelta(days=11),
        today + dt.timedelta(days=49),
    )
    # The published salon's meetings are all placed, and the demo startup and BD team meet there.
    daejeon = salons["daejeon-2026-12"]
    assert daejeon.agenda_visible is True
    placed = Meeting.objects.filter(event=daejeon, status="scheduled", slot__isnull=False, table__isnull=False)
    assert placed.count() == 10
    assert placed.filter(startup__slug="xraion", corporate__slug="rheinwerk").count() == 1
    assert all(meeting.slot.starts_at.date() == daejeon.date for meeting in placed.select_related("slot"))
    # The past salon has its outcomes.
    assert Outcome.objects.filter(meeting__event=salons["pangyo-2026-10"]).count() == 13
    assert not Outcome.objects.exclude(meeting__event=salons["pangyo-2026-10"]).exists()
    # A second load the next day moves nothing.
    load_seeds(today=today + dt.timedelta(days=1))
    assert {e.slug: e.date for e in Event.objects.all()} == {slug: e.date for slug, e in salons.items()}


@pytest.mark.django_db
def test_a_bad_record_stops_the_load_names_it_and_saves_nothing(lexical, tmp_path, monkeypatch):
    shutil.copytree(loader.DATA_DIR, tmp_path, dirs_exist_ok=True)
    demo = json.loads((tmp_path / "demo.json").read_text())
    bad = next(o for o in demo["organizations"] if o["kind"] == "startup")
    bad["business_registration_number"] = "1234567890"
    (tmp_path / "demo.json").write_text(json.dumps(demo, ensure_ascii=False))
    monkeypatch.setattr(loader, "DATA_DIR", tmp_path)
    with translation.override("en"), pytest.raises(SeedError) as excinfo:
        load_seeds(today=TODAY)
    assert str(excinfo.value) == (
        f"demo.json organization {bad['key']}: business_registration_number: "
        "This business registration number fails the checksum; please check each digit."
    )
    assert {name: count for name, count in row_counts().items() if count} == {}


@pytest.mark.django_db
def test_it_refuses_demo_users_in_production(lexical, settings):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured) as excinfo:
        load_seeds(today=TODAY)
    assert str(excinfo.value).startswith("Demo users have a published password; load_seeds refuses")
    assert User.objects.count() == 0 and Organization.objects.count() == 0
    load_seeds(demo=False)  # the taxonomy is fine in production
    assert Concept.objects.count() >= 200


@pytest.mark.django_db
def test_the_commands_print_counts_and_logins(lexical, capsys):
    call_command("load_seeds")
    out = capsys.readouterr().out
    assert "concepts: " in out and " created, 0 updated, 0 unchanged" in out
    call_command("demo_summary", url="http://127.0.0.1:8000/")
    summary = capsys.readouterr().out
    assert "  demo logins (password: demo-password):" in summary
    assert "    startup2@demo.local" in summary
    assert "lexical backend, model lexical-v1-" in summary
