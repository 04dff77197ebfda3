#!/usr/bin/env python3
"""End-to-end latency of SubscribeToShard (enhanced fan-out) on loopback: PutRecord to event delivery.

A benchmark, not a test: it prints figures and checks only that every record arrived once.

Starts kinesisd (path from argv[1], else $KINESISD_BIN, else build/release/kinesisd) on a free port with a temp
data dir and --throughput-limits off, creates a 1-shard stream and a consumer, and subscribes with boto3
(HTTP/1.1, the event stream as a chunked body) in a thread. The main thread then puts N records (default 500),
one PutRecord at a time, pausing a random 5-10 ms between them. Each record carries its index and its send time.
For every record it measures, on one monotonic clock in one process:

  ack -> delivery   the subscriber thread decoded the event carrying it, minus the moment PutRecord returned
                    (can be negative: the event may be decoded before the put's answer is)
  send -> delivery  ... minus the moment PutRecord was called (one request round trip more)

and prints p50/p90/p99/max in milliseconds. With --js the same is measured with the AWS SDK for JavaScript v3
over HTTP/2 (bench/fanout_latency.mjs, using tests/js/node_modules): the default request handler for the
subscription, one multiplexed HTTP/2 session for the puts.

Usage: bench/fanout_latency.py [KINESISD_BIN] [--records N] [--js] [--record-bytes B]
The issue's goal is under 10 ms p50. One subscription is used per client, without resubscribing, so a run must
end within the 5-minute life of a subscription (500 records take about 5 s).
"""

import argparse
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JS_SCRIPT = os.path.join(REPO, "bench", "fanout_latency.mjs")
HEADER = struct.Struct("<Qd")  # record index, send time (time.perf_counter seconds)

