"""Web load: the match list and the agenda under gunicorn on PostgreSQL, next to a static endpoint.

    python -m bench.load [--clients 50] [--seconds 60] [--offers 5000] [--needs 500] [--workers N]
                         [--warmup S] [--client-processes N] [--seed N] [--json]

Set-up, all on loopback and removed afterwards: a throw-away PostgreSQL and Redis
(``tests.services``); ``migrate``; the bilingual taxonomy (``load_seeds --no-demo``); then a seeded
data set written with ``bulk_create``:

- 2,500 startups own the 5,000 technology offers (1-3 each, Korean or English text built from
  taxonomy concepts, stages, deal types, regions, regulatory approvals); 100 BD teams own the 500
  needs (5 each, a fifth confidential); one admin user per organization.
- Embeddings are synthetic vectors (model name ``bench-synthetic``: topic centres plus noise, so
  offers and needs of one device area are close), because a real model cannot run here at this
  size in reasonable time; the ``Match`` rows then come from the real matching service
  (``matching.match_service.recompute_matches``: score matrix, top pairs, explanations in Korean and
  English), exactly as ``manage.py match`` stores them.
- One published salon: 50 BD teams at fixed tables and 100 startups, 12 slots; every BD team meets
  a different startup in each slot, so each startup has 6 scheduled meetings on its agenda (accepted
  requests and their meetings, no double-booking, as the database's constraints require).
- ``ANALYZE`` afterwards, as autovacuum would do on a live database.

Then gunicorn serves ``config.wsgi`` with ``platform/gunicorn.conf.py`` (workers ``2 x cores + 1``
unless ``--workers``, 2 threads each, access log on, ``max_requests`` 2,000 with jitter: workers are
recycled during the run, as in production) and ``DJANGO_ENV=production`` settings: PostgreSQL with
persistent connections, Redis as cache and broker, DEBUG off; ``SECURE_SSL_REDIRECT=false`` because
the benchmark speaks plain HTTP to gunicorn directly (TLS ends at the proxy in production). Only sign-in
(the login form and the token endpoint) is throttled; the clients never sign in: their tokens are
created with the data.

Three phases of ``--seconds`` each, one after the other, every phase after a ``--warmup`` that is
not counted:

- ``static``: ``GET /health/live/``, the liveness probe, a 200 without any I/O (``/health/`` itself is
  the readiness probe and touches PostgreSQL, the cache and Redis): the baseline of what gunicorn and
  Django's middleware cost by themselves.
- ``matches``: ``GET /api/v1/matches/?need=<public id>``, each client a member of a different BD team asking
  for one of its needs' ranked startups (first page, up to 50 matches with explanations).
- ``agenda``: ``GET /api/v1/meetings/agenda.ics``, each client a member of a different startup of the
  salon downloading its agenda (6 meetings, iCalendar).

Clients: ``--clients`` persistent HTTP/1.1 keep-alive connections, each with the token of a
different user, split over ``--client-processes`` processes (default: one per core) running asyncio,
with requests built once and responses parsed by hand, so a request costs the client tens of
microseconds of CPU (reported: ``client CPU``). The connections open one by one over the first
half of the warm-up; each sends its next request as soon as the previous response is read (closed
loop). A gunicorn worker serves only the connections it accepted, so a worker holding more of them
answers each of them more slowly: the benchmark samples how many each worker holds in the middle of
the window and prints it with the table. Every request started in the measured window counts, with
its latency from sending to the last byte of the body; any status other than 2xx, a connection
failure or a malformed response is an error. A response with ``Connection: close`` (a recycled
worker's last) is followed by a new connection; a request that finds its reused keep-alive
connection closed before any byte of a response is sent again once on a new connection, as HTTP
clients do for idempotent requests (counted as ``reconnects``; its latency includes the
reconnection). Nothing else is retried.

CPU columns: gunicorn (master and workers, including workers recycled in the window) and the client
processes as a share of one core; ``machine`` is the share of all cores busy, whoever used them
(PostgreSQL, Redis, other jobs). On a 2-core machine the clients and the server share the cores.

Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import multiprocessing
import os
import runpy
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from array import array
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH_MODEL = "bench-synthetic"
DIMENSIONS = 64
OFFERS_PER_STARTUP = 2  # on average; 1-3 each
NEEDS_PER_CORPORATE = 5
SALON_CORPORATES = 50
SALON_STARTUPS_PER_CORPORATE = 2
SALON_SLOTS = 12
USER_PASSWORD = "load-bench-password"  # noqa: S105 — a throw-away database, never a real account
HOST = "127.0.0.1"
STATIC_PATH = "/health/live/"


# --- Data set --------------------------------------------------------------------------------


@dataclass
class Client:
    """One connection's user: its token, the path it requests, and the headers it sends."""

    token: str
    path: str
    language: str
    accept: str


@dataclass
class DataSet:
    offers: int
    needs: int
    startups: int
    corporates: int
    matches: int
    meetings: int
    salon_startups: int
    salon_corporates: int
    slots: int
    seconds: float
    bd_clients: list[Client] = field(default_factory=list)
    startup_clients: list[Client] = field(default_factory=list)


