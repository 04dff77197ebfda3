"""Channels (2026): CreateChannel, DescribeChannel, UpdateChannel, DeleteChannel, ListChannels, the channel counts
of DescribeLimits and DescribeStreamSummary, and delivery to the local directory that stands in for S3. boto3 1.43
predates these operations, so the tests speak JSON directly."""

import base64
import gzip
import json
import os
import time
import unittest

from channel_support import (ACCOUNT, BUCKET, FAST, ROLE, ChannelCase, DeliveryCase, create_body, json_lines,
                             on_demand, read_objects, s3_destination, shard_and_sequence, stream_arn)
from harness import create_active, wait_status


class ChannelLifecycleTest(ChannelCase):
    server_kwargs = {"create_ms": 300, "delete_ms": 300, "update_ms": 300, "extra_args": FAST}

    def test_create_describe_update_delete(self):
        stream = on_demand(self)
        name = self.new_name("life")
        created = self.create(name, stream, Tags={"team": "data"})
        self.assertEqual(created["ChannelStatus"], "CREATING")
        self.assertEqual(created["ChannelName"], name)
        self.assertRegex(created["ChannelId"], r"^[a-z0-9]{16}$")
        self.assertEqual(created["ChannelARN"], "arn:aws:kinesis:us-east-1:%s:channel/%s" % (ACCOUNT, created["ChannelId"]))
        self.assertEqual(created["ServiceExecutionRoleARN"], ROLE)
        summary = self.kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]
        source = created["StreamConfigurationList"][0]
        self.assertEqual(source["StreamARN"], stream_arn(stream))
        self.assertEqual(source["StreamCreationTimestamp"], summary["StreamCreationTimestamp"].timestamp())
        self.assertEqual(source["RecordConfiguration"], {"RecordFormatType": "JSON"})
        # AWS's defaults, filled in.
        s3 = created["S3DestinationConfiguration"]
        self.assertEqual(s3["DataFreshnessInSeconds"], 300)
        self.assertEqual(s3["StorageConfiguration"]["StorageClass"], "STANDARD")
        self.assertEqual(s3["StorageConfiguration"]["OutputKeyTemplate"],
                         "kinesis-channel/!{channel-name}/!{channel-id}/!{yyyy}/!{MM}/!{dd}/!{HH}/"
                         "!{channel-name}-!{channel-id}-!{yyyy}-!{MM}-!{dd}-!{HH}-!{mm}!{extension}")
        self.assertEqual(s3["DeadLetterQueueS3Configuration"],
                         {"BucketARN": BUCKET, "ExpectedBucketOwner": "123456789012",
                          "ErrorOutputPrefix": "kinesis-channel/errors/%s/%s/" % (name, created["ChannelId"])})
        self.assertEqual(created["LoggingConfiguration"], {"CloudWatchLogs": {"Enabled": False}})
        self.assertNotIn("EncryptionConfiguration", created)
        self.assertNotIn("S3TablesDestinationConfiguration", created)
        arn = created["ChannelARN"]

        # UpdateChannel needs ACTIVE.
        resp = self.server.raw("UpdateChannel", {"ChannelARN": arn, "S3DestinationConfiguration": {"DataFreshnessInSeconds": 600}})
        self.assertAwsError(resp, "ResourceInUseException",
                            "Channel %s under account %s not ACTIVE, instead in state CREATING" % (name, ACCOUNT))
        self.assertEqual(self.wait_channel(arn)["ChannelStatus"], "ACTIVE")
        updated = self.server.call("UpdateChannel", {
            "ChannelARN": arn, "S3DestinationConfiguration": {"DataFreshnessInSeconds": 600},
            "LoggingConfiguration": {"CloudWatchLogs": {"Enabled": True}}})["ChannelDescription"]
        self.assertEqual(updated["ChannelStatus"], "UPDATING")
        self.assertEqual(updated["S3DestinationConfiguration"]["DataFreshnessInSeconds"], 600)
        self.assertEqual(updated["LoggingConfiguration"]["CloudWatchLogs"],
                         {"Enabled": True, "LogGroupName": "/aws/kinesis/%s/%s" % (name, created["ChannelId"]),
                          "LogStreamName": "DestinationDelivery"})
        described = self.wait_channel(arn)
        self.assertEqual(described["S3DestinationConfiguration"]["DataFreshnessInSeconds"], 600)

        # Counts.
        summary = self.server.call("DescribeStreamSummary", {"StreamName": stream})["StreamDescriptionSummary"]
        self.assertEqual(summary["ChannelCount"], 1)
        limits = self.server.call("DescribeLimits")
        self.assertGreaterEqual(limits["ChannelCount"], 1)
        self.assertEqual(limits["ChannelCountLimit"], 100)

        # A stream with a channel cannot be deleted.
        resp = self.server.raw("DeleteStream", {"StreamName": stream})
        self.assertAwsError(resp, "ResourceInUseException", message_contains="channel")
        self.assertEqual(self.server.raw("DeleteChannel", {"ChannelARN": arn}).status, 200)
        self.assertEqual(self.describe(arn)["ChannelStatus"], "DELETING")
        self.assertEqual(self.server.raw("DeleteStream", {"StreamName": stream}).error_type, "ResourceInUseException")
        self.wait_channel(arn, None)
        self.assertAwsError(self.server.raw("DescribeChannel", {"ChannelARN": arn}), "ResourceNotFoundException",
                            "Channel %s under account %s not found." % (created["ChannelId"], ACCOUNT))
        summary = self.server.call("DescribeStreamSummary", {"StreamName": stream})["StreamDescriptionSummary"]
        self.assertEqual(summary["ChannelCount"], 0)
        self.assertEqual(self.server.raw("DeleteStream", {"StreamName": stream}).status, 200)

    def test_create_errors(self):
        stream = on_demand(self)
        name = self.new_name("err")

        def error(body, error_type, message=None, contains=None):
            resp = self.server.raw("CreateChannel", body)
            self.assertAwsError(resp, error_type, message, message_contains=contains)

        # The model's checks.
        error(create_body("bad name", stream), "ValidationException", contains="channelName")
        error(dict(create_body(name, stream), ServiceExecutionRoleARN="arn:aws:iam::1:role/r"),
              "ValidationException", contains="serviceExecutionRoleARN")
        body = create_body(name, stream)
        del body["ServiceExecutionRoleARN"]
        error(body, "ValidationException", contains="Member must not be null")
        error(dict(create_body(name, stream), StreamConfigurationList=[]), "ValidationException")
        error(create_body(name, stream, fmt="XML"), "ValidationException", contains="recordFormatType")
        error(create_body(name, stream, S3DestinationConfiguration=s3_destination(bucket="arn:aws:s3:::UP")),
              "ValidationException", contains="bucketARN")
        error(create_body(name, stream, S3DestinationConfiguration=s3_destination(CompressionType="LZ4")),
              "ValidationException")
        # The service's checks.
        error(create_body(name, "missing-" + stream), "ResourceNotFoundException",
              "Stream missing-%s under account %s not found." % (stream, ACCOUNT))
        body = create_body(name, stream)
        body["StreamConfigurationList"][0]["StreamARN"] = stream_arn(stream, region="eu-west-1")
        error(body, "ResourceNotFoundException")
        provisioned = self.new_name("prov")
        create_active(self.kinesis, provisioned, shards=1)
        error(create_body(name, provisioned), "ValidationException", contains="on-demand capacity mode")
        body = create_body(name, stream)
        body["StreamConfigurationList"].append(body["StreamConfigurationList"][0])
        error(body, "InvalidArgumentException", contains="one stream is supported per channel")
        tables = {"DeadLetterQueueS3Configuration": {"BucketARN": BUCKET, "ExpectedBucketOwner": "123456789012"},
                  "S3TablesConfigurationList": [{
                      "TableBucketARN": "arn:aws:s3tables:us-east-1:123456789012:bucket/tables",
                      "Namespace": "ns", "TableName": "t", "CompressionType": "ZSTD"}]}
        error(create_body(name, stream, S3TablesDestinationConfiguration=tables), "InvalidArgumentException",
              contains="not supported by this kinesisd")
        error(create_body(name, stream, S3DestinationConfiguration=s3_destination(), S3TablesDestinationConfiguration=tables),
              "InvalidArgumentException", contains="not both")
        body = create_body(name, stream)
        del body["S3DestinationConfiguration"]
        body["Tags"] = {"a": "b"}
        error(body, "InvalidArgumentException", contains="must be specified")
        for freshness in (299, 901):
            dest = dict(s3_destination(), DataFreshnessInSeconds=freshness)
            error(create_body(name, stream, S3DestinationConfiguration=dest), "InvalidArgumentException",
                  "DataFreshnessInSeconds %d is not valid. It must be between 300 and 900 seconds." % freshness)
        error(create_body(name, stream, fmt="GSR_JSON"), "InvalidArgumentException", contains="GSR_JSON")
        error(create_body(name, stream, S3DestinationConfiguration=s3_destination(OutputKeyTemplate="x/!{nope}")),
              "InvalidArgumentException", "OutputKeyTemplate contains an unknown variable !{nope}.")
        error(create_body(name, stream, S3DestinationConfiguration=s3_destination(OutputKeyTemplate="../x")),
              "InvalidArgumentException")
        error(create_body(name, stream, EncryptionConfiguration={"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}),
              "InvalidArgumentException", contains="service key")
        error(create_body(name, stream, EncryptionConfiguration={"EncryptionType": "KMS", "KeyId": "not-a-key"}),
              "KMSNotFoundException", "Invalid keyId not-a-key")
        error(create_body(name, stream, EncryptionConfiguration={"EncryptionType": "NONE", "KeyId": "alias/k"}),
              "ValidationException")
        error(create_body(name, stream, Tags={"aws:reserved": "x"}), "InvalidArgumentException")
        error(create_body(name, stream, Tags={"k%d" % i: "v" for i in range(51)}), "InvalidArgumentException")

        # A good one, then the name and the stream are taken.
        key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        created = self.create(name, stream, EncryptionConfiguration={"EncryptionType": "KMS", "KeyId": key})
        self.assertEqual(created["EncryptionConfiguration"], {"EncryptionType": "KMS", "KeyId": key})
        other = on_demand(self)
        error(create_body(name, other), "ResourceInUseException",
              "Channel %s under account %s already exists." % (name, ACCOUNT))
        error(create_body(self.new_name("second"), stream), "LimitExceededException", contains="already has")
        young = self.new_name("young")
        self.kinesis.create_stream(StreamName=young, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        error(create_body(self.new_name("early"), young), "ResourceInUseException", contains="not ACTIVE")

    def test_describe_update_delete_errors(self):
        resp = self.server.raw("DescribeChannel", {"ChannelARN": "arn:aws:kinesis:us-east-1:%s:stream/x" % ACCOUNT})
        self.assertAwsError(resp, "ValidationException", message_contains="channelARN")
        self.assertAwsError(self.server.raw("DescribeChannel", {}), "ValidationException")
        unknown = "arn:aws:kinesis:us-east-1:%s:channel/nosuchchannel000" % ACCOUNT
        for op in ("DescribeChannel", "DeleteChannel"):
            self.assertAwsError(self.server.raw(op, {"ChannelARN": unknown}), "ResourceNotFoundException",
                                "Channel nosuchchannel000 under account %s not found." % ACCOUNT)
        other_account = "arn:aws:kinesis:us-east-1:111122223333:channel/abc"
        self.assertAwsError(self.server.raw("DescribeChannel", {"ChannelARN": other_account}),
                            "ResourceNotFoundException")
        stream = on_demand(self)
        arn = self.active_channel(stream)["ChannelARN"]
        for body, contains in (({"ChannelARN": arn}, "nothing else"),
                               ({"ChannelARN": arn, "S3TablesDestinationConfiguration": {"DataFreshnessInSeconds": 300}},
                                "general purpose"),
                               ({"ChannelARN": arn, "S3DestinationConfiguration": {"DataFreshnessInSeconds": 1000}},
                                "between 300 and 900")):
            self.assertAwsError(self.server.raw("UpdateChannel", body), "InvalidArgumentException",
                                message_contains=contains)
        self.assertAwsError(self.server.raw("UpdateChannel", {"ChannelARN": arn, "S3DestinationConfiguration": {}}),
                            "ValidationException")
        self.assertAwsError(self.server.raw("DescribeChannel", {"ChannelARN": arn}, region="eu-west-1"),
                            "ResourceNotFoundException")
        self.assertEqual(self.describe(arn)["ChannelStatus"], "ACTIVE")
        # Deleting twice is fine while it is DELETING.
        self.assertEqual(self.server.raw("DeleteChannel", {"ChannelARN": arn}).status, 200)
        self.assertEqual(self.server.raw("DeleteChannel", {"ChannelARN": arn}).status, 200)
        self.assertAwsError(self.server.raw("UpdateChannel", {"ChannelARN": arn, "S3DestinationConfiguration": {
            "DataFreshnessInSeconds": 300}}), "ResourceInUseException", message_contains="DELETING")

    def test_list_channels(self):
        streams = [on_demand(self, "list") for _ in range(3)]
        prefix = self.new_name("lst")
        arns = {}
        for i, stream in enumerate(streams):
            arns[stream] = self.create("%s-%d" % (prefix, i), stream)["ChannelARN"]
        listed = [c for c in self.server.call("ListChannels")["ChannelSummaries"] if c["ChannelName"].startswith(prefix)]
        self.assertEqual([c["ChannelName"] for c in listed], ["%s-%d" % (prefix, i) for i in range(3)])
        first = listed[0]
        self.assertEqual(set(first), {"ChannelName", "ChannelARN", "ChannelId", "ChannelStatus",
                                      "ChannelCreationTimestamp", "ChannelDestinationType", "Streams"})
        self.assertEqual(first["ChannelDestinationType"], "S3")
        self.assertEqual(first["Streams"][0]["StreamARN"], stream_arn(streams[0]))
        # Paging.
        names, token, pages = [], None, 0
        while True:
            body = {"MaxResults": 1}
            if token:
                body["NextToken"] = token
            page = self.server.call("ListChannels", body)
            names += [c["ChannelName"] for c in page["ChannelSummaries"]]
            pages += 1
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual([n for n in names if n.startswith(prefix)], ["%s-%d" % (prefix, i) for i in range(3)])
        self.assertEqual(pages, len(names))
        # StreamFilter, with and without the creation time.
        created = self.kinesis.describe_stream_summary(StreamName=streams[1])["StreamDescriptionSummary"]
        only = self.server.call("ListChannels", {"StreamFilter": [{"StreamARN": stream_arn(streams[1])}]})
        self.assertEqual([c["ChannelARN"] for c in only["ChannelSummaries"]], [arns[streams[1]]])
        timed = {"StreamARN": stream_arn(streams[1]),
                 "StreamCreationTimestamp": created["StreamCreationTimestamp"].timestamp()}
        self.assertEqual(len(self.server.call("ListChannels", {"StreamFilter": [timed]})["ChannelSummaries"]), 1)
        timed["StreamCreationTimestamp"] -= 3600
        self.assertEqual(self.server.call("ListChannels", {"StreamFilter": [timed]})["ChannelSummaries"], [])
        two = self.server.call("ListChannels", {"StreamFilter": [{"StreamARN": stream_arn(s)} for s in streams[:2]]})
        self.assertEqual(len(two["ChannelSummaries"]), 2)
        # Errors.
        self.assertAwsError(self.server.raw("ListChannels", {"NextToken": "garbage"}), "InvalidArgumentException",
                            "Invalid NextToken.")
        expired = base64.b64encode(json.dumps({"n": "a", "i": "b", "r": "us-east-1", "t": 1}).encode()).decode()
        self.assertAwsError(self.server.raw("ListChannels", {"NextToken": expired}), "ExpiredNextTokenException",
                            "The timestamp of the NextToken has expired.")
        self.assertAwsError(self.server.raw("ListChannels", {"MaxResults": 0}), "ValidationException")
        self.assertAwsError(self.server.raw("ListChannels", {"StreamFilter": []}), "ValidationException")
        self.assertAwsError(self.server.raw("ListChannels", {"StreamFilter": [{"StreamARN": "nope"}]}),
                            "ValidationException")


class ChannelRateLimitTest(ChannelCase):
    """AWS: each channel operation has "a call limit of 5 transactions per second (TPS) for each account"."""

    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0}

    def test_five_calls_a_second_per_account(self):
        unknown = "arn:aws:kinesis:us-east-1:%s:channel/nosuchchannel000" % ACCOUNT
        errors = [self.server.raw("DescribeChannel", {"ChannelARN": unknown}).error_type for _ in range(8)]
        self.assertEqual(errors.count("ResourceNotFoundException"), 5, errors)
        resp = self.server.raw("DescribeChannel", {"ChannelARN": unknown})
        self.assertAwsError(resp, "LimitExceededException", "Rate exceeded for account %s." % ACCOUNT)
        # Each operation has its own bucket.
        self.assertEqual(self.server.raw("ListChannels").status, 200)


class ChannelDeliveryTest(DeliveryCase):
    server_kwargs = {"create_ms": 100, "delete_ms": 100, "update_ms": 100, "extra_args": FAST}

    def test_json_gzip_every_record_once_in_order_per_shard(self):
        stream = on_demand(self, "json")
        self.put(stream, [("before", b'{"before": true}')])  # before the channel: not delivered (no backfill)
        template = "out/!{stream-name}/!{yyyy}/!{MM}/!{dd}/!{HH}/part!{extension}"
        channel = self.active_channel(stream, S3DestinationConfiguration=s3_destination(
            CompressionType="GZIP", OutputKeyTemplate=template))
        active_ms = channel["ChannelCreationTimestamp"] * 1000 + 100
        items = [("key-%d" % (i % 8), json.dumps({"k": i % 8, "i": i}).encode()) for i in range(300)]
        items.insert(150, ("key-3", b"{not json"))
        self.put(stream, items)
        expected = self.shard_records(stream, since_ms=active_ms)
        expected = {s: [d for d in records if d != b"{not json"] for s, records in expected.items()}
        total = sum(len(v) for v in expected.values())
        self.assertEqual(total, 300)
        root = os.path.join(self.server.data_dir, "channel-output", "my-channel-bucket", "out", stream)

        def complete(objects):
            return sum(len(json_lines(gzip.decompress(c))) for c in objects.values()) >= total
        objects = self.wait_objects(root, complete)
        for path in objects:
            self.assertTrue(path.endswith(".json.gz"), path)
            self.assertIn("/part-shardId-", "/" + path)
        delivered = self.delivered_by_shard(objects, lambda c: json_lines(gzip.decompress(c)))
        self.assertEqual({s: v for s, v in delivered.items() if v}, {s: v for s, v in expected.items() if v})
        # The invalid record went to the dead-letter prefix, with its reason.
        dlq_root = os.path.join(self.server.data_dir, "channel-output", "my-channel-bucket", "kinesis-channel",
                                "errors", channel["ChannelName"], channel["ChannelId"])
        dead = self.wait_objects(dlq_root, lambda o: len(o) >= 1)
        lines = [json.loads(l) for c in dead.values() for l in c.decode().splitlines()]
        self.assertEqual(len(lines), 1)
        self.assertEqual(base64.b64decode(lines[0]["data"]), b"{not json")
        self.assertEqual(lines[0]["errorCode"], "InvalidRecordFormat")
        self.assertEqual(lines[0]["partitionKey"], "key-3")

    def test_string_and_byte_array(self):
        for fmt, split in (("STRING", lambda c: [l.encode() for l in c.decode().split("\n") if l]),
                           ("BYTE_ARRAY", lambda c: [c])):
            stream = on_demand(self, fmt.lower().replace("_", ""))
            channel = self.active_channel(stream, fmt=fmt)
            active_ms = channel["ChannelCreationTimestamp"] * 1000 + 100
            items = [("p%d" % (i % 5), ("r%03d-é" % i).encode()) for i in range(100)]
            self.put(stream, items)
            expected = self.shard_records(stream, since_ms=active_ms)
            root = os.path.join(self.server.data_dir, "channel-output", "my-channel-bucket", "kinesis-channel",
                                channel["ChannelName"], channel["ChannelId"])
            ext = ".txt" if fmt == "STRING" else ".bin"
            size = sum(len(d) for v in expected.values() for d in v)

            def complete(objects):
                return sum(len(c) for c in objects.values()) >= size + (100 if fmt == "STRING" else 0)
            objects = self.wait_objects(root, complete)
            for path in objects:
                self.assertTrue(path.endswith(ext), path)
                self.assertIn(channel["ChannelName"] + "-" + channel["ChannelId"] + "-", path)
            delivered = self.delivered_by_shard(objects, split)
            if fmt == "BYTE_ARRAY":
                delivered = {s: [b"".join(v)] for s, v in delivered.items()}
                expected = {s: [b"".join(v)] for s, v in expected.items() if v}
            self.assertEqual({s: v for s, v in delivered.items() if v}, {s: v for s, v in expected.items() if v})


    def test_reshard_parents_before_children(self):
        stream = on_demand(self, "split")
        channel = self.active_channel(stream)
        active_ms = channel["ChannelCreationTimestamp"] * 1000 + 100
        parent = self.kinesis.put_record(StreamName=stream, PartitionKey="k", Data=b'{"i": -1}')["ShardId"]
        self.put(stream, [("k", json.dumps({"i": i}).encode()) for i in range(50)])
        shard = [s for s in self.kinesis.list_shards(StreamName=stream)["Shards"] if s["ShardId"] == parent][0]
        start, end = int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])
        self.kinesis.split_shard(StreamName=stream, ShardToSplit=parent, NewStartingHashKey=str((start + end) // 2))
        wait_status(self.kinesis, stream)
        self.put(stream, [("k", json.dumps({"i": i}).encode()) for i in range(50, 100)])
        expected = self.shard_records(stream, since_ms=active_ms)
        root = os.path.join(self.server.data_dir, "channel-output", "my-channel-bucket", "kinesis-channel",
                            channel["ChannelName"], channel["ChannelId"])
        objects = self.wait_objects(root, lambda o: sum(len(json_lines(c)) for c in o.values()) >= 101)
        delivered = self.delivered_by_shard(objects, json_lines)
        self.assertEqual({s: v for s, v in delivered.items() if v}, {s: v for s, v in expected.items() if v})
        self.assertEqual(len(delivered), 2)  # the parent and the child that took key "k"
        # The parent's objects were all written before the child's first one.
        times = {}
        for path in objects:
            times.setdefault(shard_and_sequence(path)[0], []).append(os.stat(os.path.join(root, path)).st_mtime_ns)
        child = [s for s in delivered if s != parent][0]
        self.assertLessEqual(max(times[parent]), min(times[child]))


class ChannelDurabilityTest(DeliveryCase):
    """kill -9: the channel, its settings and its delivery position survive; nothing is lost or repeated."""

    server_kwargs = {"create_ms": 100, "delete_ms": 100, "update_ms": 100,
                     "extra_args": ["--throughput-limits", "off", "--channel-check-ms", "50",
                                    "--channel-freshness-ms", "1500"]}

    def test_channel_and_position_survive_kill9(self):
        stream = on_demand(self, "dur")
        created = self.create(self.new_name("dur"), stream, Tags={"t": "v"})
        self.server.kill9()  # right after the answer: the channel must be on disk
        self.server.start()
        channel = self.wait_channel(created["ChannelARN"])
        self.assertEqual(channel["ChannelId"], created["ChannelId"])
        self.assertEqual(channel["S3DestinationConfiguration"], created["S3DestinationConfiguration"])
        root = os.path.join(self.server.data_dir, "channel-output", "my-channel-bucket", "kinesis-channel",
                            channel["ChannelName"], channel["ChannelId"])

        def lines(objects):
            return [l for c in objects.values() for l in json_lines(c)]
        first = [("a%d" % (i % 4), json.dumps({"batch": 1, "i": i}).encode()) for i in range(120)]
        self.put(stream, first)
        self.wait_objects(root, lambda o: len(lines(o)) >= 120)
        # Records not yet delivered when the server dies are delivered after the restart.
        second = [("b%d" % (i % 4), json.dumps({"batch": 2, "i": i}).encode()) for i in range(80)]
        self.put(stream, second)
        self.server.kill9()
        self.server.start()
        third = [("c%d" % (i % 4), json.dumps({"batch": 3, "i": i}).encode()) for i in range(40)]
        self.put(stream, third)
        objects = self.wait_objects(root, lambda o: len(lines(o)) >= 240)
        time.sleep(2.0)  # a further round must not repeat anything
        objects = read_objects(root)
        got = lines(objects)
        self.assertEqual(len(got), 240)
        self.assertEqual(sorted(got), sorted(d for _, d in first + second + third))
        checkpoints = os.path.join(self.server.data_dir, "channels", "us-east-1", channel["ChannelId"] + ".json")
        self.assertTrue(os.path.exists(checkpoints))
        # Deleted channels lose their checkpoint; delivered objects stay.
        self.server.call("DeleteChannel", {"ChannelARN": channel["ChannelARN"]})
        self.wait_channel(channel["ChannelARN"], None)
        deadline = time.monotonic() + 5
        while os.path.exists(checkpoints) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(os.path.exists(checkpoints))
        self.assertEqual(len(lines(read_objects(root))), 240)


if __name__ == "__main__":
    unittest.main()
