"""Buttons and the report modal under the bot's messages.

Views are not persistent: after `timeout` seconds their components are disabled (and the message
edited to show it), so nobody presses a button that no longer does anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

import discord
from discord import ui

from bot.discord.render import button_label
from bot.engine.answer import Answer
from bot.engine.storage import Database

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
VIEW_TIMEOUT = 14 * 60  # interaction tokens last 15 min: disable the buttons while we still may edit
REPORT_NOTE_MAX = 1000

AskCallback = Callable[[discord.Interaction, str], Awaitable[None]]


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """A short private message, whether or not the interaction was already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction expired?)", exc_info=True)


class TutorView(ui.View):
    """Disables its components on timeout; errors reach the user ephemerally and the log in full."""

    def __init__(self, *, timeout: float | None = VIEW_TIMEOUT):
        super().__init__(timeout=timeout)
        self.message: discord.Message | discord.InteractionMessage | discord.WebhookMessage | None = None

    def disable_all(self) -> None:
        for item in self.children:
            if hasattr(item, "disabled"):
                item.disabled = True  # type: ignore[attr-defined]

    async def on_timeout(self) -> None:
        self.disable_all()
        if self.message is not None:
            # A deleted message or an expired interaction token: nothing left to disable.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: ui.Item) -> None:
        log.error("error in %s (%s)", type(self).__name__, getattr(item, "custom_id", item), exc_info=error)
        await send_ephemeral(interaction, "Something went wrong on my side; it has been logged.")


class PagedView(TutorView):
    """◀ n/N ▶ buttons that only `owner_id` may press."""

    def __init__(self, pages: Sequence[discord.Embed], owner_id: int, *, timeout: float | None = VIEW_TIMEOUT):
        super().__init__(timeout=timeout)
        self.pages = list(pages)
        self.owner_id = owner_id
        self.index = 0
        if len(self.pages) > 1:
            self.previous = ui.Button(emoji="◀️", style=discord.ButtonStyle.secondary, row=0, disabled=True)
            self.counter = ui.Button(label=self._count(), style=discord.ButtonStyle.secondary, row=0, disabled=True)
            self.next = ui.Button(emoji="▶️", style=discord.ButtonStyle.secondary, row=0)
            self.previous.callback = self._previous
            self.next.callback = self._next
            for item in (self.previous, self.counter, self.next):
                self.add_item(item)

    def _count(self) -> str:
        return f"{self.index + 1}/{len(self.pages)}"

    async def _previous(self, interaction: discord.Interaction) -> None:
        await self.turn(interaction, self.index - 1)

    async def _next(self, interaction: discord.Interaction) -> None:
        await self.turn(interaction, self.index + 1)

    async def turn(self, interaction: discord.Interaction, index: int) -> None:
        if interaction.user.id != self.owner_id:
            await send_ephemeral(interaction, "Only the person who asked can turn these pages.")
            return
        self.index = max(0, min(index, len(self.pages) - 1))
        self.previous.disabled = self.index == 0
        self.next.disabled = self.index == len(self.pages) - 1
        self.counter.label = self._count()
        await interaction.response.edit_message(embed=self.pages[self.index], view=self)


class ReportModal(ui.Modal, title="Report a problem with this answer"):
    note: ui.TextInput = ui.TextInput(
        label="What is wrong? (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=REPORT_NOTE_MAX,
        placeholder="e.g. the figure is wrong, the source doesn't say this, the answer is off-topic",
    )

    def __init__(self, answer: Answer, database: Database):
        super().__init__(timeout=VIEW_TIMEOUT)
        self.answer = answer
        self.database = database
        self.report_id: int | None = None

    async def on_submit(self, interaction: discord.Interaction) -> None:
        note = (self.note.value or "").strip()[:REPORT_NOTE_MAX] or None  # the library does not enforce max_length
        self.report_id = await asyncio.to_thread(
            self.database.add_report,
            question=self.answer.question,
            passage_ids=[p.id for p in self.answer.passages],
            reporter_id=interaction.user.id,
            reporter_name=str(interaction.user),
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            note=note,
        )
        log.info("problem report #%s stored by user %s", self.report_id, interaction.user.id)
        await interaction.response.send_message(
            f"Thank you — report #{self.report_id} is saved for the curators.", ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        log.error("could not store a problem report", exc_info=error)
        await send_ephemeral(interaction, "Sorry, I could not save your report; it has been logged.")


class AnswerView(PagedView):
    """Pages of one answer, a button per suggested question, and “Report a problem”."""

    MAX_FOLLOWUPS = 3  # rows 1-3; row 0 is the pager, row 4 the report button

    def __init__(
        self,
        answer: Answer,
        pages: Sequence[discord.Embed],
        owner_id: int,
        database: Database,
        ask: AskCallback | None = None,
        *,
        timeout: float | None = VIEW_TIMEOUT,
    ):
        super().__init__(pages, owner_id, timeout=timeout)
        self.answer = answer
        self.database = database
        self.ask = ask
        self.followups = list(answer.followups[: self.MAX_FOLLOWUPS]) if ask is not None else []
        for row, question in enumerate(self.followups, start=1):
            button = ui.Button(label=button_label(question), emoji="💬", style=discord.ButtonStyle.primary, row=row)
            button.callback = self._followup_callback(question)
            self.add_item(button)
        self.report = ui.Button(label="Report a problem", emoji="📝", style=discord.ButtonStyle.secondary, row=4)
        self.report.callback = self._report
        self.add_item(self.report)

    def _followup_callback(self, question: str) -> Callable[[discord.Interaction], Awaitable[None]]:
        async def callback(interaction: discord.Interaction) -> None:
            assert self.ask is not None
            await self.ask(interaction, question)  # anyone may ask a suggested question, as themselves

        return callback

    async def _report(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ReportModal(self.answer, self.database))
