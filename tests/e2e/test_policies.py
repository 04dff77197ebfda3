"""Resource policies: PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy on stream ARNs; validation,
errors, status rules and durability. (Policies are stored, not enforced, until signatures are verified.)"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (DEFAULT_ACCOUNT, Server, ServerTestCase, create_active, wait_gone,  # noqa: E402
                     wait_status)

MAX_POLICY = 20480


def arn_of(name, region="us-east-1", account=DEFAULT_ACCOUNT):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (region, account, name)


def not_found(name, account=DEFAULT_ACCOUNT):
    return "Stream %s under account %s not found." % (name, account)


def policy_for(arn, pad=0):
    doc = {"Version": "2012-10-17", "Id": "writePolicy",
           "Statement": [{"Sid": "w", "Effect": "Allow", "Principal": {"AWS": "123456789012"},
                          "Action": ["kinesis:PutRecord", "kinesis:PutRecords"], "Resource": arn}]}
    text = json.dumps(doc, indent=2)
    if pad:
        text = text[:-1] + ', "Pad": "' + "x" * pad + '"}'
    return text


def sized_policy(arn, size):
    base = len(policy_for(arn, 1)) - 1
    text = policy_for(arn, size - base)
    assert len(text.encode("utf-8")) == size, len(text)
    return text


class PoliciesTest(ServerTestCase):
    server_kwargs = {"create_ms": 400, "delete_ms": 1500}

    def stream(self):
        return create_active(self.kinesis, self.new_name("pol"), 1)

    def err(self, op, body, error_type, message):
        self.assertAwsError(self.server.raw(op, body), error_type, message)

    def test_put_get_delete(self):
        k, name = self.kinesis, self.stream()
        arn = arn_of(name)
        # A stream without a policy answers an empty JSON object.
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        first = policy_for(arn)
        raw = self.server.raw("PutResourcePolicy", {"ResourceARN": arn, "Policy": first})
        self.assertEqual((raw.status, raw.body), (200, b""))
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], first)  # the text as given
        second = json.dumps({"Version": "2012-10-17", "Statement": []})
        k.put_resource_policy(ResourceARN=arn, Policy=second)  # replaces, as AWS does
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], second)
        raw = self.server.raw("DeleteResourcePolicy", {"ResourceARN": arn})
        self.assertEqual((raw.status, raw.body), (200, b""))
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        self.err("DeleteResourcePolicy", {"ResourceARN": arn}, "ResourceNotFoundException",
                 "No resource policy found for resource ARN %s." % arn)
        # Policies belong to their stream: other streams are untouched.
        other = self.stream()
        k.put_resource_policy(ResourceARN=arn_of(other), Policy=first)
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], "{}")

    def test_policy_must_be_a_json_object(self):
        name = self.stream()
        arn = arn_of(name)
        cases = (("nope", "Policy is not valid JSON: Invalid value. Offset 1."),
                 ("", "Policy is not valid JSON: The document is empty. Offset 0."),
                 ("{} x", "Policy is not valid JSON: The document root must not be followed by other values. "
                          "Offset 3."),
                 ('{"Version": "2012-10-17",', "Policy is not valid JSON: Missing a name for object member. "
                                               "Offset 25."),
                 ("[1]", "Policy must be a JSON object."),
                 ('"text"', "Policy must be a JSON object."),
                 ("42", "Policy must be a JSON object."))
        for policy, message in cases:
            self.err("PutResourcePolicy", {"ResourceARN": arn, "Policy": policy}, "InvalidArgumentException",
                     message)
        self.assertEqual(self.kinesis.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        self.err("PutResourcePolicy", {"ResourceARN": arn}, "ValidationException",
                 "1 validation error detected: Value null at 'policy' failed to satisfy constraint: "
                 "Member must not be null")

    def test_size_limit(self):
        k, name = self.kinesis, self.stream()
        arn = arn_of(name)
        largest = sized_policy(arn, MAX_POLICY)
        k.put_resource_policy(ResourceARN=arn, Policy=largest)
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], largest)
        self.err("PutResourcePolicy", {"ResourceARN": arn, "Policy": sized_policy(arn, MAX_POLICY + 1)},
                 "InvalidArgumentException", "Policy size 20481 bytes exceeds the maximum of 20480 bytes.")
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], largest)

    def test_resource_arn_errors(self):
        name = self.stream()
        consumer_arn = arn_of(name) + "/consumer/app:1700000000"
        for op, extra in (("PutResourcePolicy", {"Policy": policy_for(arn_of(name))}),
                          ("GetResourcePolicy", {}), ("DeleteResourcePolicy", {})):
            self.err(op, dict(extra, ResourceARN=consumer_arn), "ResourceNotFoundException",
                     "Consumer app with creation timestamp 1700000000 under stream %s and account %s not found."
                     % (name, DEFAULT_ACCOUNT))
            self.err(op, dict(extra, ResourceARN=arn_of("nope-" + name)), "ResourceNotFoundException",
                     not_found("nope-" + name))
            self.err(op, dict(extra, ResourceARN=arn_of("nope-" + name) + "/consumer/app:1"),
                     "ResourceNotFoundException", not_found("nope-" + name))
            self.err(op, dict(extra, ResourceARN=arn_of(name, account="111111111111")),
                     "ResourceNotFoundException", not_found(name, "111111111111"))
            self.err(op, dict(extra, ResourceARN=arn_of(name, region="ap-south-1")),
                     "ResourceNotFoundException", not_found(name))
            for bad in (arn_of(name) + "/consumer/app", arn_of(name) + "/consumer/app:x",
                        "arn:aws:kinesis:us-east-1:%s:mystream/%s" % (DEFAULT_ACCOUNT, name)):
                self.err(op, dict(extra, ResourceARN=bad), "InvalidArgumentException", "Invalid ResourceARN: " + bad)
            resp = self.server.raw(op, dict(extra, ResourceARN="arn:aws:sqs:us-east-1:%s:q" % DEFAULT_ACCOUNT))
            self.assertAwsError(resp, "ValidationException", message_contains="at 'resourceARN'")

    def test_stream_id(self):
        k, name = self.kinesis, self.stream()
        arn = arn_of(name)
        stream_id = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamId"]
        # (raw: botocore's endpoint rules turn StreamId into a host name, bypassing endpoint_url)
        self.server.call("PutResourcePolicy", {"ResourceARN": arn, "StreamId": stream_id, "Policy": "{}"})
        self.assertEqual(self.server.call("GetResourcePolicy", {"ResourceARN": arn, "StreamId": stream_id}),
                         {"Policy": "{}"})
        self.err("DeleteResourcePolicy", {"ResourceARN": arn, "StreamId": "b" * 20 + "-xyz"},
                 "ResourceNotFoundException", not_found(name))
        self.server.call("DeleteResourcePolicy", {"ResourceARN": arn, "StreamId": stream_id})

    def test_status_rules(self):
        k = self.kinesis
        name = self.new_name("pol")
        arn = arn_of(name)
        k.create_stream(StreamName=name, ShardCount=1)
        creating = "Stream %s under account %s not ACTIVE, instead in state CREATING" % (name, DEFAULT_ACCOUNT)
        self.err("PutResourcePolicy", {"ResourceARN": arn, "Policy": "{}"}, "ResourceInUseException", creating)
        self.err("DeleteResourcePolicy", {"ResourceARN": arn}, "ResourceInUseException", creating)
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], "{}")
        wait_status(k, name, "ACTIVE")
        k.put_resource_policy(ResourceARN=arn, Policy=policy_for(arn))
        k.delete_stream(StreamName=name)
        self.err("PutResourcePolicy", {"ResourceARN": arn, "Policy": "{}"}, "ResourceInUseException",
                 "Stream %s under account %s not ACTIVE, instead in state DELETING" % (name, DEFAULT_ACCOUNT))
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], policy_for(arn))
        # A stream created again under the same name starts without a policy.
        wait_gone(k, name)
        self.err("GetResourcePolicy", {"ResourceARN": arn}, "ResourceNotFoundException", not_found(name))
        create_active(k, name, 1)
        self.assertEqual(k.get_resource_policy(ResourceARN=arn)["Policy"], "{}")


class PolicyDurabilityTest(unittest.TestCase):

    def test_policy_survives_kill9(self):
        srv = Server()
        self.addCleanup(srv.stop)
        srv.start()
        name = create_active(srv.client(), "durable-policy", 1)
        arn = arn_of(name)
        policy = policy_for(arn)
        srv.client().put_resource_policy(ResourceARN=arn, Policy=policy)
        srv.kill9()
        srv.start()
        self.assertEqual(srv.client().get_resource_policy(ResourceARN=arn)["Policy"], policy)
        srv.client().delete_resource_policy(ResourceARN=arn)
        srv.kill9()
        srv.start()
        self.assertEqual(srv.client().get_resource_policy(ResourceARN=arn)["Policy"], "{}")


if __name__ == "__main__":
    unittest.main()
