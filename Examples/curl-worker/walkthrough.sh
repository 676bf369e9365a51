#!/usr/bin/env bash
# The worker protocol by hand: enqueue a job, claim it, heartbeat it, complete it, and see a
# repeated completion refused. Run it against a node: VESPER_URL=http://127.0.0.1:8080 bash walkthrough.sh
# (add -H "Authorization: Bearer $VESPER_TOKEN" to each call when the node has API_TOKENS).
set -euo pipefail
url=${VESPER_URL:-http://127.0.0.1:8080}
field() { python3 -c 'import json, sys; value = json.load(sys.stdin); [value := value[int(k) if k.isdigit() else k] for k in sys.argv[1].split(".")]; print(value)' "$1"; }
post() { curl -sS -X POST "$url$1" -H 'Content-Type: application/json' -d "$2"; }

echo "# enqueue"
post /jobs '{"type":"email.send","payload":{"to":"ada@example.com"}}'; echo

echo "# claim: up to 10 jobs of this type, waiting up to 5s for one"
claim=$(post /claims '{"worker":"curl-1","types":["email.send"],"max":10,"wait":"5s"}')
echo "$claim"
id=$(echo "$claim" | field jobs.0.job.job_id)
attempt=$(echo "$claim" | field jobs.0.attempt)

echo "# heartbeat: extends the lease (do this every heartbeat_interval_seconds while working)"
post "/jobs/$id/heartbeat" "{\"attempt\":$attempt}"; echo

echo "# complete"
post "/jobs/$id/complete" "{\"attempt\":$attempt,\"result\":{\"sent\":true}}"; echo

echo "# complete again: the attempt is no longer current, so 409 and nothing changes"
curl -sS -w ' (HTTP %{http_code})\n' -X POST "$url/jobs/$id/complete" -H 'Content-Type: application/json' -d "{\"attempt\":$attempt}"
