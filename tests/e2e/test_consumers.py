"""The enhanced fan-out consumer registry: Register/Describe/List/DeregisterStreamConsumer with their status
transitions, ARNs, limits and errors, DeleteStream's EnforceConsumerDeletion, and persistence across kill -9."""

import time
import unittest

from botocore.exceptions import ClientError

import harness
from harness import ServerTestCase, create_active, wait_gone


class ConsumersTest(ServerTestCase):
    server_kwargs = {"create_ms": 200, "delete_ms": 200, "extra_args": ["--throughput-limits", "off"]}

    def stream(self):
        name = self.new_name("efo")
        create_active(self.kinesis, name, shards=1)
        arn = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        return name, arn

    def wait_consumer(self, arn, status, timeout=5):
        deadline = time.time() + timeout
        while time.time() < deadline:
            desc = self.kinesis.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
            if desc["ConsumerStatus"] == status:
                return desc
            time.sleep(0.05)
        self.fail("consumer %s never became %s" % (arn, status))

    def test_lifecycle(self):
        c = self.kinesis
        name, arn = self.stream()
        consumer = c.register_stream_consumer(StreamARN=arn, ConsumerName="app-1")["Consumer"]
        self.assertEqual(consumer["ConsumerStatus"], "CREATING")
        self.assertEqual(consumer["ConsumerName"], "app-1")
        created = int(consumer["ConsumerCreationTimestamp"].timestamp())
        self.assertEqual(consumer["ConsumerARN"], "%s/consumer/app-1:%d" % (arn, created))
        desc = self.wait_consumer(consumer["ConsumerARN"], "ACTIVE")
        self.assertEqual(desc["StreamARN"], arn)
        by_name = c.describe_stream_consumer(StreamARN=arn, ConsumerName="app-1")["ConsumerDescription"]
        self.assertEqual(by_name["ConsumerARN"], consumer["ConsumerARN"])
        summary = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["ConsumerCount"], 1)
        self.assertEqual(c.list_tags_for_resource(ResourceARN=consumer["ConsumerARN"])["Tags"], [])
        c.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
        self.assertEqual(c.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
                         ["ConsumerStatus"], "DELETING")
        time.sleep(0.3)
        with self.assertRaises(ClientError) as ctx:
            c.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
        self.assertClientError(ctx, "ResourceNotFoundException",
                               "Consumer app-1 under stream %s under account 000000000000 not found." % name)
        self.assertEqual(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["ConsumerCount"], 0)

    def test_list_paging_and_errors(self):
        c = self.kinesis
        name, arn = self.stream()
        for i in range(5):
            c.register_stream_consumer(StreamARN=arn, ConsumerName="c%d" % i)
        with self.assertRaises(ClientError) as ctx:
            c.register_stream_consumer(StreamARN=arn, ConsumerName="c0")
        self.assertClientError(ctx, "ResourceInUseException")
        with self.assertRaises(ClientError) as ctx:  # a sixth while five are CREATING
            c.register_stream_consumer(StreamARN=arn, ConsumerName="c5")
        self.assertClientError(ctx, "LimitExceededException")
        page = c.list_stream_consumers(StreamARN=arn, MaxResults=2)
        self.assertEqual([x["ConsumerName"] for x in page["Consumers"]], ["c0", "c1"])
        names = [x["ConsumerName"] for p in c.get_paginator("list_stream_consumers").paginate(
            StreamARN=arn, PaginationConfig={"PageSize": 2}) for x in p["Consumers"]]
        self.assertEqual(names, ["c0", "c1", "c2", "c3", "c4"])
        with self.assertRaises(ClientError) as ctx:
            c.describe_stream_consumer(StreamARN=arn, ConsumerName="nope")
        self.assertClientError(ctx, "ResourceNotFoundException")
        with self.assertRaises(ClientError) as ctx:
            c.describe_stream_consumer(ConsumerARN=arn + "/consumer/c0:1")  # wrong creation time
        self.assertClientError(ctx, "ResourceNotFoundException")

    def test_twenty_consumers_at_most(self):
        c = self.kinesis
        name, arn = self.stream()
        for i in range(20):
            if i and i % 5 == 0:
                time.sleep(0.25)  # at most five CREATING at once
            c.register_stream_consumer(StreamARN=arn, ConsumerName="k%02d" % i)
        time.sleep(0.25)
        with self.assertRaises(ClientError) as ctx:
            c.register_stream_consumer(StreamARN=arn, ConsumerName="k20")
        self.assertClientError(ctx, "LimitExceededException")

    def test_delete_stream_needs_enforce_consumer_deletion(self):
        c = self.kinesis
        name, arn = self.stream()
        c.register_stream_consumer(StreamARN=arn, ConsumerName="blocker")
        with self.assertRaises(ClientError) as ctx:
            c.delete_stream(StreamName=name)
        self.assertClientError(ctx, "ResourceInUseException")
        with self.assertRaises(ClientError) as ctx:
            c.delete_stream(StreamName=name, EnforceConsumerDeletion=False)
        self.assertClientError(ctx, "ResourceInUseException")
        c.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        wait_gone(c, name)

    def test_consumer_tags_and_policy(self):
        c = self.kinesis
        name, arn = self.stream()
        consumer = c.register_stream_consumer(StreamARN=arn, ConsumerName="tagged",
                                              Tags={"team": "fanout", "env": "dev"})["Consumer"]
        carn = consumer["ConsumerARN"]
        self.assertEqual(c.list_tags_for_resource(ResourceARN=carn)["Tags"],
                         [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "fanout"}])
        # Changes need an ACTIVE consumer.
        with self.assertRaises(ClientError) as ctx:
            c.tag_resource(ResourceARN=carn, Tags={"x": "1"})
        self.assertClientError(ctx, "ResourceInUseException")
        self.wait_consumer(carn, "ACTIVE")
        c.tag_resource(ResourceARN=carn, Tags={"x": "1", "env": "prod"})
        c.untag_resource(ResourceARN=carn, TagKeys=["team", "absent"])
        self.assertEqual(c.list_tags_for_resource(ResourceARN=carn)["Tags"],
                         [{"Key": "env", "Value": "prod"}, {"Key": "x", "Value": "1"}])
        # The stream's own tags are separate.
        self.assertEqual(c.list_tags_for_resource(ResourceARN=arn)["Tags"], [])
        with self.assertRaises(ClientError) as ctx:
            c.tag_resource(ResourceARN=carn, Tags={"aws:reserved": "v"})
        self.assertClientError(ctx, "InvalidArgumentException")
        self.assertIn("consumer tagged", ctx.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as ctx:
            c.tag_resource(ResourceARN=carn, Tags={"k%d" % i: "v" for i in range(49)})
        self.assertClientError(ctx, "InvalidArgumentException")
        self.assertIn("cannot have more than 50 tags", ctx.exception.response["Error"]["Message"])
        with self.assertRaises(ClientError) as ctx:
            c.register_stream_consumer(StreamARN=arn, ConsumerName="bad-tags", Tags={"aws:x": "1"})
        self.assertClientError(ctx, "InvalidArgumentException")

        policy = '{"Version":"2012-10-17","Statement":[]}'
        self.assertEqual(c.get_resource_policy(ResourceARN=carn)["Policy"], "{}")
        c.put_resource_policy(ResourceARN=carn, Policy=policy)
        self.assertEqual(c.get_resource_policy(ResourceARN=carn)["Policy"], policy)
        self.assertEqual(c.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        c.delete_resource_policy(ResourceARN=carn)
        with self.assertRaises(ClientError) as ctx:
            c.delete_resource_policy(ResourceARN=carn)
        self.assertClientError(ctx, "ResourceNotFoundException")

        # A consumer ARN with another creation time names no consumer.
        other = carn.rsplit(":", 1)[0] + ":1"
        with self.assertRaises(ClientError) as ctx:
            c.list_tags_for_resource(ResourceARN=other)
        self.assertClientError(ctx, "ResourceNotFoundException",
                               "Consumer tagged with creation timestamp 1 under stream %s and account "
                               "000000000000 not found." % name)
        with self.assertRaises(ClientError) as ctx:
            c.list_tags_for_resource(ResourceARN=carn.rsplit(":", 1)[0] + ":" + "9" * 40)
        self.assertClientError(ctx, "ResourceNotFoundException")

    def test_consumers_survive_kill9(self):
        srv = harness.Server(create_ms=0, extra_args=["--throughput-limits", "off"])
        self.addCleanup(srv.stop)
        srv.start()
        c = srv.client()
        name = self.new_name("keep")
        create_active(c, name, shards=1)
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        consumer = c.register_stream_consumer(StreamARN=arn, ConsumerName="durable", Tags={"a": "1"})["Consumer"]
        c.put_resource_policy(ResourceARN=consumer["ConsumerARN"], Policy='{"Statement":[]}')
        srv.kill9()
        srv.restart()
        c = srv.client()
        desc = c.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
        self.assertEqual((desc["ConsumerName"], desc["ConsumerStatus"]), ("durable", "ACTIVE"))
        self.assertEqual(c.list_tags_for_resource(ResourceARN=consumer["ConsumerARN"])["Tags"],
                         [{"Key": "a", "Value": "1"}])
        self.assertEqual(c.get_resource_policy(ResourceARN=consumer["ConsumerARN"])["Policy"], '{"Statement":[]}')


if __name__ == "__main__":
    unittest.main()
