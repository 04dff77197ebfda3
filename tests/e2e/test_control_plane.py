"""Control plane through boto3: CreateStream, DeleteStream, DescribeStream(Summary)."""

import datetime
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402

from harness import (DEFAULT_ACCOUNT, MAX_HASH_KEY, HASH_SPACE, ServerTestCase,  # noqa: E402
                     create_active, expected_hash_ranges, wait_gone, wait_status)

SEQ_RE = re.compile(r"^\d{56}$")


def shard_ranges(shards):
    return [(int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
            for s in shards]


class CreateDescribeTest(ServerTestCase):

    def assertRecent(self, ts):
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertIsInstance(ts, datetime.datetime)
        self.assertLess(abs((now - ts).total_seconds()), 120, ts)

    def test_status_creating_then_active(self):
        k = self.kinesis
        name = self.new_name()
        t0 = time.monotonic()
        resp = k.create_stream(StreamName=name, ShardCount=2)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        desc = k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "CREATING")
        self.assertEqual(desc["Shards"], [])
        self.assertFalse(desc["HasMoreShards"])
        summary = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["StreamStatus"], "CREATING")
        wait_status(k, name, "ACTIVE", timeout=5)
        # --create-stream-ms 200: ACTIVE must not come (much) earlier than the delay.
        self.assertGreaterEqual(time.monotonic() - t0, 0.15)
        desc = k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual(len(desc["Shards"]), 2)

    def test_describe_stream_fields(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 3)
        desc = k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamName"], name)
        self.assertEqual(desc["StreamARN"],
                         "arn:aws:kinesis:us-east-1:%s:stream/%s" % (DEFAULT_ACCOUNT, name))
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual(desc["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(desc["RetentionPeriodHours"], 24)
        self.assertEqual(desc["EncryptionType"], "NONE")
        self.assertEqual(desc["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
        self.assertFalse(desc["HasMoreShards"])
        self.assertRecent(desc["StreamCreationTimestamp"])
        self.assertEqual([s["ShardId"] for s in desc["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"])
        for shard in desc["Shards"]:
            self.assertNotIn("ParentShardId", shard)
            rng = shard["SequenceNumberRange"]
            self.assertRegex(rng["StartingSequenceNumber"], SEQ_RE)
            self.assertNotIn("EndingSequenceNumber", rng)

    def test_describe_stream_summary_fields(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 2)
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamName"], name)
        self.assertEqual(s["StreamARN"],
                         "arn:aws:kinesis:us-east-1:%s:stream/%s" % (DEFAULT_ACCOUNT, name))
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(s["RetentionPeriodHours"], 24)
        self.assertEqual(s["EncryptionType"], "NONE")
        self.assertEqual(s["EnhancedMonitoring"], [{"ShardLevelMetrics": []}])
        self.assertEqual(s["OpenShardCount"], 2)
        self.assertEqual(s["ConsumerCount"], 0)
        self.assertEqual(s["MaxRecordSizeInKiB"], 1024)
        self.assertRecent(s["StreamCreationTimestamp"])

    def test_three_shard_hash_ranges_exact(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 3)
        shards = k.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
        ranges = [(s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"])
                  for s in shards]
        self.assertEqual(ranges, [
            ("0", "113427455640312821154458202477256070484"),
            ("113427455640312821154458202477256070485", "226854911280625642308916404954512140969"),
            ("226854911280625642308916404954512140970", "340282366920938463463374607431768211455"),
        ])

    def check_contiguous(self, ranges, n):
        self.assertEqual(len(ranges), n)
        self.assertEqual(ranges[0][0], 0)
        self.assertEqual(ranges[-1][1], MAX_HASH_KEY)
        for (s0, e0), (s1, _) in zip(ranges, ranges[1:]):
            self.assertEqual(s1, e0 + 1, ranges)
        step = HASH_SPACE // n
        for start, end in ranges:
            self.assertLessEqual(start, end)
            size = end - start + 1
            self.assertTrue(step <= size <= step + n, "uneven range size %d (step %d)" % (size, step))

    def test_seven_shards_contiguous_even(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 7)
        shards = k.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
        self.check_contiguous(shard_ranges(shards), 7)
        self.assertEqual(shard_ranges(shards), expected_hash_ranges(7))
        self.assertEqual([s["ShardId"] for s in shards],
                         ["shardId-%012d" % i for i in range(7)])

    def test_single_shard_covers_whole_space(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1)
        shards = k.describe_stream(StreamName=name)["StreamDescription"]["Shards"]
        self.assertEqual(shard_ranges(shards), [(0, MAX_HASH_KEY)])

    def test_on_demand_four_shards(self):
        k = self.kinesis
        name = self.new_name()
        k.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        wait_status(k, name, "ACTIVE")
        desc = k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(len(desc["Shards"]), 4)
        self.check_contiguous(shard_ranges(desc["Shards"]), 4)
        self.assertEqual(shard_ranges(desc["Shards"]), expected_hash_ranges(4))
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertEqual(s["OpenShardCount"], 4)

    def test_provisioned_mode_explicit(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 2, StreamModeDetails={"StreamMode": "PROVISIONED"})
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(s["OpenShardCount"], 2)

    def test_max_record_size_reported(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1, MaxRecordSizeInKiB=2048)
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["MaxRecordSizeInKiB"], 2048)

    def test_create_with_tags_accepted(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1, Tags={"team": "data", "env": "test"})
        self.assertEqual(k.describe_stream_summary(StreamName=name)
                         ["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE")

    def test_missing_shard_count_invalid_argument(self):
        k = self.kinesis
        name = self.new_name()
        with self.assertRaises(ClientError) as ctx:
            k.create_stream(StreamName=name)
        self.assertClientError(ctx, "InvalidArgumentException")
        with self.assertRaises(k.exceptions.ResourceNotFoundException):
            k.describe_stream_summary(StreamName=name)

    def test_duplicate_name_resource_in_use(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1)
        with self.assertRaises(k.exceptions.ResourceInUseException) as ctx:
            k.create_stream(StreamName=name, ShardCount=1)
        self.assertClientError(ctx, "ResourceInUseException",
                               "Stream %s under account %s already exists." % (name, DEFAULT_ACCOUNT))

    def test_duplicate_while_creating_resource_in_use(self):
        k = self.kinesis
        name = self.new_name()
        k.create_stream(StreamName=name, ShardCount=1)
        try:
            with self.assertRaises(k.exceptions.ResourceInUseException):
                k.create_stream(StreamName=name, ShardCount=1)
        finally:
            wait_status(k, name, "ACTIVE")

    def test_not_found_messages(self):
        k = self.kinesis
        name = self.new_name("missing")
        msg = "Stream %s under account %s not found." % (name, DEFAULT_ACCOUNT)
        for call in (lambda: k.describe_stream(StreamName=name),
                     lambda: k.describe_stream_summary(StreamName=name),
                     lambda: k.delete_stream(StreamName=name),
                     lambda: k.list_shards(StreamName=name)):
            with self.assertRaises(k.exceptions.ResourceNotFoundException) as ctx:
                call()
            self.assertClientError(ctx, "ResourceNotFoundException", msg)

    def test_describe_stream_paging(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 5)
        pages, start = [], None
        for _ in range(5):
            kwargs = {"StreamName": name, "Limit": 2}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            d = k.describe_stream(**kwargs)["StreamDescription"]
            pages.append(([s["ShardId"] for s in d["Shards"]], d["HasMoreShards"]))
            if not d["HasMoreShards"]:
                break
            start = d["Shards"][-1]["ShardId"]
        self.assertEqual(pages, [
            (["shardId-000000000000", "shardId-000000000001"], True),
            (["shardId-000000000002", "shardId-000000000003"], True),
            (["shardId-000000000004"], False),
        ])
        pages = k.get_paginator("describe_stream").paginate(
            StreamName=name, PaginationConfig={"PageSize": 2})
        ids = [s["ShardId"] for page in pages for s in page["StreamDescription"]["Shards"]]
        self.assertEqual(ids, ["shardId-%012d" % i for i in range(5)])

    def test_describe_stream_exclusive_start_only(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 4)
        d = k.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000001")
        ids = [s["ShardId"] for s in d["StreamDescription"]["Shards"]]
        self.assertEqual(ids, ["shardId-000000000002", "shardId-000000000003"])
        self.assertFalse(d["StreamDescription"]["HasMoreShards"])


class DeleteAndArnTest(ServerTestCase):

    def test_delete_deleting_then_gone(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1)
        k.delete_stream(StreamName=name)
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamStatus"], "DELETING")
        wait_gone(k, name, timeout=5)
        with self.assertRaises(k.exceptions.ResourceNotFoundException):
            k.describe_stream(StreamName=name)
        self.assertNotIn(name, k.list_streams()["StreamNames"])

    def test_delete_with_enforce_consumer_deletion(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1)
        k.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        wait_gone(k, name, timeout=5)

    def test_recreate_after_delete(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 1)
        k.delete_stream(StreamName=name)
        wait_gone(k, name)
        create_active(k, name, 2)
        s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["OpenShardCount"], 2)

    def test_waiters(self):
        k = self.kinesis
        name = self.new_name()
        k.create_stream(StreamName=name, ShardCount=1)
        k.get_waiter("stream_exists").wait(StreamName=name,
                                           WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        self.assertEqual(k.describe_stream(StreamName=name)["StreamDescription"]["StreamStatus"],
                         "ACTIVE")
        k.delete_stream(StreamName=name)
        k.get_waiter("stream_not_exists").wait(StreamName=name,
                                               WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        with self.assertRaises(k.exceptions.ResourceNotFoundException):
            k.describe_stream_summary(StreamName=name)

    def test_stream_arn_in_place_of_name(self):
        k = self.kinesis
        name = create_active(k, self.new_name(), 2)
        arn = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertEqual(arn, "arn:aws:kinesis:us-east-1:%s:stream/%s" % (DEFAULT_ACCOUNT, name))
        self.assertEqual(k.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"], name)
        self.assertEqual(k.describe_stream_summary(StreamARN=arn)
                         ["StreamDescriptionSummary"]["StreamName"], name)
        ids = [s["ShardId"] for s in k.list_shards(StreamARN=arn)["Shards"]]
        self.assertEqual(ids, ["shardId-000000000000", "shardId-000000000001"])
        k.delete_stream(StreamARN=arn)
        wait_gone(k, name)

    def test_unknown_arn_not_found(self):
        k = self.kinesis
        name = self.new_name("missing")
        arn = "arn:aws:kinesis:us-east-1:%s:stream/%s" % (DEFAULT_ACCOUNT, name)
        with self.assertRaises(k.exceptions.ResourceNotFoundException):
            k.describe_stream_summary(StreamARN=arn)


if __name__ == "__main__":
    unittest.main(verbosity=2)
