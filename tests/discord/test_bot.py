"""The bot shell: command tree limits (offline), intents, mentions policy, error handler, cooldown, sharding."""

from __future__ import annotations

import logging
import re

import discord
import pytest
from discord import app_commands

from bot.discord.bot import ShardedTutorBot, TutorBot, TutorTree, UserCooldown, command_tree, create_bot, intents
from bot.storage import Database
from tests.helpers import MockInteraction, settings

NAME = re.compile(r"^[-_\w]{1,32}$")  # Discord's CHAT_INPUT name rule (\w covers letters and digits in any script)
EXPECTED = {"ask", "fact", "dispute", "timeline", "sources", "help", "settings", "Ask the tutor"}


def check_options(options: list[dict], where: str) -> None:
    assert len(options) <= 25, where
    required_done = False
    for opt in options:
        here = f"{where} {opt['name']}"
        assert NAME.match(opt["name"]) and opt["name"] == opt["name"].lower(), here
        assert 1 <= len(opt["description"]) <= 100, here
        if opt["type"] in (1, 2):  # subcommand (group)
            check_options(opt.get("options", []), here)
            continue
        if opt.get("required"):
            assert not required_done, f"{here}: required options must come first"
        else:
            required_done = True
        if opt["type"] == 3 and not opt.get("choices"):  # free text: length limited (issue 4)
            assert 1 <= opt.get("max_length", 6001) <= 6000, f"{here}: string option without max_length (issue 4)"
        assert len(opt.get("choices", [])) <= 25, here


async def test_command_tree_is_valid_for_discord(shipped_tutor_factory):
    tree = await command_tree(settings(), shipped_tutor_factory())
    assert {c["name"] for c in tree} >= EXPECTED
    assert len([c for c in tree if c.get("type", 1) == 1]) <= 100
    for cmd in tree:
        if cmd.get("type", 1) == 1:
            assert NAME.match(cmd["name"]) and cmd["name"] == cmd["name"].lower(), cmd["name"]
            assert 1 <= len(cmd["description"]) <= 100, cmd["name"]
            check_options(cmd.get("options", []), cmd["name"])
        else:  # context menus: 1-32 characters, any case and spaces, no description
            assert 1 <= len(cmd["name"]) <= 32
    settings_cmd = next(c for c in tree if c["name"] == "settings")
    assert settings_cmd["dm_permission"] is False
    assert int(settings_cmd["default_member_permissions"]) == discord.Permissions(manage_guild=True).value


async def test_bot_shell_is_minimal_and_never_pings(bot):
    assert isinstance(bot.tree, TutorTree)
    assert bot.intents.message_content is False  # no privileged intent by default
    assert bot.intents.members is False and bot.intents.presences is False
    assert bot.intents.guild_messages and bot.intents.dm_messages and bot.intents.guilds
    none = discord.AllowedMentions.none()
    assert bot.allowed_mentions.to_dict() == none.to_dict()
    assert {"Ask", "Lookup", "Admin"} <= set(bot.cogs)


def test_message_content_intent_is_opt_in():
    assert intents(settings(message_content=True)).message_content is True


def test_sharding_choice(shipped_tutor_factory):
    tutor, db = shipped_tutor_factory(), Database(":memory:")
    assert type(create_bot(settings(), tutor, db)) is TutorBot
    auto = create_bot(settings(auto_shard=True), tutor, db)
    assert isinstance(auto, ShardedTutorBot) and auto.shard_count is None  # Discord recommends the count
    split = create_bot(settings(shard_count=4, shard_ids=(2, 3)), tutor, db)
    assert isinstance(split, ShardedTutorBot) and split.shard_count == 4 and split.shard_ids == [2, 3]
    from bot.config import ConfigError

    with pytest.raises(ConfigError, match="out of range"):
        create_bot(settings(shard_count=2, shard_ids=(2,)), tutor, db)
    with pytest.raises(ConfigError, match="needs GLF_SHARD_COUNT"):
        create_bot(settings(shard_ids=(0,)), tutor, db)


def test_cooldown_allows_a_burst_then_says_when():
    now = [1000.0]
    cd = UserCooldown(rate=2, per=30, clock=lambda: now[0])
    assert cd.hit(1) is None and cd.hit(1) is None
    retry = cd.hit(1)
    assert retry == pytest.approx(30)
    assert cd.hit(2) is None  # per user
    now[0] = 1031
    assert cd.hit(1) is None
    with pytest.raises(app_commands.CommandOnCooldown):
        cd.check(1), cd.check(1)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.2), "try again in 13 s"),
        (app_commands.MissingPermissions(["manage_guild"]), "Manage Guild"),
        (app_commands.NoPrivateMessage(), "only works in a server"),
    ],
)
async def test_tree_error_handler_answers_privately(bot, error, expected, caplog):
    interaction = MockInteraction(client=bot)
    await bot.tree.on_error(interaction, error)
    interaction.response.send_message.assert_awaited_once()
    args, kwargs = interaction.response.send_message.call_args
    assert expected in args[0] and kwargs["ephemeral"] is True
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_unexpected_error_is_logged_with_traceback_and_user_gets_a_short_line(bot, caplog):
    interaction = MockInteraction(client=bot)
    await interaction.response.defer()  # already answered: the message goes out as a follow-up
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        error = app_commands.CommandInvokeError(bot.tree.get_command("ask"), exc)
    with caplog.at_level(logging.ERROR):
        await bot.tree.on_error(interaction, error)
    args, kwargs = interaction.followup.send.call_args
    assert "Something went wrong" in args[0] and kwargs["ephemeral"] is True
    assert "boom" not in args[0]
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert record.exc_info and record.exc_info[1].args == ("boom",)
