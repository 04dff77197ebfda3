#!/usr/bin/env bash
# Measures kinesisd against kinesalite and kinesis-local (kinesis-mock) in one run, on this machine.
# Each server in turn is pinned to CPU 0 with one shard and no throughput limits; the load generator
# (bench/loadgen: one thread, asynchronous) runs pinned to CPU 1. Prints one JSON line per measurement, then
# the ratios. Usage: bench/compare.sh [SECONDS]   (default 10 s per measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
scripts/build release >/dev/null
if [ ! -d bench/peers/node_modules ]; then (cd bench/peers && npm ci --no-audit --no-fund >/dev/null); fi
loadgen=build/release/bench/loadgen
work=$(mktemp -d)
server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; server_pid=""; }
trap 'stop_server; rm -rf "$work"' EXIT

wait_port() {  # port
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$1/"; then return 0; fi
    sleep 0.1
  done
  echo "server on port $1 did not start" >&2
  exit 1
}
measure() {  # name port
  local name=$1 port=$2
  curl -s -o /dev/null -XPOST -H 'X-Amz-Target: Kinesis_20131202.CreateStream' \
    -H 'Content-Type: application/x-amz-json-1.1' -H 'X-Amz-Date: 20261122T000000Z' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00' \
    -d '{"StreamName":"bench","ShardCount":1}' "http://127.0.0.1:$port/"
  sleep 1.5  # CREATING -> ACTIVE in every server
  for spec in "put-records 4" "put-record 16"; do
    set -- $spec
    printf '{"server":"%s",' "$name"
    taskset -c 1 "$loadgen" --port "$port" --op "$1" --connections "$2" --seconds "$seconds" | cut -c2-
  done
}

taskset -c 0 build/release/kinesisd --listen 127.0.0.1:24567 --data-dir "$work/kinesisd" --create-stream-ms 500 \
  --throughput-limits off --io-threads 1 --log-level warn &
server_pid=$!
wait_port 24567
measure kinesisd 24567 | tee -a "$work/results"
stop_server

taskset -c 0 node bench/peers/node_modules/kinesalite/cli.js --port 24568 --createStreamMs 500 >/dev/null &
server_pid=$!
wait_port 24568
measure kinesalite 24568 | tee -a "$work/results"
stop_server

(cd bench/peers/node_modules/kinesis-local && KINESIS_MOCK_PLAIN_PORT=24569 KINESIS_MOCK_TLS_PORT=24570 \
  CREATE_STREAM_DURATION=500ms LOG_LEVEL=ERROR SHOULD_PERSIST_DATA=false exec taskset -c 0 node main.js >/dev/null 2>&1) &
server_pid=$!
wait_port 24569
measure kinesis-local 24569 | tee -a "$work/results"
stop_server

python3 - "$work/results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["server"], r["op"]): r for r in rows}
for op, key in (("put-records", "records_per_s"), ("put-record", "calls_per_s")):
    ours = by[("kinesisd", op)][key]
    for peer in ("kinesalite", "kinesis-local"):
        theirs = by.get((peer, op), {}).get(key, 0)
        ratio = f"{ours / theirs:.1f}x" if theirs else "n/a (peer answered no call)"
        print(f"{op:12s} {key:14s} kinesisd {ours:>10,.0f}  {peer:14s} {theirs:>10,.0f}  ratio {ratio}")
PY
