"""The liveness probe answers from the process alone; readiness (/health/) is tested with the
salon pages in tests/events/test_views.py."""

from django.core.cache import cache


def test_the_liveness_probe_answers_without_any_io(client, monkeypatch):
    # No database fixture: pytest-django makes any query fail this test.
    def unreachable(*args, **kwargs):
        raise AssertionError("the liveness probe must not use the cache")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    response = client.get("/health/live/")

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    assert "no-cache" in response["Cache-Control"]
