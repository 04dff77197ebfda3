"""Control-plane API rate limits (AWS's per-account, per-stream and per-shard TPS) and turning them off.

Account-scoped limits are per account and region, so each test works in a region of its own and does not
drain another test's buckets.
"""

import concurrent.futures
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import botocore.config  # noqa: E402
from harness import DEFAULT_ACCOUNT, ServerTestCase, wait_status  # noqa: E402

LEE = "LimitExceededException"
PTEE = "ProvisionedThroughputExceededException"
LIMITS_OFF = ["--throughput-limits", "off"]


def stream_message(name):
    return "Rate exceeded for stream %s under account %s." % (name, DEFAULT_ACCOUNT)


ACCOUNT_MESSAGE = "Rate exceeded for account %s." % DEFAULT_ACCOUNT


class RateLimitCase(ServerTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0}  # --throughput-limits defaults to on

    def burst(self, op, body, n, region):
        """n calls back to back; returns the responses."""
        return [self.server.raw(op, body, region=region) for _ in range(n)]

    def split(self, responses):
        ok = [r for r in responses if r.status == 200]
        throttled = [r for r in responses if r.status != 200]
        return ok, throttled

    def make_stream(self, region, shards=1):
        name = self.new_name("rate")
        self.server.call("CreateStream", {"StreamName": name, "ShardCount": shards}, region=region)
        wait_status(self.server.client(region=region), name)
        return name


