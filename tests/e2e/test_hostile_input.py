"""Hostile request bodies: malformed and deeply nested JSON and CBOR, wrong types for every kind of member,
invalid base64, invalid UTF-8 and nulls. Each is answered with a 4xx error (never a 5xx, never a crash), and
afterwards the server answers boto3 and every record written before is intact.
"""

import base64
import json
import os
import time
import unittest

import cbor_mini
import channel_support
from harness import JSON_CT, create_active, unique_name
from hostile_support import SHARD0, HostileTestCase

CBOR_CT = "application/x-amz-cbor-1.1"
CLIENT_ERRORS = ("SerializationException", "ValidationException")


class HostileBodies(HostileTestCase):
    def assertRefused(self, resp, types=CLIENT_ERRORS, what=""):
        self.assertGreaterEqual(resp.status, 400, "%s: %r" % (what, resp))
        self.assertLess(resp.status, 500, "%s: %r" % (what, resp))
        if types is not None:
            self.assertIn(resp.error_type, types, "%s: %r" % (what, resp))

    def cbor(self, op, body):
        resp = self.server.raw(op, body, headers={"Content-Type": CBOR_CT})
        if resp.body:
            decoded = cbor_mini.decode(resp.body)
            resp.body = json.dumps({"__type": decoded.get("__type"), "message": decoded.get("message")}).encode()
        return resp

    def test_malformed_json(self):
        bodies = ["{", "}", '{"StreamName":', '{"StreamName": "a",}', "[]", '"a"', "nul", "{'a': 1}",
                  '{"a": 1} trailing', "\x00\x01\x02", '{"a":"\\x"}', '{"a": 01}', '{"a": 1e999999}',
                  '{"StreamName": "a", "StreamName": 1}']
        for body in bodies:
            self.assertRefused(self.server.raw("PutRecord", body), what=repr(body))
        self.assertServerSurvived("malformed JSON")

    def test_deeply_nested_json(self):
        for body in ("[" * 100000, '{"a":' * 100000, '{"StreamName":' + "[" * 100000,
                     '{"Records":[' + '{"Data":' * 50000):
            self.assertRefused(self.server.raw("PutRecords", body, timeout=20), what=body[:20])
        self.assertServerSurvived("deep JSON")

    def test_deeply_nested_cbor(self):
        bodies = [b"\x81" * 100000 + b"\x00",                          # arrays of one
                  b"\x9f" * 100000,                                    # indefinite arrays, never closed
                  b"\xa1\x61a" * 100000 + b"\x00",                     # maps of one
                  b"\xa1" + cbor_mini.encode("Unknown") + b"\x81" * 100000 + b"\x00",  # inside an unknown member
                  b"\xc1" * 100000 + b"\x00",                          # tags on tags
                  b"\xbf\x6aStreamName\x7f" + b"\x61a" * 100000]       # an indefinite string, never ended
        for body in bodies:
            self.assertRefused(self.cbor("PutRecord", body), what=body[:12])
        self.assertServerSurvived("deep CBOR")

    def test_wrong_types_for_every_member_kind(self):
        s = self.stream
        cases = [  # operation, a valid body, the member (path) to spoil, the kind of member
            ("PutRecord", {"StreamName": s, "Data": "AA==", "PartitionKey": "k"}, ["StreamName"], "string"),
            ("PutRecord", {"StreamName": s, "Data": "AA==", "PartitionKey": "k"}, ["Data"], "blob"),
            ("PutRecord", {"StreamName": s, "Data": "AA==", "PartitionKey": "k"}, ["PartitionKey"], "string"),
            ("PutRecords", {"StreamName": s, "Records": [{"Data": "AA==", "PartitionKey": "k"}]},
             ["Records"], "list"),
            ("PutRecords", {"StreamName": s, "Records": [{"Data": "AA==", "PartitionKey": "k"}]},
             ["Records", 0], "structure"),
            ("PutRecords", {"StreamName": s, "Records": [{"Data": "AA==", "PartitionKey": "k"}]},
             ["Records", 0, "Data"], "blob"),
            ("GetRecords", {"ShardIterator": "AAAA", "Limit": 5}, ["Limit"], "integer"),
            ("DescribeStream", {"StreamName": s, "Limit": 5}, ["Limit"], "integer"),
            ("GetShardIterator", {"StreamName": s, "ShardId": SHARD0, "ShardIteratorType": "AT_TIMESTAMP",
                                  "Timestamp": 1}, ["Timestamp"], "timestamp"),
            ("GetShardIterator", {"StreamName": s, "ShardId": SHARD0, "ShardIteratorType": "LATEST"},
             ["ShardIteratorType"], "enum"),
            ("CreateStream", {"StreamName": unique_name("never"), "ShardCount": 1, "Tags": {"a": "b"}},
             ["Tags"], "map"),
            ("CreateStream", {"StreamName": unique_name("never"), "ShardCount": 1, "Tags": {"a": "b"}},
             ["Tags", "a"], "map value"),
            ("CreateStream", {"StreamName": unique_name("never"), "StreamModeDetails": {"StreamMode": "ON_DEMAND"}},
             ["StreamModeDetails"], "structure"),
            ("DeleteStream", {"StreamName": unique_name("never"), "EnforceConsumerDeletion": True},
             ["EnforceConsumerDeletion"], "boolean"),
            ("ListShards", {"StreamName": s, "ShardFilter": {"Type": "AT_LATEST"}}, ["ShardFilter"], "structure"),
        ]
        wrong = {"string": [1, True, [], {}, 1.5], "blob": [1, True, [], {}],
                 "list": ["x", 1, True, {}], "structure": ["x", 1, True, []],
                 "integer": ["5", True, [], {}, "x"], "timestamp": [True, [], {}, "yesterday"],
                 "enum": [1, True, [], {}], "map": ["x", 1, True, []], "map value": [1, True, [], {}],
                 "boolean": ["yes", 1, [], {}]}
        for op, valid, path, kind in cases:
            for value in wrong[kind]:
                body = json.loads(json.dumps(valid))
                parent = body
                for step in path[:-1]:
                    parent = parent[step]
                parent[path[-1]] = value
                self.assertRefused(self.server.raw(op, body), what="%s %s=%r" % (op, path, value))
                cbor_doc = cbor_mini.encode(body)
                self.assertRefused(self.cbor(op, cbor_doc), what="CBOR %s %s=%r" % (op, path, value))
        self.assertEqual(self.sdk.list_streams()["StreamNames"], [self.stream])  # nothing was created
        self.assertServerSurvived("wrong types")

    def test_invalid_base64(self):
        for data in ("!!!!", "AAA", "A===", "AA=A", "AAAA=", "AA AA", "=AAA", "AAAA\n", "\u00e9\u00e9AA", "AA==AA=="):
            resp = self.server.raw("PutRecord", {"StreamName": self.stream, "Data": data, "PartitionKey": "k"})
            self.assertRefused(resp, ("SerializationException",), what=repr(data))
            records = [{"Data": "AA==", "PartitionKey": "k"}, {"Data": data, "PartitionKey": "k"}]
            resp = self.server.raw("PutRecords", {"StreamName": self.stream, "Records": records})
            self.assertRefused(resp, ("SerializationException",), what="PutRecords " + repr(data))
        self.assertServerSurvived("invalid base64")

    def test_wrong_content_types_and_targets(self):
        body = {"StreamName": self.stream, "Data": "AA==", "PartitionKey": "k"}
        for headers in ({"Content-Type": CBOR_CT}, {"Content-Type": "text/plain"},
                        {"Content-Type": None}, {"X-Amz-Target": "Kinesis_20131202." + "A" * 5000},
                        {"X-Amz-Target": "\u00ff\u00fe"}):
            resp = self.server.raw("PutRecord", body, headers=headers)
            self.assertRefused(resp, types=None, what=repr(headers))
        self.assertServerSurvived("wrong content types")


