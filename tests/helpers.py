"""Mocks spec'd on real discord.py classes (in the style of python-discord/bot's tests/helpers.py).

A spec'd mock only accepts attributes the real class has, so a typo or an API change fails the
test instead of passing silently; `isinstance(mock, discord.TextChannel)` holds as for the real thing.
Async methods of the spec become AsyncMocks, so calls can be awaited and asserted.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any
from unittest import mock

import discord

from bot.config import Settings
from bot.discord.bot import TutorBot, unload_all
from bot.engine import Tutor
from bot.engine.loader import default_knowledge_dir
from bot.storage import Database

_ids = itertools.count(100_000_000_000_000_000)


def snowflake() -> int:
    return next(_ids)


class CustomMockMixin:
    """Spec'd on `spec_set`: unknown attributes raise, async methods of the spec become AsyncMocks."""

    spec_set: Any = None

    def __init__(self, **kwargs: Any):
        name = kwargs.pop("name", None)  # Mock(name=...) would name the mock, not set the attribute
        super().__init__(spec_set=self.spec_set, **kwargs)  # type: ignore[call-arg]
        if name is not None:
            self.name = name

    def _get_child_mock(self, **kw: Any) -> mock.Mock:
        """Children are plain mocks (a child of our own class would recurse); async methods stay async."""
        if kw.get("_new_name") in getattr(self, "_spec_asyncs", ()):
            return mock.AsyncMock(**kw)
        return mock.MagicMock(**kw)


class MockUser(CustomMockMixin, mock.MagicMock):
    spec_set = discord.User

    def __init__(self, **kwargs: Any):
        defaults = {"id": snowflake(), "name": "student", "bot": False, "global_name": None}
        super().__init__(**(defaults | kwargs))
        self.mention = f"<@{self.id}>"
        self.__str__.return_value = self.name


class MockMember(CustomMockMixin, mock.MagicMock):
    spec_set = discord.Member

    def __init__(self, **kwargs: Any):
        defaults = {"id": snowflake(), "name": "student", "bot": False, "nick": None}
        super().__init__(**(defaults | kwargs))
        self.mention = f"<@{self.id}>"
        self.__str__.return_value = self.name


class MockGuild(CustomMockMixin, mock.MagicMock):
    spec_set = discord.Guild

    def __init__(self, **kwargs: Any):
        super().__init__(**({"id": snowflake(), "name": "Study group"} | kwargs))


class MockTextChannel(CustomMockMixin, mock.MagicMock):
    spec_set = discord.TextChannel

    def __init__(self, **kwargs: Any):
        super().__init__(**({"id": snowflake(), "name": "history"} | kwargs))


class MockDMChannel(CustomMockMixin, mock.MagicMock):
    spec_set = discord.DMChannel

    def __init__(self, **kwargs: Any):
        super().__init__(**({"id": snowflake()} | kwargs))


class MockThread(CustomMockMixin, mock.MagicMock):
    spec_set = discord.Thread

    def __init__(self, **kwargs: Any):
        super().__init__(**({"id": snowflake(), "name": "thread", "owner_id": snowflake()} | kwargs))


class MockMessage(CustomMockMixin, mock.MagicMock):
    spec_set = discord.Message

    def __init__(self, **kwargs: Any):
        defaults = {"id": snowflake(), "content": "", "embeds": [], "flags": discord.MessageFlags()}
        super().__init__(**(defaults | kwargs))


class MockInteractionResponse(CustomMockMixin, mock.MagicMock):
    """Tracks whether (and how) the interaction was answered, as the real one does: a second
    response raises InteractionResponded, so a double response fails the test."""

    spec_set = discord.InteractionResponse

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        state: dict[str, Any] = {"type": None}  # spec_set allows no private attributes
        kinds = {
            "send_message": discord.InteractionResponseType.channel_message,
            "edit_message": discord.InteractionResponseType.message_update,
            "send_modal": discord.InteractionResponseType.modal,
        }

        def respond(name: str):
            def answered(*args: Any, **kw: Any) -> None:
                if state["type"] is not None:
                    raise discord.InteractionResponded(mock.MagicMock())
                if name == "defer":
                    state["type"] = (
                        discord.InteractionResponseType.deferred_channel_message
                        if kw.get("thinking")
                        else discord.InteractionResponseType.deferred_message_update
                    )
                else:
                    state["type"] = kinds[name]

            return answered

        self.is_done = mock.Mock(side_effect=lambda: state["type"] is not None)
        type(self).type = mock.PropertyMock(side_effect=lambda: state["type"])
        for name in ("defer", "send_message", "edit_message", "send_modal"):
            getattr(self, name).side_effect = respond(name)