class RateLimitsOnTest(RateLimitCase):

    def test_create_stream_five_per_second_per_account(self):
        region = "eu-west-1"
        # Sent at once from threads: on a loaded machine sequential calls can be slower than the refill.
        names = [self.new_name("burst") for _ in range(10)]
        with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
            responses = list(pool.map(
                lambda n: self.server.raw("CreateStream", {"StreamName": n, "ShardCount": 1}, region=region),
                names))
        ok, throttled = self.split(responses)
        self.assertGreaterEqual(len(ok), 5)
        self.assertGreaterEqual(len(throttled), 1, "10 CreateStream calls in a burst all passed")
        for name, resp in zip(names, responses):
            if resp.status != 200:
                self.assertAwsError(resp, LEE, stream_message(name))
        # A throttled call did nothing.
        listed = self.server.call("ListStreams", {}, region=region)["StreamNames"]
        self.assertEqual(sorted(listed), sorted(n for n, r in zip(names, responses) if r.status == 200))

    def test_describe_limits_one_per_second_and_recovery(self):
        region = "eu-west-2"
        self.assertEqual(self.server.raw("DescribeLimits", {}, region=region).status, 200)
        resp = self.server.raw("DescribeLimits", {}, region=region)
        self.assertAwsError(resp, LEE, ACCOUNT_MESSAGE)
        # Regions are separate accounts' worth of limits.
        self.assertEqual(self.server.raw("DescribeLimits", {}, region="eu-west-3").status, 200)
        time.sleep(1.05)
        self.assertEqual(self.server.raw("DescribeLimits", {}, region=region).status, 200)

    def test_describe_stream_ten_per_second_across_streams(self):
        region = "eu-central-1"
        a, b = self.make_stream(region), self.make_stream(region)
        ok, throttled = self.split(self.burst("DescribeStream", {"StreamName": a}, 8, region)
                                   + self.burst("DescribeStream", {"StreamName": b}, 8, region))
        self.assertGreaterEqual(len(ok), 10)
        self.assertGreaterEqual(len(throttled), 1, "16 DescribeStream calls in a burst all passed")
        self.assertAwsError(throttled[-1], LEE, stream_message(b))
        # Another operation has its own limit.
        self.assertEqual(self.server.raw("DescribeStreamSummary", {"StreamName": a}, region=region).status, 200)
        # After a second the full allowance is back.
        time.sleep(1.05)
        ok, throttled = self.split(self.burst("DescribeStream", {"StreamName": a}, 10, region))
        self.assertEqual((len(ok), len(throttled)), (10, 0))

    def test_a_rate_not_a_cap_on_calls_in_flight(self):
        region = "ap-south-1"
        name = self.make_stream(region)
        statuses = []
        lock = threading.Lock()

        def one():
            r = self.server.raw("DescribeStream", {"StreamName": name}, region=region)
            with lock:
                statuses.append(r.status)

        threads = [threading.Thread(target=one) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(statuses, [200] * 10)  # ten at once are within 10/s
        # Calls paced under the rate keep passing, however long it goes on.
        time.sleep(1.05)
        for _ in range(15):
            self.assertEqual(self.server.raw("DescribeStream", {"StreamName": name}, region=region).status, 200)
            time.sleep(0.11)

    def test_get_shard_iterator_five_per_second_per_shard(self):
        region = "ap-northeast-1"
        name = self.make_stream(region, shards=2)

        def gsi(shard):
            return self.server.raw("GetShardIterator", {"StreamName": name, "ShardId": shard,
                                                        "ShardIteratorType": "LATEST"}, region=region)

        ok, throttled = self.split([gsi("shardId-000000000000") for _ in range(8)])
        self.assertGreaterEqual(len(ok), 5)
        self.assertGreaterEqual(len(throttled), 1)
        self.assertAwsError(throttled[0], PTEE, "Rate exceeded for shard shardId-000000000000 in stream %s "
                                                "under account %s." % (name, DEFAULT_ACCOUNT))
        # The other shard has its own allowance.
        ok, throttled = self.split([gsi("shardId-000000000001") for _ in range(5)])
        self.assertEqual((len(ok), len(throttled)), (5, 0))

    def test_list_streams_and_tags(self):
        region = "sa-east-1"
        ok, throttled = self.split(self.burst("ListStreams", {}, 8, region))
        self.assertGreaterEqual(len(ok), 5)
        self.assertGreaterEqual(len(throttled), 1)
        self.assertAwsError(throttled[0], LEE, ACCOUNT_MESSAGE)
        name = self.make_stream(region)
        ok, throttled = self.split(self.burst("ListTagsForStream", {"StreamName": name}, 8, region))
        self.assertGreaterEqual(len(throttled), 1)
        self.assertAwsError(throttled[0], LEE, stream_message(name))
        # Operations without a documented limit are not throttled.
        arn = "arn:aws:kinesis:%s:%s:stream/%s" % (region, DEFAULT_ACCOUNT, name)
        ok, throttled = self.split(self.burst("ListTagsForResource", {"ResourceARN": arn}, 12, region))
        self.assertEqual(len(throttled), 0, throttled[:1])

    def test_sdk_retries_ride_out_throttling(self):
        # boto3's standard retry mode treats LimitExceededException as throttling and backs off.
        region = "ca-central-1"
        name = self.make_stream(region)
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 8})
        import boto3
        client = boto3.client("kinesis", region_name=region, endpoint_url=self.server.url,
                              aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret", config=cfg)
        retries = 0
        for _ in range(14):
            out = client.describe_stream(StreamName=name)
            self.assertEqual(out["StreamDescription"]["StreamName"], name)
            retries += out["ResponseMetadata"]["RetryAttempts"]
        self.assertGreaterEqual(retries, 1)  # some calls were throttled, and retried with success


class RateLimitsOffTest(RateLimitCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "extra_args": LIMITS_OFF}

    def test_nothing_is_throttled(self):
        region = "us-east-2"
        names = [self.new_name("off") for _ in range(8)]
        for n in names:
            self.assertEqual(self.server.raw("CreateStream", {"StreamName": n, "ShardCount": 1},
                                             region=region).status, 200)
        wait_status(self.server.client(region=region), names[-1])
        for op, body, n in (("DescribeLimits", {}, 5), ("ListStreams", {}, 10),
                            ("DescribeStream", {"StreamName": names[0]}, 15),
                            ("GetShardIterator", {"StreamName": names[0], "ShardId": "shardId-000000000000",
                                                  "ShardIteratorType": "TRIM_HORIZON"}, 10)):
            ok, throttled = self.split(self.burst(op, body, n, region))
            self.assertEqual(len(throttled), 0, (op, throttled[:1]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
