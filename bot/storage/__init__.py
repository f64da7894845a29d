"""Persistence: one interface (Database), two backends (SQLite file, PostgreSQL URL), one versioned schema."""

from bot.storage.database import (
    MIGRATIONS,
    SHOWN_RETENTION_S,
    Database,
    Report,
    ReviewItem,
    ScoreRow,
    ShownMessage,
    StoredAnswer,
    StoredCard,
    StoredQuiz,
    TopicRow,
)
from bot.storage.dialects import StorageError, StorageUnavailable, is_url, mask_url

__all__ = [
    "MIGRATIONS",
    "SHOWN_RETENTION_S",
    "Database",
    "Report",
    "ReviewItem",
    "ScoreRow",
    "ShownMessage",
    "StorageError",
    "StorageUnavailable",
    "StoredAnswer",
    "StoredCard",
    "StoredQuiz",
    "TopicRow",
    "is_url",
    "mask_url",
]