def configure_django(database_url: str) -> None:
    """Set Django up in this process against the throw-away database (development settings: the
    population writes directly, nothing is queued)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_ENV"] = "development"
    os.environ["EMBEDDING_BACKEND"] = "lexical"
    for name in ("REDIS_URL", "DEBUG"):
        os.environ.pop(name, None)
    import django

    django.setup()


def brn(n: int) -> str:
    """The n-th of a series of distinct 사업자등록번호 whose checksum holds."""
    digits = [int(c) for c in f"{401000000 + n:09d}"]
    total = sum(d * w for d, w in zip(digits, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + digits[8] * 5 // 10
    return "".join(map(str, digits)) + str((10 - total % 10) % 10)


PRODUCTS = [
    ("AI 판독 보조 소프트웨어", "AI reading-support software"),
    ("웨어러블 패치", "wearable patch"),
    ("체외진단 키트", "in-vitro diagnostic kit"),
    ("최소침습 수술기구", "minimally invasive surgical instrument"),
    ("원격 모니터링 플랫폼", "remote monitoring platform"),
    ("디지털 치료기기", "digital therapeutic"),
    ("이식형 센서", "implantable sensor"),
    ("휴대형 초음파 장비", "handheld ultrasound device"),
]


def _offer_text(rng, concepts, product, stage_label_en, number: int, korean: bool) -> tuple[str, str]:
    names_ko = [c.name_ko for c in concepts]
    names_en = [c.name_en for c in concepts]
    if korean:
        title = f"{'·'.join(names_ko[:2])} {product[0]} (B-{number:04d})"
        description = (
            f"{', '.join(names_ko)} 분야의 {product[0]}입니다. 국내 대학병원과 함께 다기관 연구를 진행했고 "
            f"민감도 {rng.integers(82, 98)}%, 특이도 {rng.integers(80, 97)}%를 보였습니다. 개발 단계는 "
            f"{stage_label_en}이며, 해외 유통 및 라이선싱 파트너를 찾고 있습니다."
        )
    else:
        title = f"{' and '.join(names_en[:2])} {product[1]} (B-{number:04d})"
        description = (
            f"A {product[1]} for {', '.join(names_en)}. A multicentre study with Korean university hospitals "
            f"showed a sensitivity of {rng.integers(82, 98)}% and a specificity of {rng.integers(80, 97)}%. "
            f"Stage: {stage_label_en}. We look for distribution and licensing partners abroad."
        )
    return title, description


def _link_taxonomy(model, rows, row_areas, row_concepts) -> None:
    """Each row's device area and concepts, in two bulk inserts into the many-to-many tables."""
    owner = f"{model._meta.model_name}_id"
    areas, concepts = model.areas.through, model.concepts.through
    areas.objects.bulk_create(
        [areas(**{owner: row.pk, "devicearea_id": area.pk}) for row, area in zip(rows, row_areas, strict=True)],
        batch_size=2000,
    )
    concepts.objects.bulk_create(
        [
            concepts(**{owner: row.pk, "concept_id": concept.pk})
            for row, chosen in zip(rows, row_concepts, strict=True)
            for concept in chosen
        ],
        batch_size=2000,
    )


@dataclass
class Organizations:
    """The organizations written, and the admin user of each (by organization pk)."""

    organizer: Any
    startups: list
    corporates: list
    admin_of: dict


@dataclass
class Listings:
    """Offers or needs as written, with each row's device area (an index into the areas) and concepts."""

    rows: list
    area: Any  # per row: index into the areas (a NumPy array or a list)
    concepts: list


