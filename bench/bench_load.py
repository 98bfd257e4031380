"""The platform under load through gunicorn (prints numbers; not a test).

    python bench/bench_load.py [--records 100000] [--duration 30] [--users 32] [--skip-load]
                               [--wait 0] [--pg-url postgresql://postgres@127.0.0.1:5432/bench_load]

Loads a registry of N records and 10,000 matches into its own PostgreSQL database
(bench_dashboard's loader, then the search index the list and search pages read), creates
one verified member of the organisation with the most proposals and signs in through the
real login form. Then, loopback only, for a fixed duration each:

  * the platform: gunicorn, 2 workers, `ecosystem:create_app()`; locust users (no think
    time unless --wait) over the home page, the results list, search (Vietnamese with and
    without diacritics), a result's detail page and the proposals page /matches (signed in);
  * the floor: a second gunicorn, 2 workers, serving `bare` below (one route, "ok").

Prints per page requests, p50/p95/p99 (ms) and failures, the throughput of both and their
ratio. Targets: p95 < 100 ms on every page and >= 20 % of the bare endpoint's throughput.
The load generator (locust, `pip install -e .[bench]`) runs in a subprocess so its gevent
patching never touches the loader; it shares the machine's cores with the servers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from flask import Flask

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = Path(sys.executable).parent

bare = Flask(__name__)


@bare.get("/")
def bare_ok() -> str:
    return "ok"


EMAIL = "tai@bench.vn"
PASSWORD = "Bench-load-2026!"
SECRET_KEY = "bench-load-fixed-secret-key-not-for-production-0123456789"
SEARCHES = [
    "nuôi tôm",
    "nuoi tom",
    "thủy sản",
    "thuy san",
    "cảm biến",
    "cam bien",
    "du lịch",
    "du lich",
    "công nghệ",
    "cong nghe",
]
PAGES = ("home", "list", "search", "detail", "proposals")


# Data -----------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import sqlalchemy as sa

    target = sa.engine.make_url(url)
    admin = sa.create_engine(
        target.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()


def build_search_index(app) -> int:
    """What `index_record` writes for every organisation and listing, in bulk."""
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from ecosystem.core.models import utcnow
    from ecosystem.core.text import fold
    from ecosystem.extensions import db
    from ecosystem.registry.models import Organisation, ResearchResult, Startup, TechnologyNeed
    from ecosystem.registry.search_index import SearchEntry, SearchTerm, document_for, words

    kinds = [
        ("organisation", Organisation, ()),
        ("result", ResearchResult, (selectinload(ResearchResult.organisation),)),
        ("need", TechnologyNeed, (selectinload(TechnologyNeed.organisation),)),
        (
            "startup",
            Startup,
            (selectinload(Startup.organisation), selectinload(Startup.sectors)),
        ),
    ]
    terms: set[str] = set()
    total = 0
    with app.app_context():
        for kind, model, options in kinds:
            last = 0
            while True:
                chunk = list(
                    db.session.scalars(
                        sa.select(model)
                        .where(model.id > last)
                        .order_by(model.id)
                        .limit(2000)
                        .options(*options)
                    )
                )
                if not chunk:
                    break
                rows = []
                for obj in chunk:
                    doc = document_for(kind, obj)
                    title_text, body_text = doc.pop("title_text"), doc.pop("body_text")
                    title_folded = " ".join(words(title_text))
                    terms.update(t[:64] for t in title_folded.split() if len(t) >= 2)
                    rows.append(
                        {
                            **dict.fromkeys(("field_code", "trl", "province", "expires_at")),
                            **doc,
                            "kind": kind,
                            "object_id": obj.id,
                            "title": doc["title"][:300],
                            "subtitle": doc["subtitle"][:300],
                            "title_folded": title_folded,
                            "body_folded": " ".join(words(body_text)),
                            "province_folded": fold(doc.get("province")) or None,
                            "updated_at": getattr(obj, "published_at", None)
                            or obj.created_at
                            or utcnow(),
                        }
                    )
                db.session.execute(sa.insert(SearchEntry), rows)
                total += len(rows)
                last = chunk[-1].id
                db.session.expunge_all()
        db.session.execute(sa.insert(SearchTerm), [{"term": t} for t in sorted(terms)])
        db.session.commit()
    return total


def create_member(app) -> int:
    """A verified user in the organisation with the most proposals; returns its proposals."""
    import sqlalchemy as sa

    from ecosystem.auth.models import MembershipStatus, OrgMembership, User
    from ecosystem.auth.passwords import hash_password
    from ecosystem.core.models import utcnow
    from ecosystem.extensions import db
    from ecosystem.matching.models import Match

    with app.app_context():
        if db.session.scalar(sa.select(User).where(User.email_key == EMAIL)) is None:
            org_col = sa.union_all(
                sa.select(Match.source_org_id.label("org")),
                sa.select(Match.target_org_id.label("org")),
            ).subquery()
            org_id = db.session.scalar(
                sa.select(org_col.c.org)
                .group_by(org_col.c.org)
                .order_by(sa.func.count().desc())
                .limit(1)
            )
            user = User(
                email=EMAIL,
                email_key=EMAIL,
                full_name="Người thử tải",
                password_hash=hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                OrgMembership(
                    user_id=user.id, organisation_id=org_id, status=MembershipStatus.active
                )
            )
            db.session.commit()
        org_id = db.session.scalar(
            sa.select(OrgMembership.organisation_id)
            .join(User, OrgMembership.user_id == User.id)
            .where(User.email_key == EMAIL)
        )
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Match)
            .where(sa.or_(Match.source_org_id == org_id, Match.target_org_id == org_id))
        )


def public_result_ids(app, rng: random.Random) -> list[int]:
    import sqlalchemy as sa

    from ecosystem.extensions import db
    from ecosystem.registry.search_index import SearchEntry

    with app.app_context():
        ids = list(
            db.session.scalars(
                sa.select(SearchEntry.object_id).where(
                    SearchEntry.kind == "result", SearchEntry.is_public.is_(True)
                )
            )
        )
    return rng.sample(ids, min(2000, len(ids)))


def prepare(args) -> dict:
    from bench_dashboard import load
    from bench_search import migrated_app

    from ecosystem import create_app
    from ecosystem.extensions import db
    from ecosystem.matching.signals import paused

    rng = random.Random(57)
    out: dict = {}
    if not args.skip_load:
        recreate_database(args.pg_url)
        with migrated_app("postgresql", args.pg_url) as app:
            started = time.perf_counter()
            with paused():
                out["loaded"] = load(app, args.records, 10_000, rng)
            out["search_entries"] = build_search_index(app)
            with app.app_context(), db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            out["load_s"] = round(time.perf_counter() - started, 1)
            out["member_proposals"] = create_member(app)
            out["detail_ids"] = public_result_ids(app, rng)
        return out
    with tempfile.TemporaryDirectory() as folder:
        os.environ["ECOSYSTEM_INSTANCE"] = folder
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": args.pg_url, "SEED_DEMO": False, "LOG_LEVEL": "WARNING"}
        )
        out["member_proposals"] = create_member(app)
        out["detail_ids"] = public_result_ids(app, rng)
    return out


# Servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def opener() -> tuple[urllib.request.OpenerDirector, CookieJar]:
    jar = CookieJar()
    # No proxy: every request stays on the loopback interface.
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    ), jar


def start_gunicorn(app_spec: str, port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        app_spec,
    ]
    with log.open("ab") as handle:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
    web, _ = opener()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn {app_spec} exited; see {log}")
        with contextlib.suppress(OSError):
            if web.open(f"http://127.0.0.1:{port}/", timeout=5).status == 200:
                return process
        time.sleep(0.5)
    process.terminate()
    raise SystemExit(f"gunicorn {app_spec} did not answer in 90 s; see {log}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def sign_in(base: str) -> str:
    """The real form: GET for the CSRF token, POST the credentials; returns the cookie."""
    web, jar = opener()
    page = web.open(f"{base}/auth/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on /auth/login")
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": EMAIL, "password": PASSWORD, "next": ""}
    ).encode()
    web.open(f"{base}/auth/login", data=body, timeout=30).read()
    check = web.open(f"{base}/matches", timeout=30)
    if urllib.parse.urlparse(check.url).path != "/matches":
        raise SystemExit(f"sign-in failed: /matches went to {check.url}")
    cookie = next((c.value for c in jar if c.name == "hue_session"), None)
    if cookie is None:
        raise SystemExit("no session cookie after sign-in")
    return cookie


# Load (run in a subprocess: locust patches the process with gevent) ----------------------


def _visitor(spec: dict, rng: random.Random) -> type:
    """The locust user class: the bare endpoint, or the platform's five pages."""
    from locust import FastHttpUser, constant, task

    def call(user, name: str, path: str, headers: dict | None = None) -> None:
        with user.client.get(
            path, name=name, headers=headers or {}, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    if spec["mode"] == "bare":

        class Bare(FastHttpUser):
            wait_time = constant(spec["wait"])

            @task
            def ok(self):
                call(self, "bare", "/")

        return Bare

    cookie = {"Cookie": f"hue_session={spec['cookie']}"}
    ids = spec["detail_ids"]

    class Visitor(FastHttpUser):
        wait_time = constant(spec["wait"])

        @task
        def home(self):
            call(self, "home", "/")

        @task
        def listing(self):
            call(self, "list", f"/results/?page={rng.choice([1, 1, 1, 2, 3])}")

        @task
        def search(self):
            call(self, "search", "/search?" + urllib.parse.urlencode({"q": rng.choice(SEARCHES)}))

        @task
        def detail(self):
            call(self, "detail", f"/results/{rng.choice(ids)}")

        @task
        def proposals(self):
            call(self, "proposals", "/matches", cookie)

    return Visitor


def drive(spec: dict) -> dict:
    import gevent
    from locust.env import Environment

    rng = random.Random(7)
    timings: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    Visitor = _visitor(spec, rng)

    env = Environment(user_classes=[Visitor], host=spec["base"])
    recording = {"on": False}

    def on_request(name, response_time, exception, **_):
        if not recording["on"]:
            return
        if exception is not None:
            failures[name] = failures.get(name, 0) + 1
        else:
            timings.setdefault(name, []).append(response_time)

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(spec["users"], spawn_rate=spec["users"])
    gevent.sleep(spec["warmup"])  # every user spawned, each worker's caches warm
    recording["on"] = True
    started = time.perf_counter()
    gevent.sleep(spec["duration"])
    recording["on"] = False
    elapsed = time.perf_counter() - started
    runner.quit()
    return {"timings": timings, "failures": failures, "elapsed": elapsed}


def run_driver(spec: dict) -> dict:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    done = subprocess.run(
        [sys.executable, __file__, "--_drive"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=env,
        timeout=spec["warmup"] + spec["duration"] + 120,
    )
    if done.returncode != 0:
        raise SystemExit(f"load generator failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))]


def summarise(result: dict, names: tuple[str, ...]) -> dict:
    pages = {}
    total = 0
    for name in names:
        values = result["timings"].get(name, [])
        failed = result["failures"].get(name, 0)
        total += len(values) + failed
        pages[name] = {
            "requests": len(values) + failed,
            "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
            "failures": failed,
        }
    return {"pages": pages, "requests": total, "rps": round(total / result["elapsed"], 1)}


def main() -> None:
    if "--_drive" in sys.argv:
        print(json.dumps(drive(json.loads(sys.stdin.read()))), flush=True)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=30, help="seconds per phase")
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--wait", type=float, default=0.0, help="think time per user (s)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds before recording")
    parser.add_argument("--skip-load", action="store_true", help="reuse the bench_load database")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bench_load"),
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import logging

    logging.disable(logging.INFO)
    data = prepare(args)
    detail_ids = data.pop("detail_ids")
    print(json.dumps({"data": data}, ensure_ascii=False), flush=True)

    instance = tempfile.mkdtemp(prefix="bench_load_")
    log = Path(instance) / "gunicorn.log"
    env = {
        **os.environ,
        "ECOSYSTEM_ENV": "development",
        "DATABASE_URL": args.pg_url,
        "SEED_DEMO": "false",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": SECRET_KEY,
        "ECOSYSTEM_INSTANCE": instance,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)]),
    }
    common = {"users": args.users, "duration": args.duration, "wait": args.wait}
    common["warmup"] = args.warmup
    platform = bare_server = None
    try:
        port = free_port()
        platform = start_gunicorn("ecosystem:create_app()", port, env, log)
        base = f"http://127.0.0.1:{port}"
        cookie = sign_in(base)
        mixed = run_driver(
            {**common, "mode": "platform", "base": base, "cookie": cookie, "detail_ids": detail_ids}
        )
        stop(platform)
        platform = None
        port = free_port()
        bare_server = start_gunicorn("bench_load:bare", port, env, log)
        floor = run_driver({**common, "mode": "bare", "base": f"http://127.0.0.1:{port}"})
    finally:
        stop(platform)
        stop(bare_server)
    app_numbers = summarise(mixed, PAGES)
    bare_numbers = summarise(floor, ("bare",))
    ratio = app_numbers["rps"] / bare_numbers["rps"] if bare_numbers["rps"] else 0.0
    worst = max(app_numbers["pages"].items(), key=lambda kv: kv[1]["p95_ms"])
    print(f"\n{args.users} users, {args.duration} s per phase, think time {args.wait} s")
    print(f"{'page':<10} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'failed':>7}")
    for name, row in {**app_numbers["pages"], **bare_numbers["pages"]}.items():
        print(
            f"{name:<10} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8}"
            f" {row['p99_ms']:>8} {row['failures']:>7}"
        )
    summary = {
        "platform_rps": app_numbers["rps"],
        "bare_rps": bare_numbers["rps"],
        "ratio": round(ratio, 3),
        "worst_page": worst[0],
        "worst_p95_ms": worst[1]["p95_ms"],
        "p95_under_100ms": all(r["p95_ms"] < 100 for r in app_numbers["pages"].values()),
        "ratio_at_least_20pct": ratio >= 0.20,
        "failures": sum(r["failures"] for r in app_numbers["pages"].values()),
    }
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
