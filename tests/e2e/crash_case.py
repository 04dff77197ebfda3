"""CrashTestCase: writers and a live reader against a server killed with SIGKILL at random moments, then an audit.

What the audit asserts follows from the README's "Durability" promises (an acknowledged record survives kill -9
under every --fsync policy) and the resharding contract (children's sequence numbers exceed their parents'):

* every acknowledged record is served exactly once, in the shard and with the sequence number, partition key
  and bytes its acknowledgement named;
* a record never acknowledged may be missing, but is never served twice (its data is unique);
* nothing is served that was never sent, and every GetRecords answer decodes (boto3 decodes every byte);
* sequence numbers strictly increase within a shard, and for one writer's records on one key they increase in
  acknowledgement order, and the parents-first reading order serves them in that order;
* a record the live reader saw during the rounds is served again at the same shard and sequence number;
* after the last restart a new record in each open shard gets a sequence number above everything there.
"""

import os
import random
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash_support import (LIMITS_OFF, Ledger, LiveReader, Target, Writer, crash_seed,  # noqa: E402
                           fresh_client, open_shards, parents_first, read_to_end, reshard_once)
from dp_support import Server, create_active, list_all_shards, unique_name, wait_status  # noqa: E402


class CrashTestCase(unittest.TestCase):
    shards = 2
    rounds = 5
    put_record_writers = 2
    put_records_writers = 2
    batch = 40

    def setUp(self):
        self.seed = crash_seed()
        self.rng = random.Random(self.seed)
        self.log = []

    def note(self, fmt, *args):
        line = fmt % args
        self.log.append(line)
        sys.stdout.write("  %s\n" % line)  # one write: threads note too
        sys.stdout.flush()

    def wait_acks(self, ledger, more, timeout=15.0):
        """Wait until ``more`` further records are acknowledged (the writers are running on this server)."""
        base = len(ledger.acked())
        deadline = time.monotonic() + timeout
        while len(ledger.acked()) < base + more:
            if time.monotonic() > deadline:
                raise AssertionError("writers acknowledged < %d records in %.0fs; errors %r; log:\n%s"
                                     % (more, timeout, ledger.errors[-5:], self.server.log_tail()))
            time.sleep(0.005)

    def crash_rounds(self, server_args=(), between=None, reshard_during=False):
        """Run ``rounds`` rounds of writing, each ended by kill -9; restart; return (server, stream, ledger).

        ``between(round, server, stream, ledger)`` runs after each restart before the writers get the new
        port. With ``reshard_during`` a SplitShard or MergeShards is issued while the writers run; in odd
        rounds the kill may land while it is in flight.
        """
        srv = Server(create_ms=0, delete_ms=0, update_ms=100, extra_args=LIMITS_OFF + list(server_args))
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        name = create_active(fresh_client(srv), unique_name("crash"), self.shards)
        ledger, target = Ledger(), Target()
        self.addCleanup(target.shutdown)
        target.publish(srv)
        workers = [Writer(i, name, target, ledger, self.seed) for i in range(self.put_record_writers)]
        workers += [Writer(100 + i, name, target, ledger, self.seed, batch=self.batch)
                    for i in range(self.put_records_writers)]
        workers.append(LiveReader(name, target, ledger))
        for w in workers:
            w.start()
        for rnd in range(self.rounds):
            self.wait_acks(ledger, 40)
            resharder = None
            if reshard_during:
                resharder = self.start_resharder(srv, name, ledger)
                if rnd % 2 == 0:  # every other reshard completes before the kill, so some surely take effect
                    resharder.join(20)
            time.sleep(self.rng.uniform(0.0, 1.2 if reshard_during else 0.6))
            before = len(ledger.acked())
            srv.kill9()
            self.note("round %d: kill -9 with %d acknowledged, %d sent%s", rnd, before, len(ledger.sent),
                      "" if resharder is None else " (reshard %s)" % ("in flight" if resharder.is_alive()
                                                                      else "done"))
            if resharder is not None:
                resharder.join(20)
            self.check_workers(workers)
            srv.start()
            if between is not None:
                between(rnd, srv, name, ledger)
            if rnd < self.rounds - 1:
                target.publish(srv)
        target.shutdown()
        for w in workers:
            w.join(30)
            self.assertFalse(w.is_alive(), w.name)
        self.check_workers(workers)
        self.note("%d sent, %d acknowledged, %d GetRecords calls during the rounds, server errors: %d",
                  len(ledger.sent), len(ledger.acked()), workers[-1].calls, len(ledger.errors))
        return srv, name, ledger

    def check_workers(self, workers):
        for w in workers:
            if w.failure is not None:
                raise AssertionError("%s failed (seed %d): %r" % (w.name, self.seed, w.failure)) from w.failure

    def start_resharder(self, srv, name, ledger):
        rng = random.Random(self.rng.random())

        def go():
            try:
                self.note("reshard: %s", reshard_once(fresh_client(srv), name, rng))
            except Exception as e:  # the kill may land first
                self.note("reshard interrupted: %s", type(e).__name__)
        t = threading.Thread(target=go, daemon=True)
        t.start()
        return t

    def audit(self, srv, name, ledger):
        """Read every shard, parents first, and check the promises; returns {data: served record}."""
        client = fresh_client(srv)
        wait_status(client, name, "ACTIVE", timeout=15)
        shards = list_all_shards(client, StreamName=name)
        served, position = {}, {}
        for sid in parents_first(shards):
            seqs = []
            for r in read_to_end(client, name, sid):
                rec = ledger.sent.get(r["Data"])
                self.assertIsNotNone(rec, "served a record never sent (seed %d): %r" % (self.seed, r))
                self.assertEqual(r["PartitionKey"], rec.key, r)
                self.assertNotIn(r["Data"], served, "served twice (seed %d): %r and %r"
                                 % (self.seed, served.get(r["Data"]), r))
                served[r["Data"]] = dict(r, ShardId=sid)
                position[r["Data"]] = len(position)
                seqs.append(int(r["SequenceNumber"]))
            self.assertEqual(seqs, sorted(set(seqs)), "sequence numbers not increasing in %s" % sid)
        lost = [r for r in ledger.acked() if r.data not in served]
        self.assertEqual(lost, [], "acknowledged records lost (seed %d): %d of %d, e.g. %r"
                         % (self.seed, len(lost), len(ledger.acked()),
                            [(r.shard, r.seq, r.key) for r in lost[:3]]))
        for rec in ledger.acked():
            got = served[rec.data]
            self.assertEqual((got["ShardId"], got["SequenceNumber"]), (rec.shard, rec.seq),
                             "acknowledged record moved (seed %d)" % self.seed)
        for data, (sid, seq) in ledger.seen_live.items():
            got = served.get(data)
            self.assertIsNotNone(got, "a record GetRecords served before a crash is gone (seed %d)" % self.seed)
            self.assertEqual((got["ShardId"], got["SequenceNumber"]), (sid, seq))
        for (writer, key), recs in ledger.ack_order.items():
            seqs = [int(r.seq) for r in recs]
            self.assertTrue(all(a < b for a, b in zip(seqs, seqs[1:])),
                            "writer %d key %s: sequence numbers not in acknowledgement order" % (writer, key))
            pos = [position[r.data] for r in recs]
            self.assertEqual(pos, sorted(pos), "writer %d key %s: parents-first read order differs from "
                                               "acknowledgement order" % (writer, key))
        for lo, _, sid in open_shards(client, name):
            top = max([int(r["SequenceNumber"]) for r in served.values() if r["ShardId"] == sid] or [0])
            new = client.put_record(StreamName=name, Data=b"after-audit", PartitionKey="x", ExplicitHashKey=str(lo))
            self.assertEqual(new["ShardId"], sid)
            self.assertGreater(int(new["SequenceNumber"]), top, "position reused in %s after recovery" % sid)
        unacked = len(served) - len(ledger.acked())
        self.note("audit: %d shards, %d served (%d acknowledged, %d unacknowledged kept, %d unacknowledged lost)",
                  len(shards), len(served), len(ledger.acked()), unacked,
                  len(ledger.sent) - len(served))
        return served
