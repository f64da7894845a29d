# GLF Tutor Discord bot. Build: docker build -t glf-tutor .
# Run:   docker run -d --name glf-tutor --env-file .env -v glf-data:/data --restart unless-stopped glf-tutor
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GLF_DATABASE=/data/glf_tutor.sqlite3

WORKDIR /app

# Dependencies in their own layer: rebuilt only when pyproject.toml changes, not on every code edit.
COPY pyproject.toml ./
RUN python -c "import tomllib, subprocess, sys; deps = tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']; subprocess.check_call([sys.executable, '-m', 'pip', 'install', *deps])"

# The application and its knowledge base (the same `pip install .` as the README).
COPY README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
RUN pip install --no-deps . \
    && glf-tutor check \
    && glf-tutor commands --json > /dev/null

# Not root; the SQLite file (reports, settings, quiz scores) lives on a volume that survives upgrades.
RUN useradd --system --uid 10001 --create-home --home-dir /home/glf glf \
    && mkdir -p /data && chown glf:glf /data
USER glf
WORKDIR /home/glf
VOLUME ["/data"]

# The token comes from the environment (--env-file .env); .env is in .dockerignore, never in the image.
CMD ["glf-tutor", "run"]
