"""Small helpers shared by the extensions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.discord.views import TutorView, new_id, reply, shown_view
from bot.engine import Answer
from bot.storage import ShownMessage

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot


def conversation_key(channel: object, channel_id: int | None, user_id: int) -> str:
    """A thread is one shared conversation; elsewhere each user has their own per channel (or DM)."""
    if isinstance(channel, discord.Thread):
        return f"thread:{channel.id}"
    return f"{channel_id}:{user_id}"


async def remember(
    bot: TutorBot, owner_id: int, pages: Sequence[discord.Embed], answer: Answer | None = None
) -> TutorView | None:
    """Store what the message's buttons need (pages to turn; for an answer, its question, quoted
    passages and suggested questions) and return its view; None when it needs no buttons."""
    if answer is None and len(pages) <= 1:
        return None
    shown = ShownMessage(
        id=new_id(),
        owner_id=owner_id,
        question=answer.question if answer is not None else None,
        passage_ids=tuple(p.id for p in answer.passages) if answer is not None else (),
        followups=tuple(answer.followups) if answer is not None else (),
        pages=tuple(p.to_dict() for p in pages) if len(pages) > 1 else (),
        created_at=0.0,
    )
    await bot.shown_writer.write(
        dict(shown_id=shown.id, owner_id=owner_id, pages=list(shown.pages), question=shown.question,
             passage_ids=shown.passage_ids, followups=shown.followups)
    )
    return shown_view(shown)


async def send_pages(interaction: discord.Interaction, pages: Sequence[discord.Embed], *, ephemeral: bool = False) -> None:
    """First page now, with ◀ ▶ for the rest (only the user who ran the command can turn them)."""
    view = await remember(interaction.client, interaction.user.id, pages)  # type: ignore[arg-type]
    if view is None:
        await reply(interaction, embed=pages[0], ephemeral=ephemeral)
    else:
        await reply(interaction, embed=pages[0], view=view, ephemeral=ephemeral)


def too_long(value: str, limit: int) -> str | None:
    """Discord clients enforce option lengths, the library does not: refuse what a raw request could send."""
    if len(value) > limit:
        return f"Please keep that under {limit} characters (it has {len(value)})."
    return None
