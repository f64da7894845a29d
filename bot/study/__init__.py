"""Study groups: quiz sessions, saved scores and progress, review of misses. Never imports discord."""
