"""ListStreams, ListShards (paging, filters, paginators) and region isolation."""

import base64
import datetime
import os
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from botocore.exceptions import ClientError  # noqa: E402
from botocore.paginate import TokenEncoder  # noqa: E402

from harness import (DEFAULT_ACCOUNT, ServerTestCase, create_active, list_all_shards,  # noqa: E402
                     wait_status)


class _KnownStreams(ServerTestCase):
    """A dedicated server so the exact set of stream names is known."""

    # Paging, not rates: eight CreateStream calls in well under a second (5/s on AWS).
    server_kwargs = {"extra_args": ["--throughput-limits", "off"]}

    @classmethod
    def setUpClass(cls):
        super(_KnownStreams, cls).setUpClass()
        k = cls.server.client()
        tag = uuid.uuid4().hex[:8]
        # Leading characters chosen to exercise byte-wise ordering.
        cls.names = ["%s%s" % (c, tag) for c in ("b", "A", "9", "_x", "-x", ".x", "Z", "a")]
        for batch in (cls.names[:4], cls.names[4:]):  # never more than 5 CREATING at once
            for n in batch:
                k.create_stream(StreamName=n, ShardCount=1)
            for n in batch:
                wait_status(k, n, "ACTIVE")
        cls.sorted_names = sorted(cls.names)


