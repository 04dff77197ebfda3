"""Crash-test machinery for tests/e2e/test_crash_*.py: writers, a live reader, kill -9 rounds, the final audit.

Writers (PutRecord and PutRecords, each a thread with its own boto3 client that never retries) send records
whose data is unique (``w<writer>|<n>|`` + random bytes), so a record served twice is a duplicate the server
made, never a retry the client made. Every record is entered in the ``Ledger`` before it is sent and marked
acknowledged when a 200 (or a per-record success of PutRecords) names its shard and sequence number. The
controller kills the server with SIGKILL at random moments and restarts it on the same data dir; the writers
move to the new port. The audit then checks what the README's "Durability" section promises.

The seed (printed; ``KINESISD_CRASH_SEED`` replays it) drives kill timing, data sizes, keys and batch sizes.
"""

import itertools
import os
import random
import threading
import time

from botocore.exceptions import ClientError

from dp_support import iterator, list_all_shards, wait_status

LIMITS_OFF = ["--throughput-limits", "off"]


def crash_seed():
    seed = int(os.environ.get("KINESISD_CRASH_SEED") or random.SystemRandom().randrange(1, 2 ** 31))
    print("crash seed=%d (replay: KINESISD_CRASH_SEED=%d)" % (seed, seed), flush=True)
    return seed


class Record(object):
    __slots__ = ("data", "key", "writer", "sent_tick", "shard", "seq", "ack_tick")

    def __init__(self, data, key, writer, tick):
        self.data, self.key, self.writer, self.sent_tick = data, key, writer, tick
        self.shard = self.seq = self.ack_tick = None