for _var in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_KINESIS", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
    os.environ.pop(_var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def percentiles(values):
    """p50/p90/p99/max (nearest rank) of a list of milliseconds."""
    s = sorted(values)
    if not s:
        return {}

    def rank(p):
        return s[min(len(s) - 1, max(0, int(-(-p * len(s) // 100)) - 1))]
    return {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": s[-1]}


def print_row(label, values):
    p = percentiles(values)
    print("  %-18s p50 %7.2f   p90 %7.2f   p99 %7.2f   max %7.2f   (ms, %d records)"
          % (label, p["p50"], p["p90"], p["p99"], p["max"], len(values)))


def report(title, ack, send, put):
    print(title)
    print_row("ack -> delivery", ack)
    print_row("send -> delivery", send)
    print_row("PutRecord call", put)
    early = sum(1 for x in ack if x < 0)
    if early:
        print("  (%d records were decoded by the subscriber before their PutRecord answer was)" % early)


class Server(object):
    def __init__(self, binary):
        self.binary = binary
        self.tmp = tempfile.mkdtemp(prefix="kinesisd-fanout-")
        self.port_file = os.path.join(self.tmp, "port")
        self.proc = None
        self.port = None

    def start(self):
        log = open(os.path.join(self.tmp, "server.log"), "ab")
        cmd = [self.binary, "--listen", "127.0.0.1:0", "--port-file", self.port_file,
               "--data-dir", os.path.join(self.tmp, "data"), "--throughput-limits", "off",
               "--create-stream-ms", "100", "--log-level", "warn"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("kinesisd exited with %s during start-up" % self.proc.returncode)
            try:
                with open(self.port_file) as f:
                    text = f.read().strip()
                if text.isdigit():
                    self.port = int(text)
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit("kinesisd did not write its port within 20 s")

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def client(url, read_timeout=60):
    import boto3
    import botocore.config
    cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                 connect_timeout=5, read_timeout=read_timeout)
    return boto3.client("kinesis", endpoint_url=url, region_name="us-east-1", aws_access_key_id="any",
                        aws_secret_access_key="any", config=cfg)


def wait_for(what, probe, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.02)
    raise SystemExit("%s: not within %.0f s" % (what, timeout))


def setup(kinesis, stream, consumer):
    """A 1-shard stream and an ACTIVE consumer; returns the consumer's ARN."""
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    wait_for("stream ACTIVE", lambda: kinesis.describe_stream_summary(StreamName=stream)
             ["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE")
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    consumer_arn = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName=consumer)["Consumer"]["ConsumerARN"]
    wait_for("consumer ACTIVE", lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)
             ["ConsumerDescription"]["ConsumerStatus"] == "ACTIVE")
    return consumer_arn


def run_boto3(server, records, record_bytes):
    put_client = client(server.url)
    consumer_arn = setup(put_client, "fanout-py", "latency")
    delivered = {}  # index -> perf_counter at delivery
    embedded = {}  # index -> the send time carried in the record
    duplicates = []
    subscribed = threading.Event()
    all_in = threading.Event()
    failure = []

    def subscriber():
        try:
            sub_client = client(server.url)
            out = sub_client.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId="shardId-000000000000",
                                                StartingPosition={"Type": "LATEST"})
            stream = out["EventStream"]
            try:
                for event in stream:
                    now = time.perf_counter()
                    subscribed.set()  # the first (empty) event: the subscription is live
                    for rec in event["SubscribeToShardEvent"]["Records"]:
                        index, t_send = HEADER.unpack_from(rec["Data"])
                        if index in delivered:
                            duplicates.append(index)
                        delivered[index] = now
                        embedded[index] = t_send
                    if len(delivered) >= records:
                        all_in.set()
                        break
            finally:
                stream.close()
        except Exception as exc:  # reported by the main thread
            failure.append(exc)
            subscribed.set()
            all_in.set()

    thread = threading.Thread(target=subscriber, daemon=True)
    thread.start()
    if not subscribed.wait(10) or failure:
        raise SystemExit("SubscribeToShard did not start: %r" % failure)

    acked = {}
    padding = b"x" * max(0, record_bytes - HEADER.size)
    rng = random.Random(1)
    for i in range(records):
        t_send = time.perf_counter()
        put_client.put_record(StreamName="fanout-py", PartitionKey="k", Data=HEADER.pack(i, t_send) + padding)
        acked[i] = time.perf_counter()
        time.sleep(rng.uniform(0.005, 0.010))
    all_in.wait(15)
    thread.join(5)
    if failure:
        raise SystemExit("subscriber failed: %r" % failure)
    missing = [i for i in range(records) if i not in delivered]
    if missing or duplicates:
        raise SystemExit("records missing: %d (first %r), duplicates: %r" % (len(missing), missing[:5], duplicates[:5]))
    ack = [(delivered[i] - acked[i]) * 1000.0 for i in range(records)]
    send = [(delivered[i] - embedded[i]) * 1000.0 for i in range(records)]
    put_rtt = [(acked[i] - embedded[i]) * 1000.0 for i in range(records)]
    return ack, send, put_rtt


def run_js(server, records, record_bytes):
    node = shutil.which("node")
    if node is None:
        raise SystemExit("--js: node is not installed")
    if not os.path.isdir(os.path.join(REPO, "tests", "js", "node_modules")):
        raise SystemExit("--js: tests/js/node_modules is missing (cd tests/js && npm ci)")
    consumer_arn = setup(client(server.url), "fanout-js", "latency-js")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED": "true"})
    proc = subprocess.run([node, JS_SCRIPT, server.url, "fanout-js", consumer_arn, str(records), str(record_bytes)],
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if proc.returncode != 0:
        raise SystemExit("fanout_latency.mjs failed (%d):\n%s%s" % (proc.returncode, proc.stdout.decode(),
                                                                   proc.stderr.decode()))
    result = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    return result["ack"], result["send"], result["put"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", nargs="?", default=os.environ.get("KINESISD_BIN") or
                        os.path.join(REPO, "build", "release", "kinesisd"))
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--record-bytes", type=int, default=100)
    parser.add_argument("--js", action="store_true", help="also measure the JS SDK over HTTP/2")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        raise SystemExit("kinesisd binary not found at %s" % args.binary)
    args.record_bytes = max(args.record_bytes, HEADER.size)

    server = Server(args.binary)
    try:
        server.start()
        print("kinesisd %s, %d records of %d bytes, one PutRecord every 5-10 ms, 1 shard, loopback"
              % (args.binary, args.records, args.record_bytes))
        report("boto3, HTTP/1.1 (chunked event stream):", *run_boto3(server, args.records, args.record_bytes))
        if args.js:
            report("AWS SDK for JavaScript v3, HTTP/2 (event stream on the default handler):",
                   *run_js(server, args.records, args.record_bytes))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
