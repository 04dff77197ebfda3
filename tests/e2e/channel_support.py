"""Helpers of test_channels.py: channel requests, waiting for a status, and reading what channels delivered to
the local directory that stands in for S3."""

import os
import time

from harness import ServerTestCase, create_active

ACCOUNT = "000000000000"
ROLE = "arn:aws:iam::123456789012:role/my-channel-role"
BUCKET = "arn:aws:s3:::my-channel-bucket"
FAST = ["--throughput-limits", "off", "--channel-check-ms", "50", "--channel-freshness-ms", "400"]


def stream_arn(name, region="us-east-1", account=ACCOUNT):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (region, account, name)


def s3_destination(bucket=BUCKET, **storage):
    storage.setdefault("CompressionType", "NONE")
    config = {"StorageConfiguration": dict({"BucketARN": bucket, "ExpectedBucketOwner": "123456789012"}, **storage)}
    return config


def create_body(name, stream, fmt="JSON", **extra):
    body = {"ChannelName": name, "ServiceExecutionRoleARN": ROLE,
            "StreamConfigurationList": [{"StreamARN": stream_arn(stream),
                                         "RecordConfiguration": {"RecordFormatType": fmt}}]}
    if "S3DestinationConfiguration" not in extra and "S3TablesDestinationConfiguration" not in extra:
        body["S3DestinationConfiguration"] = s3_destination()
    body.update(extra)
    return body


def on_demand(case, prefix="ch"):
    name = case.new_name(prefix)
    create_active(case.kinesis, name, shards=None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    return name


class ChannelCase(ServerTestCase):
    def create(self, name, stream, **extra):
        return self.server.call("CreateChannel", create_body(name, stream, **extra))["ChannelDescription"]

    def describe(self, arn):
        return self.server.call("DescribeChannel", {"ChannelARN": arn})["ChannelDescription"]

    def wait_channel(self, arn, status="ACTIVE", timeout=10.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            resp = self.server.raw("DescribeChannel", {"ChannelARN": arn})
            if status is None and resp.error_type == "ResourceNotFoundException":
                return None
            if resp.status == 200:
                last = resp.json()["ChannelDescription"]["ChannelStatus"]
                if last == status:
                    return resp.json()["ChannelDescription"]
            time.sleep(0.05)
        self.fail("channel %s still %s (wanted %s)" % (arn, last, status))

    def active_channel(self, stream, **extra):
        created = self.create(self.new_name("c"), stream, **extra)
        return self.wait_channel(created["ChannelARN"])


def read_objects(root):
    """{relative path: bytes} of every object under root (not the .tmp files of writes in progress)."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".tmp"):
                continue
            path = os.path.join(dirpath, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def shard_and_sequence(path):
    """The unique suffix of an object key: -<shardId>-<first sequence number>."""
    base = os.path.basename(path)
    at = base.index("shardId-")
    shard = base[at:at + 20]
    sequence = base[at + 21:].split(".")[0]
    return shard, int(sequence)


class DeliveryCase(ChannelCase):
    def put(self, stream, items):
        """items: [(partition key, bytes)], in order; PutRecords keeps per-shard order."""
        for i in range(0, len(items), 100):
            chunk = items[i:i + 100]
            resp = self.kinesis.put_records(StreamName=stream, Records=[{"PartitionKey": k, "Data": d} for k, d in chunk])
            self.assertEqual(resp["FailedRecordCount"], 0)

    def shard_records(self, stream, since_ms=0):
        """{shard id: [data]} as GetRecords reads them, records arrived from since_ms on."""
        out = {}
        for shard in self.kinesis.list_shards(StreamName=stream)["Shards"]:
            it = self.kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records = []
            while it:
                page = self.kinesis.get_records(ShardIterator=it)
                records += page["Records"]
                if not page["Records"]:
                    break
                it = page.get("NextShardIterator")
            out[shard["ShardId"]] = [r["Data"] for r in records
                                     if r["ApproximateArrivalTimestamp"].timestamp() * 1000 >= since_ms]
        return out

    def wait_objects(self, root, predicate, timeout=15.0):
        deadline = time.monotonic() + timeout
        objects = {}
        while time.monotonic() < deadline:
            objects = read_objects(root) if os.path.isdir(root) else {}
            if predicate(objects):
                return objects
            time.sleep(0.1)
        self.fail("objects under %s never became complete: %r" % (root, sorted(objects)))

    def delivered_by_shard(self, objects, split):
        """{shard id: [record]} from objects ordered by their first sequence number."""
        by_shard = {}
        for path in sorted(objects, key=lambda p: shard_and_sequence(p)):
            shard, _ = shard_and_sequence(path)
            by_shard.setdefault(shard, []).extend(split(objects[path]))
        return by_shard


def json_lines(content):
    return [line.encode() for line in content.decode().split("\n") if line]
