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
RUN pip install .
COPY . .
RUN ANNOTATOR_MODE=local ANNOTATOR_DATA_DIR=/tmp/build python manage.py collectstatic --noinput
RUN useradd --system annotator
USER annotator
EXPOSE 8000
CMD ["gunicorn", "annotator.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--threads=4"]
