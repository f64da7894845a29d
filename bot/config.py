"""Settings, read once from the environment (and a .env file) and passed down."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine.loader import default_knowledge_dir

TRUE = frozenset({"1", "true", "yes", "on"})


class ConfigError(ValueError):
    """A setting has a value the bot cannot use; the message says which and why."""


def parse_dotenv(text: str) -> dict[str, str]:
    """KEY=VALUE lines; '#' comments, optional 'export ', optional single or double quotes."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        key, value = key.strip(), value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        if key:
            out[key] = value
    return out


def _int(env: dict[str, str], key: str, problems: list[str]) -> int | None:
    value = env.get(key, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        problems.append(f"{key} must be a whole number, not {value!r}")
        return None


def _shard_ids(env: dict[str, str], problems: list[str]) -> tuple[int, ...] | None:
    value = env.get("GLF_SHARD_IDS", "").strip()
    if not value:
        return None
    try:
        return tuple(int(part) for part in value.replace(",", " ").split())
    except ValueError:
        problems.append(f"GLF_SHARD_IDS must be shard numbers separated by commas, not {value!r}")
        return None


def _cache_dir(env: dict[str, str]) -> Path | None:
    """GLF_CACHE_DIR; "off" for none; by default the user's cache folder (XDG_CACHE_HOME or ~/.cache)."""
    value = env.get("GLF_CACHE_DIR", "").strip()
    if value.lower() in {"off", "none", "0", "false", "no"}:
        return None
    if value:
        return Path(value)
    base = env.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "glf-tutor"


def _database(value: str) -> Path | str:
    return value if "://" in value else Path(value)


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    # A SQLite file, or a postgresql:// URL (kept as text: a Path would mangle it); repr=False: it may hold a password.
    database: Path | str = field(repr=False)
    # Never logged or shown: repr=False keeps it out of tracebacks and debug prints.
    discord_token: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    auto_shard: bool = False
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    dev_guild_id: int | None = None  # default target of `glf-tutor sync` (instant, unlike global sync)
    message_content: bool = False  # privileged intent: lets the bot read every message in its own threads
    heartbeat_file: Path | None = None  # written while connected; `glf-tutor health` (Docker HEALTHCHECK) reads it
    cache_dir: Path | None = None  # the built tutor between starts (engine/snapshot.py); None: built at every start
    # Unreadable Discord settings, reported by validate_discord() so the terminal tutor still starts.
    problems: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        """The process environment wins over a .env file in the working directory.

        Passing `env` explicitly (tests) skips the .env file unless `dotenv` is given too.
        """
        if env is None:
            merged: dict[str, str] = {}
            if dotenv is not None and dotenv.is_file():
                merged.update(parse_dotenv(dotenv.read_text(encoding="utf-8")))
            merged.update(os.environ)
            env = merged
        else:
            env = dict(env)
        knowledge = env.get("GLF_KNOWLEDGE_DIR")
        problems: list[str] = []
        level = env.get("GLF_LOG_LEVEL", "INFO").strip().upper() or "INFO"
        return cls(
            knowledge_dir=Path(knowledge) if knowledge else default_knowledge_dir(),
            database=_database(env.get("GLF_DATABASE", "").strip() or "glf_tutor.sqlite3"),
            discord_token=env.get("DISCORD_TOKEN", "").strip() or None,
            log_level=level,
            auto_shard=env.get("GLF_AUTO_SHARD", "").strip().lower() in TRUE,
            shard_count=_int(env, "GLF_SHARD_COUNT", problems),
            shard_ids=_shard_ids(env, problems),
            dev_guild_id=_int(env, "GLF_DEV_GUILD_ID", problems),
            message_content=env.get("GLF_MESSAGE_CONTENT", "").strip().lower() in TRUE,
            heartbeat_file=Path(beat) if (beat := env.get("GLF_HEARTBEAT_FILE", "").strip()) else None,
            cache_dir=_cache_dir(env),
            problems=tuple(problems),
        )

    def validate_discord(self) -> None:
        """Checks that only matter to the Discord front end (the terminal tutor ignores these)."""
        if self.problems:
            raise ConfigError("; ".join(self.problems))
        if not isinstance(logging.getLevelName(self.log_level), int):
            raise ConfigError(f"GLF_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {self.log_level!r}")
        if self.shard_count is not None and self.shard_count < 1:
            raise ConfigError("GLF_SHARD_COUNT must be at least 1")
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ConfigError("GLF_SHARD_IDS needs GLF_SHARD_COUNT (the total number of shards across all processes)")
            bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
            if bad:
                raise ConfigError(f"GLF_SHARD_IDS {bad} out of range for GLF_SHARD_COUNT={self.shard_count} (ids are 0..count-1)")
