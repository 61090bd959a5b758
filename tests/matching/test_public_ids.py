"""Offers and needs are named by random public ids (``public_id``, a uuid4) in URLs, query strings
and the API; their integer keys never leave the server (issue #15: sequential ids let an outsider
infer the owner of a confidential need from the neighbouring public need)."""

import re
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from events.models import MeetingRequest
from matching.models import PartneringNeed, TechnologyOffer
from tests.factories import OrganizationFactory, PartneringNeedFactory, TechnologyOfferFactory
from tests.worlds import add_match, english

pytestmark = pytest.mark.django_db

UNKNOWN = "0b6f2a1c-3d4e-4f50-8a61-72b3c4d5e6f7"  # well-formed, names nothing
# An integer where a public id belongs (a uuid may start with digits: the whole segment is digits).
INTEGER_PROFILE_URL = re.compile(r"(offers|needs)/\d+(?![\w-])")
INTEGER_QUERY = re.compile(r"[?&;](offer|need)=\d+(?![\w-])")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_each_offer_and_need_gets_its_own_random_uuid(startup, corporate):
    offers = [TechnologyOfferFactory(organization=startup) for _ in range(3)]
    needs = [PartneringNeedFactory(organization=corporate) for _ in range(3)]
    ids = [profile.public_id for profile in offers + needs]
    assert all(isinstance(public_id, uuid.UUID) and public_id.version == 4 for public_id in ids)
    assert len(set(ids)) == 6
    # Stored, not drawn again on each read; and not editable in forms or the admin.
    assert [TechnologyOffer.objects.get(pk=offer.pk).public_id for offer in offers] == ids[:3]
    assert TechnologyOffer._meta.get_field("public_id").editable is False
    assert str(PartneringNeed._meta.get_field("public_id").verbose_name) == "공개 ID"


# --- Web pages --------------------------------------------------------------------------------


def test_workspace_urls_take_the_public_id_and_refuse_the_integer_key(client, owner, bd, offer, need):
    add_match(offer, need, 0.8)
    client.force_login(owner)
    assert client.get(f"/workspace/offers/{offer.public_id}/edit/").status_code == 200
    assert client.get(f"/workspace/offers/{offer.public_id}/matches/").status_code == 200
    for path in (
        f"/workspace/offers/{offer.pk}/edit/",
        f"/workspace/offers/{offer.pk}/matches/",
        f"/workspace/offers/{offer.pk}/teaser.pdf",
        f"/workspace/offers/{UNKNOWN}/edit/",
        f"/workspace/offers/{UNKNOWN}/matches/",
        f"/workspace/offers/{str(offer.public_id)[:-1]}/edit/",
        f"/workspace/requests/new/?offer={offer.pk}&need={need.pk}",
        f"/workspace/requests/new/?offer={offer.public_id}&need={need.pk}",
        f"/workspace/requests/new/?offer={offer.public_id}&need={UNKNOWN}",
        f"/workspace/requests/new/?offer={offer.public_id.hex}&need={need.public_id.hex}",
    ):
        assert client.get(path).status_code == 404, path
    client.force_login(bd)
    assert client.get(f"/workspace/needs/{need.public_id}/matches/").status_code == 200
    assert client.get(f"/workspace/needs/{need.pk}/matches/").status_code == 404
    assert client.get(f"/workspace/needs/{need.pk}/edit/").status_code == 404
    assert client.post(f"/workspace/needs/{need.pk}/shortlist/{offer.pk}/").status_code == 404
    assert client.post(f"/workspace/needs/{need.public_id}/shortlist/{UNKNOWN}/").status_code == 404
    toggled = client.post(f"/workspace/needs/{need.public_id}/shortlist/{offer.public_id}/")
    assert (toggled.status_code, toggled["Location"]) == (302, f"/workspace/needs/{need.public_id}/matches/")


