"""Simulator throughput: a paged listing of 10,000 servers, and single GETs per second.

Run: ``.venv/bin/python benchmarks/simulator_throughput.py [--servers 10000] [--seconds 5]``.
The simulator runs in its own process over HTTPS (verified with its CA); the client uses one
keep-alive ``requests`` session per thread. Results go to stdout and docs/benchmarks/simulator.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import threading
import time
from pathlib import Path

import orjson
import requests

from _simproc import RunningSimulator, simulator_process

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks" / "simulator.json"


def session_for(sim: RunningSimulator) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE must not replace the simulator's CA
    session.verify = sim.ca_file
    session.headers["X-API-Version"] = "2800"
    reply = session.post(
        f"{sim.url}/rest/login-sessions", json={"userName": sim.username, "password": sim.password}
    )
    reply.raise_for_status()
    session.headers["Auth"] = reply.json()["sessionID"]
    return session


def full_listing(sim: RunningSimulator, repeats: int) -> dict[str, float]:
    session = session_for(sim)
    timings, pages, members = [], 0, 0
    for _ in range(repeats):
        started = time.perf_counter()
        pages, members = 0, 0
        next_uri = "/rest/server-hardware?start=0&count=-1"
        while next_uri:
            page = orjson.loads(session.get(sim.url + next_uri).content)
            pages += 1
            members += len(page["members"])
            next_uri = page.get("nextPageUri")
        timings.append(time.perf_counter() - started)
    return {
        "servers": members,
        "pages": pages,
        "best_s": min(timings),
        "median_s": statistics.median(timings),
        "repeats": repeats,
    }


def single_gets(sim: RunningSimulator, seconds: float, threads: int) -> dict[str, float]:
    probe = session_for(sim)
    uris = [
        m["uri"] for m in probe.get(sim.url + "/rest/server-hardware?count=32").json()["members"]
    ]
    counts = [0] * threads
    stop = threading.Event()

    def worker(index: int) -> None:
        session = session_for(sim)
        n = 0
        while not stop.is_set():
            reply = session.get(sim.url + uris[n % len(uris)])
            if reply.status_code != 200:
                raise RuntimeError(reply.text)
            n += 1
        counts[index] = n

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "threads": threads,
        "requests": sum(counts),
        "seconds": round(elapsed, 2),
        "per_second": sum(counts) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with simulator_process("--servers", str(args.servers)) as sim:
        listing = full_listing(sim, args.repeats)
        gets = [single_gets(sim, args.seconds, threads) for threads in (1, 2)]
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "listing": listing,
        "single_gets": gets,
        "targets": {"listing_s": 1.0, "gets_per_s": 1000},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"full listing of {listing['servers']} servers in {listing['pages']} pages: "
        f"best {listing['best_s']:.3f} s, median {listing['median_s']:.3f} s (target < 1 s)"
    )
    for row in gets:
        print(
            f"single GETs, {row['threads']} client thread(s): {row['per_second']:.0f}/s "
            f"over {row['seconds']} s (target >= 1000/s)"
        )


if __name__ == "__main__":
    main()
