"""LimitExceededException: shard limit per account+region, and >5 streams CREATING."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import DEFAULT_ACCOUNT, ServerTestCase, create_active, wait_gone  # noqa: E402


def limit_message(region, current, limit, additional, account=DEFAULT_ACCOUNT):
    return ("This request would exceed the shard limit for the account %s in %s. "
            "Current shard count for the account: %d. Limit: %d. "
            "Number of additional shards that would have resulted from this request: %d."
            % (account, region, current, limit, additional))


class ShardLimitTest(ServerTestCase):
    server_kwargs = {"shard_limit": 10}

    def test_shard_limit_lifecycle(self):
        srv = self.server
        east = srv.client()
        first = create_active(east, self.new_name("lim"), 4)

        second = self.new_name("lim")
        resp = srv.raw("CreateStream", {"StreamName": second, "ShardCount": 7})
        self.assertAwsError(resp, "LimitExceededException",
                            message_prefix=limit_message("us-east-1", 4, 10, 7))
        with self.assertRaises(east.exceptions.ResourceNotFoundException):
            east.describe_stream_summary(StreamName=second)

        # Exactly reaching the limit is allowed.
        create_active(east, second, 6)

        # (ON_DEMAND streams are not checked here: AWS gives them a separate quota.)
        resp = srv.raw("CreateStream", {"StreamName": self.new_name("lim"), "ShardCount": 1})
        self.assertAwsError(resp, "LimitExceededException",
                            message_prefix=limit_message("us-east-1", 10, 10, 1))

        # The limit is per region.
        west = srv.client(region="us-west-2")
        create_active(west, self.new_name("limw"), 10)
        resp = srv.raw("CreateStream", {"StreamName": self.new_name("limw"), "ShardCount": 1},
                       region="us-west-2")
        self.assertAwsError(resp, "LimitExceededException",
                            message_prefix=limit_message("us-west-2", 10, 10, 1))

        # Deleting a stream gives its shards back.
        east.delete_stream(StreamName=first)
        wait_gone(east, first)
        create_active(east, self.new_name("lim"), 4)


class CreatingLimitTest(ServerTestCase):
    server_kwargs = {"create_ms": 3000}

    def test_more_than_five_creating(self):
        k = self.kinesis
        names = [self.new_name("creating") for _ in range(6)]
        for n in names[:5]:
            k.create_stream(StreamName=n, ShardCount=1)
        statuses = [k.describe_stream_summary(StreamName=n)["StreamDescriptionSummary"]
                    ["StreamStatus"] for n in names[:5]]
        self.assertEqual(statuses, ["CREATING"] * 5)
        # CreateStream is limited to 5/s per account: wait for a token so that the CREATING limit answers.
        time.sleep(0.25)
        resp = self.server.raw("CreateStream", {"StreamName": names[5], "ShardCount": 1})
        self.assertAwsError(resp, "LimitExceededException", message_contains="CREATING")
        with self.assertRaises(k.exceptions.ResourceNotFoundException):
            k.describe_stream_summary(StreamName=names[5])


if __name__ == "__main__":
    unittest.main(verbosity=2)
