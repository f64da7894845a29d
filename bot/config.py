"""Settings, read once from the environment (and a .env file) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bot.engine.loader import default_knowledge_dir


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path
    database: Path

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        knowledge = env.get("GLF_KNOWLEDGE_DIR")
        return cls(
            knowledge_dir=Path(knowledge) if knowledge else default_knowledge_dir(),
            database=Path(env.get("GLF_DATABASE", "glf_tutor.sqlite3")),
        )
