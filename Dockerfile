FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY annotator annotator
COPY accounts accounts
COPY ops ops
COPY corpora corpora
COPY articles articles
COPY imports imports
COPY review review
COPY datasets datasets
COPY archives archives
RUN pip install .
COPY . .
# Static files through the production storage, which writes the manifest of
# hashed names that production reads at run time (local mode writes none, and
# every page would answer 500). collectstatic reaches no database and signs
# nothing: the key is random and thrown away, the database URL a placeholder
# never connected to. tests/project/test_deployment.py runs this very line.
RUN ANNOTATOR_MODE=production ANNOTATOR_DATA_DIR="$(mktemp -d)" SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" DATABASE_URL=postgres://collectstatic-needs-no-database@localhost/none python manage.py collectstatic --noinput
RUN useradd --system annotator
USER annotator
EXPOSE 8000
# Two processes of eight threads for a 2-core host that also runs PostgreSQL and the
# worker: a third or fourth process added CPU per request without adding throughput
# (bench/README.md, "Server processes and threads"). Scale workers with the cores.
# --preload imports the app once, before the processes fork: they share its pages
# (30-50 MB less at rest with two; bench/README.md, "Run of 2026-12-03").
CMD ["gunicorn", "annotator.wsgi:application", "--bind=0.0.0.0:8000", "--workers=2", "--threads=8", "--preload"]
