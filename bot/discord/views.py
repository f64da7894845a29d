"""Buttons under the bot's messages, the report form, and how an interaction is answered.

Every button is a `discord.ui.DynamicItem`: its custom id names what it acts on (a stored message,
a quiz question, a review card) and the state comes from that id and the database, never from
the memory of the process that sent it. TutorBot.setup_hook registers them all
(`add_dynamic_items`), so a button pressed after a restart, or on a message another shard process
sent, works.

Nothing is disabled on a timer. Buttons are disabled when what they act on ends: a quiz question
at its reveal (edited through the channel, which never expires), a review card when it is
answered (through that press's own response). discord.py restarts a view's timeout on every
press, so an edit scheduled that way could run after the 15-minute interaction token has expired
and leave buttons that look live and are dead; here no edit ever waits on an old token. Views
are sent with `timeout=None` and hold dynamic items only, so discord.py keeps nothing in memory
per message. Messages older than storage.SHOWN_RETENTION_S say so when pressed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import ui

from bot.discord.render import button_label
from bot.storage import ShownMessage
from bot.study.quiz import LETTERS

if TYPE_CHECKING:
    from bot.discord.bot import TutorBot

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
REPORT_NOTE_MAX = 1000
MAX_FOLLOWUPS = 3  # rows 1-3; row 0 is the pager, row 4 the report button
SHOWN_ID = r"[0-9a-f]{12}"

EXPIRED = "This message is too old for its buttons to work; ask again for a fresh one."
SOMETHING_WRONG = "Something went wrong on my side; it has been logged. Please try again later."


def new_id() -> str:
    """The id a message's buttons carry (custom ids hold at most 100 characters)."""
    return uuid.uuid4().hex[:12]


# ----- answering an interaction --------------------------------------------------------------
# Discord's rule: after a deferral, the first follow-up message *replaces* the "thinking…" message
# and keeps its visibility, whatever `ephemeral` it asks for. So answers replace it explicitly
# (edit_original_response) and a private error after a public deferral deletes it first.
DEFERRED = "glf_deferred"  # interaction.extras: "public" | "private", set by defer()
REPLIED = "glf_replied"  # interaction.extras: the "thinking…" message has been replaced (or deleted)


async def defer(interaction: discord.Interaction, *, ephemeral: bool) -> None:
    """Acknowledge now ("thinking…"), before anything slow; the answer follows through reply()."""
    if interaction.response.is_done():
        return
    await interaction.response.defer(ephemeral=ephemeral, thinking=True)
    interaction.extras[DEFERRED] = "private" if ephemeral else "public"


def _thinking(interaction: discord.Interaction) -> str | None:
    """"public"/"private" while a deferred "thinking…" message is waiting for its reply, else None."""
    if interaction.extras.get(REPLIED) or not interaction.response.is_done():
        return None
    deferred = interaction.extras.get(DEFERRED)
    if deferred is None and interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
        return "public"  # deferred elsewhere: assume everyone can see it
    return deferred


async def reply(interaction: discord.Interaction, *, ephemeral: bool = False, **message: Any) -> discord.Message | None:
    """Send the reply: it replaces a deferred "thinking…" message (whose visibility was set by the
    deferral), else it is the interaction's response, else a new follow-up."""
    message.setdefault("allowed_mentions", NO_MENTIONS)
    file = message.pop("file", None)
    if _thinking(interaction) is not None:
        if file is not None:
            message["attachments"] = [file]
        sent = await interaction.edit_original_response(**message)
        interaction.extras[REPLIED] = True
        return sent
    if file is not None:
        message["file"] = file
    if not interaction.response.is_done():
        await interaction.response.send_message(ephemeral=ephemeral, **message)
        interaction.extras[REPLIED] = True
        return None
    return await interaction.followup.send(ephemeral=ephemeral, wait=True, **message)


async def send_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """A short line only the user sees, whatever state the interaction is in."""
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        thinking = _thinking(interaction)
        if thinking == "private":  # the "thinking…" message is private already: it becomes the line
            await interaction.edit_original_response(content=text, embeds=[], attachments=[], view=None)
            interaction.extras[REPLIED] = True
            return
        if thinking == "public":  # a follow-up would replace it and be public: remove it first
            await interaction.delete_original_response()
            interaction.extras[REPLIED] = True
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not tell user %s something (interaction expired?)", interaction.user.id, exc_info=True)


def tutor_bot(interaction: discord.Interaction) -> TutorBot:
    return interaction.client  # type: ignore[return-value]


# ----- views and buttons ---------------------------------------------------------------------
class TutorView(ui.View):
    """What buttons are sent in: dynamic items only, no timeout (see the module docstring).

    A press is dispatched to the dynamic item, not to this object (discord.py rebuilds the view
    from the message); each item answers its own errors. on_error and on_timeout cover the view
    if it is ever used with a timeout or a plain item.
    """

    def __init__(self, items: Iterable[ui.Item] = ()):
        super().__init__(timeout=None)
        for item in items:
            self.add_item(item)

    def disable_all(self) -> None:
        for item in self.walk_children():
            button = getattr(item, "item", item)  # a DynamicItem wraps its button
            if hasattr(button, "disabled"):
                button.disabled = True

    async def on_timeout(self) -> None:
        self.disable_all()

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: ui.Item) -> None:
        log.error("error in %s (%s)", type(self).__name__, getattr(item, "custom_id", item), exc_info=error)
        await send_ephemeral(interaction, SOMETHING_WRONG)