class Ledger(object):
    """Everything sent; what was acknowledged; per (writer, key) the acknowledgement order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ticks = itertools.count(1)
        self.sent = {}          # data -> Record
        self.ack_order = {}     # (writer, key) -> [Record] in acknowledgement order
        self.errors = []        # ClientErrors and per-record failures (the server answered, and said no)
        self.seen_live = {}     # data -> (shard, seq) as GetRecords served it during the rounds
        self.acked_shards = set()

    def tick(self):
        with self.lock:
            return next(self.ticks)

    def send(self, data, key, writer):
        with self.lock:
            rec = Record(data, key, writer, next(self.ticks))
            assert data not in self.sent, "writer produced a duplicate payload"
            self.sent[data] = rec
            return rec

    def ack(self, rec, shard, seq):
        with self.lock:
            rec.shard, rec.seq, rec.ack_tick = shard, seq, next(self.ticks)
            self.acked_shards.add(shard)
            self.ack_order.setdefault((rec.writer, rec.key), []).append(rec)

    def error(self, what):
        with self.lock:
            self.errors.append(what)

    def acked(self):
        return [r for r in self.sent.values() if r.seq is not None]


class Target(object):
    """The current server (url, pid); ``gen`` grows with every (re)start."""

    def __init__(self):
        self.cond = threading.Condition()
        self.gen, self.server, self.stop = 0, None, False
        self.down = False  # set before the server is stopped, cleared by publish (the soak classifies errors)

    def going_down(self):
        self.down = True

    def publish(self, server):
        with self.cond:
            self.gen += 1
            self.down = False
            self.server = (server.url, server.proc.pid)  # a snapshot: the Server's port changes on restart
            self.cond.notify_all()

    def current(self):
        with self.cond:
            return self.gen, self.server

    def wait_newer(self, gen):
        """Block until a restart after ``gen`` (or stop); False when stopping."""
        with self.cond:
            self.cond.wait_for(lambda: self.gen > gen or self.stop, timeout=60)
            return not self.stop

    def shutdown(self):
        with self.cond:
            self.stop = True
            self.cond.notify_all()


_local = threading.local()


def fresh_client(server):
    """A single-attempt client of this thread's own for ``server`` (a Server, or ``Target``'s (url, pid)).

    One per server process: a restart may get the same port, and the old client's pooled connections are dead.
    """
    url, pid = server if isinstance(server, tuple) else (server.url, server.proc.pid)
    if getattr(_local, "url", None) != (url, pid):
        import boto3
        import botocore.config
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                     connect_timeout=5, read_timeout=30)
        old = getattr(_local, "client", None)
        if old is not None:
            old.close()
        _local.client = boto3.client(
            "kinesis", region_name="us-east-1", endpoint_url=url,
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret", config=cfg)
        _local.url = (url, pid)
    return _local.client


class Writer(threading.Thread):
    """PutRecord (batch=None) or PutRecords writer on a few partition keys of its own."""

    def __init__(self, wid, stream, target, ledger, seed, batch=None, keys=3):
        super(Writer, self).__init__(daemon=True, name="writer-%d" % wid)
        self.wid, self.stream, self.target, self.ledger, self.batch = wid, stream, target, ledger, batch
        self.rng = random.Random(seed * 1000 + wid)
        self.keys = ["w%d-k%d" % (wid, i) for i in range(keys)]
        self.n = 0
        self.failure = None

    def payload(self):
        self.n += 1
        # Every byte value may occur: boto3 has to decode all of them.
        return b"w%d|%d|" % (self.wid, self.n) + bytes(self.rng.getrandbits(8)
                                                      for _ in range(16 + self.rng.randrange(300)))

    def run(self):
        try:
            self._run()
        except BaseException as e:  # surfaced by the controller
            self.failure = e

    def _run(self):
        gen, server = self.target.current()
        while not self.target.stop:
            client = fresh_client(server)
            try:
                if self.batch is None:
                    rec = self.ledger.send(self.payload(), self.rng.choice(self.keys), self.wid)
                    resp = client.put_record(StreamName=self.stream, Data=rec.data, PartitionKey=rec.key)
                    self.ledger.ack(rec, resp["ShardId"], resp["SequenceNumber"])
                else:
                    recs = [self.ledger.send(self.payload(), self.rng.choice(self.keys), self.wid)
                            for _ in range(1 + self.rng.randrange(self.batch))]
                    resp = client.put_records(StreamName=self.stream,
                                              Records=[{"Data": r.data, "PartitionKey": r.key} for r in recs])
                    assert len(resp["Records"]) == len(recs), resp
                    for r, res in zip(recs, resp["Records"]):
                        if "SequenceNumber" in res:
                            self.ledger.ack(r, res["ShardId"], res["SequenceNumber"])
                        else:
                            self.ledger.error("%s: %s" % (res.get("ErrorCode"), res.get("ErrorMessage")))
                continue
            except ClientError as e:
                self.ledger.error("%s: %s" % (e.response["Error"].get("Code"), e))
                continue
            except Exception:
                pass  # connection refused, reset or closed mid-answer: the server is gone
            if not self.target.wait_newer(gen):
                return
            gen, server = self.target.current()


class LiveReader(threading.Thread):
    """Follows every shard while the writers run; every answer must decode and hold only records sent."""

    def __init__(self, stream, target, ledger):
        super(LiveReader, self).__init__(daemon=True, name="live-reader")
        self.stream, self.target, self.ledger = stream, target, ledger
        self.failure = None
        self.calls = 0

    def run(self):
        try:
            self._run()
        except BaseException as e:
            self.failure = e

    def _run(self):
        gen, server = self.target.current()
        while not self.target.stop:
            its, listed = {}, 0.0  # shard -> iterator (None once read to its end)
            try:
                client = fresh_client(server)
                while not self.target.stop:
                    if time.monotonic() - listed > 0.3:  # pick up children of splits and merges
                        for s in list_all_shards(client, StreamName=self.stream):
                            if s["ShardId"] not in its:
                                its[s["ShardId"]] = iterator(client, self.stream, s["ShardId"])
                        listed = time.monotonic()
                    for sid, it in list(its.items()):
                        if it is None:
                            continue
                        resp = client.get_records(ShardIterator=it, Limit=500)
                        self.calls += 1
                        self.check(sid, resp["Records"])
                        its[sid] = resp.get("NextShardIterator")
                    time.sleep(0.01)
            except (ClientError, AssertionError):
                raise
            except Exception:
                pass  # the server is gone
            if not self.target.wait_newer(gen):
                return
            gen, server = self.target.current()

    def check(self, sid, records):
        with self.ledger.lock:
            for r in records:
                rec = self.ledger.sent.get(r["Data"])
                assert rec is not None, "GetRecords served a record never sent: %r" % (r,)
                assert r["PartitionKey"] == rec.key, (r, rec.key)
                prev = self.ledger.seen_live.setdefault(r["Data"], (sid, r["SequenceNumber"]))
                assert prev == (sid, r["SequenceNumber"]), ("served twice", prev, sid, r)


def read_to_end(client, stream, sid, max_calls=10000):
    """Every record of a shard: to its end (closed) or its tip (open)."""
    it, records = iterator(client, stream, sid), []
    for _ in range(max_calls):
        resp = client.get_records(ShardIterator=it, Limit=10000)
        records.extend(resp["Records"])
        it = resp.get("NextShardIterator")
        if it is None or (not resp["Records"] and resp.get("MillisBehindLatest") == 0):
            return records
    raise AssertionError("%s not drained after %d GetRecords calls" % (sid, max_calls))


def parents_first(shards):
    """Shard ids ordered so that every parent comes before its children (the KCL's reading order)."""
    by_id = {s["ShardId"]: s for s in shards}
    done, order = set(), []

    def visit(sid):
        if sid in done or sid not in by_id:
            return
        done.add(sid)
        for p in (by_id[sid].get("ParentShardId"), by_id[sid].get("AdjacentParentShardId")):
            visit(p)
        order.append(sid)

    for s in shards:
        visit(s["ShardId"])
    return order


def open_shards(client, stream):
    """[(start, end, shard_id)] of the open shards, by hash range."""
    return sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]), s["ShardId"])
                  for s in list_all_shards(client, StreamName=stream)
                  if "EndingSequenceNumber" not in s["SequenceNumberRange"])


def reshard_once(client, stream, rng, max_open=4):
    """Wait for ACTIVE, then split a random open shard (or merge two neighbours once ``max_open`` are open)."""
    wait_status(client, stream, "ACTIVE", timeout=15)
    shards = open_shards(client, stream)
    if len(shards) < max_open:
        lo, hi, sid = rng.choice(shards)
        client.split_shard(StreamName=stream, ShardToSplit=sid, NewStartingHashKey=str((lo + hi + 1) // 2))
        return "split %s" % sid
    pairs = [(a[2], b[2]) for a, b in zip(shards, shards[1:]) if a[1] + 1 == b[0]]
    a, b = rng.choice(pairs)
    client.merge_shards(StreamName=stream, ShardToMerge=a, AdjacentShardToMerge=b)
    return "merge %s+%s" % (a, b)
