"""kill -9 at random moments under concurrent writers to a stream whose encryption is turned on mid-run.

After round 0 StartStreamEncryption (KeyId alias/aws/kinesis) is issued and waited on (ACTIVE) while the writers
are paused; after round 2 a shard is split. Besides the audit of crash_case.py: records sent before the call are
served plain, records sent after it are served with EncryptionType KMS, and no encrypted record's bytes appear in
the shard logs. The seed is printed (replay with KINESISD_CRASH_SEED).
"""

import glob
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from crash_case import CrashTestCase  # noqa: E402
from crash_support import fresh_client, reshard_once  # noqa: E402
from dp_support import stream_dirs, wait_status  # noqa: E402

KEY = "alias/aws/kinesis"
PREFIX_END = 2  # data is w<writer>|<n>|<random>: the random part follows the second "|"


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


class KillNineEncryptedTest(CrashTestCase):
    rounds = 5

    def test_encryption_on(self):
        marks = {}

        def between(rnd, srv, name, ledger):
            client = fresh_client(srv)
            if rnd == 0:
                marks["begin"] = ledger.tick()
                client.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KEY)
                wait_status(client, name, "ACTIVE")
                marks["end"] = ledger.tick()
                self.note("between rounds: encryption on")
            elif rnd == 2:
                self.note("between rounds: %s", reshard_once(client, name, self.rng))

        srv, name, ledger = self.crash_rounds(["--fsync", "always"], between=between)
        client = fresh_client(srv)
        summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual((summary["EncryptionType"], summary["KeyId"]), ("KMS", KEY))
        served = self.audit(srv, name, ledger)

        plain, sealed = [], []
        for data, r in served.items():
            tick = ledger.sent[data].sent_tick
            if tick < marks["begin"]:
                self.assertNotIn("EncryptionType", r, "a record written before encryption was turned on")
                plain.append(data)
            else:
                self.assertGreater(tick, marks["end"])  # the writers were paused
                self.assertEqual(r.get("EncryptionType"), "KMS", "a record written after encryption was on")
                sealed.append(data)
        self.assertTrue(plain and sealed, (len(plain), len(sealed)))

        logs = b"".join(read_file(p) for d in stream_dirs(srv.data_dir, name)
                        for p in glob.glob(os.path.join(d, "*", "*.log")))
        secret = lambda data: data.split(b"|", PREFIX_END)[PREFIX_END]  # noqa: E731
        self.assertTrue(all(secret(d) in logs for d in plain), "plain records are stored as sent")
        leaked = [d for d in sealed if secret(d) in logs]
        self.assertEqual(leaked, [], "encrypted records stored in the clear")
        self.note("%d plain and %d encrypted records checked against %d bytes of logs",
                  len(plain), len(sealed), len(logs))


if __name__ == "__main__":
    unittest.main(verbosity=2)