def test_rendered_pages_name_profiles_only_by_public_id(client, owner, bd, offer, need, confidential_need, salon):
    add_match(offer, need, 0.8)
    add_match(offer, confidential_need, 0.7)
    client.force_login(owner)
    home = client.get("/workspace/").content.decode()
    assert f'<li class="card" id="offer-{offer.public_id}">' in home
    assert f'<a href="/workspace/offers/{offer.public_id}/edit/">' in home
    assert f'<a href="/workspace/offers/{offer.public_id}/matches/">' in home
    matches = english(client).get(f"/workspace/offers/{offer.public_id}/matches/").content.decode()
    assert (
        f'<a href="/workspace/requests/new/?offer={offer.public_id}&amp;need={confidential_need.public_id}">' in matches
    )
    client.force_login(bd)
    bd_home = client.get("/workspace/").content.decode()
    assert f'<a href="/workspace/needs/{need.public_id}/matches/">' in bd_home
    need_matches = client.get(f"/workspace/needs/{need.public_id}/matches/").content.decode()
    assert f'action="/workspace/needs/{need.public_id}/shortlist/{offer.public_id}/"' in need_matches
    assert f'<a href="/workspace/requests/new/?offer={offer.public_id}&amp;need={need.public_id}">' in need_matches
    for page in (home, matches, bd_home, need_matches):
        assert INTEGER_PROFILE_URL.findall(page) == []
        assert INTEGER_QUERY.findall(page) == []
        assert re.findall(r'id="(?:offer|need)-\d+"', page) == []


def test_the_request_page_works_with_public_ids(client, owner, offer, need, salon):
    add_match(offer, need, 0.8)
    client.force_login(owner)
    url = f"/workspace/requests/new/?offer={offer.public_id}&need={need.public_id}"
    assert client.get(url).status_code == 200
    assert client.post(url, {"event": salon.pk, "message": "안녕하세요"}).status_code == 302
    assert MeetingRequest.objects.get().need == need


# --- API --------------------------------------------------------------------------------------


def test_api_details_are_found_by_public_id_and_not_by_integer_key(owner, bd, offer, need):
    founder, team = client_for(owner), client_for(bd)
    detail = founder.get(f"/api/v1/offers/{offer.public_id}/")
    assert (detail.status_code, detail.json()["id"]) == (200, str(offer.public_id))
    assert team.get(f"/api/v1/needs/{need.public_id}/").json()["id"] == str(need.public_id)
    assert [row["id"] for row in founder.get("/api/v1/offers/").json()["results"]] == [str(offer.public_id)]
    for path in (
        f"/api/v1/offers/{offer.pk}/",
        f"/api/v1/offers/{offer.pk}/teaser/",
        f"/api/v1/offers/{UNKNOWN}/",
        f"/api/v1/offers/{offer.public_id.hex[:12]}/",
    ):
        assert founder.get(path).status_code == 404, path
    assert team.get(f"/api/v1/needs/{need.pk}/").status_code == 404
    assert founder.patch(f"/api/v1/offers/{offer.pk}/", {"title": "바뀐 제목"}, format="json").status_code == 404
    renamed = founder.patch(f"/api/v1/offers/{offer.public_id}/", {"title": "바뀐 제목"}, format="json")
    assert (renamed.status_code, renamed.json()["id"]) == (200, str(offer.public_id))


def test_matches_and_their_filters_use_public_ids(owner, bd, offer, need, rival_offer):
    match = add_match(offer, need, 0.8)
    add_match(rival_offer, need, 0.6)
    rows = client_for(owner).get("/api/v1/matches/").json()["results"]
    assert [(row["id"], row["offer"]["id"], row["need"]["id"]) for row in rows] == [
        (match.pk, str(offer.public_id), str(need.public_id))
    ]
    team = client_for(bd)
    filtered = team.get("/api/v1/matches/", {"offer": str(offer.public_id)}).json()["results"]
    assert [row["offer"]["id"] for row in filtered] == [str(offer.public_id)]
    assert team.get("/api/v1/matches/", {"need": str(need.public_id)}).json()["count"] == 2
    refused = team.get("/api/v1/matches/", {"offer": offer.pk})
    assert (refused.status_code, refused.json()) == (400, {"offer": ["올바른 UUID를 입력하세요."]})


