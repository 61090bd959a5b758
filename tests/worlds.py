"""The standing cast of the permission tests (healthchecks style), as pytest fixtures that
``tests/conftest.py`` makes available everywhere; each is built on first use, so a test pays only
for the people and objects it names.

- startup MediVision (메디비전): its ``owner`` (an admin) and a ``member`` of the same team; its
  approved ``offer`` and a ``draft_offer``.
- ``rival`` startup Rival (경쟁사) with its ``outsider`` user and a ``rival_offer``.
- the counterpart, BD team ``corporate`` GlobalMed (글로벌메드): its user ``bd`` (English-speaking),
  a public ``need`` and a ``confidential_need``; ``other_corporate`` Delta Devices and its
  ``other_bd`` stand for the unrelated BD team.
- ``organizer`` (KHIDI) runs the open ``salon`` where startup, rival and corporate are approved;
  ``other_organizer`` runs nothing of theirs.

All of it goes through the factories of ``tests/factories.py``. Tests that need more (a match, a
meeting, a teaser) add it themselves or through fixtures of their own built on these.
"""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from matching.models import Match
from tests.factories import (
    DeviceAreaFactory,
    EventFactory,
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)


def _member_of(organization, *, role="member", **user):
    person = UserFactory(**user)
    MembershipFactory(user=person, organization=organization, role=role)
    return person


@pytest.fixture
def startup(db):
    return StartupFactory(
        name_ko="메디비전", name_en="MediVision", contact_email="contact@medivision.kr", contact_phone="+82-2-555-0101"
    )


@pytest.fixture
def owner(startup):
    """The startup's administrator: the owner of its offers."""
    return _member_of(startup, role="admin", email="ceo@medivision.kr", preferred_language="ko")


@pytest.fixture
def member(startup):
    """Another member of the startup's team."""
    return _member_of(startup, email="cto@medivision.kr")


@pytest.fixture
def rival(db):
    return StartupFactory(name_ko="경쟁사", name_en="Rival", contact_email="contact@rival.example")


@pytest.fixture
def outsider(rival):
    """A user of another startup."""
    return _member_of(rival, email="ceo@rival.example")


@pytest.fixture
def corporate(db):
    return OrganizationFactory(name_ko="글로벌메드", name_en="GlobalMed", contact_email="bd@globalmed.com")


@pytest.fixture
def bd(corporate):
    """The counterpart: a member of the BD team, reading in English."""
    return _member_of(corporate, email="bd@globalmed.com", preferred_language="en")


@pytest.fixture
def other_corporate(db):
    return OrganizationFactory(name_ko="델타디바이스", name_en="Delta Devices", contact_email="bd@delta.example")


@pytest.fixture
def other_bd(other_corporate):
    """A user of a BD team that has nothing to do with the startup."""
    return _member_of(other_corporate, email="bd@delta.example")


@pytest.fixture
def organizer(db):
    """A salon organizer's organization and one of its members."""
    organization = OrganizationFactory(kind="organizer", country="KR", name_en="KHIDI")
    return SimpleNamespace(organization=organization, user=_member_of(organization))


@pytest.fixture
def other_organizer(db):
    """Another cluster's organizer, with salons of its own."""
    organization = OrganizationFactory(kind="organizer", country="KR", name_en="Other cluster")
    return SimpleNamespace(organization=organization, user=_member_of(organization))


@pytest.fixture
def imaging(db):
    return DeviceAreaFactory()


@pytest.fixture
def cardiology(db):
    return DeviceAreaFactory(code="cardiology", name_ko="심혈관", name_en="Cardiology")


@pytest.fixture
def offer(startup):
    return TechnologyOfferFactory(organization=startup, title="Lung nodule AI", stage="clinical")


@pytest.fixture
def draft_offer(startup):
    return TechnologyOfferFactory(organization=startup, title="초안 기술", status="draft")


@pytest.fixture
def rival_offer(rival, cardiology):
    rival_offer = TechnologyOfferFactory(organization=rival, title="Rival prototype", stage="prototype")
    rival_offer.areas.set([cardiology])
    return rival_offer


@pytest.fixture
def need(corporate):
    return PartneringNeedFactory(organization=corporate, title="Lung AI for CT", stage_min="prototype")


@pytest.fixture
def confidential_need(corporate, cardiology):
    confidential_need = PartneringNeedFactory(
        organization=corporate, title="Secret cardiology program", is_confidential=True
    )
    confidential_need.areas.set([cardiology])
    return confidential_need


@pytest.fixture
def salon(organizer, startup, rival, corporate):
    """An open salon of the organizer, two meetings per organization, with startup, rival and
    corporate approved."""
    event = EventFactory(organizer=organizer.organization, title_en="Pangyo Salon", status="open", meeting_quota=2)
    for organization in (startup, rival, corporate):
        RegistrationFactory(event=event, organization=organization, status="approved")
    return event


def english(client):
    """The client reads the pages in English (LocaleMiddleware reads the language cookie)."""
    client.cookies["django_language"] = "en"
    return client


# A stored match's explanation, as the workspace pages show it.
FITS = {
    "ko": {"fits": ["공통 개념: 폐결절"], "misfits": []},
    "en": {"fits": ["Shared concepts: lung nodule"], "misfits": []},
}


def add_match(offer, need, score, explanation=FITS):
    """A stored match between ``offer`` and ``need`` (as ``matching.match_service`` writes them)."""
    return Match.objects.create(
        offer=offer, need=need, score=score, explanation=explanation, computed_at=timezone.now()
    )
