"""Soak: mixed load against a real kinesisd for MINUTES, with resharding and restarts; run by scripts/soak.

Threads with boto3 clients of their own: PutRecord and PutRecords writers (unique data, rate-capped), a
GetRecords reader following every shard (resuming AFTER_SEQUENCE_NUMBER after a restart), a SubscribeToShard
reader cycling the open shards, and a resharder (SplitShard, MergeShards, UpdateShardCount in turn). The main
loop restarts the server every few minutes (SIGTERM and kill -9 in turn), samples its RSS and fd count, prints a
line a minute, and ends with a full read-back and a verdict. Exit status 0 only when the verdict is PASS.
"""

import collections
import os
import random
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "e2e"))

from botocore.exceptions import ClientError  # noqa: E402

from crash_support import Target, fresh_client, open_shards, parents_first, read_to_end  # noqa: E402
from dp_support import Server, create_active, iterator, list_all_shards, wait_status  # noqa: E402
from soak_measure import proc_sample, shard_counts, verdict  # noqa: E402

STREAM = "soak"
EXPECTED_CODES = {"ResourceInUseException",     # resubscribing within 5 s; resharding an UPDATING stream
                  "ExpiredIteratorException"}   # reader iterators older than 5 minutes


def set_flag(flags, n):
    """Sets flags[n] (growing the bytearray); returns its previous value."""
    if len(flags) <= n:
        flags.extend(bytes(n + 1 - len(flags) + 4096))
    old, flags[n] = flags[n], 1
    return old


class Stats(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.written = self.read = self.subscribed = 0
        self.errors = collections.Counter()      # this minute
        self.all_errors = collections.Counter()  # whole run
        self.acked = collections.defaultdict(bytearray)   # writer -> flag per record number
        self.corrupt = []

    def add(self, field, n):
        with self.lock:
            setattr(self, field, getattr(self, field) + n)

    def error(self, kind):
        with self.lock:
            self.errors[kind] += 1
            self.all_errors[kind] += 1

    def ack(self, wid, n):
        with self.lock:
            set_flag(self.acked[wid], n)

    def take(self):
        with self.lock:
            out = (self.written, self.read, self.subscribed, dict(self.errors))
            self.written = self.read = self.subscribed = 0
            self.errors.clear()
            return out


def classify(target, gen, exc):
    """An error's kind: connection errors around a restart are expected ('restart'), others are counted apart."""
    if isinstance(exc, ClientError):
        return exc.response["Error"].get("Code", "ClientError")
    if target.gen != gen or target.down:
        return "restart"
    return "unexpected " + type(exc).__name__


def parse(data):
    """(writer, n) of a soak record; raises ValueError for anything else."""
    wid, n, _ = data.split(b":", 2)
    return int(wid[1:]), int(n)


class Worker(threading.Thread):
    def __init__(self, name, target, stats, body):
        super(Worker, self).__init__(daemon=True, name=name)
        self.target, self.stats, self.body = target, stats, body

    def run(self):
        gen, srv = self.target.current()
        while not self.target.stop:
            try:
                self.body(fresh_client(srv), gen)
                gen, srv = self.target.current()  # returned: done, or the server changed
                continue
            except Exception as e:
                kind = classify(self.target, gen, e)
                self.stats.error(kind)
                if kind in EXPECTED_CODES or isinstance(e, ClientError):
                    time.sleep(0.2)
                    continue
            if not self.target.wait_newer(gen):
                return
            gen, srv = self.target.current()


def writer(wid, rate, batch, target, stats, rng):
    state = {"n": 0, "next": time.monotonic()}

    def body(client, gen):
        while not target.stop and target.gen == gen:
            count = batch or 1
            state["next"] += count / rate
            delay = state["next"] - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                state["next"] = time.monotonic()  # behind: do not burst to catch up
            recs = []
            for _ in range(count):
                state["n"] += 1
                recs.append((state["n"], b"w%d:%d:" % (wid, state["n"]) + rng.randbytes(rng.randrange(16, 512))))
            if batch is None:
                n, data = recs[0]
                client.put_record(StreamName=STREAM, Data=data, PartitionKey="k%d" % rng.randrange(64))
                stats.ack(wid, n)
                stats.add("written", 1)
                continue
            resp = client.put_records(StreamName=STREAM, Records=[
                {"Data": d, "PartitionKey": "k%d" % rng.randrange(64)} for _, d in recs])
            for (n, _), res in zip(recs, resp["Records"]):
                if "SequenceNumber" in res:
                    stats.ack(wid, n)
                else:
                    stats.error(res.get("ErrorCode", "record failed"))
            stats.add("written", len(recs) - resp["FailedRecordCount"])
    return body


def check_records(stats, records):
    for r in records:
        try:
            parse(r["Data"])
        except ValueError:
            with stats.lock:
                stats.corrupt.append(r)


def get_records_reader(target, stats):
    last = {}  # shard -> last sequence number read (kept across restarts)

    def body(client, gen):
        its, listed = {}, 0.0
        while not target.stop and target.gen == gen:
            if time.monotonic() - listed > 2:
                for s in list_all_shards(client, StreamName=STREAM):
                    sid = s["ShardId"]
                    if sid not in its:
                        its[sid] = (iterator(client, STREAM, sid, "AFTER_SEQUENCE_NUMBER",
                                             StartingSequenceNumber=last[sid]) if sid in last
                                    else iterator(client, STREAM, sid))
                listed = time.monotonic()
            for sid, it in list(its.items()):
                if it is None:
                    continue
                try:
                    resp = client.get_records(ShardIterator=it, Limit=2000)
                except ClientError as e:
                    if e.response["Error"].get("Code") != "ExpiredIteratorException":
                        raise
                    stats.error("ExpiredIteratorException")
                    del its[sid]  # listed again from its last sequence number
                    continue
                check_records(stats, resp["Records"])
                if resp["Records"]:
                    last[sid] = resp["Records"][-1]["SequenceNumber"]
                stats.add("read", len(resp["Records"]))
                its[sid] = resp.get("NextShardIterator")
            time.sleep(0.25)  # under GetRecords' 5 calls/s per shard
    return body


def subscriber(consumer_arn, target, stats, rng):
    def body(client, gen):
        shards = open_shards(client, STREAM)
        sid = rng.choice(shards)[2]
        out = client.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=sid, StartingPosition={"Type": "LATEST"})
        deadline = time.monotonic() + 20
        for event in out["EventStream"]:
            ev = event.get("SubscribeToShardEvent")
            if ev is not None:
                check_records(stats, ev["Records"])
                stats.add("subscribed", len(ev["Records"]))
            if time.monotonic() > deadline or target.stop or target.gen != gen:
                break
        out["EventStream"].close()
    return body