def test_a_meeting_request_names_the_offer_and_the_need_by_public_id(owner, offer, need, salon):
    add_match(offer, need, 0.8)
    founder = client_for(owner)
    payload = {"event": salon.pk, "offer": str(offer.public_id), "need": str(need.public_id)}
    created = founder.post("/api/v1/requests/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["offer"], created.json()["need"]) == (str(offer.public_id), str(need.public_id))
    request = MeetingRequest.objects.get()
    assert (request.offer, request.need) == (offer, need)
    listed = founder.get("/api/v1/requests/", {"offer": str(offer.public_id)}).json()["results"]
    assert [(row["id"], row["offer"], row["need"]) for row in listed] == [
        (request.pk, str(offer.public_id), str(need.public_id))
    ]
    assert founder.get("/api/v1/requests/", {"need": UNKNOWN}).json()["results"] == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("offer", 5, "올바른 ID가 아닙니다: “5”. 기술 제안의 공개 ID(UUID)를 보내 주세요."),
        ("offer", "5", "올바른 ID가 아닙니다: “5”. 기술 제안의 공개 ID(UUID)를 보내 주세요."),
        ("need", 7, "올바른 ID가 아닙니다: “7”. 파트너링 수요의 공개 ID(UUID)를 보내 주세요."),
        ("need", UNKNOWN, f"존재하지 않는 파트너링 수요입니다(ID “{UNKNOWN}”)."),
        ("offer", UNKNOWN.upper(), f"존재하지 않는 기술 제안입니다(ID “{UNKNOWN.upper()}”)."),
    ],
)
def test_a_meeting_request_with_an_integer_or_unknown_id_is_refused_in_korean(
    owner, offer, need, salon, field, value, message
):
    add_match(offer, need, 0.8)
    payload = {"event": salon.pk, "offer": str(offer.public_id), "need": str(need.public_id), field: value}
    answer = client_for(owner).post("/api/v1/requests/", payload, format="json")
    assert (answer.status_code, answer.json()) == (400, {field: [message]})
    assert MeetingRequest.objects.count() == 0


def test_the_id_errors_are_in_english_for_english_readers(owner, offer, need, salon):
    client = client_for(owner)
    payload = {"event": salon.pk, "offer": offer.pk, "need": UNKNOWN}
    answer = client.post("/api/v1/requests/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert answer.json() == {
        "offer": [f"“{offer.pk}” is not a valid id: a technology offer is named by its public id, a UUID."],
        "need": [f"There is no partnering need with the id “{UNKNOWN}”."],
    }


def test_the_schema_describes_public_ids_as_uuids(client):
    schema = client.get("/api/schema/?format=json").json()
    detail = schema["paths"]["/api/v1/offers/{public_id}/"]["get"]["parameters"]
    assert [(p["in"], p["name"], p["schema"]) for p in detail] == [
        ("path", "public_id", {"type": "string", "format": "uuid", "title": "공개 ID"})
    ]
    components = schema["components"]["schemas"]
    assert components["Offer"]["properties"]["id"]["format"] == "uuid"
    assert components["Need"]["properties"]["id"]["format"] == "uuid"
    assert components["MatchedNeed"]["properties"]["id"]["format"] == "uuid"
    assert components["MeetingRequestCreate"]["properties"]["offer"]["format"] == "uuid"
    assert components["MeetingRequest"]["properties"]["need"]["format"] == "uuid"


# --- The migration ----------------------------------------------------------------------------


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("matching", target)])
    return executor.loader.project_state(("matching", target)).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_rows_distinct_public_ids():
    startup, corporate = OrganizationFactory(kind="startup"), OrganizationFactory(kind="corporate")
    offers = [TechnologyOfferFactory(organization=startup).pk for _ in range(4)]
    needs = [PartneringNeedFactory(organization=corporate).pk for _ in range(3)]
    try:
        # Back to the nullable column of 0010, as rows written before public ids had it.
        old = _migrate("0010_public_id_add")
        for name in ("TechnologyOffer", "PartneringNeed"):
            old.get_model("matching", name).objects.update(public_id=None)
        assert old.get_model("matching", "TechnologyOffer").objects.filter(public_id__isnull=False).count() == 0
    finally:
        # Forward through 0011's fill and 0012's constraint, and on to the latest migrations.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    offer_ids = dict(TechnologyOffer.objects.values_list("pk", "public_id"))
    need_ids = dict(PartneringNeed.objects.values_list("pk", "public_id"))
    assert (sorted(offer_ids), sorted(need_ids)) == (sorted(offers), sorted(needs))
    filled = list(offer_ids.values()) + list(need_ids.values())
    assert all(isinstance(value, uuid.UUID) and value.version == 4 for value in filled)
    assert len(set(filled)) == 7
    # New rows still get theirs from the field's default.
    assert TechnologyOfferFactory(organization=startup).public_id not in filled
