"""Data plane: GetShardIterator (every type, errors) and GetRecords (Limit, tip, lag, tokens)."""

import datetime
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dp_support import (DEFAULT_ACCOUNT, DataPlaneTestCase, b64, dp_client,  # noqa: E402
                        flip_b64_char, iterator, put_batches, read_all, shard_ranges)

LIMITS_OFF = ["--throughput-limits", "off"]
SHARD0 = "shardId-000000000000"
UTC = datetime.timezone.utc


def datas(records):
    return [r["Data"] for r in records]


class IteratorTypesTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def setUp(self):
        self.name = self.new_stream(1, "iter")
        self.acked = put_batches(self.kinesis, self.name, 10, prefix=b"a")
        self.seqs = [s for s, _, _ in self.acked]
        self.data = [d for _, d, _ in self.acked]

    def read(self, kind, **kwargs):
        return read_all(self.kinesis, iterator(self.kinesis, self.name, SHARD0, kind, **kwargs))

    def test_trim_horizon(self):
        got, it, _ = self.read("TRIM_HORIZON")
        self.assertEqual(datas(got), self.data)
        self.assertEqual([r["SequenceNumber"] for r in got], self.seqs)
        self.assertIsNotNone(it)

    def test_latest(self):
        k = self.kinesis
        it = iterator(k, self.name, SHARD0, "LATEST")
        later = put_batches(k, self.name, 3, prefix=b"late")
        got, _, _ = read_all(k, it)
        self.assertEqual(datas(got), [d for _, d, _ in later])

    def test_at_and_after_sequence_number(self):
        got, _, _ = self.read("AT_SEQUENCE_NUMBER", StartingSequenceNumber=self.seqs[3])
        self.assertEqual(datas(got), self.data[3:])
        got, _, _ = self.read("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=self.seqs[3])
        self.assertEqual(datas(got), self.data[4:])
        got, _, _ = self.read("AT_SEQUENCE_NUMBER", StartingSequenceNumber=self.seqs[0])
        self.assertEqual(datas(got), self.data)
        got, _, _ = self.read("AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=self.seqs[-1])
        self.assertEqual(got, [])

    def test_at_timestamp_between_batches(self):
        srv = self.server
        time.sleep(0.05)
        second = put_batches(self.kinesis, self.name, 5, prefix=b"b")
        # Raw calls: boto3 would truncate the timestamp to whole seconds.
        it = srv.call("GetShardIterator", {"StreamName": self.name, "ShardId": SHARD0,
                                           "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        raw = srv.call("GetRecords", {"ShardIterator": it})["Records"]
        self.assertEqual(len(raw), 15)
        stamps = [r["ApproximateArrivalTimestamp"] for r in raw]
        self.assertGreaterEqual(stamps[10] - stamps[9], 0.04, stamps)
        it = srv.call("GetShardIterator", {"StreamName": self.name, "ShardId": SHARD0,
                                           "ShardIteratorType": "AT_TIMESTAMP",
                                           "Timestamp": stamps[10]})["ShardIterator"]
        got, _, _ = read_all(self.kinesis, it)
        self.assertEqual(datas(got), [d for _, d, _ in second])

    def test_at_timestamp_future_then_later_puts(self):
        k = self.kinesis
        future = datetime.datetime.now(UTC) + datetime.timedelta(hours=1)
        it = iterator(k, self.name, SHARD0, "AT_TIMESTAMP", Timestamp=future)
        t0 = time.monotonic()
        resp = k.get_records(ShardIterator=it)
        self.assertLess(time.monotonic() - t0, 2.0, "GetRecords at a future timestamp hung")
        self.assertEqual(resp["Records"], [])
        self.assertTrue(resp.get("NextShardIterator"))
        later = put_batches(k, self.name, 2, prefix=b"fut")
        got, _, _ = read_all(k, resp["NextShardIterator"])
        self.assertEqual(datas(got), [d for _, d, _ in later])

    def test_at_timestamp_long_ago(self):
        got, _, _ = self.read("AT_TIMESTAMP", Timestamp=datetime.datetime(2001, 1, 1, tzinfo=UTC))
        self.assertEqual(datas(got), self.data)


class IteratorEdgeTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_starting_sequence_number_of_empty_shard(self):
        k = self.kinesis
        name = self.new_stream(1, "empty")
        shard = k.list_shards(StreamName=name)["Shards"][0]
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        it = iterator(k, name, SHARD0, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=start)
        resp = k.get_records(ShardIterator=it)
        self.assertEqual(resp["Records"], [])
        acked = put_batches(k, name, 3, prefix=b"e")
        got, _, _ = read_all(k, it)
        self.assertEqual(datas(got), [d for _, d, _ in acked])
        got, _, _ = read_all(k, resp["NextShardIterator"])
        self.assertEqual(datas(got), [d for _, d, _ in acked])

    def test_errors(self):
        k = self.kinesis
        name = self.new_stream(2, "ierr")
        ranges = shard_ranges(k, name)
        seq1 = k.put_record(StreamName=name, Data=b"x", PartitionKey="k",
                            ExplicitHashKey=str(ranges[1][2]))["SequenceNumber"]
        seq0 = k.put_record(StreamName=name, Data=b"y", PartitionKey="k",
                            ExplicitHashKey="0")["SequenceNumber"]
        with self.assertAws("InvalidArgumentException", prefix=(
                "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was "
                "used in a call to a shard with shardId-000000000000")):
            iterator(k, name, SHARD0, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seq1)
        with self.assertAws("InvalidArgumentException", contains="is invalid"):
            iterator(k, name, SHARD0, "AT_SEQUENCE_NUMBER", StartingSequenceNumber="12345")
        with self.assertAws("InvalidArgumentException", prefix=(
                "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                "StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no "
                "StartingSequenceNumber.")):
            iterator(k, name, SHARD0, "TRIM_HORIZON", StartingSequenceNumber=seq0)
        with self.assertAws("InvalidArgumentException"):
            iterator(k, name, SHARD0, "AT_TIMESTAMP")
        with self.assertAws("InvalidArgumentException"):
            iterator(k, name, SHARD0, "AT_SEQUENCE_NUMBER")
        msg = ("Shard shardId-000000000009 in stream %s under account %s does not exist"
               % (name, DEFAULT_ACCOUNT))
        with self.assertAws("ResourceNotFoundException", message=msg):
            iterator(k, name, "shardId-000000000009", "TRIM_HORIZON")
        # The valid sequence number still works on its own shard.
        it = iterator(k, name, "shardId-000000000001", "AT_SEQUENCE_NUMBER",
                      StartingSequenceNumber=seq1)
        self.assertEqual(datas(k.get_records(ShardIterator=it)["Records"]), [b"x"])


class GetRecordsTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_limit_and_continuation(self):
        k = self.kinesis
        name = self.new_stream(1, "limit")
        acked = put_batches(k, name, 25, prefix=b"L")
        it = iterator(k, name)
        sizes, got = [], []
        for _ in range(4):
            resp = k.get_records(ShardIterator=it, Limit=10)
            sizes.append(len(resp["Records"]))
            got.extend(resp["Records"])
            it = resp["NextShardIterator"]
        self.assertEqual(sizes, [10, 10, 5, 0])
        self.assertEqual([r["SequenceNumber"] for r in got], [s for s, _, _ in acked])
        self.assertEqual(datas(got), [d for _, d, _ in acked])

    def test_tip_and_millis_behind_latest(self):
        k = self.kinesis
        name = self.new_stream(1, "lag")
        resp = k.get_records(ShardIterator=iterator(k, name))
        self.assertEqual(resp["Records"], [])
        self.assertTrue(resp["NextShardIterator"])
        self.assertEqual(resp["MillisBehindLatest"], 0)
        put_batches(k, name, 5, prefix=b"M")
        time.sleep(0.3)
        resp = k.get_records(ShardIterator=iterator(k, name), Limit=1)
        self.assertEqual(len(resp["Records"]), 1)
        self.assertGreaterEqual(resp["MillisBehindLatest"], 200)
        self.assertLess(resp["MillisBehindLatest"], 60000)
        resp = k.get_records(ShardIterator=resp["NextShardIterator"])
        self.assertEqual(len(resp["Records"]), 4)
        resp = k.get_records(ShardIterator=resp["NextShardIterator"])
        self.assertEqual(resp["Records"], [])
        self.assertEqual(resp["MillisBehindLatest"], 0)
        self.assertTrue(resp["NextShardIterator"])

    def test_tampered_iterator(self):
        k = self.kinesis
        name = self.new_stream(1, "tamper")
        put_batches(k, name, 2)
        it = iterator(k, name)
        bad = flip_b64_char(it)
        self.assertNotEqual(bad, it)
        with self.assertAws("InvalidArgumentException", message="Invalid ShardIterator."):
            k.get_records(ShardIterator=bad)
        with self.assertAws("InvalidArgumentException", message="Invalid ShardIterator."):
            k.get_records(ShardIterator=b64(b"\x00" * 96))
        self.assertEqual(len(k.get_records(ShardIterator=it)["Records"]), 2)


class IteratorRestartTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_iterator_survives_restart(self):
        srv = self.server
        k = self.kinesis
        name = self.new_stream(1, "restart")
        acked = put_batches(k, name, 7, prefix=b"R")
        it_start = iterator(k, name)
        it_mid = iterator(k, name, SHARD0, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=acked[2][0])
        srv.restart()
        k2 = dp_client(srv)
        self.assertIsNotNone(srv.port)
        got, _, _ = read_all(k2, it_start)
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in got], [(s, d) for s, d, _ in acked])
        got, _, _ = read_all(k2, it_mid)
        self.assertEqual(datas(got), [d for _, d, _ in acked[3:]])


if __name__ == "__main__":
    unittest.main(verbosity=2)
