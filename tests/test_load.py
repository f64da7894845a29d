"""bot/quality/load.py: concurrent /ask interactions through the real tree all get an acknowledgement
and an answer; a /chart burst does not hold up quiz presses. Speed targets are reported by
`glf-tutor bench`; these tests check what happens, and that the reported figures mean what they say."""

from __future__ import annotations

from collections import defaultdict

from bot.quality.bench import _burst_line
from bot.quality.load import ACK_DEADLINE_S, DEFERRED, FakeDiscord, run_chart_burst, run_load, run_load_sync


async def test_every_interaction_is_acknowledged_then_answered():
    transport = FakeDiscord()
    result = await run_load(50, transport=transport)

    assert result["interactions"] == result["acknowledged"] == result["answered"] == 50
    # The figure: every acknowledgement inside Discord's window (the deferral comes before any work,
    # so this holds on any machine), and it says what it claims.
    assert result["all_acked_within_3s"] is True
    assert result["slowest_ack_ms"] <= ACK_DEADLINE_S * 1000
    assert 0 < result["p99_ack_ms"] <= result["slowest_ack_ms"] <= result["slowest_answer_ms"]
    by_token = defaultdict(list)
    for sent in transport.sent:
        by_token[sent.token].append(sent)
    assert len(by_token) == 50
    for sent in by_token.values():  # "thinking…" first, then exactly one answer that pings nobody, replacing it
        (ack, answer) = sent
        assert ack.path.endswith("/callback") and ack.payload["type"] == DEFERRED
        assert answer.method == "PATCH" and answer.url.endswith("/messages/@original")
        assert answer.payload["embeds"] and answer.payload["allowed_mentions"] == {"parse": []}
        assert ack.at <= answer.at
    assert all(m.embeds and not m.thinking for m in transport.messages.values())


def test_sync_wrapper_for_the_bench_command():
    result = run_load_sync(4)
    assert result["interactions"] == result["acknowledged"] == result["answered"] == 4
    assert set(result) >= {"slowest_ack_ms", "p99_ack_ms", "slowest_answer_ms", "all_acked_within_3s"}


async def test_a_chart_burst_does_not_hold_up_quiz_presses():
    """Charts are CPU work: before, each /chart drew a fresh PNG on asyncio's shared thread pool, and a
    quiz press's database commit queued behind them (and was then judged late). Now each chart is
    drawn once, on the bot's own CPU worker: every press is acknowledged and accepted, and the presses
    do not wait for the drawings."""
    transport = FakeDiscord()
    result = await run_chart_burst(9, 6, spacing_s=0, transport=transport)
    assert result["charts_answered"] == 9 and result["charts_drawn"] == 3  # three charts, each drawn once
    assert result["presses_acknowledged"] == result["presses_accepted"] == 6
    assert result["all_presses_within_1s"] is (result["slowest_press_ack_ms"] <= 1000)
    presses = list(transport.pressed)
    charts = [t for t in transport.finished if t not in transport.pressed and any(
        m.payload.get("attachments") for m in transport.answering(t))]
    assert max(transport.acked[t] for t in presses) < max(transport.finished[t] for t in charts)
    assert "9 concurrent /chart with 6 quiz presses" in _burst_line(result)