def populate(*, offers: int, needs: int, clients: int, seed: int) -> DataSet:
    """Migrate, load the taxonomy and write the data set described in the module docstring."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from matching.match_service import recompute_matches
    from matching.models import Concept, DeviceArea
    from seeds.loader import load_seeds

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    load_seeds(demo=False)
    rng = np.random.default_rng(seed)
    areas = list(DeviceArea.objects.order_by("pk"))
    concepts_of = {area.pk: list(Concept.objects.filter(area=area).order_by("pk")) for area in areas}
    areas = [area for area in areas if concepts_of[area.pk]]
    password = make_password(USER_PASSWORD)

    n_startups = max(1, offers // OFFERS_PER_STARTUP)
    n_corporates = max(1, math.ceil(needs / NEEDS_PER_CORPORATE))
    with transaction.atomic():
        organizations = write_organizations(rng, n_startups, n_corporates, password)
        offer_listings = write_offers(rng, areas, concepts_of, organizations.startups, offers)
        need_listings = write_needs(rng, areas, concepts_of, organizations.corporates, needs)
        write_embeddings(rng, areas, concepts_of, offer_listings, need_listings)

    # The real matching service, as `manage.py match` runs it.
    report = recompute_matches(model_name=BENCH_MODEL)

    # One published salon: BD team c sits at table c and meets startup (2c + s) mod n in slot s.
    salon_corporates = max(1, min(SALON_CORPORATES, n_corporates, n_startups // SALON_STARTUPS_PER_CORPORATE))
    salon_startups = min(n_startups, SALON_STARTUPS_PER_CORPORATE * salon_corporates)
    slots_count = min(SALON_SLOTS, salon_startups)
    with transaction.atomic():
        event, slots, tables = write_salon(organizations, areas, slots_count, salon_corporates)
        write_registrations(event, organizations, tables, salon_startups)
        placements = write_meetings(
            event, organizations, offer_listings.rows, need_listings.rows, slots, tables, salon_startups
        )
        tokens, teams, needs_of = write_client_tokens(
            organizations, need_listings.rows, salon_startups, clients, password
        )
    bd_clients = []
    for i, token in enumerate(tokens[:clients]):
        team = teams[i % len(teams)]
        need = needs_of[team.pk][(i // len(teams)) % len(needs_of[team.pk])]
        bd_clients.append(Client(token, f"/api/v1/matches/?need={need.public_id}", "en", "application/json"))
    startup_clients = [Client(key, "/api/v1/meetings/agenda.ics", "ko", "*/*") for key in tokens[clients:]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return DataSet(
        offers=offers,
        needs=needs,
        startups=n_startups,
        corporates=n_corporates,
        matches=report.stored,
        meetings=len(placements),
        salon_startups=salon_startups,
        salon_corporates=salon_corporates,
        slots=slots_count,
        seconds=time.perf_counter() - started,
        bd_clients=bd_clients,
        startup_clients=startup_clients,
    )


def write_organizations(rng, n_startups: int, n_corporates: int, password: str) -> Organizations:
    """The salon office, the startups and the BD teams, each with one admin user."""
    from accounts.models import Membership, MembershipRole, Organization, OrganizationKind, User

    organizer = Organization.objects.create(
        kind=OrganizationKind.ORGANIZER, name_ko="파트너링 살롱 사무국", name_en="Salon office", slug="bench-office"
    )
    startups = Organization.objects.bulk_create(
        [
            Organization(
                kind=OrganizationKind.STARTUP,
                name_ko=f"메드텍 스타트업 {i:04d}",
                name_en=f"Medtech Startup {i:04d}",
                slug=f"bench-startup-{i}",
                country="KR",
                business_registration_number=brn(i),
                cluster=str(rng.choice(["pangyo", "osong", "daegu_kmedi", "seoul", "songdo", "daejeon"])),
                contact_email=f"bd@startup{i}.example",
            )
            for i in range(n_startups)
        ],
        batch_size=1000,
    )
    corporates = Organization.objects.bulk_create(
        [
            Organization(
                kind=OrganizationKind.CORPORATE,
                name_ko=f"글로벌 메드텍 BD팀 {i:03d}",
                name_en=f"Global Medtech BD {i:03d}",
                slug=f"bench-corporate-{i}",
                country=str(rng.choice(["US", "DE", "JP", "NL", "IE", "CH", "FR"])),
                contact_email=f"bd@corporate{i}.example",
            )
            for i in range(n_corporates)
        ]
    )
    organizations = [organizer, *startups, *corporates]
    users = User.objects.bulk_create(
        [
            User(
                email=f"{org.slug}@bench.local",
                full_name=f"Admin {org.name_en}",
                password=password,
                preferred_language="ko" if org.kind == OrganizationKind.STARTUP else "en",
            )
            for org in organizations
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, organization=org, role=MembershipRole.ADMIN)
            for user, org in zip(users, organizations, strict=True)
        ],
        batch_size=1000,
    )
    admin_of = {org.pk: user for user, org in zip(users, organizations, strict=True)}
    return Organizations(organizer, startups, corporates, admin_of)


def write_offers(rng, areas: list, concepts_of: dict, startups: list, offers: int) -> Listings:
    """Offers: every startup one, the rest spread over at most two more each; with their device area,
    concepts and regulatory approvals."""
    from matching.enums import DealType, OfferStatus, Region, Stage
    from matching.models import TechnologyOffer

    n_startups = len(startups)
    stages = Stage.values
    stage_labels = {value: str(label) for value, label in Stage.choices}
    extra = rng.choice(2 * n_startups, offers - n_startups, replace=False) // 2 if offers > n_startups else []
    owner = np.sort(np.concatenate([np.arange(min(offers, n_startups)), np.asarray(extra, dtype=np.int64)]))
    startup_area = rng.integers(0, len(areas), n_startups)
    offer_area = np.where(rng.random(offers) < 0.8, startup_area[owner], rng.integers(0, len(areas), offers))
    offer_rows, offer_concepts, offer_stage = [], [], []
    for i in range(offers):
        area = areas[offer_area[i]]
        pool = concepts_of[area.pk]
        chosen = [pool[k] for k in rng.choice(len(pool), min(len(pool), rng.integers(2, 5)), replace=False)]
        stage = str(rng.choice(stages, p=[0.05, 0.15, 0.2, 0.25, 0.15, 0.1, 0.1]))
        korean = rng.random() < 0.7
        title, description = _offer_text(
            rng, chosen, PRODUCTS[rng.integers(len(PRODUCTS))], stage_labels[stage], i, korean
        )
        offer_rows.append(
            TechnologyOffer(
                organization=startups[owner[i]],
                title=title,
                description=description,
                language="ko" if korean else "en",
                stage=stage,
                deal_types=sorted(rng.choice(DealType.values, rng.integers(1, 4), replace=False).tolist()),
                target_regions=sorted(rng.choice(Region.values, rng.integers(1, 4), replace=False).tolist()),
                status=str(rng.choice(OfferStatus.values, p=[0.03, 0.04, 0.9, 0.03])),
            )
        )
        offer_concepts.append(chosen)
        offer_stage.append(Stage.rank(stage))
    offer_rows = TechnologyOffer.objects.bulk_create(offer_rows, batch_size=1000)
    _link_taxonomy(TechnologyOffer, offer_rows, [areas[i] for i in offer_area], offer_concepts)
    write_approvals(rng, offer_rows, offer_stage)
    return Listings(offer_rows, offer_area, offer_concepts)


def write_approvals(rng, offer_rows: list, offer_stage: list[int]) -> None:
    """Regulatory approvals in one to three markets for every offer from the clinical stage on."""
    from matching.enums import PATHWAYS_BY_MARKET, ApprovalStatus, Stage
    from matching.models import RegulatoryApproval

    markets = list(PATHWAYS_BY_MARKET)
    approvals = []
    for offer, rank in zip(offer_rows, offer_stage, strict=True):
        if rank < Stage.rank(Stage.CLINICAL):
            continue
        for market in rng.choice(markets, rng.integers(1, 4), replace=False):
            granted = rank >= Stage.rank(Stage.APPROVED_KR) and (market == "KR" or rng.random() < 0.5)
            pending = str(rng.choice([ApprovalStatus.SUBMITTED, ApprovalStatus.PLANNED]))
            status = ApprovalStatus.GRANTED if granted else pending
            pathway = str(rng.choice(PATHWAYS_BY_MARKET[market]))
            approvals.append(RegulatoryApproval(offer=offer, market=str(market), pathway=pathway, status=status))
    RegulatoryApproval.objects.bulk_create(approvals, batch_size=2000)


def write_needs(rng, areas: list, concepts_of: dict, corporates: list, needs: int) -> Listings:
    """Needs: five per BD team, in one or two device areas per team."""
    from matching.enums import DealType, NeedStatus, Region, Stage
    from matching.models import PartneringNeed

    stages = Stage.values
    team_areas = rng.integers(0, len(areas), (len(corporates), 2))
    need_rows, need_concepts, need_area = [], [], []
    for i in range(needs):
        team = i // NEEDS_PER_CORPORATE
        area = areas[team_areas[team, rng.integers(0, 2)]]
        pool = concepts_of[area.pk]
        chosen = [pool[k] for k in rng.choice(len(pool), min(len(pool), rng.integers(2, 6)), replace=False)]
        low, high = sorted(rng.integers(0, len(stages), 2))
        korean = rng.random() < 0.2
        names = ", ".join(c.name_ko if korean else c.name_en for c in chosen)
        need_rows.append(
            PartneringNeed(
                organization=corporates[team],
                title=(f"{names} 파트너 탐색 (N-{i:04d})" if korean else f"Partners for {names} (N-{i:04d})"),
                description=(
                    f"{names} 분야에서 우리 포트폴리오를 보완할 기술을 찾습니다. "
                    "최소 한 개 주요 시장의 허가를 선호합니다."
                    if korean
                    else f"Our business unit looks for {names} technologies that complement its portfolio; an "
                    "approval in at least one major market is preferred, a clear FDA pathway is acceptable."
                ),
                language="ko" if korean else "en",
                stage_min=stages[low],
                stage_max=stages[high],
                deal_types=sorted(rng.choice(DealType.values, rng.integers(1, 4), replace=False).tolist()),
                regions=sorted(rng.choice(Region.values, rng.integers(1, 3), replace=False).tolist()),
                is_confidential=bool(rng.random() < 0.2),
                status=NeedStatus.OPEN if rng.random() < 0.95 else NeedStatus.CLOSED,
            )
        )
        need_concepts.append(chosen)
        need_area.append(areas.index(area))
    need_rows = PartneringNeed.objects.bulk_create(need_rows, batch_size=1000)
    _link_taxonomy(PartneringNeed, need_rows, [areas[i] for i in need_area], need_concepts)
    return Listings(need_rows, need_area, need_concepts)


def write_embeddings(rng, areas: list, concepts_of: dict, offers: Listings, needs: Listings) -> None:
    """Synthetic embeddings: area centre + the mean of the concepts' directions + noise."""
    from matching.models import Embedding

    centres = rng.normal(size=(len(areas), DIMENSIONS))
    all_concepts = [c for area in areas for c in concepts_of[area.pk]]
    direction = dict(zip((c.pk for c in all_concepts), rng.normal(size=(len(all_concepts), DIMENSIONS)), strict=True))

    def vector(area_index: int, chosen) -> bytes:
        raw = centres[area_index] + 0.7 * np.mean([direction[c.pk] for c in chosen], axis=0)
        raw = raw + rng.normal(0.0, 1.2, DIMENSIONS)
        return (raw / np.linalg.norm(raw)).astype("<f4").tobytes()

    def embedding(**owner_and_vector) -> Embedding:
        return Embedding(
            backend="synthetic",
            model_name=BENCH_MODEL,
            dimension=DIMENSIONS,
            text_hash=hashlib.sha256(owner_and_vector["vector"]).hexdigest(),
            **owner_and_vector,
        )

    Embedding.objects.bulk_create(
        [
            embedding(offer=offer, vector=vector(offers.area[i], offers.concepts[i]))
            for i, offer in enumerate(offers.rows)
        ]
        + [embedding(need=need, vector=vector(needs.area[i], needs.concepts[i])) for i, need in enumerate(needs.rows)],
        batch_size=1000,
    )


