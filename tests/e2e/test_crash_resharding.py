"""kill -9 at random moments while SplitShard and MergeShards run under concurrent writers.

Each round issues one reshard (split while fewer than four shards are open, else a merge of two neighbours)
while the writers run, and kills the server at a random moment, often while the reshard is in flight. The
audit reads parents before children and checks every acknowledged record once, in acknowledgement order per
writer and key (crash_case.py). The seed is printed (replay with KINESISD_CRASH_SEED).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash_case import CrashTestCase  # noqa: E402
from crash_support import fresh_client, reshard_once  # noqa: E402
from dp_support import list_all_shards  # noqa: E402


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


if __name__ == "__main__":
    unittest.main(verbosity=2)
