"""Buttons under answers: persistent (state from the custom id and SQLite), the report form, pages,
errors, and how replies reach the user (views.reply / views.send_ephemeral)."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

from bot.discord.exts._common import remember
from bot.discord.render import answer_embeds
from bot.discord.views import DYNAMIC_ITEMS, EXPIRED, ReportModal, defer, send_ephemeral, shown_view
from bot.storage import SHOWN_RETENTION_S, Database, ShownMessage
from tests.helpers import MockInteraction, button, click, close_bot, make_bot


def _answer(tutor):
    return tutor.ask("How many people died in the famine?")


async def test_report_is_stored_and_survives_a_restart(tmp_path, shipped_tutor_factory):
    """The report button of an answer sent before a restart still opens the form and stores the report:
    question and quoted passages come from the database, not from the process that sent it."""
    path = tmp_path / "glf.sqlite3"
    tutor = shipped_tutor_factory()
    answer = _answer(tutor)
    first = await make_bot(tutor, Database(path))
    view = await remember(first, 1, answer_embeds(answer), answer)
    await close_bot(first)
    first.database.close()

    restarted = await make_bot(shipped_tutor_factory(), Database(path))  # "restart": a new process, same file
    press = MockInteraction(client=restarted)
    await click(button(view, prefix="glf-report:"), press)
    modal = press.response.send_modal.call_args.args[0]
    assert isinstance(modal, ReportModal)

    modal.note._value = "The figure for 1960 is wrong @everyone"
    submit = MockInteraction(client=restarted, user=press.user, guild=press.guild, channel=press.channel)
    await modal.on_submit(submit)
    reply = submit.response.send_message.call_args
    assert f"#{modal.report_id}" in reply.args[0] and reply.kwargs["ephemeral"] is True
    (report,) = restarted.database.reports()
    assert report.id == modal.report_id
    assert report.question == answer.question
    assert report.passage_ids == tuple(p.id for p in answer.passages)
    assert report.reporter_id == submit.user.id and report.reporter_name == "student"
    assert report.guild_id == submit.guild_id and report.channel_id == submit.channel_id
    assert report.note == "The figure for 1960 is wrong @everyone"
    await close_bot(restarted)


async def test_empty_note_is_stored_as_none(bot, shipped_tutor_factory):
    answer = _answer(shipped_tutor_factory())
    view = await remember(bot, 1, answer_embeds(answer), answer)
    press = MockInteraction(client=bot)
    await click(button(view, prefix="glf-report:"), press)
    await press.response.send_modal.call_args.args[0].on_submit(MockInteraction(client=bot))
    assert bot.database.reports()[0].note is None


async def test_every_button_is_dynamic_and_registered_at_setup(bot, shipped_tutor_factory):
    """A view holds dynamic items only and has no timeout: discord.py keeps nothing per message, and
    each press is rebuilt from its custom id by the registry setup_hook filled."""
    registered = set(bot._connection._view_store._dynamic_items.values())
    assert set(DYNAMIC_ITEMS) <= registered
    answer = _answer(shipped_tutor_factory())
    view = await remember(bot, 1, answer_embeds(answer) * 3, answer)
    assert view.timeout is None and view.children
    assert all(isinstance(item, DYNAMIC_ITEMS) for item in view.children)


async def test_a_press_after_the_old_timeout_still_works(bot, shipped_tutor_factory):
    """discord.py restarts a view's timeout on each press, so the old 14-minute edit on timeout could
    run after the 15-minute interaction token had expired: buttons looked live and were dead. Now
    nothing is timed: a press 10 minutes in and one 40 minutes in (long after the first token died)
    are each answered through their own interaction."""
    answer = _answer(shipped_tutor_factory())
    pages = answer_embeds(answer) * 2
    first = MockInteraction(client=bot)
    view = await remember(bot, first.user.id, pages, answer)
    assert view.timeout is None  # discord.py schedules nothing, so nothing can be reset
    for minutes in (10, 40):
        turn = MockInteraction(client=bot, user=first.user,
                               created_at=first.created_at + dt.timedelta(minutes=minutes))
        await click(view.children[2], turn)  # ▶
        turn.response.edit_message.assert_awaited_once()  # the press's own, fresh response
        first.edit_original_response.assert_not_awaited()  # never the first interaction's old token
        view = turn.response.edit_message.call_args.kwargs["view"]


async def test_buttons_of_an_expired_message_say_so(tmp_path, shipped_tutor_factory):
    clock = [1_000_000.0]
    database = Database(tmp_path / "glf.sqlite3", clock=lambda: clock[0])
    bot = await make_bot(shipped_tutor_factory(), database)
    answer = _answer(bot.tutor)
    view = await remember(bot, 1, answer_embeds(answer), answer)
    clock[0] += SHOWN_RETENTION_S + 1
    await remember(bot, 1, answer_embeds(answer), answer)  # saving a new one drops the old
    press = MockInteraction(client=bot)
    await click(button(view, prefix="glf-ask:"), press)
    assert press.response.send_message.call_args.args[0] == EXPIRED
    await close_bot(bot)


async def test_component_limits(bot, shipped_tutor_factory):
    """At most 5 rows, 80-character labels, 100-character custom ids; pager only when there are pages."""
    answer = _answer(shipped_tutor_factory())
    view = await remember(bot, 1, answer_embeds(answer) * 3, answer)
    buttons = [item.item for item in view.children]
    assert all(len(b.label or "") <= 80 and len(b.custom_id) <= 100 for b in buttons)
    assert {b.row for b in buttons} <= set(range(5))
    assert len({b.custom_id for b in buttons}) == len(buttons)
    single = await remember(bot, 1, answer_embeds(answer)[:1], answer)
    assert "Report a problem" in [b.item.label for b in single.children]
    assert not [b for b in single.children if b.custom_id.startswith("glf-page:")]
    lookup = await remember(bot, 1, answer_embeds(answer)[:1])
    assert lookup is None  # one page, no answer: no buttons at all


async def test_button_errors_reach_the_user_privately_and_the_log_in_full(bot, shipped_tutor_factory, caplog):
    answer = _answer(shipped_tutor_factory())
    view = await remember(bot, 1, answer_embeds(answer), answer)
    press = MockInteraction(client=bot)
    with mock.patch.object(bot.database, "shown", side_effect=RuntimeError("boom")), caplog.at_level(logging.ERROR):
        await click(button(view, prefix="glf-report:"), press)
    args, kwargs = press.response.send_message.call_args
    assert "Something went wrong" in args[0] and "boom" not in args[0] and kwargs["ephemeral"] is True
    assert any(r.exc_info and r.exc_info[1].args == ("boom",) for r in caplog.records)


async def test_view_on_error_and_on_timeout(bot):
    view = shown_view(ShownMessage("0" * 12, 1, None, (), (), ({}, {}), 0.0), 0)
    interaction = MockInteraction(client=bot)
    await view.on_error(interaction, RuntimeError("boom"), view.children[0])
    assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True
    await view.on_timeout()
    assert all(item.item.disabled for item in view.children)


async def test_an_error_after_a_public_deferral_is_private(bot):
    """Discord: the first follow-up after a deferral replaces "thinking…" and keeps it public. So the
    public "thinking…" message is deleted and the error goes out as a new, ephemeral follow-up."""
    interaction = MockInteraction(client=bot)
    await defer(interaction, ephemeral=False)
    await send_ephemeral(interaction, "That went wrong.")
    interaction.delete_original_response.assert_awaited_once()
    interaction.followup.send.assert_awaited_once()
    assert interaction.followup.send.call_args.kwargs["ephemeral"] is True
    interaction.edit_original_response.assert_not_awaited()


async def test_an_error_after_a_private_deferral_replaces_the_thinking_message(bot):
    interaction = MockInteraction(client=bot)
    await defer(interaction, ephemeral=True)
    await send_ephemeral(interaction, "That went wrong.")
    assert interaction.edit_original_response.call_args.kwargs["content"] == "That went wrong."
    interaction.delete_original_response.assert_not_awaited()
    interaction.followup.send.assert_not_awaited()