def write_salon(
    organizations: Organizations, areas: list, slots_count: int, salon_corporates: int
) -> tuple[Any, list, list]:
    """The published salon in two weeks: its program, slots and tables. (Event, slots, tables)."""
    import datetime as dt

    from django.utils import timezone

    from events.models import Event, EventStatus, ProgramItem, ProgramItemKind, Slot, Table

    today = timezone.localdate()
    seoul = timezone.get_current_timezone()
    day = today + dt.timedelta(days=14)
    event = Event.objects.create(
        organizer=organizations.organizer,
        title_ko="부하 측정 파트너링 살롱",
        title_en="Load benchmark partnering salon",
        slug="bench-salon",
        city="osong",
        venue="오송 C&V센터 컨퍼런스홀",
        date=day,
        registration_opens_at=timezone.now() - dt.timedelta(days=30),
        registration_closes_at=timezone.now() - dt.timedelta(days=2),
        meeting_quota=SALON_SLOTS,
        status=EventStatus.PUBLISHED,
    )
    event.theme_areas.set(areas[:3])

    def at(minutes: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(14, 0), tzinfo=seoul) + dt.timedelta(minutes=minutes)

    ProgramItem.objects.bulk_create(
        [
            ProgramItem(
                event=event,
                kind=ProgramItemKind.OPENING,
                title_ko="개회",
                title_en="Opening",
                starts_at=at(-70),
                ends_at=at(-60),
            ),
            ProgramItem(
                event=event,
                kind=ProgramItemKind.BD_EXPERT_TALK,
                title_ko="글로벌 BD가 찾는 것",
                title_en="What global BD looks for",
                starts_at=at(-60),
                ends_at=at(-10),
            ),
            ProgramItem(
                event=event,
                kind=ProgramItemKind.PARTNERING,
                title_ko="1:1 파트너링 미팅",
                title_en="1:1 partnering meetings",
                starts_at=at(0),
                ends_at=at(25 * slots_count),
            ),
        ]
    )
    slots = Slot.objects.bulk_create(
        [Slot(event=event, index=s + 1, starts_at=at(25 * s), ends_at=at(25 * s + 20)) for s in range(slots_count)]
    )
    tables = Table.objects.bulk_create([Table(event=event, number=c + 1) for c in range(salon_corporates)])
    return event, slots, tables


