"""Teaser PDFs of technology offers: validation by content and size, generated storage names,
nothing written for an invalid form, replacement and removal after commit, and private downloads
(web and API) for the offer's organization, organizers and engaged BD teams only."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from events.models import MeetingRequest
from matching import documents, services
from matching.models import Match, TechnologyOffer
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    StartupFactory,
    TechnologyOfferFactory,
    UserFactory,
)
from tests.worlds import english

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\n"
    b"endobj\n3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 1 1]>>\nendobj\ntrailer\n<</Size 4/Root 1 0 R>>\n"
    b"%%EOF\n"
)
OTHER_PDF = PDF.replace(b"%PDF-1.4", b"%PDF-1.7")
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
GENERATED = re.compile(r"^teasers/[0-9a-f]{32}\.pdf$")
KOREAN_NAME = "회사 소개서.pdf"
KOREAN_DISPOSITION = (
    "attachment; filename=\"teaser.pdf\"; filename*=UTF-8''%ED%9A%8C%EC%82%AC%20%EC%86%8C%EA%B0%9C%EC%84%9C.pdf"
)


def upload(name: str = KOREAN_NAME, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored(media) -> list[str]:
    """Every file under MEDIA_ROOT, as relative paths."""
    return sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file())


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def match(offer, need):
    """GlobalMed's need matches the offer, so its BD team may read the teaser."""
    return Match.objects.create(offer=offer, need=need, score=0.8, computed_at=timezone.now())


@pytest.fixture
def requesting_bd(salon, startup, offer):
    """A member of a BD team that has a meeting proposal about the offer at the organizer's salon."""
    requester = OrganizationFactory(name_en="Requester")
    MeetingRequest.objects.create(
        event=salon,
        offer=offer,
        startup=startup,
        corporate=requester,
        origin="proposal",
        status="proposed",
    )
    user = UserFactory()
    MembershipFactory(user=user, organization=requester)
    return user


@pytest.fixture
def unmatched_bd(other_bd, other_corporate):
    """The other BD team has a need of its own, but no match with the offer."""
    PartneringNeedFactory(organization=other_corporate)
    return other_bd


@pytest.fixture
def users(owner, member, outsider, bd, match, requesting_bd, unmatched_bd, organizer, other_organizer) -> dict:
    """Everyone the download tests ask, by role; the organizer runs the salon the startup applied to."""
    return {
        "owner": owner,
        "member": member,
        "rival": outsider,
        "matched_bd": bd,
        "requesting_bd": requesting_bd,
        "other_bd": unmatched_bd,
        "organizer": organizer.user,
        "other_organizer": other_organizer.user,
        "no_organization": UserFactory(),
    }


# --- Validation and storage -----------------------------------------------------------------


def test_a_real_pdf_is_stored_under_a_generated_name(offer, media):
    offer = services.offer_update(offer=offer, teaser=upload())

    offer.refresh_from_db()
    assert GENERATED.match(offer.teaser.name)
    assert KOREAN_NAME not in offer.teaser.name
    assert (offer.teaser_name, offer.teaser_size) == (KOREAN_NAME, len(PDF))
    assert offer.teaser_uploaded_at is not None
    assert stored(media) == [offer.teaser.name]
    assert (media / offer.teaser.name).read_bytes() == PDF


def test_a_pdf_named_txt_is_accepted_and_stored_as_pdf(offer):
    offer = services.offer_update(offer=offer, teaser=upload("deck.txt"))
    assert GENERATED.match(offer.teaser.name)
    assert offer.teaser_name == "deck.pdf"