class InvalidTextIsNeverStored(HostileTestCase):
    """Text members must be valid UTF-8 and present; a record that boto3 cannot decode must never be stored."""

    def poison(self, op_body_pairs):
        """Sends each (content type, body) as PutRecord to a fresh stream; returns (answers, fresh stream)."""
        name = create_active(self.sdk, unique_name("poison"), 1)
        answers = [self.server.raw("PutRecord", body % name.encode() if isinstance(body, bytes) else body,
                                   headers={"Content-Type": ct}) for ct, body in op_body_pairs]
        return answers, name

    def assertNothingPoisonousStored(self, name):
        it = self.sdk.get_shard_iterator(StreamName=name, ShardId=SHARD0,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.sdk.get_records(ShardIterator=it)  # boto3 decodes every byte of the answer
        self.sdk.delete_stream(StreamName=name)

    def test_invalid_utf8_in_json_strings_is_refused(self):
        answers, name = self.poison([(JSON_CT, b'{"StreamName":"%s","Data":"AA==","PartitionKey":"k\xff\xfe"}'),
                                     (JSON_CT, b'{"StreamName":"%s","Data":"AA==","PartitionKey":"\xc0\xaf"}')])
        try:
            for resp in answers:
                self.assertEqual(resp.status, 400, resp)
                self.assertEqual(resp.error_type, "SerializationException", resp)
            self.assertNothingPoisonousStored(name)
        finally:
            self.assertServerSurvived("invalid UTF-8 in JSON")

    def test_invalid_utf8_in_cbor_strings_is_refused(self):
        name = create_active(self.sdk, unique_name("poison"), 1)
        body = (b"\xa3" + cbor_mini.encode("StreamName") + cbor_mini.encode(name) + cbor_mini.encode("Data") +
                cbor_mini.encode(b"\x00") + cbor_mini.encode("PartitionKey") + b"\x63k\xff\xfe")
        resp = self.server.raw("PutRecord", body, headers={"Content-Type": CBOR_CT})
        try:
            self.assertEqual(resp.status, 400, resp)
            self.assertNothingPoisonousStored(name)
        finally:
            self.assertServerSurvived("invalid UTF-8 in CBOR")

    def test_null_partition_key_is_refused(self):
        answers, name = self.poison([(JSON_CT, b'{"StreamName":"%s","Data":"AA==","PartitionKey":null}')])
        try:
            self.assertEqual(answers[0].status, 400, answers[0])
            self.assertEqual(answers[0].error_type, "ValidationException", answers[0])
        finally:
            self.assertServerSurvived("null PartitionKey")

    def test_escaped_lone_surrogates_are_refused_or_readable(self):
        # "\ud800" has no UTF-8 form: it must be refused, or stored as something boto3 can read back. Today it is
        # stored and GetRecords emits the bytes ED A0 80, which boto3 cannot decode.
        answers, name = self.poison([(JSON_CT, b'{"StreamName":"%s","Data":"AA==","PartitionKey":"k\\ud800"}'),
                                     (JSON_CT, b'{"StreamName":"%s","Data":"AA==","PartitionKey":"\\udc00k"}')])
        for resp in answers:
            self.assertLess(resp.status, 500, resp)
        self.assertNothingPoisonousStored(name)
        self.assertServerSurvived("lone surrogates")


class GiantNesting(HostileTestCase):
    """A body of a million '[' (1 MB, well under the body limit)."""

    def test_a_million_open_brackets(self):
        try:
            resp = self.server.raw("PutRecord", "[" * 1000000, timeout=20)
            self.assertEqual(resp.status, 400, resp)
        except OSError as e:
            self.fail("connection failed: %s" % e)
        self.assertServerSurvived("a million '['")



class GiantNextToken(HostileTestCase):
    """A NextToken is base64 of JSON the server made; a forged one of 700000 '[' (the model allows 1 MiB)."""

    def test_a_forged_next_token_of_deep_json(self):
        token = base64.b64encode(b"[" * 700000).decode()
        try:
            resp = self.server.raw("ListStreams", {"NextToken": token}, timeout=20)
            self.assertEqual(resp.status, 400, resp)
            self.assertEqual(resp.error_type, "InvalidArgumentException", resp)
        except OSError as e:
            self.fail("connection failed: %s" % e)
        self.assertServerSurvived("a deep NextToken")



class GiantJsonRecordInAChannel(HostileTestCase):
    """A record of 1 MB of '[' in a stream that a JSON channel delivers (the record itself is fine to store)."""

    extra_args = channel_support.FAST

    def test_a_deep_json_record_is_dead_lettered(self):
        name = unique_name("chan")
        create_active(self.sdk, name, shards=None, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        arn = self.server.call("CreateChannel", channel_support.create_body(unique_name("c"), name))[
            "ChannelDescription"]["ChannelARN"]
        deadline = time.monotonic() + 10
        while self.server.call("DescribeChannel", {"ChannelARN": arn})["ChannelDescription"][
                "ChannelStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        self.sdk.put_record(StreamName=name, PartitionKey="k", Data=b"[" * 1000000)
        root = os.path.join(self.server.data_dir, "channel-output")
        deadline = time.monotonic() + 10
        while not any("errors" in path for path in channel_support.read_objects(root)):
            self.assertIsNone(self.server.proc.poll(), "kinesisd died delivering the record")
            self.assertLess(time.monotonic(), deadline, "the record was not dead-lettered")
            time.sleep(0.1)
        self.assertServerSurvived("a deep JSON record in a channel")


if __name__ == "__main__":
    unittest.main()
