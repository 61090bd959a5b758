"""The need page a startup reads (``/workspace/needs/<id>/``): what the BD team looks for; a
confidential need shows the anonymous label and hides its team, title and text until the team
engages; 404 for a confidential need that does not reach the reader through a match."""

from django.test import Client

from tests.factories import PartneringNeedFactory
from tests.worlds import add_match


def reader(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def facts(page) -> list:
    return page.context["facts"]


def test_an_ordinary_need_shows_its_team_text_and_facts(offer, corporate, owner, imaging):
    need = PartneringNeedFactory(
        organization=corporate,
        title="Lung AI for CT",
        description="We license CT triage software.",
        stage_min="clinical",
        stage_max="marketed",
        deal_types=["licensing"],
        regions=["US", "EU"],
    )
    need.areas.set([imaging])
    add_match(offer, need, 0.8)
    page = reader(owner).get(f"/workspace/needs/{need.public_id}/")
    html = page.content.decode()
    assert "<h1>Lung AI for CT</h1>" in html and "We license CT triage software." in html
    assert facts(page) == [
        ("Device areas", "Imaging and imaging AI"),
        ("Development stage", "Clinical to Marketed"),
        ("Looking for", "Licensing"),
        ("Regions", "United States, Europe"),
    ]
    assert f"/workspace/requests/new/?offer={offer.public_id}&amp;need={need.public_id}" in html
    korean = reader(owner, "ko").get(f"/workspace/needs/{need.public_id}/").content.decode()
    assert "BD팀이 이 설명을 영어로 썼습니다. 찾는 조건은 위에 한국어로 정리되어 있습니다." in korean
    assert "BD team wrote" not in html  # an English reader reads it as written
    listing = reader(owner).get(f"/workspace/offers/{offer.public_id}/matches/").content.decode()
    assert f'<a href="/workspace/needs/{need.public_id}/">GlobalMed: Lung AI for CT</a>' in listing


def test_a_confidential_need_stays_anonymous_and_unreachable_without_a_match(
    offer, confidential_need, owner, outsider, bd
):
    url = f"/workspace/needs/{confidential_need.public_id}/"
    assert reader(owner).get(url).status_code == 404  # no match yet: not even that it exists
    add_match(offer, confidential_need, 0.9)
    page = reader(owner, "ko").get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>글로벌 메드텍 BD팀 (심혈관)</h1>" in html
    for secret in ("글로벌메드", "GlobalMed", "Secret cardiology program", confidential_need.description):
        assert secret not in html
    assert ("기기 분야", "심혈관") in facts(page)
    assert reader(outsider).get(url).status_code == 404
    assert reader(bd).get(url).status_code == 200  # its own team