@pytest.mark.parametrize(
    ("language", "content", "message"),
    [
        ("ko", HTML, "PDF 파일만 올릴 수 있습니다. 이 파일은 HTML 문서입니다."),
        ("en", HTML, "Only PDF files are accepted: this file is an HTML document."),
        ("ko", PNG, "PDF 파일만 올릴 수 있습니다. 이 파일은 PNG 이미지입니다."),
        ("en", PNG, "Only PDF files are accepted: this file is a PNG image."),
        ("en", b"Just some notes", "Only PDF files are accepted: this file is plain text."),
        ("ko", b"", "빈 파일입니다. 티저를 PDF로 올려 주세요."),
        ("en", b"", "The file is empty: upload the teaser as a PDF."),
    ],
)
def test_it_refuses_what_is_not_a_pdf_by_content(offer, media, language, content, message):
    with translation.override(language), pytest.raises(ValidationError) as error:
        services.offer_update(offer=offer, teaser=upload("deck.pdf", content))
    assert error.value.message_dict == {"teaser": [message]}
    offer.refresh_from_db()
    assert offer.teaser.name == ""
    assert stored(media) == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ko", "파일 크기가 2.0 KB입니다. 티저는 최대 1.0 KB까지 올릴 수 있습니다."),
        ("en", "The file is 2.0 KB; a teaser may be at most 1.0 KB."),
    ],
)
def test_it_refuses_a_file_over_the_limit(offer, media, settings, language, message):
    settings.TEASER_MAX_BYTES = 1024
    big = PDF + b"%" * (2048 - len(PDF))
    with translation.override(language), pytest.raises(ValidationError) as error:
        services.offer_update(offer=offer, teaser=upload("deck.pdf", big))
    assert error.value.message_dict == {"teaser": [message]}
    assert stored(media) == []
    # Exactly at the limit is fine.
    services.offer_update(offer=offer, teaser=upload("deck.pdf", big[:1024]))
    assert offer.teaser_size == 1024


def test_display_names_are_sanitised_and_limited():
    assert documents.display_name("../../etc/passwd") == "passwd.pdf"
    assert documents.display_name("C:\\Users\\me\\Deck.PDF") == "Deck.pdf"
    assert documents.display_name("bad\x00\x1b[31mname\u202e.pdf") == "bad[31mname.pdf"
    assert documents.display_name("  v1.2 final  ") == "v1.2 final.pdf"
    assert documents.display_name("...") == "teaser.pdf"
    long = documents.display_name("가" * 300 + ".pdf")
    assert (len(long), long) == (120, "가" * 116 + ".pdf")
    assert documents.ascii_name('Café deck "v2".pdf') == "Cafe deck _v2.pdf"
    assert documents.ascii_name(KOREAN_NAME) == "teaser.pdf"
    assert documents.content_disposition(KOREAN_NAME) == KOREAN_DISPOSITION


def test_a_failure_after_the_write_removes_the_new_file_and_keeps_the_old(
    offer, media, django_capture_on_commit_callbacks
):
    services.offer_update(offer=offer, teaser=upload())
    old = offer.teaser.name
    bad_approval = [{"market": "US", "pathway": "mfds_2", "status": "granted"}]  # an MFDS pathway in the US

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        services.offer_update(offer=offer, teaser=upload("new.pdf", OTHER_PDF), approvals=bad_approval)

    assert list(error.value.message_dict) == ["approvals"]
    assert stored(media) == [old]
    assert offer.teaser.name == old  # the instance shows what is stored
    offer.refresh_from_db()
    assert (offer.teaser.name, offer.teaser_name) == (old, KOREAN_NAME)


def test_replacing_deletes_the_old_file_only_after_the_commit(offer, media, django_capture_on_commit_callbacks):
    services.offer_update(offer=offer, teaser=upload())
    old = offer.teaser.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.offer_update(offer=offer, teaser=upload("v2.pdf", OTHER_PDF))
    new = offer.teaser.name
    assert GENERATED.match(new) and new != old
    assert stored(media) == sorted([old, new])  # not committed yet: the old file stays
    assert len(callbacks) == 2  # the embedding and the deletion
    for callback in callbacks:
        callback()
    assert stored(media) == [new]
    offer.refresh_from_db()
    assert (offer.teaser.name, offer.teaser_name, offer.teaser_size) == (new, "v2.pdf", len(PDF))


