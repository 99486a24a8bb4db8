"""annotator adapter (our Django 5.2 + DRF + Celery app), installed from a clone of its repository.

Install (see README): git clone <annotator repo> $ANCHORS_DIR/annotator-src;
python3.11 -m venv $ANCHORS_DIR/venv-annotator; venv-annotator/bin/pip install -e annotator-src;
then `python -m compileall` on its three packages: pip byte-compiles site-packages (all of
doccano's code) but not an editable tree, and with PYTHONDONTWRITEBYTECODE=1 in the environment
every server process would otherwise compile the app's modules again at start.
ANNOTATOR_SRC / ANNOTATOR_VENV override the two paths.

Server modes
  postgres  the production setup of its docker-compose.yml: ANNOTATOR_MODE=production,
            gunicorn `annotator.wsgi:application --workers=2 --threads=8 --preload` (gthread), one
            Celery worker `celery -A annotator worker --loglevel=INFO --concurrency=2`, Redis as
            broker (db 0) and cache (db 1, the API throttle counters), PostgreSQL (the harness's,
            15432).
            Redis is our own `redis-server --save "" --appendonly no` (the compose file's options)
            on 127.0.0.1:16379 (ANNOTATOR_REDIS_PORT), started fresh with each repetition as one
            of the server processes: its memory (a few MB) is counted in the PSS figures.
            collectstatic runs once with the template (the compose image runs it at build time).
  sqlite    the embedded defaults of `python3 run.py demo`: ANNOTATOR_MODE=local, SQLite file and
            the filesystem broker under ANNOTATOR_DATA_DIR (one per repetition), locmem cache,
            gunicorn `--workers=2 --threads=4 --preload`, the same Celery worker. (`run.py demo`
            also loads the demo corpus; the benchmark starts from an empty migrated database
            instead.)
  Both bind 127.0.0.1:8002 (8000/8001 are often taken). SECURE_COOKIES=false and
  SECURE_SSL_REDIRECT=false as in the compose file (no TLS on loopback). gunicorn 23+ opens a
  control socket, by default ~/.gunicorn/gunicorn.ctl, shared by every gunicorn of the same
  user on the machine; ours goes into the instance folder (in the compose setup each container
  has its own).

Auth, as each kind of client does it
  * The browser UI: session cookie + CSRF header. login() signs in through /accounts/login/
    (the HTML form) and keeps `sessionid` and `csrftoken`. W2 and the page variants of W3 send
    exactly what static/js/lib/api.js sends: the cookie, `X-CSRFToken`, `Accept:
    application/json`, `Content-Type: application/json` for a body. The session is not
    throttled ("a person labeling fast is the point").
  * API clients: a personal token, created from the signed-in session with `POST /api/tokens/`
    (the documented non-interactive way; a token cannot create tokens), sent as
    `Authorization: Token <key>`. Token clients are throttled per user at API_THROTTLE_RATE
    (default 1200/min, kept): import, polling, counting, listing, the dataset page of W3 and the
    export stay far below it.

Modelling (differences from doccano's item model, on purpose)
  * Project = corpus. annotator has no API to create a corpus: an admin creates it in the Django
    admin (/admin/), which is what create_project does over HTTP: the add form with the three
    labels as inline rows (keys claim, speculation, sourced_fact: the app's default label set,
    `sourced fact` of the harness maps to `sourced_fact`) and the admin as owner (the user id
    from the admin's own autocomplete endpoint). Timed as "create project".
  * Item = sentence, but annotator's unit of import is the ARTICLE: it segments every article
    itself in the Celery worker. So W1 imports the 1,000-article file (articles.jsonl, the W1-doc
    file; `w1_corpus_file`) as one bulk job (`POST /api/corpora/{slug}/imports/`, multipart,
    kind=file) and the clock stops at the poll (every 0.5 s, like the harness's count polls)
    that sees the job done AND every article segmented (`GET /api/imports/{id}/` ->
    `segmentation` all `ready`). Then, untimed (info.wait.count_s), the count that checks it:
    labelable sentences from the article list (`sentence_count`, 2 pages of 500) plus headings
    from the dataset listing (`kind=heading`). doccano and Label Studio instead receive 57,000
    pre-split sentence items and only store them; annotator also finds sentence boundaries and
    character offsets (its own segmenter), so its W1 does more work. The segmenter gives
    57 segments per article here as well, but 4 of them are headings (title, short lines),
    which take no label: 57,000 segments = 53,000 labelable sentences + 4,000 headings.
    info.wait.job_done_incl_upload_s (from the upload until the import job is finished: 1,000
    articles stored and listed) is the analogue of doccano's W1-doc (1,000 article items
    listed); run annotator with --skip-docs (a second import of the same articles would only
    repeat W1 and leave a second 57k-sentence corpus being segmented during W2). The file's
    `article` column (the article number) is not one of the app's columns: it is ignored, with a
    notice on the job. Articles get no title (the file has none; the first line is the heading).
  * W2: one `PUT /api/sentences/{id}/annotation/` per label, body `{"label", "note": "",
    "source": "", "version": 0}`, over the session, as the labeling screen's save queue sends it.
    The ids are the first 4,000 labelable sentences (`kind=sentence`) in id order.
  * W3 main ("dataset page of 100"): one `GET /api/datasets/sentences/?corpus=&kind=sentence
    &page_size=100&cursor=` by token: 100 sentences with their labels in one request, what an API
    client pages through (cursor pagination: the cursors of the 40 labelled pages are the `next`
    links collected while listing the ids, untimed).
    Variants, what the browser's labeling screen loads for one article (57 segments, 53
    labelable, all labelled; the labelled articles are mapped onto the 40 pages):
      article_html  `GET /articles/{id}/label/` (session): the server-rendered labeling page
                    (HTML only; static files are cached by the browser and not fetched here).
      article_api   `GET /api/articles/{id}/` (session): the same article as JSON with
                    `my_annotation` per sentence (the screen fetches it to refresh stored values;
                    API clients use it too).
    So an article "page" holds 57 items, not 100: compare per request, or per item.
  * W4: `GET /api/corpora/{slug}/export.jsonl` by token, streamed and written to disk; then the
    lines and labels are counted (inside the timed window, like doccano's unzip + parse).
    57,000 rows: every segment, headings included, 4,000 of them labelled. Rows carry the
    article's metadata, offsets and full annotations, so the file is larger than doccano's.
    info.download_s is the time to the last byte.
    The export ends with a trailer line `{"export":{"complete":true,"rows":N}}` (a body cut off
    mid-stream has none): the adapter checks it, and that N equals the rows it counted, and does
    not count it as an item.
"""

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import httpx
from harness.base import ANCHORS, BaseAdapter, ProcSpec, check

