"""The workspace pages about profiles (matching.views): offers and needs, concept suggestions,
matches and the shortlist."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import meeting_requests
from matching import concepts
from matching.models import PartneringNeed, RegulatoryApproval, Shortlist, TechnologyOffer
from tests.factories import (
    ConceptFactory,
    OrganizationFactory,
    PartneringNeedFactory,
    RegistrationFactory,
    StartupFactory,
    TechnologyOfferFactory,
)
from tests.worlds import add_match, english

pytestmark = pytest.mark.django_db

MISFITS = {
    "ko": {"fits": [], "misfits": ["너무 이른: 프로토타입, 니즈는 임상 이후를 요구합니다"]},
    "en": {"fits": [], "misfits": ["Too early: Prototype, the need asks for Clinical or later"]},
}


# --- Offers and needs ----------------------------------------------------------------------


OFFER = {
    "title": "Low-dose CT lung nodule AI",
    "description": "Deep learning software that detects lung nodules on low-dose chest CT.",
    "areas": ["imaging"],
    "concepts": ["imaging.lung_nodule"],
    "stage": "clinical",
    "deal_types": ["licensing", "distribution"],
    "target_regions": ["US", "EU"],
    "submit_for_review": "on",
}


def test_the_offer_form_creates_an_offer_with_areas_and_concepts(client, owner, startup):
    ConceptFactory()
    client.force_login(owner)
    page = english(client).get("/workspace/offers/new/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<fieldset class="step">') == 3
    assert (
        '<label class="choice" for="id_concepts_0"><input type="checkbox" name="concepts" value="imaging.lung_nodule"'
        in html
    )
    assert "What a complete profile needs" in html

    response = client.post("/workspace/offers/new/", OFFER)

    assert response.status_code == 302
    assert response["Location"] == "/workspace/"
    offer = TechnologyOffer.objects.get(title="Low-dose CT lung nodule AI")
    assert offer.organization == startup
    assert [a.code for a in offer.areas.all()] == ["imaging"]
    assert [c.code for c in offer.concepts.all()] == ["imaging.lung_nodule"]
    assert (offer.stage, offer.deal_types, offer.target_regions, offer.status, offer.language) == (
        "clinical",
        ["licensing", "distribution"],
        ["US", "EU"],
        "submitted",
        "en",
    )


def test_an_invalid_offer_saves_nothing_and_shows_errors_next_to_the_fields(client, owner, offer):
    ConceptFactory()
    client.force_login(owner)
    before = TechnologyOffer.objects.count()
    response = english(client).post(
        "/workspace/offers/new/", {**OFFER, "deal_types": [], "stage": "someday", "title": "Lung nodule AI"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_deal_types-error" role="alert">This field is required.</span>' in html
    assert (
        'id="id_stage-error" role="alert">Select a valid choice. someday is not one of the available choices.</span>'
        in html
    )
    assert 'id="id_title-error" role="alert">Your organization already has a profile with this title.</span>' in html
    assert TechnologyOffer.objects.count() == before
    # The checklist reflects what was submitted: areas and concepts are there, deal types are not.
    assert '<li data-check="areas" class="done">' in html
    assert '<li data-check="deal_types" class="todo">' in html
    assert '<li data-check="description" class="todo">' in html


def test_the_offer_edit_form_updates_through_the_service(client, owner, offer, cardiology):
    client.force_login(owner)
    page = client.get(f"/workspace/offers/{offer.public_id}/edit/")
    assert page.status_code == 200
    assert 'value="Lung nodule AI"' in page.content.decode()
    assert "submit_for_review" not in page.content.decode()  # already approved
    response = client.post(
        f"/workspace/offers/{offer.public_id}/edit/",
        {**OFFER, "title": "Lung nodule AI v2", "areas": ["cardiology"], "concepts": [], "submit_for_review": ""},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.title, offer.status) == ("Lung nodule AI v2", "approved")
    assert [a.code for a in offer.areas.all()] == ["cardiology"]


def test_the_need_form_creates_a_confidential_need_and_checks_the_stage_range(client, bd, corporate, cardiology):
    client.force_login(bd)
    data = {
        "title": "Cardiac monitoring partners",
        "description": "Wearable ECG patches for remote monitoring.",
        "is_confidential": "on",
        "areas": ["cardiology"],
        "stage_min": "marketed",
        "stage_max": "clinical",
        "deal_types": ["distribution"],
        "regions": ["EU"],
        "status": "open",
    }
    response = english(client).post("/workspace/needs/new/", data)
    assert response.status_code == 200
    assert (
        'id="id_stage_max-error" role="alert">The earliest stage must not come after the latest stage.</span>'
        in response.content.decode()
    )
    assert not PartneringNeed.objects.filter(title="Cardiac monitoring partners").exists()

    response = client.post("/workspace/needs/new/", {**data, "stage_min": "clinical", "stage_max": "marketed"})
    assert response.status_code == 302
    need = PartneringNeed.objects.get(title="Cardiac monitoring partners")
    assert (need.organization, need.is_confidential, need.stage_min, need.stage_max, need.regions) == (
        corporate,
        True,
        "clinical",
        "marketed",
        ["EU"],
    )
    assert [a.code for a in need.areas.all()] == ["cardiology"]


def test_a_user_without_a_startup_is_sent_to_register_one(client, bd):
    client.force_login(bd)
    response = client.get("/workspace/offers/new/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/organization/new/"


# --- Concept suggestions -------------------------------------------------------------------


@pytest.fixture
def fresh_concept_index():
    concepts.default_index.cache_clear()
    yield
    concepts.default_index.cache_clear()


def test_concept_suggestions_return_the_codes_the_text_mentions(client, cardiology, owner, fresh_concept_index):
    ConceptFactory()  # imaging.lung_nodule: 폐결절 / lung nodule
    ConceptFactory(
        code="cardiology.ecg", area=cardiology, name_ko="심전도", name_en="electrocardiogram", synonyms_en=["ECG"]
    )
    client.force_login(owner)

    english(client)
    response = client.get("/workspace/concepts/suggest/", {"text": "An AI that finds a lung nodule on chest CT"})
    assert response.status_code == 200
    assert response.json() == {"concepts": [{"code": "imaging.lung_nodule", "name": "lung nodule"}]}

    del client.cookies["django_language"]
    response = client.get("/workspace/concepts/suggest/", {"text": "ECG 패치와 폐결절 검출"})
    assert response.json() == {
        "concepts": [
            {"code": "cardiology.ecg", "name": "심전도"},
            {"code": "imaging.lung_nodule", "name": "폐결절"},
        ]
    }
    assert client.get("/workspace/concepts/suggest/", {"text": ""}).json() == {"concepts": []}


def test_concept_suggestions_need_a_login(client):
    response = client.get("/workspace/concepts/suggest/", {"text": "lung nodule"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Matches -------------------------------------------------------------------------------


def test_a_startup_sees_ranked_needs_with_confidential_ones_anonymised(
    client, offer, need, confidential_need, rival_offer, owner
):
    add_match(offer, need, 0.61)
    add_match(offer, confidential_need, 0.87)
    add_match(rival_offer, need, 0.99)  # another startup's match: not shown
    client.force_login(owner)

    html = english(client).get(f"/workspace/offers/{offer.public_id}/matches/").content.decode()

    titles = [line.strip() for line in html.split('<h2 class="match-title">')[1:]]
    assert [t.split("</h2>")[0] for t in titles] == [
        f'<a href="/workspace/needs/{confidential_need.public_id}/">A global medtech BD team (Cardiology)</a>',
        f'<a href="/workspace/needs/{need.public_id}/">GlobalMed: Lung AI for CT</a>',
    ]
    assert html.count('<span class="score">') == 2
    assert '<span class="score">0.87</span>' in html
    assert "Secret cardiology program" not in html
    assert "Shared concepts: lung nodule" in html

    client.cookies["django_language"] = "ko"
    korean = client.get(f"/workspace/offers/{offer.public_id}/matches/")
    assert "공통 개념: 폐결절" in korean.content.decode()


def test_a_confidential_need_is_named_once_the_bd_team_engaged(
    client, offer, confidential_need, salon, corporate, owner
):
    add_match(offer, confidential_need, 0.87)
    meeting_requests.meeting_request_create(event=salon, requester=corporate, offer=offer, need=confidential_need)
    client.force_login(owner)
    html = english(client).get(f"/workspace/offers/{offer.public_id}/matches/").content.decode()
    assert (
        f'<h2 class="match-title"><a href="/workspace/needs/{confidential_need.public_id}/">'
        "GlobalMed: Secret cardiology program</a></h2>"
    ) in html


def test_a_bd_team_sees_ranked_startups_and_filters_by_stage(client, offer, need, rival_offer, confidential_need, bd):
    add_match(offer, need, 0.72)
    add_match(rival_offer, need, 0.55)
    add_match(offer, confidential_need, 0.9)  # another need's match
    RegulatoryApproval.objects.create(offer=offer, market="US", pathway="fda_510k", status="granted")
    client.force_login(bd)
    url = f"/workspace/needs/{need.public_id}/matches/"

    html = english(client).get(url).content.decode()
    assert [t.split("</h2>")[0] for t in html.split('<h2 class="match-title">')[1:]] == [
        f'<a href="/workspace/offers/{offer.public_id}/">MediVision: Lung nodule AI</a>',
        f'<a href="/workspace/offers/{rival_offer.public_id}/">Rival: Rival prototype</a>',
    ]
    assert '<label for="id_stage">stage</label>' in html

    def shown(query):
        page = client.get(url, query).content.decode()
        titles = [t.split("</h2>")[0] for t in page.split('<h2 class="match-title">')[1:]]
        return [re.sub(r"<[^>]+>", "", title) for title in titles]

    assert shown({"stage": "prototype"}) == ["Rival: Rival prototype"]
    assert shown({"area": "cardiology"}) == ["Rival: Rival prototype"]
    assert shown({"approval": "US"}) == ["MediVision: Lung nodule AI"]
    assert shown({"region": "EU"}) == []
    assert shown({"deal_type": "licensing"}) == ["MediVision: Lung nodule AI", "Rival: Rival prototype"]


def test_the_shortlist_button_toggles(client, offer, need, bd, corporate):
    add_match(offer, need, 0.72)
    client.force_login(bd)
    url = f"/workspace/needs/{need.public_id}/matches/"
    toggle = f"/workspace/needs/{need.public_id}/shortlist/{offer.public_id}/"

    response = client.post(toggle, {"next": url + "?stage=clinical"})
    assert response.status_code == 302
    assert response["Location"] == url + "?stage=clinical"
    entry = Shortlist.objects.get()
    assert (entry.organization, entry.offer, entry.need, entry.created_by) == (
        corporate,
        offer,
        need,
        bd,
    )
    html = english(client).get(url).content.decode()
    assert 'aria-pressed="true">Remove from shortlist</button>' in html
    assert client.get(url, {"shortlisted": "true"}).content.decode().count('<h2 class="match-title">') == 1

    response = client.post(toggle, {"next": "https://evil.example.com/"})
    assert response["Location"] == url
    assert Shortlist.objects.count() == 0
    assert 'aria-pressed="false">Add to shortlist</button>' in client.get(url).content.decode()


def test_another_organizations_pages_answer_404(client, offer, need, outsider, startup):
    add_match(offer, need, 0.72)
    client.force_login(outsider)
    assert client.get(f"/workspace/offers/{offer.public_id}/edit/").status_code == 404
    assert client.post(f"/workspace/offers/{offer.public_id}/edit/", OFFER).status_code == 404
    assert client.get(f"/workspace/offers/{offer.public_id}/matches/").status_code == 404
    assert client.get(f"/workspace/needs/{need.public_id}/edit/").status_code == 404
    assert client.get(f"/workspace/needs/{need.public_id}/matches/").status_code == 404
    assert client.post(f"/workspace/needs/{need.public_id}/shortlist/{offer.public_id}/").status_code == 404
    assert (
        client.get("/workspace/requests/new/", {"offer": str(offer.public_id), "need": str(need.public_id)}).status_code
        == 404
    )
    assert client.get("/workspace/offers/new/", {"organization": startup.pk}).status_code == 404
    offer.refresh_from_db()
    assert offer.title == "Lung nodule AI"
    assert Shortlist.objects.count() == 0


def _match_list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_match_lists_take_a_constant_number_of_queries(
    client, bd, need, salon, imaging, cardiology, corporate, owner, offer, django_assert_num_queries
):
    client.force_login(bd)
    need_url = f"/workspace/needs/{need.public_id}/matches/"

    def add_startups(count):
        for n in range(count):
            other_startup = StartupFactory()
            RegistrationFactory(event=salon, organization=other_startup, status="approved")
            other_offer = TechnologyOfferFactory(organization=other_startup)
            other_offer.areas.set([imaging, cardiology])
            RegulatoryApproval.objects.create(offer=other_offer, market="KR", pathway="mfds_2", status="granted")
            add_match(other_offer, need, 0.5 + n / 100)
            Shortlist.objects.create(organization=corporate, offer=other_offer, need=need)

    add_startups(2)
    # session, user, affiliation, need, matches, areas, approvals, registrations, device areas (filter)
    with django_assert_num_queries(9):
        client.get(need_url)
    add_startups(5)
    with django_assert_num_queries(9):
        html = client.get(need_url).content.decode()
    assert html.count('<h2 class="match-title">') == 7

    client.force_login(owner)
    offer_url = f"/workspace/offers/{offer.public_id}/matches/"
    for n in range(2):
        other_need = PartneringNeedFactory(organization=OrganizationFactory(), is_confidential=True)
        other_need.areas.set([cardiology])
        add_match(offer, other_need, 0.3 + n / 100)
    # session, user, affiliation, offer, matches, need areas, engaged BD teams (disclosure)
    with django_assert_num_queries(7):
        client.get(offer_url)
    for n in range(6):
        add_match(offer, PartneringNeedFactory(organization=OrganizationFactory()), 0.2 + n / 100)
    with django_assert_num_queries(7):
        html = client.get(offer_url).content.decode()
    assert html.count('<h2 class="match-title">') == 8


def approval_rows(*rows):
    data = {"approvals-TOTAL_FORMS": str(len(rows)), "approvals-INITIAL_FORMS": "0"}
    for index, (market, pathway, status) in enumerate(rows):
        data |= {f"approvals-{index}-market": market, f"approvals-{index}-pathway": pathway}
        data[f"approvals-{index}-status"] = status
    return data


def test_the_offer_form_records_regulatory_approvals(client, owner):
    ConceptFactory()
    client.force_login(owner)
    page = english(client).get("/workspace/offers/new/").content.decode()
    assert "4. Regulatory approvals (optional)" in page and 'name="approvals-2-pathway"' in page
    wrong = english(client).post(
        "/workspace/offers/new/", {**OFFER, **approval_rows(("US", "mfds_2", "granted"), ("", "", ""))}
    )
    assert wrong.status_code == 200
    assert "Approval 1: This pathway does not belong to the chosen market." in wrong.content.decode()
    assert not TechnologyOffer.objects.filter(title=OFFER["title"]).exists()
    partial = english(client).post("/workspace/offers/new/", {**OFFER, **approval_rows(("KR", "", ""))})
    assert "Fill in the market, the pathway and the status, or leave the row empty." in partial.content.decode()
    created = client.post(
        "/workspace/offers/new/",
        {**OFFER, **approval_rows(("KR", "mfds_2", "granted"), ("US", "fda_510k", "submitted"), ("", "", ""))},
    )
    assert created.status_code == 302
    offer = TechnologyOffer.objects.get(title=OFFER["title"])
    assert sorted(offer.approvals.values_list("market", "pathway", "status")) == [
        ("KR", "mfds_2", "granted"),
        ("US", "fda_510k", "submitted"),
    ]
    edit = english(client).get(f"/workspace/offers/{offer.public_id}/edit/").content.decode()
    assert 'name="approvals-TOTAL_FORMS" value="5"' in edit  # the two approvals and three empty rows
    edited = english(client).post(
        f"/workspace/offers/{offer.public_id}/edit/",
        {**OFFER, **approval_rows(("KR", "mfds_2", "granted"), ("", "", ""))},
    )
    assert edited.status_code == 302, edited.content.decode()[-3000:]
    assert list(offer.approvals.values_list("market", "pathway", "status")) == [("KR", "mfds_2", "granted")]
    client.post(f"/workspace/offers/{offer.public_id}/edit/", OFFER)  # a post without the rows keeps them
    assert offer.approvals.count() == 1
