"""kill -9 at random moments under concurrent PutRecord/PutRecords writers, with --fsync interval and always.

See crash_case.py for what the audit proves; the seed is printed (replay with KINESISD_CRASH_SEED).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash_case import CrashTestCase  # noqa: E402


class KillNineRoundsTest(CrashTestCase):
    rounds = 5

    def test_fsync_interval(self):
        # A long interval: the acknowledged records of a round are mostly not yet fdatasync'd when it is killed.
        self.audit(*self.crash_rounds(["--fsync", "interval", "--fsync-interval-ms", "5000"]))

    def test_fsync_always(self):
        self.audit(*self.crash_rounds(["--fsync", "always"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