SRC = Path(os.environ.get("ANNOTATOR_SRC", ANCHORS / "annotator-src"))
VENV = Path(os.environ.get("ANNOTATOR_VENV", ANCHORS / "venv-annotator"))
STATIC_ROOT = ANCHORS / "data" / "annotator-static"
ADMIN, EMAIL, PASSWORD = "admin", "admin@bench.local", "bench-password-1"
REDIS_PORT = int(os.environ.get("ANNOTATOR_REDIS_PORT", 16379))
KEYS = {"claim": "claim", "speculation": "speculation", "sourced fact": "sourced_fact"}
# The app's default label set (articles/services/corpora.py DEFAULT_LABELS), typed into the admin.
LABEL_ROWS = [
    {"key": "claim", "name": "Claim", "color": "#b45309", "shortcut": "1", "takes_source": False},
    {
        "key": "speculation",
        "name": "Speculation",
        "color": "#6d28d9",
        "shortcut": "2",
        "takes_source": False,
    },
    {
        "key": "sourced_fact",
        "name": "Sourced fact",
        "color": "#047857",
        "shortcut": "3",
        "takes_source": True,
    },
]
SENTENCE_SPAN = re.compile(r'<span class="sentence" [^>]*>')


class Adapter(BaseAdapter):
    name = "annotator"
    w1_corpus_file = "articles"  # W1 imports the article file; see the docstring

    def __init__(self, base_url=None, token=None, port=None):
        super().__init__(base_url, token, port or 8002)
        # The compose file's worker runs 2 processes; ANNOTATOR_CELERY_CONCURRENCY=N runs N
        # (reported as annotator-workerN).
        self.celery_concurrency = int(os.environ.get("ANNOTATOR_CELERY_CONCURRENCY", 2))
        if self.celery_concurrency != 2:
            self.name = f"annotator-worker{self.celery_concurrency}"
        self.session = None  # {"sessionid": .., "csrftoken": ..} of the signed-in admin
        self.db_kind = None  # set by harness/run.py

    @property
    def server_mode(self):
        if self.db_kind == "sqlite":
            return (
                f"gunicorn (2 workers x 4 threads, as `run.py demo`) + celery worker "
                f"(prefork x{self.celery_concurrency}), SQLite + filesystem broker, "
                "locmem cache (embedded defaults)"
            )
        return (
            f"gunicorn (2 workers x 8 threads, gthread, as docker-compose) + celery worker "
            f"(prefork x{self.celery_concurrency}) + redis-server (broker + cache), "
            "ANNOTATOR_MODE=production"
        )

    def versions(self):
        out = subprocess.run(
            [str(VENV / "bin/pip"), "list", "--format=json"], capture_output=True, text=True
        ).stdout
        pk = {p["name"].lower(): p["version"] for p in json.loads(out)}
        commit = subprocess.run(
            ["git", "-C", str(SRC), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        redis = subprocess.run(
            ["redis-server", "--version"], capture_output=True, text=True
        ).stdout.split()
        return {
            "annotator": f"{pk.get('annotator')} ({commit})",
            "django": pk.get("django"),
            "djangorestframework": pk.get("djangorestframework"),
            "gunicorn": pk.get("gunicorn"),
            "celery": pk.get("celery"),
            "psycopg": pk.get("psycopg"),
            "redis-server": next((w[2:] for w in redis if w.startswith("v=")), None),
        }

    # ------------------------------------------------------------------ lifecycle
    @staticmethod
    def _pg_name(inst_dir):
        return "annotator_" + Path(inst_dir).name.replace("-", "_")

    def _env(self, db, inst_dir):
        self.db_kind = db.kind
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")
        }
        env.update(
            {
                "ANNOTATOR_DATA_DIR": str(inst_dir),
                "SECRET_KEY": "bench-not-secret-annotator-0123456789-abcdefghijklmnopqrstuvwxyz",
                "STATIC_ROOT": str(STATIC_ROOT),
                "DEBUG": "false",
                "ALLOWED_HOSTS": "localhost,127.0.0.1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if db.kind == "postgres":
            env.update(
                {
                    "ANNOTATOR_MODE": "production",
                    "DATABASE_URL": f"postgres://{db.pg_user}:{db.pg_password}@{db.pg_host}:{db.pg_port}/"
                    f"{self._pg_name(inst_dir)}",
                    "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
                    "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
                    # docker-compose.yml's defaults: plain HTTP, no TLS on loopback.
                    "SECURE_COOKIES": "false",
                    "SECURE_SSL_REDIRECT": "false",
                }
            )
        else:
            env["ANNOTATOR_MODE"] = "local"
        return env

    def _tpl_dir(self, db):
        return ANCHORS / "data" / f"tpl-annotator-{db.kind}"

    def _manage(self, env, *args, **kw):
        return subprocess.run(
            [str(VENV / "bin/python"), "manage.py", *args], cwd=str(SRC), env=env, check=True, **kw
        )

    def prepare_template(self, db):
        d = self._tpl_dir(db)
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        if db.kind == "postgres":
            db.pg_recreate(self._pg_name(d))
        env = self._env(db, d)
        self._manage(env, "migrate", "--noinput", "-v", "0")
        self._manage(
            dict(env, DJANGO_SUPERUSER_PASSWORD=PASSWORD),
            "createsuperuser",
            "--noinput",
            "--username",
            ADMIN,
            "--email",
            EMAIL,
        )
        STATIC_ROOT.mkdir(parents=True, exist_ok=True)
        self._manage(env, "collectstatic", "--noinput", "-v", "0")

    def prepare_instance(self, db, inst_dir):
        inst_dir = Path(inst_dir)
        shutil.rmtree(inst_dir, ignore_errors=True)
        inst_dir.mkdir(parents=True)
        tpl = self._tpl_dir(db)
        self._env(db, inst_dir)
        if db.kind == "sqlite":
            for f in tpl.glob("annotator.sqlite3*"):
                shutil.copy(f, inst_dir / f.name)
        else:
            db.pg_recreate(self._pg_name(inst_dir), template=self._pg_name(tpl))

    def processes(self, db, inst_dir):
        env = self._env(db, inst_dir)
        threads = "--threads=8" if db.kind == "postgres" else "--threads=4"
        specs = []
        if db.kind == "postgres":
            specs.append(
                ProcSpec(
                    name="redis",
                    argv=[
                        "redis-server",
                        "--port",
                        str(REDIS_PORT),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        str(inst_dir),
                    ],
                    env=env,
                    cwd=str(inst_dir),
                    ready_log=r"Ready to accept connections",
                )
            )
        specs.append(
            ProcSpec(
                name="gunicorn",
                argv=[
                    str(VENV / "bin/gunicorn"),
                    "annotator.wsgi:application",
                    f"--bind=127.0.0.1:{self.port}",
                    "--workers=2",
                    threads,
                    "--preload",
                    f"--control-socket={inst_dir}/gunicorn.ctl",
                ],
                env=env,
                cwd=str(SRC),
                ready_url=f"{self.base_url}/accounts/login/",
            )
        )
        specs.append(
            ProcSpec(
                name="celery",
                argv=[
                    str(VENV / "bin/celery"),
                    "-A",
                    "annotator",
                    "worker",
                    "--loglevel=INFO",
                    f"--concurrency={self.celery_concurrency}",
                ],
                env=env,
                cwd=str(SRC),
                ready_log=r"celery@\S+ ready",
            )
        )
        return specs

    def login(self):
        """Sign in through the HTML login form (session), then create a personal API token."""
        self.token = None
        with httpx.Client(base_url=self.base_url, timeout=60, headers={"Connection": "close"}) as c:
            r = check(c.get("/accounts/login/"), "login form")
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
            if found is None:
                raise RuntimeError(
                    f"login form without a CSRF token: HTTP {r.status_code} {r.text[:600]}"
                )
            mw = found.group(1)
            r = c.post(
                "/accounts/login/",
                data={
                    "username": ADMIN,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": mw,
                    "next": "/",
                },
            )
            if r.status_code != 302 or "sessionid" not in c.cookies:
                raise RuntimeError(f"login failed: HTTP {r.status_code} {r.text[:300]}")
            self.session = {
                "sessionid": c.cookies["sessionid"],
                "csrftoken": c.cookies["csrftoken"],
            }
            r = check(
                c.post(
                    "/api/tokens/",
                    json={"name": f"bench-{time.time_ns()}", "expires_in_days": 0},
                    headers=self.ui_headers(),
                ),
                "create token",
            )
            return r.json()["key"]

    # ------------------------------------------------------------------ helpers
    def client(self, timeout=600.0):
        # No credentials on the client itself: each request names its own (session or token).
        return httpx.Client(
            base_url=self.base_url,
            headers={"Connection": "close", "Accept": "application/json"},
            timeout=timeout,
        )

    def ui_headers(self, write=True):
        """What static/js/lib/api.js sends: the session cookie, and X-CSRFToken on writes."""
        s = self.session
        h = {
            "Cookie": f"csrftoken={s['csrftoken']}; sessionid={s['sessionid']}",
            "Accept": "application/json",
        }
        if write:
            h["X-CSRFToken"] = s["csrftoken"]
        return h

    def token_headers(self):
        return {"Authorization": f"Token {self.token}"}

    # ------------------------------------------------------------------ workload
    def create_project(self, name, kind="sentences"):
        """A corpus through the Django admin's add form: the 3 labels, the admin as owner."""
        slug = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")[:70]
        with self.client() as c:
            h = dict(self.ui_headers(write=False), Accept="text/html")
            form = check(c.get("/admin/corpora/corpus/add/", headers=h), "admin add form").text
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
            prefixes = re.findall(r'name="([\w-]+)-TOTAL_FORMS"', form)
            lab = next(p for p in prefixes if "label" in p)
            mem = next(p for p in prefixes if "member" in p)
            users = check(
                c.get(
                    "/admin/autocomplete/",
                    params={
                        "app_label": "corpora",
                        "model_name": "membership",
                        "field_name": "user",
                        "term": ADMIN,
                    },
                    headers=dict(self.ui_headers(write=False)),
                ),
                "admin autocomplete",
            ).json()["results"]
            user_id = next(u["id"] for u in users if u["text"] == ADMIN)
            data = {
                "csrfmiddlewaretoken": csrf,
                "name": name,
                "slug": slug,
                "description": f"bench {kind}",
                "guidelines": "",
                "overlap": "1",
                "_save": "Save",
            }
            for p, n in ((lab, len(LABEL_ROWS)), (mem, 1)):
                data.update(
                    {
                        f"{p}-TOTAL_FORMS": str(n),
                        f"{p}-INITIAL_FORMS": "0",
                        f"{p}-MIN_NUM_FORMS": "0",
                        f"{p}-MAX_NUM_FORMS": "1000",
                    }
                )
            for i, row in enumerate(LABEL_ROWS):
                data.update(
                    {
                        f"{lab}-{i}-order": str(i),
                        f"{lab}-{i}-key": row["key"],
                        f"{lab}-{i}-name": row["name"],
                        f"{lab}-{i}-shortcut": row["shortcut"],
                        f"{lab}-{i}-color": row["color"],
                        f"{lab}-{i}-description": "",
                    }
                )
                if row["takes_source"]:
                    data[f"{lab}-{i}-takes_source"] = "on"
            data.update({f"{mem}-0-user": str(user_id), f"{mem}-0-role": "owner"})
            r = c.post(
                "/admin/corpora/corpus/add/",
                data=data,
                headers=dict(
                    self.ui_headers(), Accept="text/html", Referer=f"{self.base_url}/admin/"
                ),
            )
            if r.status_code != 302:
                errs = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', r.text, re.S)
                raise RuntimeError(
                    f"create corpus: HTTP {r.status_code} {errs[:5] or r.text[:300]}"
                )
            corpus = check(
                c.get(f"/api/corpora/{slug}/", headers=self.token_headers()), "corpus"
            ).json()
        keys = {lab_["key"] for lab_ in corpus["labels"]}
        assert set(KEYS.values()) <= keys, keys
        return {"slug": slug, "kind": kind, "labels": KEYS}

    def import_items(self, project, jsonl_path, kind="sentences"):
        path = Path(jsonl_path)
        project["t_import"] = time.perf_counter()
        with self.client() as c, open(path, "rb") as fh:
            r = check(
                c.post(
                    f"/api/corpora/{project['slug']}/imports/",
                    data={"kind": "file"},
                    files={"file": (path.name, fh, "application/x-ndjson")},
                    headers=self.token_headers(),
                ),
                "start import",
            )
        job = r.json()
        project["job"] = job["id"]
        return {"job": job["id"], "status": job["status"], "file": path.name}

    def _job(self, c, project):
        return check(
            c.get(f"/api/imports/{project['job']}/", headers=self.token_headers()), "job"
        ).json()

    def wait_imported(self, project, kind, expected, timeout, poll=0.5):
        """Until the import job is done and every article it created is segmented; then count."""
        t0 = time.perf_counter()
        t_end = t0 + timeout
        out = {"polls": 0}
        with self.client() as c:
            while time.perf_counter() < t_end:
                job = self._job(c, project)
                out["polls"] += 1
                if job["finished"] and "job_done_s" not in out:
                    out["job_done_s"] = time.perf_counter() - t0
                    # from the upload request on, as the harness times an import (W1-doc analogue)
                    out["job_done_incl_upload_s"] = time.perf_counter() - project.get(
                        "t_import", t0
                    )
                    out["job"] = {
                        k: job[k]
                        for k in ("status", "total", "done", "failed", "duplicates", "error")
                    }
                    if job["status"] != "done":
                        break
                seg = job.get("segmentation") or {}
                if (
                    job["finished"]
                    and seg
                    and set(seg) == {"ready"}
                    and seg["ready"] == job["done"]
                ):
                    out["segmented_s"] = out["complete_s"] = time.perf_counter() - t0
                    break
                if job["finished"] and seg.get("failed"):
                    out["segmentation"] = seg
                    break
                time.sleep(poll)
            out["segmentation"] = job.get("segmentation")
        t1 = time.perf_counter()
        counts = self.counts(project)
        out["count_s"] = time.perf_counter() - t1  # the check below is not part of the W1 time
        out.update(counts)
        n = counts["segments"] if kind == "sentences" else counts["articles"]
        return n, n == expected and "complete_s" in out, out

    def counts(self, project):
        """Articles and labelable sentences from the article list; headings from the datasets."""
        arts = ready = sents = 0
        with self.client() as c:
            page = 1
            while True:
                r = check(
                    c.get(
                        f"/api/corpora/{project['slug']}/articles/",
                        params={"page_size": 500, "page": page},
                        headers=self.token_headers(),
                    ),
                    "articles",
                ).json()
                for a in r["results"]:
                    arts += 1
                    ready += a["status"] == "ready"
                    sents += a["sentence_count"]
                if not r.get("next"):
                    break
                page += 1
            heads, url = 0, None
            params = {"corpus": project["slug"], "kind": "heading", "page_size": 2000}
            while True:
                r = check(
                    c.get(
                        url or "/api/datasets/sentences/",
                        params=None if url else params,
                        headers=self.token_headers(),
                    ),
                    "headings",
                ).json()
                heads += len(r["results"])
                url = r.get("next")
                if not url:
                    break
        return {
            "articles": arts,
            "articles_ready": ready,
            "labelable_sentences": sents,
            "headings": heads,
            "segments": sents + heads,
        }

    def count_items(self, project):
        c = self.counts(project)
        return c["segments"] if project.get("kind") == "sentences" else c["articles"]

    def list_item_ids(self, project, n):
        """The first n labelable sentences in id order, by the dataset listing (pages of 100),
        keeping each page's cursor for W3 and the articles whose sentences all fall among the n."""
        ids, cursors, art_of = [], [None], {}
        url = None
        params = {"corpus": project["slug"], "kind": "sentence", "page_size": 100}
        with self.client() as c:
            while len(ids) < n:
                r = check(
                    c.get(
                        url or "/api/datasets/sentences/",
                        params=None if url else params,
                        headers=self.token_headers(),
                    ),
                    "list",
                ).json()
                for row in r["results"]:
                    ids.append(row["sentence"]["id"])
                    art_of[row["sentence"]["id"]] = row["article"]["id"]
                url = r.get("next")
                if not url:
                    break
                cursors.append(url)
        ids = ids[:n]
        per_art = {}
        for i in ids:
            per_art.setdefault(art_of[i], 0)
            per_art[art_of[i]] += 1
        last = art_of[ids[-1]] if ids else None
        project["pages"] = cursors[: max(1, n // 100)]
        project["full_articles"] = [a for a, k in per_art.items() if a != last]
        project["sentences_per_full_article"] = sorted(
            set(per_art[a] for a in project["full_articles"])
        )
        return ids

    def label_item(self, client, project, item_id, label):
        r = client.put(
            f"/api/sentences/{item_id}/annotation/",
            headers=self.ui_headers(),
            json={"label": project["labels"][label], "note": "", "source": "", "version": 0},
        )
        if r.status_code not in (200, 201):
            raise RuntimeError(f"label: HTTP {r.status_code} {r.text[:300]}")

    def read_page(self, client, project, page, page_size=100):
        """API client: one dataset page of 100 labelable sentences with their labels (token)."""
        url = project["pages"][page]
        if url is None:
            r = client.get(
                "/api/datasets/sentences/",
                headers=self.token_headers(),
                params={"corpus": project["slug"], "kind": "sentence", "page_size": page_size},
            )
        else:
            r = client.get(url, headers=self.token_headers())
        rows = check(r, "dataset page").json()["results"]
        return {"items": len(rows), "labels": sum(len(x["annotations"]) for x in rows)}

    def _article(self, project, page):
        arts = project["full_articles"]
        return arts[page % len(arts)]

    def read_variants(self):
        def article_html(client, project, page, page_size=100):
            aid = self._article(project, page)
            r = check(
                client.get(
                    f"/articles/{aid}/label/",
                    headers=dict(self.ui_headers(write=False), Accept="text/html"),
                ),
                "label page",
            )
            spans = SENTENCE_SPAN.findall(r.text)
            heads = r.text.count('class="sentence-heading"')
            return {"items": len(spans) + heads, "labels": sum(' data-label="' in s for s in spans)}

        def article_api(client, project, page, page_size=100):
            aid = self._article(project, page)
            d = check(
                client.get(f"/api/articles/{aid}/", headers=self.ui_headers(write=False)), "article"
            ).json()
            return {
                "items": len(d["sentences"]),
                "labels": sum(s["my_annotation"] is not None for s in d["sentences"]),
            }

        return {"article_html": article_html, "article_api": article_api}

    def export(self, project, out_path):
        t0 = time.perf_counter()
        nbytes, first_byte = 0, None
        items = labels = 0
        trailer = None

        def take(line: bytes) -> None:
            # One line of the export: a dataset row, or the trailer that closes it.
            nonlocal items, labels, trailer
            if not line.strip():
                return
            if trailer is not None:
                raise RuntimeError("export: a line after the trailer")
            row = json.loads(line)
            if "export" in row and "annotations" not in row:
                trailer = row["export"]
                return
            items += 1
            labels += len(row["annotations"])

        # Each line is parsed as soon as it has arrived, as a streaming client does:
        # parsing overlaps the server's writing instead of following the download.
        # Every byte still goes to the file.
        with (
            self.client() as c,
            open(out_path, "wb") as fh,
            c.stream(
                "GET",
                f"/api/corpora/{project['slug']}/export.jsonl",
                headers=dict(self.token_headers(), Accept="*/*"),
            ) as r,
        ):
            if r.status_code >= 400:
                r.read()
                raise RuntimeError(f"export: HTTP {r.status_code} {r.text[:300]}")
            partial = b""  # the start of a line whose end has not arrived yet
            for chunk in r.iter_bytes():
                if first_byte is None:
                    first_byte = time.perf_counter() - t0
                fh.write(chunk)
                nbytes += len(chunk)
                lines = (partial + chunk).split(b"\n")
                partial = lines.pop()
                for line in lines:
                    take(line)
            take(partial)
        download = time.perf_counter() - t0
        if not trailer or trailer.get("complete") is not True or trailer.get("rows") != items:
            raise RuntimeError(f"export: incomplete (trailer {trailer!r}, {items} rows read)")
        return {
            "bytes": nbytes,
            "bytes_uncompressed": nbytes,
            "items": items,
            "labels": labels,
            "download_s": download,
            "first_byte_s": first_byte,
            "format": "JSONL (streamed)",
        }
