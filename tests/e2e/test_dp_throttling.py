"""Data plane: per-shard throughput limits (ProvisionedThroughputExceededException) and turning them off."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dp_support import (DEFAULT_ACCOUNT, ClientError, DataPlaneTestCase, iterator,  # noqa: E402
                        shard_ranges)

PTEE = "ProvisionedThroughputExceededException"
SHARD0 = "shardId-000000000000"
SHARD1 = "shardId-000000000001"


def rate_message(name, shard=SHARD0):
    return "Rate exceeded for shard %s in stream %s under account %s." % (shard, name, DEFAULT_ACCOUNT)


def batch(n=500, size=1000, tag=b""):
    return [{"Data": (tag + b"%05d" % i).ljust(size, b"#"), "PartitionKey": "pk",
             "ExplicitHashKey": "0"} for i in range(n)]


def patient_read_all(client, it, deadline_s=20.0):
    """Read to the tip, waiting out read throttling."""
    out = []
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            resp = client.get_records(ShardIterator=it)
        except ClientError as e:
            if e.response["Error"]["Code"] != PTEE:
                raise
            time.sleep(0.25)
            continue
        out.extend(resp["Records"])
        it = resp["NextShardIterator"]
        if not resp["Records"]:
            return out
    raise AssertionError("could not drain the shard in %.0fs" % deadline_s)


class ThrottlingOnTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0}  # --throughput-limits defaults to on

    def test_get_records_rate(self):
        k = self.kinesis
        name = self.new_stream(1, "rthr")
        k.put_record(StreamName=name, Data=b"x", PartitionKey="k")
        it = iterator(k, name)
        errors, ok = [], 0
        t0 = time.monotonic()
        for _ in range(10):
            try:
                k.get_records(ShardIterator=it, Limit=1)
                ok += 1
            except ClientError as e:
                errors.append(e.response["Error"])
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, 1.0, "10 calls took too long to prove anything")
        self.assertTrue(errors, "10 GetRecords calls in %.2fs on one shard were not throttled" % elapsed)
        self.assertGreaterEqual(ok, 1)
        for err in errors:
            self.assertEqual(err["Code"], PTEE, err)
            self.assertEqual(err["Message"], rate_message(name), err)
        # The bucket refills.
        time.sleep(1.1)
        self.assertEqual(len(k.get_records(ShardIterator=it, Limit=1)["Records"]), 1)

    def _flood(self, name):
        """3 x 500 records of 1000 bytes to shard 0 at once; returns (accepted, failed, seconds)."""
        k = self.kinesis
        accepted, failed = [], 0
        t0 = time.monotonic()
        for n in range(3):
            entries = batch(tag=b"%d-" % n)
            resp = k.put_records(StreamName=name, Records=entries)
            self.assertEqual(len(resp["Records"]), 500)
            errs = [r for r in resp["Records"] if "ErrorCode" in r]
            self.assertEqual(resp["FailedRecordCount"], len(errs))
            failed += len(errs)
            for entry, r in zip(entries, resp["Records"]):
                if "ErrorCode" in r:
                    self.assertEqual(r["ErrorCode"], PTEE, r)
                    self.assertEqual(r["ErrorMessage"], rate_message(name), r)
                    self.assertNotIn("SequenceNumber", r)
                else:
                    self.assertEqual(r["ShardId"], SHARD0)
                    self.assertEqual(len(r["SequenceNumber"]), 56)
                    accepted.append((r["SequenceNumber"], entry["Data"]))
        return accepted, failed, time.monotonic() - t0

    def test_put_records_rate(self):
        k = self.kinesis
        # 1500 records in under 0.4 s exceed 1000 records/s even with a full second of burst;
        # a machine too loaded to send them that fast gets another try on a fresh stream.
        for _ in range(3):
            name = self.new_stream(2, "wthr")
            accepted, failed, elapsed = self._flood(name)
            if elapsed < 0.4:
                break
        self.assertLess(elapsed, 0.4, "could not send 1500 records quickly enough to test limits")
        hi = shard_ranges(k, name)[1][2]
        self.assertGreater(failed, 0, "1500 records / 1.5 MB within a second were not throttled")
        self.assertGreater(len(accepted), 0)
        # The shard is exhausted: a whole-call error for PutRecord. (The byte bucket refills
        # continuously, about 1 KiB per millisecond, so the record is large enough not to fit
        # into what even several hundred milliseconds give back.)
        with self.assertAws(PTEE, message=rate_message(name)):
            k.put_record(StreamName=name, Data=b"z" * 900000, PartitionKey="k", ExplicitHashKey="0")
        # ... but the other shard has its own buckets.
        r = k.put_record(StreamName=name, Data=b"other", PartitionKey="k", ExplicitHashKey=str(hi))
        self.assertEqual(r["ShardId"], SHARD1)
        # Exactly the accepted records were stored, in order.
        got = patient_read_all(k, iterator(k, name, SHARD0))
        self.assertEqual([(x["SequenceNumber"], x["Data"]) for x in got], accepted)
        # After a pause the shard accepts writes again.
        time.sleep(1.1)
        r = k.put_record(StreamName=name, Data=b"again", PartitionKey="k", ExplicitHashKey="0")
        self.assertGreater(int(r["SequenceNumber"]), int(accepted[-1][0]))


class ThrottlingOffTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": ["--throughput-limits", "off"]}

    def test_same_load_not_throttled(self):
        k = self.kinesis
        name = self.new_stream(1, "nothr")
        seqs = []
        for n in range(3):
            resp = k.put_records(StreamName=name, Records=batch(tag=b"%d-" % n))
            self.assertEqual(resp["FailedRecordCount"], 0)
            seqs.extend(r["SequenceNumber"] for r in resp["Records"])
        seqs.append(k.put_record(StreamName=name, Data=b"z" * 1000, PartitionKey="k")["SequenceNumber"])
        ints = [int(s) for s in seqs]
        self.assertEqual(ints, sorted(set(ints)))
        it = iterator(k, name)
        total = 0
        for _ in range(12):
            resp = k.get_records(ShardIterator=it, Limit=200)
            total += len(resp["Records"])
            it = resp["NextShardIterator"]
        self.assertEqual(total, 1501)


if __name__ == "__main__":
    unittest.main(verbosity=2)