class GuardedButton:
    """Mixin for dynamic buttons: an error reaches the user as one private line and the log in full
    (discord.py would only log it, and the user would see "This interaction failed")."""

    custom_id: str

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.press(interaction)
        except Exception as exc:
            log.error("error in button %s (user %s)", self.custom_id, interaction.user.id, exc_info=exc)
            await send_ephemeral(interaction, SOMETHING_WRONG)

    async def press(self, interaction: discord.Interaction) -> None:
        raise NotImplementedError


async def load_shown(interaction: discord.Interaction, shown_id: str) -> ShownMessage | None:
    shown = await asyncio.to_thread(tutor_bot(interaction).database.shown, shown_id)
    if shown is None:
        await send_ephemeral(interaction, EXPIRED)
    return shown


PAGE_TEMPLATE = rf"glf-page:(?P<id>{SHOWN_ID}):(?P<page>\d{{1,4}}):(?P<dir>[pn])"


class PageButton(GuardedButton, ui.DynamicItem[ui.Button], template=PAGE_TEMPLATE):
    """◀ or ▶ under a paged message; only the person who asked may turn the pages."""

    def __init__(self, shown_id: str, page: int, direction: str, *, disabled: bool = False):
        super().__init__(
            ui.Button(
                emoji="◀️" if direction == "p" else "▶️",
                style=discord.ButtonStyle.secondary,
                row=0,
                disabled=disabled,
                custom_id=f"glf-page:{shown_id}:{page}:{direction}",
            )
        )
        self.shown_id, self.page = shown_id, page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Item, match: re.Match[str], /) -> PageButton:
        return cls(match["id"], int(match["page"]), match["dir"])

    async def press(self, interaction: discord.Interaction) -> None:
        shown = await load_shown(interaction, self.shown_id)
        if shown is None:
            return
        if interaction.user.id != shown.owner_id:
            await send_ephemeral(interaction, "Only the person who asked can turn these pages.")
            return
        page = max(0, min(self.page, len(shown.pages) - 1))
        await interaction.response.edit_message(embed=discord.Embed.from_dict(shown.pages[page]), view=shown_view(shown, page))


class PageCounter(GuardedButton, ui.DynamicItem[ui.Button], template=rf"glf-count:(?P<id>{SHOWN_ID})"):
    """The disabled "n/N" between ◀ and ▶ (dynamic too, so a view holds dynamic items only)."""

    def __init__(self, shown_id: str, label: str = "…"):
        super().__init__(
            ui.Button(label=label, style=discord.ButtonStyle.secondary, row=0, disabled=True, custom_id=f"glf-count:{shown_id}")
        )

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Item, match: re.Match[str], /) -> PageCounter:
        return cls(match["id"])

    async def press(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer()  # disabled: Discord never sends a press; acknowledge one anyway


class FollowupButton(GuardedButton, ui.DynamicItem[ui.Button], template=rf"glf-ask:(?P<id>{SHOWN_ID}):(?P<k>[0-9])"):
    """A suggested question: asked by whoever presses it, as themselves."""

    def __init__(self, shown_id: str, k: int, question: str = ""):
        super().__init__(
            ui.Button(
                label=button_label(question) or "…",
                emoji="💬",
                style=discord.ButtonStyle.primary,
                row=1 + k,
                custom_id=f"glf-ask:{shown_id}:{k}",
            )
        )
        self.shown_id, self.k = shown_id, k

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Item, match: re.Match[str], /) -> FollowupButton:
        return cls(match["id"], int(match["k"]))

    async def press(self, interaction: discord.Interaction) -> None:
        shown = await load_shown(interaction, self.shown_id)
        if shown is None:
            return
        if self.k >= len(shown.followups):
            await send_ephemeral(interaction, EXPIRED)
            return
        ask = interaction.client.get_cog("Ask")  # type: ignore[attr-defined]
        await ask.ask_followup(interaction, shown.followups[self.k])


class ReportButton(GuardedButton, ui.DynamicItem[ui.Button], template=rf"glf-report:(?P<id>{SHOWN_ID})"):
    """“Report a problem”: a form whose note is stored with the question and the passages quoted."""

    def __init__(self, shown_id: str):
        super().__init__(
            ui.Button(
                label="Report a problem",
                emoji="📝",
                style=discord.ButtonStyle.secondary,
                row=4,
                custom_id=f"glf-report:{shown_id}",
            )
        )
        self.shown_id = shown_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Item, match: re.Match[str], /) -> ReportButton:
        return cls(match["id"])

    async def press(self, interaction: discord.Interaction) -> None:
        shown = await load_shown(interaction, self.shown_id)
        if shown is not None:
            await interaction.response.send_modal(ReportModal(shown))