def test_removing_the_teaser_clears_it_and_deletes_the_file(offer, media, django_capture_on_commit_callbacks):
    services.offer_update(offer=offer, teaser=upload())
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_update(offer=offer, remove_teaser=True)
    offer.refresh_from_db()
    assert (offer.teaser.name, offer.teaser_name, offer.teaser_size) == ("", "", None)
    assert offer.teaser_uploaded_at is None
    assert stored(media) == []


def test_teaser_metadata_cannot_be_set_around_the_service(offer):
    with pytest.raises(TypeError):
        services.offer_update(offer=offer, teaser_name="evil.html")


# --- Web form -------------------------------------------------------------------------------

OFFER = {
    "title": "Low-dose CT lung nodule AI",
    "description": "Deep learning software that detects lung nodules on low-dose chest CT.",
    "stage": "clinical",
    "deal_types": ["licensing"],
    "target_regions": ["US"],
}


def test_the_offer_form_uploads_a_teaser_and_shows_it_with_a_download_link(client, owner, media):
    client.force_login(owner)
    page = english(client).get("/workspace/offers/new/")
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<input type="file" name="teaser" accept="application/pdf,.pdf"' in html
    assert "A PDF of at most 10.0\xa0MB." in html
    assert "remove_teaser" not in html

    response = client.post("/workspace/offers/new/", {**OFFER, "teaser": upload()})

    assert response.status_code == 302
    offer = TechnologyOffer.objects.get(title=OFFER["title"])
    assert GENERATED.match(offer.teaser.name)
    assert stored(media) == [offer.teaser.name]
    html = client.get(f"/workspace/offers/{offer.public_id}/edit/").content.decode()
    assert (
        f'Current teaser: <a href="/workspace/offers/{offer.public_id}/teaser.pdf" download>{KOREAN_NAME}</a>' in html
    )
    assert 'name="remove_teaser"' in html


def test_an_invalid_offer_form_writes_no_file(client, owner, offer, media):
    client.force_login(owner)
    before = TechnologyOffer.objects.count()
    # The title is taken: the form is invalid, although the PDF is fine.
    response = english(client).post("/workspace/offers/new/", {**OFFER, "title": "Lung nodule AI", "teaser": upload()})
    assert response.status_code == 200
    assert 'id="id_title-error" role="alert">Your organization already has a profile with this title.</span>' in (
        response.content.decode()
    )
    assert TechnologyOffer.objects.count() == before
    assert stored(media) == []


def test_an_invalid_edit_keeps_the_old_teaser(client, offer, owner, media):
    services.offer_update(offer=offer, teaser=upload())
    old = offer.teaser.name
    client.force_login(owner)
    response = client.post(
        f"/workspace/offers/{offer.public_id}/edit/", {**OFFER, "stage": "someday", "teaser": upload("new.pdf")}
    )
    assert response.status_code == 200
    assert stored(media) == [old]
    offer.refresh_from_db()
    assert (offer.teaser.name, offer.teaser_name) == (old, KOREAN_NAME)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ko", "PDF 파일만 올릴 수 있습니다. 이 파일은 HTML 문서입니다."),
        ("en", "Only PDF files are accepted: this file is an HTML document."),
    ],
)
def test_the_form_shows_the_refusal_next_to_the_field(client, owner, offer, media, language, message):
    client.force_login(owner)
    client.cookies["django_language"] = language
    response = client.post(f"/workspace/offers/{offer.public_id}/edit/", {**OFFER, "teaser": upload("x.pdf", HTML)})
    assert response.status_code == 200
    assert f'id="id_teaser-error" role="alert">{message}</span>' in response.content.decode()
    assert stored(media) == []


