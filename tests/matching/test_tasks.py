"""matching.tasks.enqueue_embedding: queued after the commit, and a broker outage never fails a save."""

import logging

import pytest
from kombu.exceptions import OperationalError as BrokerOperationalError

from matching import tasks


def test_it_queues_the_embedding_only_once_the_transaction_commits(db, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.embed_profiles, "delay", lambda kind, ids: sent.append((kind, ids)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.enqueue_embedding(kind="offer", ids=[7])
    assert sent == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert sent == [("offer", [7])]


def test_a_broker_outage_is_logged_for_the_sweep_and_does_not_raise(
    db, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def broker_down(kind, ids):
        raise BrokerOperationalError("connection refused")

    monkeypatch.setattr(tasks.embed_profiles, "delay", broker_down)
    with caplog.at_level(logging.WARNING, logger="matching.tasks"), django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_embedding(kind="need", ids=[3, 4])
    assert [r.getMessage() for r in caplog.records if r.name == "matching.tasks"] == [
        "Could not queue embedding of need [3, 4] (connection refused); the sweep will pick it up."
    ]


def test_a_bug_while_queueing_is_not_swallowed(db, django_capture_on_commit_callbacks, monkeypatch):
    def bug(kind, ids):
        raise TypeError("bad arguments")

    monkeypatch.setattr(tasks.embed_profiles, "delay", bug)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.enqueue_embedding(kind="offer", ids=[1])
    with pytest.raises(TypeError, match="bad arguments"):
        callbacks[0]()


def test_a_batched_block_queues_its_profiles_together_after_the_commit(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.embed_profiles, "delay", lambda kind, ids: sent.append((kind, ids)))
    with django_capture_on_commit_callbacks(execute=True):
        with tasks.embeddings_batched(size=2):
            for pk in (5, 3, 5, 1):
                tasks.enqueue_embedding(kind="offer", ids=[pk])
            tasks.enqueue_embedding(kind="need", ids=[9])
            assert sent == []
        tasks.enqueue_embedding(kind="need", ids=[4])  # after the block: on its own again
    assert sent == [("offer", [1, 3]), ("offer", [5]), ("need", [9]), ("need", [4])]


def test_a_failed_batch_queues_nothing(db, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.embed_profiles, "delay", lambda kind, ids: sent.append((kind, ids)))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError):
        with tasks.embeddings_batched():
            tasks.enqueue_embedding(kind="offer", ids=[1])
            raise ValueError("bad record")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_embedding(kind="offer", ids=[2])  # the batch is over: queued on its own again
    assert sent == [("offer", [2])]
