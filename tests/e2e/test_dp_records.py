"""Data plane: PutRecord / PutRecords routing, byte-exactness, order, size limits, stream states."""

import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dp_support import (DEFAULT_ACCOUNT, DataPlaneTestCase, create_active, dp_client,  # noqa: E402
                        iterator, md5_hash_key, put_batches, read_all, read_shard,
                        shard_for_hash, shard_ranges)

MiB = 1024 * 1024
LIMITS_OFF = ["--throughput-limits", "off"]


class RoutingTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def setUp(self):
        self.name = self.new_stream(4, "route")
        self.ranges = shard_ranges(self.kinesis, self.name)
        self.assertEqual(len(self.ranges), 4)

    def test_partition_key_md5_routing(self):
        k = self.kinesis
        expected = {}
        for i in range(64):
            key = "key-%d-\u00e9" % i  # non-ASCII: the hash is of the UTF-8 bytes
            want = shard_for_hash(self.ranges, md5_hash_key(key))
            resp = k.put_record(StreamName=self.name, Data=b"d%d" % i, PartitionKey=key)
            self.assertEqual(resp["ShardId"], want, "partition key %r" % key)
            expected.setdefault(want, []).append((key, b"d%d" % i, resp["SequenceNumber"]))
        self.assertEqual(len(expected), 4, "the 64 keys should hit every shard")
        # Reading each shard gives back exactly the records routed to it.
        for sid, _, _ in self.ranges:
            got = [(r["PartitionKey"], r["Data"], r["SequenceNumber"])
                   for r in read_shard(k, self.name, sid)]
            self.assertEqual(got, expected.get(sid, []), sid)

    def test_explicit_hash_key_overrides(self):
        k = self.kinesis
        sid3, lo3, hi3 = self.ranges[3]
        key = next("p%d" % i for i in range(1000)
                   if shard_for_hash(self.ranges, md5_hash_key("p%d" % i)) == self.ranges[0][0])
        for ehk in (lo3, (lo3 + hi3) // 2, hi3):
            resp = k.put_record(StreamName=self.name, Data=b"x", PartitionKey=key,
                                ExplicitHashKey=str(ehk))
            self.assertEqual(resp["ShardId"], sid3)
        resp = k.put_record(StreamName=self.name, Data=b"x", PartitionKey=key, ExplicitHashKey="0")
        self.assertEqual(resp["ShardId"], self.ranges[0][0])
        resp = k.put_record(StreamName=self.name, Data=b"x", PartitionKey=key,
                            ExplicitHashKey=str(self.ranges[1][1]))
        self.assertEqual(resp["ShardId"], self.ranges[1][0])
        # PutRecords honours it per record too.
        resp = k.put_records(StreamName=self.name, Records=[
            {"Data": b"a", "PartitionKey": key, "ExplicitHashKey": str(self.ranges[2][1])},
            {"Data": b"b", "PartitionKey": key}])
        self.assertEqual([r["ShardId"] for r in resp["Records"]],
                         [self.ranges[2][0], self.ranges[0][0]])

    def test_explicit_hash_key_out_of_range(self):
        bad = str(2 ** 128)
        msg = ("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
               "Specified value was %s" % bad)
        with self.assertAws("InvalidArgumentException", message=msg):
            self.kinesis.put_record(StreamName=self.name, Data=b"x", PartitionKey="k",
                                    ExplicitHashKey=bad)
        # Nothing was stored anywhere.
        for sid, _, _ in self.ranges:
            self.assertEqual(read_shard(self.kinesis, self.name, sid), [], sid)


class BytesAndOrderTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_all_byte_values_empty_and_1mib(self):
        k = self.kinesis
        name = self.new_stream(1, "bytes")
        all_bytes = bytes(range(256))
        # Exactly 1 MiB of data plus partition key ("k2"), the default MaxRecordSizeInKiB.
        # (1048576 bytes of data *plus* a key exceed it: see RecordSizeTest.)
        big = os.urandom(MiB - 2)
        payloads = [all_bytes, b"", big, bytes(reversed(all_bytes)) * 3]
        seqs = []
        for i, data in enumerate(payloads):
            seqs.append(k.put_record(StreamName=name, Data=data, PartitionKey="k%d" % i)["SequenceNumber"])
        got = read_shard(k, name)
        self.assertEqual(len(got), len(payloads))
        for i, (rec, data) in enumerate(zip(got, payloads)):
            self.assertEqual(len(rec["Data"]), len(data), i)
            self.assertTrue(rec["Data"] == data, "record %d differs" % i)
            self.assertEqual(rec["PartitionKey"], "k%d" % i)
            self.assertEqual(rec["SequenceNumber"], seqs[i])

    def test_2000_records_in_order(self):
        k = self.kinesis
        name = self.new_stream(1, "order")
        before = datetime.datetime.now(datetime.timezone.utc)
        acked = put_batches(k, name, 2000, key="same-key", size=40)
        after = datetime.datetime.now(datetime.timezone.utc)
        seq_ints = [int(s) for s, _, _ in acked]
        for s, _, _ in acked:
            self.assertSeq(s)
        self.assertTrue(all(a < b for a, b in zip(seq_ints, seq_ints[1:])),
                        "PutRecords sequence numbers not strictly increasing")
        got, _, _ = read_all(k, iterator(k, name))
        self.assertEqual(len(got), 2000)
        self.assertEqual([r["SequenceNumber"] for r in got], [s for s, _, _ in acked])
        self.assertEqual([r["Data"] for r in got], [d for _, d, _ in acked])
        self.assertTrue(all(r["PartitionKey"] == "same-key" for r in got))
        slack = datetime.timedelta(seconds=3)
        for r in got:
            ts = r["ApproximateArrivalTimestamp"]
            self.assertTrue(before - slack <= ts <= after + slack, (r["SequenceNumber"], ts, before, after))
        stamps = [r["ApproximateArrivalTimestamp"] for r in got]
        self.assertEqual(stamps, sorted(stamps), "arrival timestamps decrease within a shard")


class PutRecordsTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_500_records_mixed_shards_in_request_order(self):
        k = self.kinesis
        name = self.new_stream(4, "batch")
        ranges = shard_ranges(k, name)
        entries = [{"Data": b"v%03d" % i, "PartitionKey": "pk-%d" % i} for i in range(500)]
        resp = k.put_records(StreamName=name, Records=entries)
        self.assertEqual(resp["FailedRecordCount"], 0)
        self.assertEqual(len(resp["Records"]), 500)
        per_shard = {}
        for i, (entry, result) in enumerate(zip(entries, resp["Records"])):
            self.assertNotIn("ErrorCode", result)
            self.assertSeq(result["SequenceNumber"])
            want = shard_for_hash(ranges, md5_hash_key(entry["PartitionKey"]))
            self.assertEqual(result["ShardId"], want, i)
            per_shard.setdefault(want, []).append((entry["Data"], result["SequenceNumber"]))
        self.assertEqual(len(per_shard), 4)
        for sid, recs in per_shard.items():
            ints = [int(s) for _, s in recs]
            self.assertEqual(ints, sorted(ints), "request order not kept within %s" % sid)
            got = [(r["Data"], r["SequenceNumber"]) for r in read_shard(k, name, sid)]
            self.assertEqual(got, recs, sid)

    def test_501_records_rejected_by_model(self):
        k = self.kinesis
        name = self.new_stream(1, "batch")
        entries = [{"Data": b"x", "PartitionKey": "k"} for _ in range(501)]
        with self.assertAws("ValidationException",
                            contains="Member must have length less than or equal to 500") as ctx:
            k.put_records(StreamName=name, Records=entries)
        self.assertIn("'records'", ctx.exception.response["Error"]["Message"])
        self.assertEqual(read_shard(k, name), [])


class RecordSizeTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_default_limit_1mib_including_key(self):
        k = self.kinesis
        name = self.new_stream(1, "size")
        with self.assertAws("InvalidArgumentException"):
            k.put_record(StreamName=name, Data=b"a" * MiB, PartitionKey="k")
        with self.assertAws("InvalidArgumentException"):
            k.put_record(StreamName=name, Data=b"a" * (MiB + 1), PartitionKey="k")
        self.assertEqual([r["Data"] for r in read_shard(k, name)], [], "oversized record was stored")
        ok = b"b" * (MiB - 1)
        k.put_record(StreamName=name, Data=ok, PartitionKey="k")
        got = read_shard(k, name)
        self.assertEqual(len(got), 1)
        self.assertTrue(got[0]["Data"] == ok)

    def test_larger_max_record_size(self):
        k = self.kinesis
        name = self.new_stream(1, "size", MaxRecordSizeInKiB=2048)
        payloads = [os.urandom(MiB + MiB // 2), os.urandom(MiB)]
        seqs = [k.put_record(StreamName=name, Data=d, PartitionKey="k")["SequenceNumber"]
                for d in payloads]
        got = read_shard(k, name)
        self.assertEqual(len(got), 2)
        self.assertEqual([r["SequenceNumber"] for r in got], seqs)
        for rec, data in zip(got, payloads):
            self.assertTrue(rec["Data"] == data, "record of %d bytes differs" % len(data))
        with self.assertAws("InvalidArgumentException"):
            k.put_record(StreamName=name, Data=b"c" * (2 * MiB), PartitionKey="k")


class StreamStateTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 3000, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_write_to_creating_stream(self):
        k = self.kinesis
        name = self.new_name("creating")
        k.create_stream(StreamName=name, ShardCount=1)
        status = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"]
        self.assertEqual(status, "CREATING")
        with self.assertAws("ResourceNotFoundException"):
            k.put_record(StreamName=name, Data=b"x", PartitionKey="k")
        with self.assertAws("ResourceNotFoundException"):
            k.put_records(StreamName=name, Records=[{"Data": b"x", "PartitionKey": "k"}])

    def test_write_to_missing_stream(self):
        k = self.kinesis
        msg = "Stream x under account %s not found." % DEFAULT_ACCOUNT
        with self.assertAws("ResourceNotFoundException", message=msg):
            k.put_record(StreamName="x", Data=b"x", PartitionKey="k")
        with self.assertAws("ResourceNotFoundException", message=msg):
            k.put_records(StreamName="x", Records=[{"Data": b"x", "PartitionKey": "k"}])


if __name__ == "__main__":
    unittest.main(verbosity=2)
