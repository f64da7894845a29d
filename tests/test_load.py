"""bot/load_test.py: concurrent /ask interactions through the real tree all get an acknowledgement
and an answer. Timing targets belong to `glf-tutor bench`, not to tests."""

from __future__ import annotations

from collections import defaultdict

from bot.load_test import DEFERRED, FakeDiscord, run_load, run_load_sync


async def test_every_interaction_is_acknowledged_then_answered():
    transport = FakeDiscord()
    result = await run_load(50, transport=transport)

    assert result["interactions"] == result["acknowledged"] == result["answered"] == 50
    assert isinstance(result["all_acked_within_3s"], bool)
    assert 0 < result["p99_ack_ms"] <= result["slowest_ack_ms"] <= result["slowest_answer_ms"]
    by_token = defaultdict(list)
    for sent in transport.sent:
        by_token[sent.token].append(sent)
    assert len(by_token) == 50
    for sent in by_token.values():  # "thinking…" first, then exactly one answer that pings nobody
        (ack, answer) = sent
        assert ack.path.endswith("/callback") and ack.payload["type"] == DEFERRED
        assert answer.payload["embeds"] and answer.payload["allowed_mentions"] == {"parse": []}
        assert ack.at <= answer.at


def test_sync_wrapper_for_the_bench_command():
    result = run_load_sync(4)
    assert result["interactions"] == result["acknowledged"] == result["answered"] == 4
    assert set(result) >= {"slowest_ack_ms", "p99_ack_ms", "slowest_answer_ms", "all_acked_within_3s"}
