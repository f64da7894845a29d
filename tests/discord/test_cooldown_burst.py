"""The shared per-user question budget under a burst.

One user fires 50 questions at once — /ask through the real command tree, mentions in a channel,
and presses of suggested-question buttons, all interleaved with other users' questions. The budget
is one bucket per user across all three ways of asking, so exactly `rate` of the 50 are answered,
the rest are told when to try again, and every other user is answered as usual. The clock is
frozen, so the outcome does not depend on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable

import discord
import pytest

from bot.discord.bot import TutorBot
from bot.discord.exts.ask import COOLDOWN_NOTICE_S, Ask
from bot.discord.views import TutorView
from bot.quality.load import FakeDiscord, slash_payload
from tests.helpers import (
    MockGuild,
    MockInteraction,
    MockMember,
    MockMessage,
    MockTextChannel,
    button,
    click,
    close_bot,
    make_bot,
    snowflake,
)

NONE = discord.AllowedMentions.none().to_dict()
QUESTION = "What were the people's communes?"
Outcome = str  # "answered" | "refused: <text>" | "ignored" (a mention refused again in the window it was told about)
Ask_ = Callable[[int], Awaitable[Outcome]]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def bot(shipped_tutor_factory):
    bot = await make_bot(shipped_tutor_factory())
    bot._connection.user = discord.ClientUser(
        state=bot._connection, data={"id": 42, "username": "GLF Tutor", "discriminator": "0", "avatar": None}
    )
    yield bot
    await close_bot(bot)


@pytest.fixture
def clock(bot) -> Clock:
    clock = Clock()
    bot.cooldown.clock = clock
    return clock


# ----- three ways to ask, each reporting what the user got ---------------------------------


def by_slash(bot: TutorBot, transport: FakeDiscord) -> Ask_:
    async def ask(user_id: int) -> Outcome:
        payload = slash_payload("ask", {"question": QUESTION}, user_id=user_id, channel_id=transport.channel_id)
        await bot.tree._call(discord.Interaction(data=payload, state=bot._connection))
        callback, *rest = transport.for_token(payload["token"])
        if callback.payload["type"] == 4:  # an immediate private reply instead of "thinking…"
            assert callback.payload["data"]["flags"] & 64 and callback.payload["data"]["allowed_mentions"] == NONE
            return "refused: " + callback.payload["data"]["content"]
        (followup,) = rest
        assert followup.payload["embeds"]
        return "answered"

    return ask


def by_mention(bot: TutorBot) -> Ask_:
    guild, channel = MockGuild(), MockTextChannel()
    channel.guild = guild
    channel.permissions_for.return_value = discord.Permissions(embed_links=True, send_messages=True)
    channel.typing.side_effect = lambda: asyncio.sleep(0)  # `await channel.typing()`

    async def ask(user_id: int) -> Outcome:
        message = MockMessage(
            content=f"<@{bot.user.id}> {QUESTION}",
            guild=guild,
            channel=channel,
            author=MockMember(id=user_id),
            mentions=[bot.user],
            webhook_id=None,
            type=discord.MessageType.default,
            reference=None,
        )
        await bot.get_cog("Ask").on_message(message)
        if not message.reply.await_count:
            return "ignored"
        message.reply.assert_awaited_once()
        kwargs = message.reply.call_args.kwargs
        assert kwargs["allowed_mentions"].to_dict() == NONE and kwargs["mention_author"] is False
        if "embed" in kwargs:
            return "answered"
        assert kwargs["delete_after"] == COOLDOWN_NOTICE_S  # the notice does not linger in the channel
        return "refused: " + message.reply.call_args.args[0]

    return ask


async def answer_view(bot: TutorBot) -> TutorView:
    """An answer with suggested-question buttons, asked by someone outside the burst."""
    first = MockInteraction(client=bot)
    cog: Ask = bot.get_cog("Ask")  # type: ignore[assignment]
    await cog.ask.callback(cog, first, "How many people died in the famine?", False)
    return first.edit_original_response.call_args.kwargs["view"]


def by_button(bot: TutorBot, view: TutorView) -> Ask_:
    followup = button(view, prefix="glf-ask:")

    async def ask(user_id: int) -> Outcome:
        interaction = MockInteraction(client=bot, user=MockMember(id=user_id), message=MockMessage())
        await click(followup, interaction)
        if interaction.edit_original_response.await_count:
            assert interaction.edit_original_response.call_args.kwargs["embed"]
            return "answered"
        interaction.response.defer.assert_not_awaited()
        assert interaction.response.send_message.call_args.kwargs["ephemeral"] is True
        return "refused: " + interaction.response.send_message.call_args.args[0]

    return ask


# ----- the burst ---------------------------------------------------------------------------


async def burst(asks: list[Ask_], burster: int, others: list[int], size: int) -> tuple[list[Outcome], list[Outcome]]:
    """`size` questions from one user, cycling through the ways of asking, with every other user's
    question slotted in between; all started at once."""
    calls = [(burster, asks[i % len(asks)]) for i in range(size)]
    for n, other in enumerate(others):
        calls.insert(random.Random(n).randrange(len(calls) + 1), (other, asks[n % len(asks)]))
    results = await asyncio.gather(*(ask(user) for user, ask in calls))
    mine = [r for (user, _), r in zip(calls, results, strict=True) if user == burster]
    theirs = [r for (user, _), r in zip(calls, results, strict=True) if user != burster]
    return mine, theirs


async def test_burst_from_one_user_is_capped_and_others_are_answered(bot, clock, transport):
    asks = [by_slash(bot, transport), by_mention(bot), by_button(bot, await answer_view(bot))]
    burster, others = snowflake(), [snowflake() for _ in range(12)]

    mine, theirs = await burst(asks, burster, others, size=50)

    counts = Counter(mine)
    assert counts["answered"] == bot.cooldown.rate
    refused = f"refused: You're asking quickly — try again in {int(bot.cooldown.per)} s."
    # Slash commands and buttons must each get a reply; refused mentions get one notice per window.
    assert counts[refused] + counts["ignored"] == 50 - bot.cooldown.rate
    mentions_refused = [o for i, o in enumerate(mine) if i % 3 == 1 and o != "answered"]
    assert mentions_refused.count(refused) == 1 and set(mentions_refused) == {refused, "ignored"}
    assert theirs == ["answered"] * len(others)


async def test_each_way_of_asking_draws_on_the_same_budget(bot, clock, transport):
    asks = [by_slash(bot, transport), by_mention(bot), by_button(bot, await answer_view(bot))]
    user = snowflake()
    outcomes = [await asks[i % 3](user) for i in range(bot.cooldown.rate + 3)]
    assert outcomes[: bot.cooldown.rate] == ["answered"] * bot.cooldown.rate
    assert all(o.startswith("refused: ") for o in outcomes[bot.cooldown.rate :])  # whichever way they try next


async def test_hammering_during_the_cooldown_does_not_extend_it(bot, clock, transport):
    asks = [by_slash(bot, transport), by_mention(bot)]
    burster = snowflake()
    await burst(asks, burster, [], size=50)

    clock.now += bot.cooldown.per / 2
    mine, _ = await burst(asks, burster, [], size=10)
    # Every slash command is told; the mentions were told once already in this window, so stay quiet.
    assert set(mine[0::2]) == {f"refused: You're asking quickly — try again in {int(bot.cooldown.per / 2)} s."}
    assert set(mine[1::2]) == {"ignored"}

    clock.now += bot.cooldown.per / 2 + 0.01  # the window the first answer opened has passed
    mine, _ = await burst(asks, burster, [], size=10)
    assert Counter(mine)["answered"] == bot.cooldown.rate
