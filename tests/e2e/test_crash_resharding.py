"""kill -9 at random moments while SplitShard and MergeShards run under concurrent writers.

Each round issues one reshard (split while fewer than four shards are open, else a merge of two neighbours)
while the writers run, and kills the server at a random moment, often while the reshard is in flight. The
audit reads parents before children and checks every acknowledged record once, in acknowledgement order per
writer and key (crash_case.py). The seed is printed (replay with KINESISD_CRASH_SEED).
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash_case import CrashTestCase  # noqa: E402
from crash_support import (LIMITS_OFF, Ledger, Target, Writer, fresh_client, open_shards,  # noqa: E402
                           reshard_once)
from dp_support import Server, create_active, list_all_shards, unique_name  # noqa: E402


class KillNineWhileReshardingTest(CrashTestCase):
    rounds = 6

    def test_reshard_while_writing(self):
        srv, name, ledger = self.crash_rounds(["--fsync", "interval"], reshard_during=True)
        shards = list_all_shards(fresh_client(srv), StreamName=name)
        self.assertGreater(len(shards), self.shards, "no reshard took effect in %d rounds" % self.rounds)
        self.audit(srv, name, ledger)

    def test_reshard_between_rounds(self):
        def between(rnd, srv, name, ledger):
            if rnd < self.rounds - 1:
                self.note("between rounds: %s", reshard_once(fresh_client(srv), name, self.rng, max_open=3))
        srv, name, ledger = self.crash_rounds(["--fsync", "always"], between=between)
        self.assertGreaterEqual(len(list_all_shards(fresh_client(srv), StreamName=name)), self.shards + 4)
        self.audit(srv, name, ledger)


    def test_kill_on_first_child_acknowledgement(self):
        """A split installs its children before its catalog write: a record acknowledged in a child must not
        be lost when the server dies before that write (PutRecord(s) answer only once the catalog has it)."""
        srv = Server(create_ms=0, delete_ms=0, update_ms=0, extra_args=LIMITS_OFF + ["--fsync", "always"])
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        name = create_active(fresh_client(srv), unique_name("crash"), 1)
        self.add_ballast(fresh_client(srv))
        ledger, target = Ledger(), Target()
        self.addCleanup(target.shutdown)
        target.publish(srv)
        writers = [Writer(i, name, target, ledger, self.seed, batch=None if i < 3 else 10, keys=6)
                   for i in range(6)]
        for w in writers:
            w.start()
        for rnd in range(15):
            self.wait_acks(ledger, 20)
            client = fresh_client(srv)
            known = {sid for _, _, sid in open_shards(client, name)} | set(ledger.acked_shards)
            lo, hi, sid = max(open_shards(client, name), key=lambda s: s[1] - s[0])
            threading.Thread(target=lambda: self.split_quietly(client, name, sid, (lo + hi + 1) // 2),
                             daemon=True).start()
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and not ledger.acked_shards - known:
                time.sleep(0.0002)
            srv.kill9()
            srv.start()
            target.publish(srv)
        target.shutdown()
        for w in writers:
            w.join(30)
        self.check_workers(writers)
        in_children = sum(1 for r in ledger.acked() if r.shard != "shardId-000000000000")
        self.note("%d acknowledged, %d of them in children", len(ledger.acked()), in_children)
        self.audit(srv, name, ledger)

    @staticmethod
    def add_ballast(client, streams=60):
        """Streams with 50 long tags each: a catalog of megabytes takes a while to write, widening the window."""
        for i in range(streams):
            client.create_stream(StreamName="ballast-%d" % i, ShardCount=1)
            client.add_tags_to_stream(StreamName="ballast-%d" % i,
                                      Tags={"k%02d-%s" % (t, "x" * 120): "v" * 256 for t in range(50)})

    @staticmethod
    def split_quietly(client, name, sid, start):
        try:
            client.split_shard(StreamName=name, ShardToSplit=sid, NewStartingHashKey=str(start))
        except Exception:
            pass  # killed first


if __name__ == "__main__":
    unittest.main(verbosity=2)