def test_the_form_removes_the_teaser(client, offer, owner, media, django_capture_on_commit_callbacks):
    services.offer_update(offer=offer, teaser=upload())
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/workspace/offers/{offer.public_id}/edit/", {**OFFER, "remove_teaser": "on"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.teaser.name == ""
    assert stored(media) == []


# --- Downloads ------------------------------------------------------------------------------

ALLOWED = ["owner", "member", "matched_bd", "requesting_bd", "organizer"]
REFUSED = ["rival", "other_bd", "other_organizer", "no_organization", "anonymous"]


def download_client(users, who, api=False):
    client = APIClient() if api else Client()
    if who != "anonymous":
        client.force_login(users[who])
    return client


def assert_pdf_download(response):
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert {
        name: response[name]
        for name in (
            "Content-Type",
            "Content-Disposition",
            "X-Content-Type-Options",
            "Content-Security-Policy",
            "Cache-Control",
            "Content-Length",
        )
    } == {
        "Content-Type": "application/pdf",
        "Content-Disposition": KOREAN_DISPOSITION,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private, no-store",
        "Content-Length": str(len(PDF)),
    }


@pytest.mark.parametrize("who", ALLOWED)
@pytest.mark.parametrize("api", [False, True], ids=["web", "api"])
def test_allowed_users_download_the_teaser(offer, users, who, api):
    services.offer_update(offer=offer, teaser=upload())
    path = f"/api/v1/offers/{offer.public_id}/teaser/" if api else f"/workspace/offers/{offer.public_id}/teaser.pdf"
    assert_pdf_download(download_client(users, who, api).get(path))


@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("api", [False, True], ids=["web", "api"])
def test_everyone_else_gets_404(offer, users, who, api):
    services.offer_update(offer=offer, teaser=upload())
    path = f"/api/v1/offers/{offer.public_id}/teaser/" if api else f"/workspace/offers/{offer.public_id}/teaser.pdf"
    assert download_client(users, who, api).get(path).status_code == 404


def test_an_offer_without_a_teaser_answers_404_even_to_its_owner(client, owner, offer):
    client.force_login(owner)
    assert client.get(f"/workspace/offers/{offer.public_id}/teaser.pdf").status_code == 404
    assert client.get("/workspace/offers/999999/teaser.pdf").status_code == 404


def test_uploads_are_not_served_under_media(client, offer, owner):
    services.offer_update(offer=offer, teaser=upload())
    client.force_login(owner)
    assert client.get(f"/media/{offer.teaser.name}").status_code == 404


def test_the_matched_bd_team_finds_the_teaser_on_its_match_list(client, offer, bd, need, match):
    services.offer_update(offer=offer, teaser=upload())
    client.force_login(bd)
    html = english(client).get(f"/workspace/needs/{need.public_id}/matches/").content.decode()
    assert f'<a href="/workspace/offers/{offer.public_id}/teaser.pdf" download>Teaser (PDF)</a>' in html


# --- API ------------------------------------------------------------------------------------


def test_a_startup_creates_an_offer_with_a_teaser_in_a_multipart_request(startup, owner):
    payload = {
        **OFFER,
        "organization": startup.pk,
        "deal_types": '["licensing"]',  # JSON fields travel as JSON text in a form
        "target_regions": '["US"]',
        "teaser": upload("deck.pdf"),
    }
    answer = client_for(owner).post("/api/v1/offers/", payload, format="multipart")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    offer = TechnologyOffer.objects.get(public_id=body["id"])
    assert GENERATED.match(offer.teaser.name)
    assert (body["teaser_url"], body["teaser_name"], body["teaser_size"]) == (
        f"http://testserver/api/v1/offers/{offer.public_id}/teaser/",
        "deck.pdf",
        len(PDF),
    )
    assert body["teaser_uploaded_at"] is not None
    assert "teaser" not in body and "remove_teaser" not in body
    assert (offer.deal_types, offer.target_regions) == (["licensing"], ["US"])


