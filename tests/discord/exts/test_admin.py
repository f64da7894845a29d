"""/settings: stored per server, gated on Manage Server."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.discord.exts.admin import Admin
from tests.helpers import MockInteraction


async def test_threads_setting_is_stored_per_server(bot):
    cog: Admin = bot.get_cog("Admin")
    interaction = MockInteraction(client=bot)
    await cog.threads.callback(cog, interaction, True)
    assert bot.answer_in_thread(interaction.guild_id)
    assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True
    assert not bot.answer_in_thread(interaction.guild_id + 1)

    again = MockInteraction(client=bot, guild=interaction.guild)
    await cog.show.callback(cog, again)
    assert "**on**" in again.response.send_message.call_args.args[0]

    off = MockInteraction(client=bot, guild=interaction.guild)
    await cog.threads.callback(cog, off, False)
    assert not bot.answer_in_thread(interaction.guild_id)


async def test_settings_need_manage_server(bot):
    cog: Admin = bot.get_cog("Admin")
    interaction = MockInteraction(client=bot)
    interaction.permissions = discord.Permissions.none()
    with pytest.raises(app_commands.MissingPermissions):
        for check in cog.threads.checks:
            check(interaction)
    interaction.permissions = discord.Permissions(manage_guild=True)
    assert all(check(interaction) for check in cog.threads.checks)


async def test_settings_refuse_dms_before_checking_permissions(bot):
    """The cog's check runs before the permission checks, so a DM hears "servers only"
    (through the tree: tests/discord/test_tree.py)."""
    cog: Admin = bot.get_cog("Admin")
    with pytest.raises(app_commands.NoPrivateMessage):
        await cog.threads._check_can_run(MockInteraction(client=bot, dm=True))
