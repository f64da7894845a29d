"""Discord subcommands of glf-tutor: run, sync, commands, health. (`reports`, for curators, is in bot/terminal/reports.py.)

discord (and asyncio) are imported inside each command, never at module level: `glf-tutor ask`
must start without loading them.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bot import config

TOKEN_HELP = (
    "DISCORD_TOKEN is not set. Put the bot token from https://discord.com/developers/applications "
    "(your application → Bot → Reset Token) in the environment or in a .env file:  DISCORD_TOKEN=..."
)
REJECTED_HELP = "Discord rejected the token in DISCORD_TOKEN (wrong, revoked or reset). Copy a fresh one from the Bot page."


def _services(settings: config.Settings):
    from bot.cli import _tutor
    from bot.storage import Database

    return _tutor(settings), Database(settings.database)


def _check_settings(settings: config.Settings, *, need_token: bool = True) -> int | None:
    try:
        settings.validate_discord()
    except config.ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    if need_token and not settings.discord_token:
        print(TOKEN_HELP, file=sys.stderr)
        return 2
    return None


def cmd_run(args: argparse.Namespace | None, settings: config.Settings) -> int:
    """Run until Discord closes the connection, or SIGTERM/SIGINT: then close cleanly and exit 0."""
    offline = bool(getattr(args, "offline", False))
    if (status := _check_settings(settings, need_token=not offline)) is not None:
        return status
    import asyncio

    import discord

    from bot.discord.bot import create_bot, serve

    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    tutor, database = _services(settings)
    bot = create_bot(settings, tutor, database)
    try:
        asyncio.run(serve(bot, None if offline else settings.discord_token))
    except discord.LoginFailure:
        print(REJECTED_HELP, file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "GLF_MESSAGE_CONTENT is on but the Message Content intent is not enabled for this application "
            "(Developer Portal → Bot → Privileged Gateway Intents). Enable it or unset GLF_MESSAGE_CONTENT.",
            file=sys.stderr,
        )
        return 2
    except (OSError, discord.GatewayNotFound) as exc:  # aiohttp's connection errors are OSErrors
        print(f"Could not reach Discord: {exc}", file=sys.stderr)
        return 1
    finally:
        database.close()
    return 0


def cmd_sync(args: argparse.Namespace, settings: config.Settings) -> int:
    if (status := _check_settings(settings)) is not None:
        return status
    import asyncio

    import discord

    from bot.discord.bot import TutorBot

    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level), root=True)
    use_global = bool(getattr(args, "use_global", False))
    clear = bool(getattr(args, "clear", False))
    guild_id = None if use_global else (args.guild if args.guild is not None else settings.dev_guild_id)
    tutor, database = _services(settings)
    bot = TutorBot(settings, tutor, database)

    async def sync() -> list:
        async with bot:
            await bot.login(settings.discord_token)  # type: ignore[arg-type]  # login runs setup_hook
            guild = discord.Object(id=guild_id) if guild_id is not None else None
            if clear:  # remove this copy (a server's, or the global one) from Discord
                bot.tree.clear_commands(guild=guild)
            elif guild is not None:
                bot.tree.copy_global_to(guild=guild)
            return await bot.tree.sync(guild=guild)

    try:
        synced = asyncio.run(sync())
    except discord.LoginFailure:
        print(REJECTED_HELP, file=sys.stderr)
        return 2
    except discord.HTTPException as exc:
        print(f"Discord refused the sync: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Could not reach Discord: {exc}", file=sys.stderr)
        return 1
    finally:
        database.close()
    if clear:
        where = f"server {guild_id}" if guild_id is not None else "the global command list (every server; may take up to an hour)"
        print(f"Cleared the commands of {where}." + (" The global commands stay." if guild_id is not None else ""))
        return 0
    where = f"server {guild_id} (visible now)" if guild_id else "all servers (global; may take up to an hour to appear)"
    print(f"Synced {len(synced)} commands to {where}: " + ", ".join(c.name for c in synced))
    if guild_id is not None:
        print(f"If the global commands are synced too, server {guild_id} shows every command twice: "
              f"`glf-tutor sync --guild {guild_id} --clear` removes this server's copy.")
    return 0


def cmd_commands(args: argparse.Namespace, settings: config.Settings) -> int:
    import asyncio

    from bot.cli import _tutor
    from bot.discord.bot import command_tree

    tree = asyncio.run(command_tree(settings, _tutor(settings)))
    if args.json:
        print(json.dumps(tree, ensure_ascii=False, indent=2))
    else:
        for cmd in tree:
            name = f"/{cmd['name']}" if cmd.get("type", 1) == 1 else f"[message] {cmd['name']}"
            print(f"{name} — {cmd['description']}" if cmd.get("description") else name)  # message commands have none
    return 0


def cmd_health(args: argparse.Namespace, settings: config.Settings) -> int:
    """Exit 0 when the running bot wrote its heartbeat recently (the Docker HEALTHCHECK), else 1."""
    from bot.discord.bot import heartbeat_age

    if settings.heartbeat_file is None:
        print("GLF_HEARTBEAT_FILE is not set: the bot writes no heartbeat to check.", file=sys.stderr)
        return 1
    age = heartbeat_age(settings.heartbeat_file)
    if age is None:
        print(f"unhealthy: no heartbeat in {settings.heartbeat_file} (not connected to Discord yet?)", file=sys.stderr)
        return 1
    if age > args.max_age:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (more than {args.max_age:.0f} s)", file=sys.stderr)
        return 1
    print(f"healthy: connected to Discord, last heartbeat {max(age, 0):.0f} s ago")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN); SIGTERM or Ctrl-C stops it cleanly")
    # Test mode: everything starts (extensions, buttons, signal handling) but the gateway connection.
    p.add_argument("--offline", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("sync", help="register the slash commands with Discord (run after changing them)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--guild", type=int, metavar="ID", help="sync to one server only (instant; default GLF_DEV_GUILD_ID, else global)"
    )
    where.add_argument(
        "--global", dest="use_global", action="store_true", help="sync globally, even when GLF_DEV_GUILD_ID is set"
    )
    p.add_argument(
        "--clear", action="store_true",
        help="remove the commands instead: the server's copy (so a development server stops showing every command twice)",
    )
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("health", help="exit 0 if the running bot is connected (reads GLF_HEARTBEAT_FILE; Docker HEALTHCHECK)")
    p.add_argument("--max-age", type=float, default=90.0, metavar="S", help="oldest acceptable heartbeat, seconds (default 90)")
    p.set_defaults(func=cmd_health)

    p = sub.add_parser("commands", help="print the slash-command tree (offline, no token)")
    p.add_argument("--json", action="store_true", help="a JSON list of each command as Discord receives it")
    p.set_defaults(func=cmd_commands)
