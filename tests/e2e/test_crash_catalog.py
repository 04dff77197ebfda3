"""kill -9 the moment a split's child acknowledges its first record, before the split's catalog write lands.

A split installs its children (writers route to them) and then writes the catalog. PutRecord(s) must answer only
once the catalog on disk has the snapshot they routed with: otherwise a crash in between loses records that were
acknowledged in a child the restarted server does not know, and the next split re-creates that shard id on the
old log, serving them again under new sequence numbers. 60 streams with 50 long tags each make the catalog a
megabyte, so its write takes long enough for the kill to land first. The audit is crash_case.py's; the seed is
printed (replay with KINESISD_CRASH_SEED).
"""

import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash_case import CrashTestCase  # noqa: E402
from crash_support import LIMITS_OFF, Ledger, Target, Writer, fresh_client, open_shards  # noqa: E402
from dp_support import Server, create_active, unique_name  # noqa: E402


class KillBeforeCatalogWriteTest(CrashTestCase):

    def test_kill_on_first_child_acknowledgement(self):
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
