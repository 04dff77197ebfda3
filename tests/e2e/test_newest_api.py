"""The 2026 additions to the Kinesis API (model/kinesis-2026-overlay.json): DryRun on the data-plane operations,
and the AUTO / USER_PARTITION_KEY record distribution strategies. The installed boto3 predates them, so these
tests speak JSON directly."""

import base64
import unittest

from harness import ServerTestCase, create_active, wait_status

DRY_RUN_MESSAGE = "Request would have succeeded, but DryRun flag is set."


def b64(data):
    return base64.b64encode(data).decode()


class DryRunTest(ServerTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0}

    def setUp(self):
        self.name = self.new_name("dry")
        create_active(self.kinesis, self.name, shards=1)

    def records_in_shard(self):
        it = self.server.call("GetShardIterator", {"StreamName": self.name, "ShardId": "shardId-000000000000",
                                                   "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        return self.server.call("GetRecords", {"ShardIterator": it})["Records"]

    def test_put_record_dry_run_writes_nothing(self):
        resp = self.server.raw("PutRecord", {"StreamName": self.name, "Data": b64(b"x"), "PartitionKey": "k",
                                             "DryRun": True})
        self.assertAwsError(resp, "DryRunOperationException", DRY_RUN_MESSAGE)
        resp = self.server.raw("PutRecords", {"StreamName": self.name, "DryRun": True,
                                              "Records": [{"Data": b64(b"y"), "PartitionKey": "k"}]})
        self.assertAwsError(resp, "DryRunOperationException", DRY_RUN_MESSAGE)
        self.assertEqual(self.records_in_shard(), [])
        # DryRun false is an ordinary call.
        self.server.call("PutRecord", {"StreamName": self.name, "Data": b64(b"z"), "PartitionKey": "k",
                                       "DryRun": False})
        self.assertEqual([base64.b64decode(r["Data"]) for r in self.records_in_shard()], [b"z"])

    def test_dry_run_still_runs_every_check(self):
        resp = self.server.raw("PutRecord", {"StreamName": "missing-" + self.name, "Data": b64(b"x"),
                                             "PartitionKey": "k", "DryRun": True})
        self.assertAwsError(resp, "ResourceNotFoundException")
        resp = self.server.raw("PutRecord", {"StreamName": self.name, "Data": b64(b"x"), "PartitionKey": "k",
                                             "ExplicitHashKey": str(2 ** 128), "DryRun": True})
        self.assertAwsError(resp, "InvalidArgumentException")
        resp = self.server.raw("GetShardIterator", {"StreamName": self.name, "ShardId": "shardId-000000000009",
                                                    "ShardIteratorType": "LATEST", "DryRun": True})
        self.assertAwsError(resp, "ResourceNotFoundException")
        resp = self.server.raw("PutRecord", {"StreamName": self.name, "Data": b64(b"x"), "PartitionKey": "k",
                                             "DryRun": "yes"})
        self.assertAwsError(resp, "SerializationException")

    def test_reads_dry_run(self):
        resp = self.server.raw("GetShardIterator", {"StreamName": self.name, "ShardId": "shardId-000000000000",
                                                    "ShardIteratorType": "TRIM_HORIZON", "DryRun": True})
        self.assertAwsError(resp, "DryRunOperationException", DRY_RUN_MESSAGE)
        it = self.server.call("GetShardIterator", {"StreamName": self.name, "ShardId": "shardId-000000000000",
                                                   "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        resp = self.server.raw("GetRecords", {"ShardIterator": it, "DryRun": True})
        self.assertAwsError(resp, "DryRunOperationException", DRY_RUN_MESSAGE)
        resp = self.server.raw("GetRecords", {"ShardIterator": "AAAA" + it[4:], "DryRun": True})
        self.assertAwsError(resp, "InvalidArgumentException", "Invalid ShardIterator.")


class RecordDistributionTest(ServerTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0}

    def shard_counts(self, name, shards):
        counts = {}
        for i in range(shards):
            sid = "shardId-%012d" % i
            it = self.server.call("GetShardIterator", {"StreamName": name, "ShardId": sid,
                                                       "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
            counts[sid] = self.server.call("GetRecords", {"ShardIterator": it})["Records"]
        return counts

    def test_user_partition_key_is_the_default_and_requires_keys(self):
        name = self.new_name("upk")
        create_active(self.kinesis, name, shards=1)
        summary = self.server.call("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]
        self.assertEqual(summary["RecordDistributionStrategy"], "USER_PARTITION_KEY")
        resp = self.server.raw("PutRecord", {"StreamName": name, "Data": b64(b"x")})
        self.assertAwsError(resp, "ValidationException",
                            "1 validation error detected: Value null at 'partitionKey' failed to satisfy "
                            "constraint: Member must not be null")
        resp = self.server.raw("PutRecords", {"StreamName": name, "Records": [
            {"Data": b64(b"a"), "PartitionKey": "k"}, {"Data": b64(b"b")}]})
        self.assertAwsError(resp, "ValidationException",
                            "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to "
                            "satisfy constraint: Member must not be null")

    def test_auto_spreads_records_evenly_without_keys(self):
        name = self.new_name("auto")
        self.server.call("CreateStream", {"StreamName": name, "StreamModeDetails": {"StreamMode": "ON_DEMAND"},
                                          "RecordDistributionStrategy": "AUTO"})
        wait_status(self.kinesis, name, "ACTIVE")
        summary = self.server.call("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]
        self.assertEqual(summary["RecordDistributionStrategy"], "AUTO")
        out = self.server.call("PutRecords", {"StreamName": name, "Records": [
            {"Data": b64(b"r%d" % i), "PartitionKey": "same-key"} for i in range(40)]})
        self.assertEqual(out["FailedRecordCount"], 0)
        one = self.server.call("PutRecord", {"StreamName": name, "Data": b64(b"keyless")})
        self.assertTrue(one["ShardId"].startswith("shardId-"))
        counts = self.shard_counts(name, 4)
        sizes = sorted(len(v) for v in counts.values())
        self.assertEqual(sum(sizes), 41)
        self.assertLessEqual(sizes[-1] - sizes[0], 2, counts.keys())  # one key, yet spread over all shards
        keyless = [r for v in counts.values() for r in v if base64.b64decode(r["Data"]) == b"keyless"]
        self.assertEqual(len(keyless), 1)
        self.assertNotIn("PartitionKey", keyless[0])

    def test_update_strategy(self):
        name = self.new_name("upd")
        create_active(self.kinesis, name, shards=2)
        arn = self.server.call("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]["StreamARN"]
        resp = self.server.raw("UpdateStreamRecordDistributionStrategy",
                               {"StreamARN": arn, "RecordDistributionStrategy": "AUTO"})
        self.assertAwsError(resp, "InvalidArgumentException",
                            "RecordDistributionStrategy AUTO is only supported for streams in ON_DEMAND mode.")
        resp = self.server.raw("UpdateStreamRecordDistributionStrategy",
                               {"StreamARN": arn, "RecordDistributionStrategy": "SOMETIMES"})
        self.assertAwsError(resp, "ValidationException", message_contains="[AUTO, USER_PARTITION_KEY]")
        self.server.call("UpdateStreamMode", {"StreamARN": arn, "StreamModeDetails": {"StreamMode": "ON_DEMAND"}})
        wait_status(self.kinesis, name, "ACTIVE")
        self.server.call("UpdateStreamRecordDistributionStrategy", {"StreamARN": arn, "RecordDistributionStrategy": "AUTO"})
        summary = self.server.call("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]
        self.assertEqual(summary["RecordDistributionStrategy"], "AUTO")
        self.server.call("PutRecord", {"StreamName": name, "Data": b64(b"no key needed")})
        # Back to partition keys: required again, and the setting survives a restart.
        self.server.call("UpdateStreamRecordDistributionStrategy",
                         {"StreamARN": arn, "RecordDistributionStrategy": "USER_PARTITION_KEY"})
        self.server.kill9()
        self.server.restart()
        summary = self.server.call("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]
        self.assertEqual(summary["RecordDistributionStrategy"], "USER_PARTITION_KEY")
        resp = self.server.raw("PutRecord", {"StreamName": name, "Data": b64(b"x")})
        self.assertAwsError(resp, "ValidationException")


if __name__ == "__main__":
    unittest.main()