class ListStreamsTest(_KnownStreams):

    def test_all_names_sorted(self):
        resp = self.kinesis.list_streams()
        self.assertEqual(resp["StreamNames"], self.sorted_names)
        self.assertFalse(resp["HasMoreStreams"])

    def test_limit_and_exclusive_start(self):
        k = self.kinesis
        first = k.list_streams(Limit=3)
        self.assertEqual(first["StreamNames"], self.sorted_names[:3])
        self.assertTrue(first["HasMoreStreams"])
        second = k.list_streams(Limit=3, ExclusiveStartStreamName=self.sorted_names[2])
        self.assertEqual(second["StreamNames"], self.sorted_names[3:6])
        self.assertTrue(second["HasMoreStreams"])
        last = k.list_streams(Limit=3, ExclusiveStartStreamName=self.sorted_names[5])
        self.assertEqual(last["StreamNames"], self.sorted_names[6:])
        self.assertFalse(last["HasMoreStreams"])

    def test_exclusive_start_name_not_existing(self):
        # A start name between two existing names continues after it.
        k = self.kinesis
        resp = k.list_streams(ExclusiveStartStreamName="a")
        self.assertEqual(resp["StreamNames"], [n for n in self.sorted_names if n > "a"])

    def test_stream_summaries(self):
        resp = self.kinesis.list_streams()
        summaries = resp["StreamSummaries"]
        self.assertEqual([s["StreamName"] for s in summaries], self.sorted_names)
        now = datetime.datetime.now(datetime.timezone.utc)
        for s in summaries:
            self.assertEqual(s["StreamARN"], "arn:aws:kinesis:us-east-1:%s:stream/%s"
                             % (DEFAULT_ACCOUNT, s["StreamName"]))
            self.assertEqual(s["StreamStatus"], "ACTIVE")
            self.assertEqual(s["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
            self.assertLess(abs((now - s["StreamCreationTimestamp"]).total_seconds()), 300)


class ListStreamsNextTokenTest(_KnownStreams):
    """NextToken paging on its own server, so a failure here cannot mask the others."""

    def test_next_token_paging(self):
        k = self.kinesis
        seen, token, calls = [], None, 0
        while True:
            calls += 1
            self.assertLess(calls, 20, "NextToken paging does not terminate")
            kwargs = {"Limit": 3}
            if token:
                kwargs["NextToken"] = token
            resp = k.list_streams(**kwargs)
            self.assertLessEqual(len(resp["StreamNames"]), 3)
            seen.extend(resp["StreamNames"])
            token = resp.get("NextToken")
            if not resp["HasMoreStreams"]:
                break
            self.assertTrue(token, "HasMoreStreams true but no NextToken: %r" % resp)
        self.assertEqual(seen, self.sorted_names)

    def test_next_token_of_deeply_nested_json_is_refused_and_the_server_lives(self):
        # A NextToken may be 1 MiB long; a JSON document of 700,000 nested arrays inside one once overflowed the
        # stack of the recursive parser and killed the server (found while fuzzing).
        token = base64.b64encode(b'{"t":' + b"[" * 700000).decode()
        resp = self.server.raw("ListStreams", {"NextToken": token})
        self.assertAwsError(resp, "InvalidArgumentException", "Invalid NextToken.")
        self.assertEqual(self.kinesis.list_streams(Limit=1)["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_paginator_yields_each_once(self):
        pages = self.kinesis.get_paginator("list_streams").paginate(PaginationConfig={"PageSize": 2})
        names = []
        npages = 0
        for page in pages:
            npages += 1
            names.extend(page["StreamNames"])
        self.assertEqual(names, self.sorted_names)
        self.assertGreaterEqual(npages, 4)


class ListShardsTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super(ListShardsTest, cls).setUpClass()
        cls.name = "shards-%s" % uuid.uuid4().hex[:10]
        create_active(cls.server.client(), cls.name, 5)
        cls.all_ids = ["shardId-%012d" % i for i in range(5)]

    def test_all_shards(self):
        resp = self.kinesis.list_shards(StreamName=self.name)
        self.assertEqual([s["ShardId"] for s in resp["Shards"]], self.all_ids)
        self.assertNotIn("NextToken", resp)
        desc = self.kinesis.describe_stream(StreamName=self.name)["StreamDescription"]["Shards"]
        self.assertEqual(resp["Shards"], desc)

    def test_max_results_next_token(self):
        k = self.kinesis
        first = k.list_shards(StreamName=self.name, MaxResults=2)
        self.assertEqual([s["ShardId"] for s in first["Shards"]], self.all_ids[:2])
        self.assertTrue(first.get("NextToken"))
        second = k.list_shards(NextToken=first["NextToken"], MaxResults=2)
        self.assertEqual([s["ShardId"] for s in second["Shards"]], self.all_ids[2:4])
        self.assertTrue(second.get("NextToken"))
        third = k.list_shards(NextToken=second["NextToken"], MaxResults=2)
        self.assertEqual([s["ShardId"] for s in third["Shards"]], self.all_ids[4:])
        self.assertNotIn("NextToken", third)

    def test_paginator_single_page(self):
        shards = list_all_shards(self.kinesis, StreamName=self.name,
                                 PaginationConfig={"PageSize": 10})
        self.assertEqual([s["ShardId"] for s in shards], self.all_ids)

    def test_paginator_from_next_token(self):
        # Real Kinesis rejects StreamName together with NextToken, and botocore's
        # ListShards paginator repeats the first call's arguments (boto/botocore#2009),
        # so multi-page pagination resumes from a token without StreamName.
        first = self.kinesis.list_shards(StreamName=self.name, MaxResults=2)
        start = TokenEncoder().encode({"NextToken": first["NextToken"]})
        pages = list(self.kinesis.get_paginator("list_shards").paginate(
            PaginationConfig={"PageSize": 2, "StartingToken": start}))
        ids = [s["ShardId"] for s in first["Shards"]]
        ids += [s["ShardId"] for page in pages for s in page["Shards"]]
        self.assertEqual(ids, self.all_ids)
        self.assertEqual([len(page["Shards"]) for page in pages], [2, 1])

    def test_exclusive_start_shard_id(self):
        resp = self.kinesis.list_shards(StreamName=self.name,
                                        ExclusiveStartShardId="shardId-000000000001")
        self.assertEqual([s["ShardId"] for s in resp["Shards"]], self.all_ids[2:])

    def test_next_token_with_stream_name_invalid(self):
        k = self.kinesis
        token = k.list_shards(StreamName=self.name, MaxResults=1)["NextToken"]
        with self.assertRaises(ClientError) as ctx:
            k.list_shards(StreamName=self.name, NextToken=token)
        self.assertClientError(ctx, "InvalidArgumentException")

    def test_garbage_next_token_invalid(self):
        with self.assertRaises(ClientError) as ctx:
            self.kinesis.list_shards(NextToken="this-is-not-a-token")
        self.assertClientError(ctx, "InvalidArgumentException")

    def test_shard_filters_returning_all(self):
        for ftype in ("AT_LATEST", "FROM_TRIM_HORIZON", "AT_TRIM_HORIZON"):
            resp = self.kinesis.list_shards(StreamName=self.name, ShardFilter={"Type": ftype})
            self.assertEqual([s["ShardId"] for s in resp["Shards"]], self.all_ids, ftype)

    def test_shard_filter_after_shard_id(self):
        resp = self.kinesis.list_shards(
            StreamName=self.name,
            ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"})
        self.assertEqual([s["ShardId"] for s in resp["Shards"]], self.all_ids[2:])

    def test_missing_stream_not_found(self):
        k = self.kinesis
        name = "missing-%s" % uuid.uuid4().hex[:8]
        with self.assertRaises(k.exceptions.ResourceNotFoundException) as ctx:
            k.list_shards(StreamName=name)
        self.assertClientError(ctx, "ResourceNotFoundException",
                               "Stream %s under account %s not found." % (name, DEFAULT_ACCOUNT))

    def test_stream_arn(self):
        arn = "arn:aws:kinesis:us-east-1:%s:stream/%s" % (DEFAULT_ACCOUNT, self.name)
        resp = self.kinesis.list_shards(StreamARN=arn)
        self.assertEqual([s["ShardId"] for s in resp["Shards"]], self.all_ids)


class RegionTest(ServerTestCase):

    def test_regions_isolated(self):
        west = self.server.client(region="us-west-2")
        east = self.server.client(region="us-east-1")
        name = self.new_name("west")
        create_active(west, name, 2)
        arn = west.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertEqual(arn, "arn:aws:kinesis:us-west-2:%s:stream/%s" % (DEFAULT_ACCOUNT, name))
        self.assertIn(name, west.list_streams()["StreamNames"])
        self.assertNotIn(name, east.list_streams()["StreamNames"])
        with self.assertRaises(east.exceptions.ResourceNotFoundException):
            east.describe_stream(StreamName=name)
        with self.assertRaises(east.exceptions.ResourceNotFoundException):
            east.list_shards(StreamName=name)

    def test_same_name_in_two_regions(self):
        west = self.server.client(region="us-west-2")
        east = self.server.client(region="us-east-1")
        name = self.new_name("both")
        create_active(west, name, 1)
        create_active(east, name, 3)  # no ResourceInUseException across regions
        self.assertEqual(west.describe_stream_summary(StreamName=name)
                         ["StreamDescriptionSummary"]["OpenShardCount"], 1)
        self.assertEqual(east.describe_stream_summary(StreamName=name)
                         ["StreamDescriptionSummary"]["OpenShardCount"], 3)
        east.delete_stream(StreamName=name)
        wait_status(west, name, "ACTIVE")  # deleting in us-east-1 leaves us-west-2 alone
        self.assertEqual(west.describe_stream_summary(StreamName=name)
                         ["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE")

    def test_raw_region_from_credential_scope(self):
        name = self.new_name("rawwest")
        create_active(self.server.client(region="eu-central-1"), name, 1)
        resp = self.server.raw("DescribeStreamSummary", {"StreamName": name}, region="eu-central-1")
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(resp.json()["StreamDescriptionSummary"]["StreamARN"],
                         "arn:aws:kinesis:eu-central-1:%s:stream/%s" % (DEFAULT_ACCOUNT, name))
        resp = self.server.raw("DescribeStreamSummary", {"StreamName": name}, region="us-east-1")
        self.assertEqual(resp.status, 400, resp)
        self.assertEqual(resp.error_type, "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main(verbosity=2)
