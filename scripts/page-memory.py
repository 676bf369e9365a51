#!/usr/bin/env python3
"""Measures a running `vesper serve`'s resident memory while clients read the largest pages.

Stores --jobs jobs whose payloads are --payload-bytes each (1 MiB by default, the largest a node
accepts), then has --clients concurrent clients read `GET /jobs?limit=1000` for --rounds rounds,
following every next_cursor to the end. Prints the node's peak RSS (sampled every 10 ms from
/proc), the RSS after, and how long /health took while the pages were read. Usage:

    MAX_BODY_BYTES=2000000 API_ADDR=127.0.0.1:8099 WORKERS=1 vesper serve &
    scripts/page-memory.py --url http://127.0.0.1:8099 --pid $!
"""
import argparse
import json
import threading
import time

from node_probe import connect as connect_to
from node_probe import request, rss_mib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--payload-bytes", type=int, default=1 << 20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    def connect():
        return connect_to(args.url, timeout=300)

    # The payload is a JSON string whose encoded form is exactly --payload-bytes long.
    payload = '"' + "p" * (args.payload_bytes - 2) + '"'
    feeder = connect()
    for index in range(args.jobs):
        body = '{"type":"page.memory","delay":"1h","payload":%s}' % payload
        status, text = request(feeder, "POST", "/jobs", body)
        if status != 201:
            raise SystemExit(f"POST /jobs answered {status}: {text[:200]!r}")
    baseline = rss_mib(args.pid)

    peak = [baseline]
    health = []
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mib(args.pid))
            time.sleep(0.01)

    def probe():
        connection = connect()
        while not done.is_set():
            started = time.monotonic()
            request(connection, "GET", "/health")
            health.append(time.monotonic() - started)
            time.sleep(0.1)

    pages = [0] * args.clients
    largest = [0] * args.clients

    def read_pages(slot):
        connection = connect()
        for _ in range(args.rounds):
            cursor = None
            while True:
                path = "/jobs?limit=1000" + (f"&cursor={cursor}" if cursor else "")
                status, text = request(connection, "GET", path)
                if status != 200:
                    raise SystemExit(f"GET {path} answered {status}")
                pages[slot] += 1
                largest[slot] = max(largest[slot], len(text))
                cursor = json.loads(text)["next_cursor"]
                if cursor is None:
                    break

    threads = [threading.Thread(target=sample), threading.Thread(target=probe)]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    readers = [threading.Thread(target=read_pages, args=(slot,)) for slot in range(args.clients)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    elapsed = time.monotonic() - started
    done.set()
    for thread in threads:
        thread.join()
    time.sleep(2)
    health.sort()
    print(f"jobs {args.jobs} x {args.payload_bytes} B payloads; {args.clients} clients x {args.rounds} rounds; "
          f"{sum(pages)} pages in {elapsed:.1f} s, largest response {max(largest) / 1048576:.1f} MiB")
    print(f"RSS before {baseline:.0f} MiB, peak {peak[0]:.0f} MiB, 2 s after {rss_mib(args.pid):.0f} MiB")
    if health:
        print(f"/health during the reads: p50 {health[len(health) // 2] * 1000:.1f} ms, max {health[-1] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
