"""Load test of the backend API: N simulated devices syncing rules and uploading scans.

Starts `python -m app.server` on 127.0.0.1 (SQLite in a temp folder unless --database-url is
given), signs in one account per four devices, then for a bounded time (and request count) each
device loops: pull rule changes since its cursor, now and then create or update a rule, push a
history entry and report its progress, and every few rounds upload a scan summary with a batch of
file metadata. Prints requests/s and p50/p95/p99 latency, overall and per request kind.

    python bench/server_load.py --devices 20 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, database_url: str | None, redis_url: str | None):
    env = {**os.environ, "FILEORGANIZER_HOME": str(home), "PYTHONPATH": str(ROOT),
           "FO_SERVER_RATE_LIMIT_USER": "100000000", "FO_SERVER_RATE_LIMIT_GLOBAL": "100000000",
           "FO_SERVER_LOG_LEVEL": "WARNING"}
    if database_url:
        env["FO_SERVER_DATABASE_URL"] = database_url
    if redis_url:
        env["FO_SERVER_REDIS_URL"] = redis_url
    proc = subprocess.Popen([sys.executable, "-m", "app.server", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=open(home / "server.log", "wb"))  # noqa: SIM115
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start: " + (home / "server.log").read_text()[-2000:])


class Recorder:
    def __init__(self, max_requests: int, deadline: float):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.conflicts = 0  # 409 version_conflict: another device of the account changed the rule
        self.count, self.max_requests, self.deadline = 0, max_requests, deadline

    def done(self) -> bool:
        return self.count >= self.max_requests or time.monotonic() >= self.deadline

    async def call(self, client: httpx.AsyncClient, kind: str, method: str, url: str, **kw) -> dict:
        self.count += 1
        start = time.perf_counter()
        r = await client.request(method, url, **kw)
        self.latencies[kind].append(time.perf_counter() - start)
        if r.status_code == 409:
            self.conflicts += 1
            return {}
        if r.status_code >= 400:
            self.errors[f"{kind} {r.status_code}"] += 1
            return {}
        return r.json().get("data", {})


def scan_payload(device_id: str, rng: random.Random, files: int) -> tuple[dict, list[dict]]:
    cats = ["Documents", "Images", "Video", "Audio", "Archives"]
    entries = [{"path": f"/home/user/Downloads/{rng.choice(cats)}/file-{i}-{rng.random():.6f}.dat",
                "size": rng.randrange(1, 10**7), "category": rng.choice(cats),
                "hash": f"{rng.getrandbits(128):032x}"} for i in range(files)]
    summary = {"id": str(uuid.uuid4()), "device_id": device_id, "roots": ["/home/user/Downloads"],
               "total_files": files, "total_bytes": sum(e["size"] for e in entries),
               "by_category": {c: {"files": files // 5, "bytes": 1000} for c in cats},
               "by_extension": {".dat": {"files": files, "bytes": 5000}},
               "by_age": {"<30d": {"files": files, "bytes": 5000}}}
    return summary, entries


async def device_loop(base: str, token: str, index: int, rec: Recorder, files_per_scan: int) -> None:
    rng = random.Random(index)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as client:
        device = await rec.call(client, "device", "POST", "/devices", json={"name": f"device-{index}"})
        cursor, known = 0, {}
        round_no = 0
        while not rec.done():
            round_no += 1
            changes = await rec.call(client, "rules.pull", "GET", "/rules", params={"since": cursor})
            cursor = changes.get("cursor", cursor)
            for rule in changes.get("items", []):
                known[rule["id"]] = rule["version"]
            if round_no % 3 == 1 or not known:
                rule = await rec.call(client, "rules.push", "POST", "/rules", json={
                    "id": str(uuid.uuid4()), "name": f"rule {index}-{round_no}",
                    "definition": {"match": {"extension": ["pdf"]}, "target": "{category}/{year}"}})
                if rule:
                    known[rule["id"]] = rule["version"]
            else:
                rule_id = rng.choice(list(known))
                updated = await rec.call(client, "rules.update", "PUT", f"/rules/{rule_id}", json={
                    "name": f"rule {index}-{round_no}", "version": known[rule_id]})
                if updated:
                    known[rule_id] = updated["version"]
            op = await rec.call(client, "history.push", "POST", "/operations", json={
                "id": str(uuid.uuid4()), "device_id": device.get("id"), "kind": "organize",
                "status": "processing"})
            if op:
                await rec.call(client, "history.progress", "PATCH", f"/operations/{op['id']}",
                               json={"status": "completed", "progress": 100})
            if round_no % 5 == 1 and device:
                summary, entries = scan_payload(device["id"], rng, files_per_scan)
                scan = await rec.call(client, "scan.upload", "POST", "/scans", json=summary)
                if scan:
                    await rec.call(client, "scan.files", "POST", f"/scans/{scan['id']}/files",
                                   json={"files": entries})


def pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))] * 1000


async def run(args, base: str) -> dict:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        tokens = []
        for i in range((args.devices + 3) // 4):
            r = await client.post("/auth/register", json={"email": f"bench-{i}-{uuid.uuid4().hex[:6]}@ex.org",
                                                          "password": "benchmark password"})
            r.raise_for_status()
            tokens.append(r.json()["data"]["access_token"])
    rec = Recorder(args.max_requests, time.monotonic() + args.duration)
    start = time.perf_counter()
    await asyncio.gather(*(device_loop(base, tokens[i // 4], i, rec, args.files_per_scan)
                           for i in range(args.devices)))
    elapsed = time.perf_counter() - start
    every = [x for v in rec.latencies.values() for x in v]
    return {"devices": args.devices, "seconds": round(elapsed, 2), "requests": len(every),
            "requests_per_s": round(len(every) / elapsed, 1), "errors": dict(rec.errors),
            "conflicts": rec.conflicts,
            "p50_ms": round(pct(every, 50), 1), "p95_ms": round(pct(every, 95), 1),
            "p99_ms": round(pct(every, 99), 1), "mean_ms": round(statistics.fmean(every) * 1000, 1),
            "by_kind": {k: {"n": len(v), "p50_ms": round(pct(v, 50), 1), "p95_ms": round(pct(v, 95), 1),
                            "p99_ms": round(pct(v, 99), 1)} for k, v in sorted(rec.latencies.items())}}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--devices", type=int, default=20)
    p.add_argument("--duration", type=float, default=20, help="seconds of load (bounded)")
    p.add_argument("--max-requests", type=int, default=20000, help="stop after this many requests")
    p.add_argument("--files-per-scan", type=int, default=200)
    p.add_argument("--database-url", help="default: SQLite in a temp folder")
    p.add_argument("--redis-url")
    p.add_argument("--server-url", help="load an already running server (e.g. http://127.0.0.1:8000) "
                                        "instead of starting one")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args()
    if args.server_url:
        result = asyncio.run(run(args, args.server_url.rstrip("/") + "/api/v1"))
    else:
        result = start_and_run(args)
    report(args, result)
    return 0


def start_and_run(args) -> dict:
    with tempfile.TemporaryDirectory(prefix="fo-bench-") as tmp:
        port = free_port()
        proc = start_server(Path(tmp), port, args.database_url, args.redis_url)
        try:
            result = asyncio.run(run(args, f"http://127.0.0.1:{port}/api/v1"))
        finally:
            proc.terminate()
            proc.wait(15)
    return result


def report(args, result: dict) -> None:
    result["database"] = "postgresql" if args.database_url else "sqlite"
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['devices']} devices, {result['database']}, {result['seconds']} s: "
          f"{result['requests']} requests, {result['requests_per_s']} req/s, "
          f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms, "
          f"errors {result['errors'] or 0}, version conflicts {result['conflicts']}")
    for kind, s in result["by_kind"].items():
        print(f"  {kind:18} n={s['n']:6}  p50 {s['p50_ms']:7} ms  p95 {s['p95_ms']:7} ms  "
              f"p99 {s['p99_ms']:7} ms")


if __name__ == "__main__":
    raise SystemExit(main())
