#!/usr/bin/env python3
"""Feeds a running `vesper serve` N no-op jobs over HTTP and prints its resident memory as it goes.

The node is a separate process, so the load generator's own bookkeeping is not counted. Jobs are
posted in `POST /jobs/batch` requests of --batch, and the feeder keeps at most --backlog jobs
outstanding (read from GET /stats), so what grows is the number of jobs the node has worked, not a
queue. Usage (the node's pid and its URL):

    WORKERS=16 API_ADDR=127.0.0.1:8099 vesper serve & 
    scripts/memory-soak.py --url http://127.0.0.1:8099 --pid $! --jobs 1000000
"""
import argparse
import json
import time

from node_probe import connect, rss_mib
from node_probe import request as send


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--every", type=int, default=100_000, help="print a line every this many jobs done")
    parser.add_argument("--backlog", type=int, default=20_000)
    args = parser.parse_args()

    connection = connect(args.url)

    def request(method, path, body=None):
        status, payload = send(connection, method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {payload[:200]!r}")
        return json.loads(payload)

    def done():
        return request("GET", "/stats")["jobs"]["done"]

    batch = json.dumps({"jobs": [{"type": "demo.noop", "payload": {"n": i}} for i in range(args.batch)]})
    start = time.time()
    baseline = done()
    print(f"jobs done | rss MiB | seconds   (rss at start {rss_mib(args.pid):.1f} MiB)", flush=True)
    submitted = 0
    next_report = args.every
    while True:
        finished = done() - baseline
        while finished >= next_report:
            print(f"{next_report:>9} | {rss_mib(args.pid):7.1f} | {time.time() - start:7.1f}", flush=True)
            next_report += args.every
        if finished >= args.jobs:
            break
        if submitted < args.jobs and submitted - finished < args.backlog:
            request("POST", "/jobs/batch", batch)
            submitted += args.batch
        else:
            time.sleep(0.05)
    time.sleep(5)
    print(f"idle 5 s later: rss {rss_mib(args.pid):.1f} MiB", flush=True)


if __name__ == "__main__":
    main()
