"""Commands through the real app-command tree, with real discord.Interaction objects built from
gateway payloads. Only Discord's HTTP side is replaced, by FakeDiscord, which applies Discord's own
rules to what it is sent: so these tests check what a user would see, not the flags asked for."""

from __future__ import annotations

from typing import Any

import discord
import pytest
from discord.webhook.async_ import async_context

from bot.quality.load import EPHEMERAL, FakeDiscord, Shown, slash_payload
from tests.helpers import snowflake


@pytest.fixture
def transport(bot):
    transport = FakeDiscord()
    transport.install(bot)
    token = async_context.set(transport)
    yield transport
    async_context.reset(token)


async def run(bot, transport: FakeDiscord, name: str, user_id: int | None = None, guild_id: int | None = None,
              subcommand: str | None = None, **options: Any) -> str:
    """Run a command to its end through the tree (in a DM unless guild_id); returns its token."""
    payload = slash_payload(name, options, user_id=user_id or snowflake(), channel_id=transport.channel_id,
                            guild_id=guild_id, subcommand=subcommand)
    await bot.tree._call(discord.Interaction(data=payload, state=bot._connection))
    return payload["token"]


def seen(transport: FakeDiscord, token: str) -> list[Shown]:
    return transport.answering(token)


async def test_ask_defers_then_the_answer_replaces_the_thinking_message(bot, transport):
    token = await run(bot, transport, "ask", question="What were the people's communes?")
    callback, edit = transport.for_token(token)
    assert callback.path.endswith("/callback") and callback.payload["type"] == 5  # deferred: "thinking…"
    assert callback.payload.get("data", {}).get("flags", 0) & EPHEMERAL == 0
    assert edit.method == "PATCH" and edit.url.endswith("/messages/@original")
    (answer,) = seen(transport, token)
    assert not answer.ephemeral and not answer.thinking
    assert answer.embeds[0]["title"] == "What were the people's communes?"
    assert edit.payload["allowed_mentions"]["parse"] == [] and not edit.payload["allowed_mentions"].get("users")
    assert any(c["type"] == 1 for c in answer.payload["components"])  # button rows


async def test_private_ask_is_seen_only_by_the_asker(bot, transport):
    token = await run(bot, transport, "ask", question="Who was Peng Dehuai?", private=True)
    (answer,) = seen(transport, token)
    assert answer.ephemeral and answer.embeds and not transport.public()


@pytest.mark.parametrize("private", [False, True])
async def test_an_error_after_the_deferral_is_seen_only_by_the_asker(bot, transport, monkeypatch, private):
    """Before: the error went out as the first follow-up, which Discord turns into the public
    "thinking…" message whatever `ephemeral` says, so everyone saw it."""

    async def broken(question, conversation):
        raise RuntimeError("the index is on fire")

    monkeypatch.setattr(bot, "answer", broken)
    token = await run(bot, transport, "ask", question="What were the communes?", private=private)
    (shown,) = seen(transport, token)
    assert shown.ephemeral and "Something went wrong" in shown.content and "fire" not in shown.content
    assert transport.public() == []  # nothing left for the channel to see


async def test_over_long_option_is_refused_by_the_handler(bot, transport):
    """The library does not enforce max_length; a raw request could send anything."""
    token = await run(bot, transport, "ask", question="why " * 200)
    ((callback),) = transport.for_token(token)
    assert callback.payload["type"] == 4
    (shown,) = seen(transport, token)
    assert shown.ephemeral and "under 500 characters" in shown.content


async def test_cooldown_through_the_tree_covers_every_command(bot, transport):
    user = snowflake()
    for i in range(bot.cooldown.rate):  # any commands: they share one budget
        await run(bot, transport, ("ask", "fact", "timeline", "help")[i % 4], user_id=user,
                  **({"question": "What were the communes?"} if i % 4 == 0 else {"term": "commune"} if i % 4 == 1 else {}))
    token = await run(bot, transport, "timeline", user_id=user)
    (shown,) = seen(transport, token)
    assert "try again in" in shown.content and shown.ephemeral


async def test_fact_answers_at_once_without_deferring(bot, transport):
    token = await run(bot, transport, "fact", term="peoples-commune")
    ((callback),) = transport.for_token(token)
    assert callback.payload["type"] == 4  # an immediate message, well inside the 3-second window
    assert callback.payload["data"]["embeds"][0]["title"]


async def test_settings_in_a_dm_says_it_works_in_servers_only(bot, transport):
    """Before: "You need the Manage Guild permission" (the permission check ran first)."""
    token = await run(bot, transport, "settings", subcommand="show")
    (shown,) = seen(transport, token)
    assert shown.ephemeral and shown.content == "That command only works in a server."


async def test_help_lists_every_command_in_the_tree(bot, transport):
    token = await run(bot, transport, "help")
    (shown,) = seen(transport, token)
    text = " ".join(f"{f['name']} {f['value']}" for f in shown.embeds[0]["fields"])
    for command in bot.tree.get_commands():
        if isinstance(command, discord.app_commands.Group):
            for sub in command.walk_commands():
                assert f"`/{sub.qualified_name}`" in text
        elif isinstance(command, discord.app_commands.ContextMenu):
            assert f"**{command.name}**" in text
        else:
            assert f"`/{command.name}`" in text