def write_registrations(event, organizations: Organizations, tables: list, salon_startups: int) -> None:
    """The approved registrations of the first startups and BD teams (each BD team at its fixed table),
    represented by their admins."""
    from accounts.models import OrganizationKind
    from events.models import Registration, RegistrationStatus

    startups, corporates, admin_of = organizations.startups, organizations.corporates, organizations.admin_of
    participants = startups[:salon_startups] + corporates[: len(tables)]
    registrations = Registration.objects.bulk_create(
        [
            Registration(
                event=event,
                organization=org,
                max_meetings=SALON_SLOTS,
                languages=["ko", "en"],
                status=RegistrationStatus.APPROVED,
                fixed_table=tables[corporates.index(org)] if org.kind == OrganizationKind.CORPORATE else None,
            )
            for org in participants
        ]
    )
    Registration.representatives.through.objects.bulk_create(
        [
            Registration.representatives.through(registration_id=reg.pk, user_id=admin_of[org.pk].pk)
            for reg, org in zip(registrations, participants, strict=True)
        ]
    )


def write_meetings(
    event,
    organizations: Organizations,
    offer_rows: list,
    need_rows: list,
    slots: list,
    tables: list,
    salon_startups: int,
) -> list[tuple]:
    """BD team c at table c meets startup (2c + s) mod n in slot s: an accepted request (between the
    startup's first offer and the team's first need, with their stored match score) and its scheduled
    meeting each. The placements, (slot, table, startup, BD team)."""
    from django.utils import timezone

    from events.models import Meeting, MeetingRequest, MeetingStatus, RequestOrigin, RequestStatus
    from matching.models import Match

    startups, corporates, admin_of = organizations.startups, organizations.corporates, organizations.admin_of
    first_offer, first_need = {}, {}
    for offer in offer_rows:
        first_offer.setdefault(offer.organization_id, offer)
    for need in need_rows:
        first_need.setdefault(need.organization_id, need)
    placements = [
        (slots[s], tables[c], startups[(2 * c + s) % salon_startups], corporates[c])
        for s in range(len(slots))
        for c in range(len(tables))
    ]
    stored = dict((((o, n), score) for o, n, score in Match.objects.values_list("offer_id", "need_id", "score")))
    requests = []
    for _slot, _table, startup, corporate in placements:
        offer, need = first_offer[startup.pk], first_need[corporate.pk]
        requests.append(
            MeetingRequest(
                event=event,
                offer=offer,
                need=need,
                startup=startup,
                corporate=corporate,
                requester=startup,
                recipient=corporate,
                origin=RequestOrigin.PROPOSAL,
                status=RequestStatus.ACCEPTED,
                score=stored.get((offer.pk, need.pk)),
                created_by=admin_of[startup.pk],
                responded_by=admin_of[corporate.pk],
                responded_at=timezone.now(),
            )
        )
    requests = MeetingRequest.objects.bulk_create(requests, batch_size=1000)
    Meeting.objects.bulk_create(
        [
            Meeting(
                event=event,
                request=request,
                startup=startup,
                corporate=corporate,
                slot=slot,
                table=table,
                status=MeetingStatus.SCHEDULED,
                score=request.score,
            )
            for request, (slot, table, startup, corporate) in zip(requests, placements, strict=True)
        ],
        batch_size=1000,
    )
    return placements


def write_client_tokens(
    organizations: Organizations, need_rows: list, salon_startups: int, clients: int, password: str
) -> tuple[list, list, dict]:
    """API token keys of ``clients`` users of the BD teams that have matches, then of as many of the salon's
    startups. (Tokens, those teams, their matched needs by team pk)."""
    from accounts import tokens as api_tokens
    from accounts.models import Membership, MembershipRole, User
    from matching.models import Match

    admin_of = organizations.admin_of

    # One user per client: the admin of a different organization while there are enough,
    # then further members.
    def client_users(orgs: list, prefix: str) -> list:
        chosen = []
        for i in range(clients):
            org = orgs[i % len(orgs)]
            if i < len(orgs):
                chosen.append(admin_of[org.pk])
                continue
            user = User.objects.create(
                email=f"{prefix}-{i}@bench.local",
                password=password,
                full_name=f"Member {i}",
                preferred_language=admin_of[org.pk].preferred_language,
            )
            Membership.objects.create(user=user, organization=org, role=MembershipRole.MEMBER)
            chosen.append(user)
        return chosen

    # A BD client asks for one of its team's needs that has matches (a closed need has none).
    matched = set(Match.objects.values_list("need_id", flat=True).distinct())
    needs_of = {}
    for need in need_rows:
        if need.pk in matched:
            needs_of.setdefault(need.organization_id, []).append(need)
    teams = [team for team in organizations.corporates if team.pk in needs_of]
    bd_users = client_users(teams, "bd")
    startup_users = client_users(organizations.startups[:salon_startups], "startup")
    keys = [api_tokens.issue(user, name="bench")[1] for user in bd_users + startup_users]
    return keys, teams, needs_of


# --- gunicorn -------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path
    workers: int


def server_environment(*, database_url: str, redis_url: str, static_root: str, workers: int | None) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "GUNICORN_WORKERS", "GUNICORN_BIND", "CSRF_TRUSTED_ORIGINS"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # Plain HTTP straight to gunicorn on loopback: in production TLS ends at the proxy.
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=static_root,
        EMBEDDING_BACKEND="lexical",
        EMAIL_URL="locmem://",
    )
    if workers is not None:
        env["GUNICORN_WORKERS"] = str(workers)
    return env


