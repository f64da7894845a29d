"""Buttons under answers: report modal (stored in SQLite, surviving a restart), timeouts, pages."""

from __future__ import annotations

import discord

from bot.discord.render import answer_embeds
from bot.discord.views import AnswerView, ReportModal
from bot.engine.storage import Database
from tests.helpers import MockInteraction, MockMessage, close_bot, make_bot


def _answer(tutor):
    return tutor.ask("How many people died in the famine?")


async def test_report_is_stored_and_survives_a_restart(tmp_path, shipped_tutor_factory):
    path = tmp_path / "glf.sqlite3"
    tutor = shipped_tutor_factory()
    answer = _answer(tutor)
    database = Database(path)
    view = AnswerView(answer, answer_embeds(answer), owner_id=1, database=database)

    press = MockInteraction()
    await view.report.callback(press)
    modal = press.response.send_modal.call_args.args[0]
    assert isinstance(modal, ReportModal)

    modal.note._value = "The figure for 1960 is wrong @everyone"
    submit = MockInteraction(user=press.user, guild=press.guild, channel=press.channel)
    await modal.on_submit(submit)
    reply = submit.response.send_message.call_args
    assert f"#{modal.report_id}" in reply.args[0] and reply.kwargs["ephemeral"] is True
    database.close()

    reopened = Database(path)  # "restart": a new connection to the same file
    (report,) = reopened.reports()
    assert report.id == modal.report_id
    assert report.question == answer.question
    assert report.passage_ids == tuple(p.id for p in answer.passages)
    assert report.reporter_id == submit.user.id and report.reporter_name == "student"
    assert report.guild_id == submit.guild_id and report.channel_id == submit.channel_id
    assert report.note == "The figure for 1960 is wrong @everyone"
    reopened.close()


async def test_empty_note_is_stored_as_none(shipped_tutor_factory):
    answer = _answer(shipped_tutor_factory())
    database = Database(":memory:")
    modal = ReportModal(answer, database)
    await modal.on_submit(MockInteraction())
    assert database.reports()[0].note is None


async def test_timeout_disables_every_component_and_edits_the_message(shipped_tutor_factory):
    answer = _answer(shipped_tutor_factory())
    view = AnswerView(answer, answer_embeds(answer), owner_id=1, database=Database(":memory:"), ask=lambda i, q: None)
    view.message = MockMessage()
    await view.on_timeout()
    assert view.children and all(item.disabled for item in view.children)
    view.message.edit.assert_awaited_once_with(view=view)


async def test_timeout_survives_a_deleted_message(shipped_tutor_factory):
    answer = _answer(shipped_tutor_factory())
    view = AnswerView(answer, answer_embeds(answer), owner_id=1, database=Database(":memory:"))
    view.message = MockMessage()
    view.message.edit.side_effect = discord.NotFound(type("R", (), {"status": 404, "reason": "gone"})(), "gone")
    await view.on_timeout()  # no exception


async def test_component_limits(shipped_tutor_factory):
    """At most 5 rows, 80-character labels, pager only when there are pages."""
    tutor = shipped_tutor_factory()
    answer = _answer(tutor)
    view = AnswerView(answer, answer_embeds(answer) * 3, owner_id=1, database=Database(":memory:"), ask=lambda i, q: None)
    buttons = [c for c in view.children if isinstance(c, discord.ui.Button)]
    assert all(len(b.label or "") <= 80 for b in buttons)
    assert {b.row for b in buttons} <= set(range(5))
    assert len(view.children) <= 25
    single = AnswerView(answer, answer_embeds(answer)[:1], owner_id=1, database=Database(":memory:"))
    assert [c.label for c in single.children] == ["Report a problem"]


async def test_view_errors_reach_the_user_privately(shipped_tutor_factory, caplog):
    bot = await make_bot(shipped_tutor_factory())
    answer = _answer(bot.tutor)
    view = AnswerView(answer, answer_embeds(answer), owner_id=1, database=bot.database)
    interaction = MockInteraction(client=bot)
    await view.on_error(interaction, RuntimeError("boom"), view.report)
    assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True
    assert any(r.exc_info for r in caplog.records)
    await close_bot(bot)
