#!/usr/bin/env python3
"""A Vesper worker in Python, using only the standard library.

It long-polls a node for jobs (POST /claims), heartbeats each job while its handler runs
(POST /jobs/{id}/heartbeat), and reports the outcome (POST /jobs/{id}/complete or /fail), always
with the attempt number the claim returned: that number is the fencing token, so a worker whose
lease was lost (it stalled, the job was handed to someone else) is told 409 and changes nothing.

    VESPER_URL=http://127.0.0.1:8080 python3 worker.py --name py-1 --types py.echo,py.sleep,py.fail

Handlers are plain functions from the payload to a result; raise Permanent for a failure that
must not be retried, any other exception for one that should be.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request


class Permanent(Exception):
    """A failure that retrying cannot fix: the job goes to `failed` at once."""


def echo(payload):
    return payload


def sleep(payload):
    time.sleep(float(payload.get("seconds", 1)))
    return {"slept": payload.get("seconds", 1)}


def fail(payload):
    if payload.get("permanent"):
        raise Permanent(payload.get("message", "py.fail was told to fail for good"))
    raise RuntimeError(payload.get("message", "py.fail always fails"))


HANDLERS = {"py.echo": echo, "py.sleep": sleep, "py.fail": fail}


class Conflict(Exception):
    """409: the attempt is no longer current (or ran past its deadline)."""


class Client:
    def __init__(self, base_url, token=None):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def post(self, path, body, timeout):
        request = urllib.request.Request(
            self.base_url + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json"})
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")
            if error.code == 409:
                raise Conflict(detail) from None
            raise RuntimeError(f"POST {path}: {error.code} {detail}") from None


class Heartbeat(threading.Thread):
    """Extends one job's lease every interval until stopped or told the attempt is stale."""

    def __init__(self, client, job_id, attempt, interval):
        super().__init__(daemon=True)
        self.client, self.job_id, self.attempt, self.interval = client, job_id, attempt, interval
        self.stopped = threading.Event()
        self.lost = False

    def run(self):
        while not self.stopped.wait(self.interval):
            try:
                self.client.post(f"/jobs/{self.job_id}/heartbeat", {"attempt": self.attempt}, timeout=10)
            except Conflict as conflict:
                log(f"job {self.job_id}: lease lost ({conflict}); its result will be refused")
                self.lost = True
                return
            except Exception as error:  # a network blip: the next beat may get through
                log(f"job {self.job_id}: heartbeat failed: {error}")


def log(message):
    print(f"python-worker: {message}", file=sys.stderr, flush=True)


def run_job(client, lease, heartbeat_interval):
    job, attempt = lease["job"], lease["attempt"]
    job_id = job["job_id"]
    beat = Heartbeat(client, job_id, attempt, heartbeat_interval)
    beat.start()
    try:
        result = HANDLERS[job["type"]](job["payload"])
        outcome = ("complete", {"attempt": attempt, "result": result})
    except Permanent as error:
        outcome = ("fail", {"attempt": attempt, "error": str(error), "retryable": False})
    except Exception as error:
        outcome = ("fail", {"attempt": attempt, "error": f"{type(error).__name__}: {error}", "retryable": True})
    finally:
        beat.stopped.set()
        beat.join()
    try:
        answer = client.post(f"/jobs/{job_id}/{outcome[0]}", outcome[1], timeout=30)
        log(f"job {job_id} ({job['type']}) attempt {attempt}: {answer['status']}")
    except Conflict as conflict:
        log(f"job {job_id} attempt {attempt}: refused as stale, nothing changed ({conflict})")


def main():
    parser = argparse.ArgumentParser(description="A Vesper worker in Python (standard library only).")
    parser.add_argument("--url", default=os.environ.get("VESPER_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--token", default=os.environ.get("VESPER_TOKEN"), help="a worker-role token")
    parser.add_argument("--name", default=f"py-{os.uname().nodename}-{os.getpid()}")
    parser.add_argument("--types", default=",".join(HANDLERS), help="comma-separated job types to claim")
    parser.add_argument("--queues", default=None, help="comma-separated queues (default: every queue)")
    parser.add_argument("--max", type=int, default=1, help="most jobs per claim, run at once")
    parser.add_argument("--wait", default="30s", help="how long one claim waits for work")
    parser.add_argument("--exit-when-idle", action="store_true", help="stop once a claim comes back empty")
    args = parser.parse_args()

    client = Client(args.url, args.token)
    stopping = threading.Event()
    # A parent may start us with these signals blocked (the mask survives exec): unblock them, then
    # finish the jobs in hand and stop once the current claim returns.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    claim = {"worker": args.name, "types": args.types.split(","), "max": args.max, "wait": args.wait}
    if args.queues:
        claim["queues"] = args.queues.split(",")
    log(f"{args.name} claiming {claim['types']} from {args.url}")
    while not stopping.is_set():
        try:
            answer = client.post("/claims", claim, timeout=90)
        except Exception as error:
            log(f"claim failed: {error}; retrying in 1s")
            time.sleep(1)
            continue
        if not answer["jobs"] and args.exit_when_idle:
            break
        # One thread per job: --max is this worker's concurrency, and every held job is heartbeated.
        threads = [threading.Thread(target=run_job, args=(client, lease, answer["heartbeat_interval_seconds"]))
                   for lease in answer["jobs"]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    log("stopped")


if __name__ == "__main__":
    main()
