"""Small helpers shared by the extensions."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord.views import NO_MENTIONS, PagedView


def conversation_key(channel: object, channel_id: int | None, user_id: int) -> str:
    """A thread is one shared conversation; elsewhere each user has their own per channel (or DM)."""
    if isinstance(channel, discord.Thread):
        return f"thread:{channel.id}"
    return f"{channel_id}:{user_id}"


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed], *, ephemeral: bool = False) -> None:
    """First page now, with ◀ ▶ for the rest (only the user who ran the command can turn them)."""
    if len(pages) == 1:
        await interaction.response.send_message(embed=pages[0], ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        return
    view = PagedView(pages, interaction.user.id)
    await interaction.response.send_message(embed=pages[0], view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
    view.message = await interaction.original_response()


def too_long(value: str, limit: int) -> str | None:
    """Discord clients enforce option lengths, the library does not: refuse what a raw request could send."""
    if len(value) > limit:
        return f"Please keep that under {limit} characters (it has {len(value)})."
    return None