def resharder(interval, target, rng, log):
    state = {"i": 0}

    def body(client, gen):
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline:
            if target.stop or target.gen != gen:
                return
            time.sleep(0.5)
        wait_status(client, STREAM, "ACTIVE", timeout=30)
        shards = open_shards(client, STREAM)
        op = state["i"] % 3
        state["i"] += 1
        if op == 0 or (op == 1 and len(shards) < 2):
            lo, hi, sid = rng.choice(shards)
            client.split_shard(StreamName=STREAM, ShardToSplit=sid, NewStartingHashKey=str((lo + hi + 1) // 2))
            log("split %s" % sid)
        elif op == 1:
            pairs = [(a[2], b[2]) for a, b in zip(shards, shards[1:]) if a[1] + 1 == b[0]]
            a, b = rng.choice(pairs)
            client.merge_shards(StreamName=STREAM, ShardToMerge=a, AdjacentShardToMerge=b)
            log("merge %s+%s" % (a, b))
        else:
            n = len(shards)
            choices = [k for k in range(2, 7) if k != n and (n + 1) // 2 <= k <= 2 * n]
            k = rng.choice(choices)
            client.update_shard_count(StreamName=STREAM, TargetShardCount=k, ScalingType="UNIFORM_SCALING")
            log("update shard count %d -> %d" % (n, k))
    return body


def read_back(srv, stats):
    """Read the whole stream parents first; returns (acknowledged, lost, duplicates, unknown)."""
    client = fresh_client(srv)
    wait_status(client, STREAM, "ACTIVE", timeout=30)
    seen = collections.defaultdict(bytearray)
    dups = unknown = 0
    for sid in parents_first(list_all_shards(client, StreamName=STREAM)):
        for r in read_to_end(client, STREAM, sid):
            try:
                wid, n = parse(r["Data"])
            except ValueError:
                unknown += 1
                continue
            dups += set_flag(seen[wid], n)
    acked = lost = 0
    for wid, flags in stats.acked.items():
        got = seen[wid]
        for n, a in enumerate(flags):
            if a:
                acked += 1
                lost += n >= len(got) or not got[n]
    return acked, lost, dups, unknown


def main():
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    duration = minutes * 60
    seed = int(os.environ.get("SOAK_SEED") or random.SystemRandom().randrange(1, 2 ** 31))
    rate = float(os.environ.get("SOAK_RATE", "800"))
    restart_every = min(300.0, max(60.0, duration / 4))
    pid_file = os.environ.get("SOAK_PID_FILE")
    print("soak: %.1f min, seed %d, ~%.0f records/s, restart every %.0f s (SIGTERM and kill -9 in turn)"
          % (minutes, seed, rate, restart_every), flush=True)

    srv = Server(create_ms=0, delete_ms=0, update_ms=500)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    target = Target()

    def start():
        srv.start()
        if pid_file:
            with open(pid_file, "w") as f:
                f.write("%d\n" % srv.proc.pid)

    try:
        start()
        t0 = time.monotonic()
        client = fresh_client(srv)
        create_active(client, STREAM, 4)
        arn = client.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamARN"]
        consumer = client.register_stream_consumer(StreamARN=arn, ConsumerName="soak")["Consumer"]["ConsumerARN"]
        while client.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            time.sleep(0.1)
        stats = Stats()
        target.publish(srv)
        events = []  # what happened since the last line
        workers = [Worker("put-record-%d" % i, target, stats,
                          writer(i, rate * 0.15, None, target, stats, random.Random(seed + i))) for i in range(2)]
        workers += [Worker("put-records-%d" % i, target, stats,
                           writer(10 + i, rate * 0.35, 50, target, stats, random.Random(seed + 10 + i)))
                    for i in range(2)]
        workers += [Worker("get-records", target, stats, get_records_reader(target, stats)),
                    Worker("subscribe", target, stats, subscriber(consumer, target, stats, random.Random(seed + 20))),
                    Worker("reshard", target, stats, resharder(45.0, target, random.Random(seed + 30), events.append))]
        for w in workers:
            w.start()

        samples = []  # (t, rss KiB, fds, seconds since this process started, log fds, deleted-file fds, shards)
        life_start, next_sample, next_line, next_restart, kill = t0, t0, t0 + 60, t0 + restart_every, False
        def minute_line(now, seconds):
            written, read, subscribed, errors = stats.take()
            _, rss, fds, _, logs, deleted, (shards, open_now) = samples[-1]
            print("t=%5.1fmin pid=%d rss=%.1fMiB fds=%d (logs %d, deleted %d; shards %d, open %d) "
                  "written=%.0f/s read=%.0f/s subscribed=%.0f/s errors=%s%s"
                  % ((now - t0) / 60, srv.proc.pid, rss / 1024.0, fds, logs, deleted, shards, open_now,
                     written / seconds, read / seconds, subscribed / seconds,
                     ",".join("%s:%d" % kv for kv in sorted(errors.items())) or "none",
                     ("  [" + "; ".join(events) + "]") if events else ""), flush=True)
            del events[:]

        restarts = 0
        while True:
            now = time.monotonic()
            if now >= t0 + duration:
                break
            if now >= next_sample:
                s = proc_sample(srv.proc.pid)
                if s is not None:
                    samples.append((now - t0, s[0], s[1], now - life_start, s[2], s[3], shard_counts(srv)))
                next_sample += 5
            if now >= next_line:
                minute_line(now, 60.0)
                next_line += 60
            if now >= next_restart:
                target.going_down()
                how = "kill -9" if kill else "SIGTERM"
                rc = srv.kill9() if kill else srv.terminate(timeout=10)
                began = time.monotonic()
                start()
                target.publish(srv)
                restarts += 1
                events.append("restart %d: %s (exit %s), up again in %.2fs"
                              % (restarts, how, rc, time.monotonic() - began))
                life_start, kill, next_restart = time.monotonic(), not kill, now + restart_every
            time.sleep(0.2)

        if time.monotonic() - (next_line - 60) > 10:
            minute_line(time.monotonic(), time.monotonic() - (next_line - 60))
        elif events:
            print("since the last line: %s" % "; ".join(events))
        target.shutdown()
        for w in workers:
            w.join(30)
        # Read back on a server without throughput limits (GetRecords' 5 calls/s per shard would pace it).
        srv.extra_args = ["--throughput-limits", "off"]
        srv.restart()
        acked, lost, dups, unknown = read_back(srv, stats)
        return verdict(samples, duration, stats, acked, lost, dups, unknown, restarts)
    finally:
        target.shutdown()
        srv.stop()


if __name__ == "__main__":
    sys.exit(main())
