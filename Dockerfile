# GLF Tutor Discord bot. Build: docker build -t glf-tutor .
# Run:   docker run -d --name glf-tutor --env-file .env -v glf-data:/data --restart unless-stopped glf-tutor
FROM python:3.11-slim

# tini is PID 1: it passes `docker stop`'s SIGTERM to the bot (which then closes its connection and
# the database and exits 0) and reaps zombies. The bot also handles SIGTERM itself when it is PID 1,
# so `docker run --init` (Docker's own tini) works as well, instead of this entrypoint.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GLF_DATABASE=/data/glf_tutor.sqlite3 \
    GLF_HEARTBEAT_FILE=/tmp/glf-tutor.heartbeat \
    GLF_CACHE_DIR=/app/cache

WORKDIR /app

# Dependencies in their own layer, pinned by the same constraints file as the README's install:
# rebuilt only when pyproject.toml or constraints.txt change, not on every code edit.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib, subprocess, sys; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; subprocess.check_call([sys.executable, '-m', 'pip', 'install', '-c', 'constraints.txt', *deps])"

# The application and its knowledge base (the same `pip install -c constraints.txt .` as the README).
# `glf-tutor ask` leaves the built tutor in GLF_CACHE_DIR (bot/engine/snapshot.py): every start of the container reads it.
COPY README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip install --no-deps -c constraints.txt . \
    && glf-tutor check \
    && glf-tutor commands --json > /dev/null \
    && glf-tutor ask "When did the Great Leap Forward begin?" > /dev/null \
    && ls /app/cache/tutor-*.pickle > /dev/null

# Not root; the SQLite file (reports, settings, quiz scores, live buttons) lives on a volume that survives upgrades.
RUN useradd --system --uid 10001 --create-home --home-dir /home/glf glf \
    && mkdir -p /data && chown glf:glf /data
USER glf
WORKDIR /home/glf
VOLUME ["/data"]

# Healthy while connected to Discord: the bot rewrites GLF_HEARTBEAT_FILE every 30 s once connected,
# and `glf-tutor health` fails when it is older than 90 s (or missing: never connected).
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 CMD ["glf-tutor", "health"]

# The token comes from the environment (--env-file .env); .env is in .dockerignore, never in the image.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["glf-tutor", "run"]