@contextlib.contextmanager
def gunicorn_server(*, database_url: str, redis_url: str, workers: int | None) -> Iterator[Server]:
    """gunicorn (``tests.services.gunicorn_server``) in production settings, ready once the liveness
    probe answers."""
    from tests.services import gunicorn_server as start

    with tempfile.TemporaryDirectory(prefix="salon-static-") as static_root:
        env = server_environment(
            database_url=database_url, redis_url=redis_url, static_root=static_root, workers=workers
        )
        with start(env, ready_path=STATIC_PATH) as running:
            booted = count_in_log(running.log, "Booting worker")
            yield Server(port=running.port, process=running.process, log=running.log, workers=booted)


def count_in_log(log: Path, needle: str) -> int:
    return log.read_text(errors="replace").count(needle)


# --- CPU accounting (Linux /proc) -----------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as stat:
        text = stat.read()
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on


def process_tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and its live children, plus those of children it has reaped: the
    difference of two readings includes workers recycled in between."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat_fields(int(entry.name))
            if int(entry.name) == root:
                total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
            elif int(fields[1]) == root:
                total += sum(int(value) for value in fields[11:13])
    return total / TICKS


def connections_per_worker(root: int, port: int) -> list[int]:
    """Established connections to ``port`` that each child of ``root`` (a gunicorn worker) holds,
    most first: a worker serves only the keep-alive connections it accepted."""
    established = set()
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == port and fields[3] == "01":
                established.add(f"socket:[{fields[9]}]")
    counts = []
    for entry in os.scandir("/proc"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if not entry.name.isdigit() or int(_stat_fields(int(entry.name))[1]) != root:
                continue
            counts.append(sum(os.readlink(fd.path) in established for fd in os.scandir(f"/proc/{entry.name}/fd")))
    return sorted(counts, reverse=True)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


# --- Load generator -------------------------------------------------------------------------


def build_request(client: Client, port: int) -> bytes:
    return (
        f"GET {client.path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: Token {client.token}\r\n"
        f"Accept: {client.accept}\r\nAccept-Language: {client.language}\r\nUser-Agent: bench.load\r\n\r\n"
    ).encode()


class NoResponse(Exception):
    """The connection was closed before any byte of a response arrived."""


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; returns (status, whether the server closes the connection)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise NoResponse from None
        raise
    status = int(head[9:12])
    length, chunked, close = None, False, False
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers
                break
            await reader.readexactly(size + 2)
    elif length is not None:
        await reader.readexactly(length)
    else:
        await reader.read()
        close = True
    return status, close


@dataclass
class Tally:
    latencies: array = field(default_factory=lambda: array("d"))  # milliseconds
    statuses: Counter = field(default_factory=Counter)
    failures: int = 0
    reconnects: int = 0
    samples: list[str] = field(default_factory=list)
    per_connection: list[int] = field(default_factory=list)  # measured requests of each connection

    def fail(self, message: str) -> None:
        self.failures += 1
        if len(self.samples) < 5:
            self.samples.append(message)


async def run_connection(
    port: int, request: bytes, opens_at: float, measure_from: float, until: float, tally: Tally
) -> None:
    """One keep-alive connection in a closed loop from ``opens_at`` until ``until`` (monotonic
    clock); requests started before ``measure_from`` are the warm-up and are not recorded."""
    await asyncio.sleep(max(0.0, opens_at - time.monotonic()))
    reader = writer = None
    done = 0
    try:
        while True:
            started = time.monotonic()
            if started >= until:
                return
            measured = started >= measure_from
            done += measured
            try:
                for attempt in (1, 2):
                    fresh = writer is None
                    if fresh:
                        reader, writer = await asyncio.open_connection(HOST, port)
                    try:
                        writer.write(request)
                        status, close = await read_response(reader)
                        break
                    except (NoResponse, ConnectionResetError, BrokenPipeError):
                        writer.close()
                        reader = writer = None
                        if fresh or attempt == 2:
                            raise
                        if measured:
                            tally.reconnects += 1
            except (OSError, NoResponse, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                if writer is not None:
                    writer.close()
                reader = writer = None
                if measured:
                    tally.latencies.append((time.monotonic() - started) * 1000)
                    tally.fail(f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(0.05)  # a refused connection must not spin
                continue
            if measured:
                tally.latencies.append((time.monotonic() - started) * 1000)
                tally.statuses[status] += 1
                if not 200 <= status < 300:
                    tally.fail(f"HTTP {status}")
            if close:
                writer.close()
                reader = writer = None
    finally:
        tally.per_connection.append(done)
        if writer is not None:
            writer.close()


async def run_connections(port: int, requests: list[tuple[float, bytes]], measure_from: float, until: float) -> Tally:
    tally = Tally()
    await asyncio.gather(
        *(run_connection(port, request, opens_at, measure_from, until, tally) for opens_at, request in requests)
    )
    return tally


def client_process(port: int, requests: list[tuple[float, bytes]], measure_from: float, until: float, queue) -> None:
    """A client process: its share of the connections, each ``(opens_at, request)``; reports its
    tally and its CPU time."""
    cpu_before = time.process_time()
    tally = asyncio.run(run_connections(port, requests, measure_from, until))
    queue.put(
        {
            "latencies": tally.latencies.tobytes(),
            "statuses": dict(tally.statuses),
            "failures": tally.failures,
            "reconnects": tally.reconnects,
            "samples": tally.samples,
            "per_connection": tally.per_connection,
            "cpu_seconds": time.process_time() - cpu_before,
        }
    )


def collect(queue, workers: list, *, deadline: float) -> list[dict]:
    """One report per client process; a process that died without reporting fails the run."""
    import queue as queues

    reports = []
    while len(reports) < len(workers):
        try:
            reports.append(queue.get(timeout=0.5))
        except queues.Empty:
            dead = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
            if dead or time.monotonic() > deadline:
                raise RuntimeError(f"client processes failed (exit codes {dead}) or did not report") from None
    for worker in workers:
        worker.join(timeout=10)
    return reports


@dataclass
class PhaseResult:
    name: str
    path: str
    seconds: float
    latencies: np.ndarray
    statuses: Counter
    errors: int
    reconnects: int
    samples: list[str]
    client_cpu: float  # share of one core
    server_cpu: float | None
    machine_cpu: float
    per_connection: list[int] = field(default_factory=list)
    connections_per_worker: list[int] = field(default_factory=list)  # sampled in the middle of the window
    recycled: int = 0  # gunicorn workers booted during the phase (max_requests), warm-up included

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        return float(np.percentile(self.latencies, q)) if self.requests else float("nan")


def run_phase(
    name: str,
    port: int,
    clients: list[Client],
    *,
    seconds: float,
    warmup: float,
    processes: int,
    server_pid: int | None = None,
) -> PhaseResult:
    """``len(clients)`` connections over ``processes`` processes for ``warmup`` + ``seconds``."""
    begin = time.monotonic() + 1.5  # time for the processes to start
    measure_from = begin + warmup
    until = measure_from + seconds
    # The connections open one after the other over the first half of the warm-up (at most 1 s), as
    # clients arriving, not in one burst that the first worker to wake up would accept alone.
    ramp = min(1.0, warmup / 2)
    requests = [(begin + ramp * i / len(clients), build_request(client, port)) for i, client in enumerate(clients)]
    shares = [requests[i::processes] for i in range(processes) if requests[i::processes]]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [
        context.Process(target=client_process, args=(port, share, measure_from, until, queue), daemon=True)
        for share in shares
    ]
    for worker in workers:
        worker.start()
    try:
        time.sleep(max(0.0, measure_from - time.monotonic()))
        server_before = process_tree_cpu(server_pid) if server_pid else None
        busy_before, total_before = machine_cpu()
        time.sleep(max(0.0, measure_from + seconds / 2 - time.monotonic()))
        spread = connections_per_worker(server_pid, port) if server_pid else []
        time.sleep(max(0.0, until - time.monotonic()))
        server_after = process_tree_cpu(server_pid) if server_pid else None
        busy_after, total_after = machine_cpu()
        reports = collect(queue, workers, deadline=time.monotonic() + 60)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()
    latencies = array("d")
    statuses, failures, reconnects, samples, cpu, per_connection = Counter(), 0, 0, [], 0.0, []
    for report in reports:
        latencies.frombytes(report["latencies"])
        statuses.update(report["statuses"])
        failures += report["failures"]
        reconnects += report["reconnects"]
        samples += report["samples"]
        cpu += report["cpu_seconds"]
        per_connection += report["per_connection"]
    return PhaseResult(
        name=name,
        path=clients[0].path.split("?")[0],
        seconds=seconds,
        latencies=np.frombuffer(latencies, dtype=np.float64),
        statuses=statuses,
        errors=failures,
        reconnects=reconnects,
        samples=samples[:5],
        # The client processes' CPU over warm-up and window alike, so per second of both.
        client_cpu=cpu / (seconds + warmup),
        server_cpu=None if server_before is None else (server_after - server_before) / seconds,
        per_connection=sorted(per_connection),
        connections_per_worker=spread,
        machine_cpu=(busy_after - busy_before) / (total_after - total_before) if total_after > total_before else 0.0,
    )


# --- Report ---------------------------------------------------------------------------------


def check_clients(port: int, data: DataSet) -> dict:
    """One request per client before the load: every answer is a 200 with real content (a match
    page with rows, an agenda with every meeting), else the figures would measure the wrong thing."""
    match_rows, agenda_events = [], []
    for client in data.bd_clients + data.startup_clients:
        request = urllib.request.Request(  # noqa: S310 — a loopback http URL
            f"http://{HOST}:{port}{client.path}",
            headers={"Authorization": f"Token {client.token}", "Accept": client.accept},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read()
        if client.path.startswith("/api/v1/matches/"):
            match_rows.append(len(json.loads(body)["results"]))
        else:
            agenda_events.append(body.count(b"BEGIN:VEVENT"))
    if min(match_rows) < 1 or min(agenda_events) < 1:
        raise RuntimeError(f"empty answers: matches per page {match_rows}, meetings per agenda {agenda_events}")
    return {
        "matches_per_page_mean": round(float(np.mean(match_rows)), 1),
        "meetings_per_agenda_mean": round(float(np.mean(agenda_events)), 1),
    }


def phase_report(result: PhaseResult, baseline: PhaseResult) -> dict:
    return {
        "endpoint": result.name,
        "path": result.path,
        "requests": result.requests,
        "requests_per_second": round(result.rate, 1),
        "p50_ms": round(result.percentile(50), 2),
        "p95_ms": round(result.percentile(95), 2),
        "p99_ms": round(result.percentile(99), 2),
        "errors": result.errors,
        "statuses": {str(code): count for code, count in sorted(result.statuses.items())},
        "reconnects": result.reconnects,
        # Closed loop: a connection served by a busy worker completes fewer requests.
        "requests_per_connection_min_median_max": [
            min(result.per_connection, default=0),
            int(np.median(result.per_connection)) if result.per_connection else 0,
            max(result.per_connection, default=0),
        ],
        "connections_per_worker": result.connections_per_worker,
        "error_samples": result.samples,
        "throughput_ratio_to_static": round(result.rate / baseline.rate, 4) if baseline.rate else None,
        "gunicorn_cpu_cores": None if result.server_cpu is None else round(result.server_cpu, 2),
        "client_cpu_cores": round(result.client_cpu, 2),
        "machine_cpu_share": round(result.machine_cpu, 3),
        "workers_recycled": result.recycled,
    }


def print_table(report: dict) -> None:
    setup = report["setup"]
    print(
        f"{setup['offers']:,} offers of {setup['startups']:,} startups, {setup['needs']:,} needs of "
        f"{setup['corporates']:,} BD teams, {setup['matches']:,} matches (matching service on synthetic "
        f"embeddings), salon: {setup['meetings']:,} meetings of {setup['salon_startups']} startups and "
        f"{setup['salon_corporates']} BD teams in {setup['slots']} slots; data set built in "
        f"{setup['populate_seconds']:.0f} s"
    )
    print(
        f"gunicorn: {setup['gunicorn_workers']} workers x {setup['gunicorn_threads']} threads, DJANGO_ENV=production, "
        f"PostgreSQL + Redis on loopback; {setup['clients']} keep-alive clients in {setup['client_processes']} "
        f"processes, {setup['seconds']:g} s per endpoint after {setup['warmup']:g} s warm-up; {setup['cores']} cores; "
        f"{setup['matches_per_page_mean']:g} matches per page, {setup['meetings_per_agenda_mean']:g} meetings per "
        "agenda"
    )
    header = (
        "endpoint",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "vs static",
        "gunicorn",
        "client",
        "machine",
        "recycled",
    )
    print(f"{header[0]:<34}" + "".join(f"{title:>10}" for title in header[1:]))
    for row in report["endpoints"]:
        server = "-" if row["gunicorn_cpu_cores"] is None else f"{row['gunicorn_cpu_cores'] * 100:.0f}%"
        print(
            f"{row['endpoint'] + ' ' + row['path']:<34}{row['requests']:>10,}{row['requests_per_second']:>10,.1f}"
            f"{row['p50_ms']:>10.1f}{row['p95_ms']:>10.1f}{row['p99_ms']:>10.1f}{row['errors']:>10}"
            f"{row['throughput_ratio_to_static']:>9.3f}x{server:>10}{row['client_cpu_cores'] * 100:>9.0f}%"
            f"{row['machine_cpu_share'] * 100:>9.0f}%{row['workers_recycled']:>10}"
        )
    print(
        "CPU: gunicorn and client as a share of one core, machine as a share of all cores; recycled: gunicorn "
        "workers replaced during the phase (max_requests)."
    )
    spread = [
        f"{row['endpoint']} {'/'.join(map(str, row['connections_per_worker']))}"
        for row in report["endpoints"]
        if row["connections_per_worker"]
    ]
    if spread:
        print(f"Keep-alive connections held by each gunicorn worker, mid-window: {', '.join(spread)}.")
    reconnects = sum(row["reconnects"] for row in report["endpoints"])
    if reconnects:
        print(f"{reconnects} requests found their keep-alive connection closed by a recycled worker and were resent.")
    for row in report["endpoints"]:
        for sample in row["error_samples"]:
            print(f"error on {row['path']}: {sample}")


def run(args) -> dict:
    """The whole benchmark; every server is stopped on the way out, also on Ctrl-C."""
    from tests.services import postgres_server, redis_server

    with postgres_server() as database_url, redis_server() as redis_url:
        configure_django(database_url)
        data = populate(offers=args.offers, needs=args.needs, clients=args.clients, seed=args.seed)
        from django.db import connections

        connections.close_all()
        with gunicorn_server(database_url=database_url, redis_url=redis_url, workers=args.workers) as server:
            content = check_clients(server.port, data)
            static_clients = [Client(client.token, STATIC_PATH, client.language, "*/*") for client in data.bd_clients]
            phases = [("static", static_clients), ("matches", data.bd_clients), ("agenda", data.startup_clients)]
            results = []
            for name, clients in phases:
                booted = count_in_log(server.log, "Booting worker")
                result = run_phase(
                    name,
                    server.port,
                    clients,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    processes=args.client_processes,
                    server_pid=server.process.pid,
                )
                result.recycled = count_in_log(server.log, "Booting worker") - booted
                results.append(result)
            threads = runpy.run_path(str(ROOT / "platform" / "gunicorn.conf.py"))["threads"]
    setup = {
        "offers": data.offers,
        "needs": data.needs,
        "startups": data.startups,
        "corporates": data.corporates,
        "matches": data.matches,
        "meetings": data.meetings,
        "salon_startups": data.salon_startups,
        "salon_corporates": data.salon_corporates,
        "slots": data.slots,
        "populate_seconds": round(data.seconds, 1),
        "gunicorn_workers": server.workers,
        "gunicorn_threads": threads,
        "clients": args.clients,
        "client_processes": args.client_processes,
        "seconds": args.seconds,
        "warmup": args.warmup,
        "cores": os.cpu_count(),
        "seed": args.seed,
        **content,
    }
    baseline = results[0]
    endpoints = [phase_report(result, baseline) for result in results]
    return {"setup": setup, "endpoints": endpoints, "errors": sum(row["errors"] for row in endpoints)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent keep-alive connections (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per endpoint (default 60)")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each (default 3)")
    parser.add_argument("--offers", type=int, default=5000)
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: platform/gunicorn.conf.py's)")
    parser.add_argument(
        "--client-processes", type=int, default=os.cpu_count() or 1, help="client processes (default: one per core)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.warmup < 0 or args.offers < 2 or args.needs < 1:
        parser.error("--clients, --seconds, --offers (at least 2) and --needs must be positive")
    args.client_processes = max(1, min(args.client_processes, args.clients))
    # A plain `kill` unwinds like Ctrl-C, through every `finally` that stops a server.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    try:
        report = run(args)
    except KeyboardInterrupt:  # the servers were stopped on the way out
        print("interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(report))
    else:
        print_table(report)
    return 1 if report["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
