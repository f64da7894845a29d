"""Per-server settings, for members with Manage Server."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord.views import NO_MENTIONS

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot

THREADS_KEY = "answer_in_thread"


class Admin(commands.Cog):
    # default_permissions hides the group from others in the client; the check below enforces it
    # even if a server grants the command to a role without the permission.
    settings = app_commands.Group(
        name="settings",
        description="GLF Tutor settings for this server (Manage Server)",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: TutorBot):
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Runs before the permission checks: in a DM the answer is "servers only", not a missing
        permission (the group is hidden in DMs, but a stale client or a raw request can still call it)."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    @settings.command(name="threads", description="Answer mentions in a new thread, so the channel stays readable")
    @app_commands.describe(enabled="True: open a thread for each answer; False: reply in the channel")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def threads(self, interaction: discord.Interaction, enabled: bool) -> None:
        assert interaction.guild_id is not None  # interaction_check
        await asyncio.to_thread(
            self.bot.database.set_guild_setting, interaction.guild_id, THREADS_KEY, "on" if enabled else "off"
        )
        text = (
            "I'll answer mentions and public /ask questions in a new thread."
            if enabled
            else "I'll answer mentions in the channel again."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @settings.command(name="show", description="Show this server's GLF Tutor settings")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def show(self, interaction: discord.Interaction) -> None:
        threads = "on" if self.bot.answer_in_thread(interaction.guild_id) else "off"
        await interaction.response.send_message(f"Answer in threads: **{threads}**", ephemeral=True, allowed_mentions=NO_MENTIONS)


async def setup(bot: TutorBot) -> None:
    await bot.add_cog(Admin(bot))