class ReportModal(ui.Modal, title="Report a problem with this answer"):
    note: ui.TextInput = ui.TextInput(
        label="What is wrong? (optional)",
        style=discord.TextStyle.paragraph,
        required=False,
        max_length=REPORT_NOTE_MAX,
        placeholder="e.g. the figure is wrong, the source doesn't say this, the answer is off-topic",
    )

    def __init__(self, shown: ShownMessage):
        super().__init__(timeout=15 * 60, custom_id=f"glf-report-form:{shown.id}")
        self.shown = shown
        self.report_id: int | None = None

    async def on_submit(self, interaction: discord.Interaction) -> None:
        note = (self.note.value or "").strip()[:REPORT_NOTE_MAX] or None  # the library does not enforce max_length
        self.report_id = await asyncio.to_thread(
            tutor_bot(interaction).database.add_report,
            question=self.shown.question or "",
            passage_ids=list(self.shown.passage_ids),
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


class QuizButton(
    GuardedButton, ui.DynamicItem[ui.Button], template=r"glf-quiz:(?P<session>[0-9a-f]{1,32}):(?P<pos>\d{1,3}):(?P<choice>[0-3])"
):
    """One answer to one question of one quiz; the quiz itself is in the database (bot.study.rooms)."""

    def __init__(self, session_id: str, position: int, choice: int, label: str = "…", *,
                 style: discord.ButtonStyle = discord.ButtonStyle.primary, disabled: bool = False):
        super().__init__(
            ui.Button(label=button_label(label) or "…", style=style, row=choice, disabled=disabled,
                      custom_id=f"glf-quiz:{session_id}:{position}:{choice}")
        )
        self.session_id, self.position, self.choice = session_id, position, choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Item, match: re.Match[str], /) -> QuizButton:
        return cls(match["session"], int(match["pos"]), int(match["choice"]))

    async def press(self, interaction: discord.Interaction) -> None:
        study = interaction.client.get_cog("Study")  # type: ignore[attr-defined]
        await study.on_answer(interaction, self.session_id, self.position, self.choice)


class ReviewButton(GuardedButton, ui.DynamicItem[ui.Button], template=rf"glf-review:(?P<card>{SHOWN_ID}):(?P<choice>[0-3])"):
    """One answer to a private review card; the card (question, choice order, answered?) is stored."""

    def __init__(self, card_id: str, choice: int, label: str = "…"):
        super().__init__(
            ui.Button(label=button_label(label) or "…", style=discord.ButtonStyle.primary, row=choice,
                      custom_id=f"glf-review:{card_id}:{choice}")
        )
        self.card_id, self.choice = card_id, choice

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: ui.Item, match: re.Match[str], /) -> ReviewButton:
        return cls(match["card"], int(match["choice"]))

    async def press(self, interaction: discord.Interaction) -> None:
        study = interaction.client.get_cog("Study")  # type: ignore[attr-defined]
        await study.on_review_answer(interaction, self.card_id, self.choice)


DYNAMIC_ITEMS: tuple[type[ui.DynamicItem[Any]], ...] = (
    PageButton, PageCounter, FollowupButton, ReportButton, QuizButton, ReviewButton,
)  # fmt: skip


# ----- the views the bot sends ---------------------------------------------------------------
def shown_view(shown: ShownMessage, page: int = 0) -> TutorView | None:
    """◀ n/N ▶ when there are pages; for an answer, a button per suggested question and “Report a problem”."""
    items: list[ui.Item] = []
    count = len(shown.pages)
    if count > 1:
        items += [
            PageButton(shown.id, max(page - 1, 0), "p", disabled=page == 0),
            PageCounter(shown.id, f"{page + 1}/{count}"),
            PageButton(shown.id, min(page + 1, count - 1), "n", disabled=page >= count - 1),
        ]
    if shown.question is not None:
        items += [FollowupButton(shown.id, k, q) for k, q in enumerate(shown.followups[:MAX_FOLLOWUPS])]
        items.append(ReportButton(shown.id))
    return TutorView(items) if items else None


def quiz_view(session_id: str, position: int, choices: Sequence[str], *, correct: int | None = None,
              closed: bool = False) -> TutorView:
    """The answer buttons of one question; `closed` (or a `correct` answer, at the reveal) disables them."""
    done = closed or correct is not None

    def style(i: int) -> discord.ButtonStyle:
        if correct is None:
            return discord.ButtonStyle.secondary if done else discord.ButtonStyle.primary
        return discord.ButtonStyle.success if i == correct else discord.ButtonStyle.secondary

    return TutorView(
        QuizButton(session_id, position, i, f"{LETTERS[i]}: {choice}", style=style(i), disabled=done)
        for i, choice in enumerate(choices)
    )


def review_view(card_id: str, choices: Sequence[str]) -> TutorView:
    return TutorView(ReviewButton(card_id, i, f"{LETTERS[i]}: {choice}") for i, choice in enumerate(choices))
