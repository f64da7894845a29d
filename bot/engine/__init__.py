"""The tutor engine: knowledge, retrieval, answers, conversation. Never imports discord."""

from bot.engine.answer import Answer
from bot.engine.loader import KnowledgeError, check_knowledge, load_knowledge
from bot.engine.tutor import Tutor, TutorSettings

__all__ = ["Answer", "KnowledgeError", "Tutor", "TutorSettings", "check_knowledge", "load_knowledge"]