class MockWebhook(CustomMockMixin, mock.MagicMock):
    spec_set = discord.Webhook

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.send.return_value = MockMessage()


class MockInteraction(CustomMockMixin, mock.MagicMock):
    spec_set = discord.Interaction

    def __init__(self, *, client: discord.Client | None = None, dm: bool = False, **kwargs: Any):
        guild = None if dm else kwargs.pop("guild", MockGuild())
        channel = kwargs.pop("channel", MockDMChannel() if dm else MockTextChannel())
        user = kwargs.pop("user", MockUser() if dm else MockMember())
        super().__init__(**kwargs)
        self.client = client
        self.guild = guild
        self.guild_id = guild.id if guild else None
        self.channel = channel
        self.channel_id = channel.id
        self.user = user
        self.message = kwargs.get("message")
        self.response = MockInteractionResponse()
        self.followup = MockWebhook()
        self.original_response = mock.AsyncMock(return_value=MockMessage())
        self.edit_original_response = mock.AsyncMock(return_value=MockMessage())
        self.delete_original_response = mock.AsyncMock(return_value=None)
        self.command = None
        self.extras = {}
        self.type = discord.InteractionType.application_command
        self.created_at = kwargs.get("created_at", discord.utils.utcnow())
        self.context = discord.app_commands.AppCommandContext(guild=not dm, dm_channel=dm)
        self.app_permissions = kwargs.get(
            "app_permissions", discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
        )
        self.permissions = kwargs.get("permissions", discord.Permissions(send_messages=True))


def settings(tmp_path: Path | None = None, **overrides: Any) -> Settings:
    base = Settings(
        knowledge_dir=default_knowledge_dir(),
        database=(tmp_path / "glf.sqlite3") if tmp_path else Path(":memory:"),
    )
    return base.__class__(**(base.__dict__ | overrides))


async def make_bot(tutor: Tutor, database: Database | None = None, **overrides: Any) -> TutorBot:
    """A real TutorBot with its extensions loaded, never logged in (no network)."""
    bot = TutorBot(settings(**overrides), tutor, database or Database(":memory:"))
    await bot._async_setup_hook()  # what login would do: the loop and the ready event
    await bot.setup_hook()
    return bot


async def close_bot(bot: TutorBot) -> None:
    await unload_all(bot)  # cogs cancel their background tasks
    await bot.close()


def record_sent_messages(bot: TutorBot, monkeypatch: Any) -> list[dict[str, Any]]:
    """Spy on the bot's message sends (dpytest's fake HTTP stays underneath); returns the live list
    of payloads exactly as they would go to Discord."""
    payloads: list[dict[str, Any]] = []
    original = bot.http.send_message

    async def spy(channel_id, *, params):
        channel = bot.get_channel(channel_id)  # noqa: F841 — dpytest's fake http reads its caller's `channel`
        payloads.append(params.payload)
        return await original(channel_id, params=params)

    monkeypatch.setattr(bot.http, "send_message", spy)
    return payloads


def sent_kwargs(call: mock._Call) -> dict[str, Any]:
    return dict(call.kwargs)


async def click(item: discord.ui.Item, interaction: Any) -> None:
    """Press a button as discord.py dispatches a dynamic item: rebuilt from its custom id alone (no
    state carried over from the object that was sent, as after a restart), then its callback."""
    cls = type(item)
    match = cls.__discord_ui_compiled_template__.fullmatch(item.custom_id)  # type: ignore[attr-defined]
    assert match is not None, f"{item.custom_id} does not match its own template"
    fresh = await cls.from_custom_id(interaction, item.item, match)  # type: ignore[attr-defined]
    await fresh.callback(interaction)


def button(view: discord.ui.View, *, label: str | None = None, prefix: str | None = None) -> discord.ui.Item:
    """The first button of `view` whose label starts with `label` or whose custom id starts with `prefix`."""
    for item in view.children:
        base = getattr(item, "item", item)  # a DynamicItem wraps the button
        if label is not None and (getattr(base, "label", None) or "").startswith(label):
            return item
        if prefix is not None and (getattr(item, "custom_id", None) or "").startswith(prefix):
            return item
    raise AssertionError(f"no button {label or prefix!r} in {[getattr(i, 'custom_id', i) for i in view.children]}")