def test_a_json_create_still_works_without_a_teaser(startup, owner):
    payload = {**OFFER, "organization": startup.pk, "title": "JSON offer"}
    answer = client_for(owner).post("/api/v1/offers/", payload, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert [body[name] for name in ("teaser_url", "teaser_name", "teaser_size", "teaser_uploaded_at")] == [None] * 4


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ko", "PDF 파일만 올릴 수 있습니다. 이 파일은 HTML 문서입니다."),
        ("en", "Only PDF files are accepted: this file is an HTML document."),
    ],
)
def test_the_api_refuses_html_with_a_localised_message(owner, offer, media, language, message):
    answer = client_for(owner).patch(
        f"/api/v1/offers/{offer.public_id}/",
        {"teaser": upload("deck.pdf", HTML)},
        format="multipart",
        headers={"accept-language": language},
    )
    assert answer.status_code == 400
    assert answer.json() == {"teaser": [message]}
    assert stored(media) == []


def test_the_api_replaces_and_removes_the_teaser(owner, offer, media, django_capture_on_commit_callbacks):
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.patch(f"/api/v1/offers/{offer.public_id}/", {"teaser": upload()}, format="multipart")
    first = TechnologyOffer.objects.get(pk=offer.pk).teaser.name
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.patch(
            f"/api/v1/offers/{offer.public_id}/", {"teaser": upload("v2.pdf", OTHER_PDF)}, format="multipart"
        )
    assert answer.json()["teaser_name"] == "v2.pdf"
    second = TechnologyOffer.objects.get(pk=offer.pk).teaser.name
    assert stored(media) == [second] != [first]
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.patch(f"/api/v1/offers/{offer.public_id}/", {"remove_teaser": True}, format="json")
    assert answer.json()["teaser_url"] is None
    assert stored(media) == []


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("owner", True),
        ("member", True),
        ("matched_bd", True),
        ("requesting_bd", True),
        ("organizer", True),
        ("other_organizer", False),
        ("rival", False),
        ("other_bd", False),
        ("no_organization", False),
    ],
)
def test_teaser_url_is_null_for_those_who_may_not_download(offer, users, who, shown):
    services.offer_update(offer=offer, teaser=upload())
    client = client_for(users[who])
    url = f"http://testserver/api/v1/offers/{offer.public_id}/teaser/" if shown else None
    detail = client.get(f"/api/v1/offers/{offer.public_id}/")
    assert detail.status_code == 200
    assert (detail.json()["teaser_url"], detail.json()["teaser_name"]) == (url, KOREAN_NAME if shown else None)
    listed = {row["id"]: row["teaser_url"] for row in client.get("/api/v1/offers/").json()["results"]}
    assert listed[str(offer.public_id)] == url


def test_the_offer_list_costs_the_same_queries_with_more_teasers(bd, offer, need, match):
    client = client_for(bd)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/offers/").status_code == 200
        return len(queries)

    services.offer_update(offer=offer, teaser=upload())
    count()  # the first request also loads the user's affiliation, which is then kept on the user
    few = count()
    for number in range(3):
        more = TechnologyOfferFactory(organization=StartupFactory(), title=f"More {number}")
        services.offer_update(offer=more, teaser=upload())
        Match.objects.create(offer=more, need=need, score=0.5, computed_at=timezone.now())
    assert count() == few


def test_downloads_by_other_organizations_are_audited(offer, users, bd, startup):
    services.offer_update(offer=offer, teaser=upload())
    for who in ("owner", "matched_bd", "rival"):
        download_client(users, who).get(f"/workspace/offers/{offer.public_id}/teaser.pdf")
    assert list(
        AuditEvent.objects.values_list("action", "actor_id", "organization_id", "target_type", "target_id", "details")
    ) == [
        (
            "disclosure.document",
            bd.pk,
            bd.memberships.get().organization_id,
            "matching.technologyoffer",
            str(offer.pk),
            {"owner": startup.pk},
        )
    ]
