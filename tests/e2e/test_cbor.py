"""application/x-amz-cbor-1.1 (the AWS SDK for Java v2's default protocol), with hand-built CBOR requests.

Blobs travel as CBOR byte strings and timestamps as tag 1 wrapping integer epoch MILLISECONDS in both directions
(AWS's convention, not RFC 8949's seconds). Errors are CBOR maps {"__type", "message"} with the CBOR content type.
"""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cbor_mini  # noqa: E402
from cbor_mini import Tag, Timestamp  # noqa: E402
from harness import ServerTestCase, wait_status  # noqa: E402

CBOR_CT = "application/x-amz-cbor-1.1"
ALL_BYTES = bytes(range(256))
SHARD0 = "shardId-000000000000"


def media_type(value):
    return (value or "").split(";")[0].strip()


class CborTest(ServerTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0, "extra_args": ["--throughput-limits", "off"]}

    # -- helpers ------------------------------------------------------------------------------------------------
    def send(self, op, doc, headers=None):
        """(response, decoded body or None). ``doc``: a value to encode, or raw bytes sent as they are."""
        body = doc if isinstance(doc, bytes) else cbor_mini.encode(doc)
        hdrs = {"Content-Type": CBOR_CT}
        hdrs.update(headers or {})
        resp = self.server.raw(op, body, headers=hdrs)
        decoded = cbor_mini.decode(resp.body) if resp.body else None
        return resp, decoded

    def ok(self, op, doc):
        resp, decoded = self.send(op, doc)
        self.assertEqual(resp.status, 200, resp)
        self.assertEqual(media_type(resp.headers.get("Content-Type")), CBOR_CT, resp)
        self.assertCommonHeaders(resp)
        if decoded is None:
            return {}
        self.assertIsInstance(decoded, dict, resp)
        return decoded

    def assertCborError(self, resp, decoded, error_type, status=400, message=None):
        self.assertEqual(resp.status, status, resp)
        self.assertEqual(media_type(resp.headers.get("Content-Type")), CBOR_CT, resp)
        header = resp.headers.get("x-amzn-ErrorType")
        self.assertIsNotNone(header, "missing x-amzn-ErrorType: %r" % (resp,))
        self.assertEqual(header.split(":")[0], error_type, resp)
        self.assertCommonHeaders(resp)
        self.assertIsInstance(decoded, dict, resp)
        self.assertEqual(decoded.get("__type"), error_type, decoded)
        self.assertTrue(set(decoded) <= {"__type", "message"}, decoded)
        if message is not None:
            self.assertEqual(decoded.get("message"), message, decoded)
        return decoded

    def assertMillisNow(self, value, around_s, slack_ms=30000):
        self.assertIsInstance(value, Tag, value)
        self.assertEqual(value.tag, 1, value)
        self.assertIsInstance(value.value, int, "tag 1 must wrap an integer: %r" % (value,))
        self.assertLess(abs(value.value - around_s * 1000), slack_ms, "not epoch ms near now: %r" % (value,))

    def create(self, shards=1):
        name = self.new_name("cbor")
        self.assertEqual(self.ok("CreateStream", {"StreamName": name, "ShardCount": shards}), {})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            resp, doc = self.send("DescribeStreamSummary", {"StreamName": name})
            if resp.status == 200 and doc["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE":
                return name
            time.sleep(0.05)
        self.fail("stream %s not ACTIVE" % name)

    def iterator(self, name, kind="TRIM_HORIZON", shard=SHARD0, **extra):
        req = {"StreamName": name, "ShardId": shard, "ShardIteratorType": kind}
        req.update(extra)
        it = self.ok("GetShardIterator", req)["ShardIterator"]
        self.assertIsInstance(it, str)
        return it

    def records(self, name, **iterator_args):
        doc = self.ok("GetRecords", {"ShardIterator": self.iterator(name, **iterator_args), "Limit": 1000})
        self.assertIsInstance(doc["MillisBehindLatest"], int, doc)
        self.assertIsInstance(doc["NextShardIterator"], str, doc)
        return doc["Records"]

    # -- successful calls -----------------------------------------------------------------------------------------
    def test_create_stream_and_describe_summary(self):
        t0 = time.time()
        name = self.create(shards=2)
        s = self.ok("DescribeStreamSummary", {"StreamName": name})["StreamDescriptionSummary"]
        self.assertEqual(s["StreamName"], name)
        self.assertEqual(s["StreamStatus"], "ACTIVE")
        self.assertEqual(s["OpenShardCount"], 2)
        self.assertEqual(s["RetentionPeriodHours"], 24)
        self.assertTrue(s["StreamARN"].endswith(":stream/" + name), s)
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertMillisNow(s["StreamCreationTimestamp"], t0)
        self.assertEqual(self.ok("DeleteStream", {"StreamName": name}), {})

    def test_put_record_all_byte_values_and_get_records(self):
        name = self.create()
        t0 = time.time()
        put = self.ok("PutRecord", {"StreamName": name, "Data": ALL_BYTES, "PartitionKey": "pk"})
        self.assertEqual(put["ShardId"], SHARD0)
        self.assertTrue(put["SequenceNumber"].isdigit(), put)
        resp, doc = self.send("GetRecords", {"ShardIterator": self.iterator(name)})
        self.assertEqual(resp.status, 200, resp)
        self.assertIn(b"\x59\x01\x00" + ALL_BYTES, resp.body)  # a 256-byte byte string, not base64 text
        [rec] = doc["Records"]
        self.assertIsInstance(rec["Data"], bytes)
        self.assertEqual(rec["Data"], ALL_BYTES)
        self.assertEqual(rec["PartitionKey"], "pk")
        self.assertEqual(rec["SequenceNumber"], put["SequenceNumber"])
        self.assertMillisNow(rec["ApproximateArrivalTimestamp"], t0, slack_ms=10000)

    def test_put_records_and_read_back(self):
        name = self.create()
        datas = [b"\x00", b"\xff" * 10, os.urandom(1000), ALL_BYTES[::-1]]
        out = self.ok("PutRecords", {"StreamName": name, "Records": [
            {"Data": d, "PartitionKey": "k%d" % i} for i, d in enumerate(datas)]})
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), 4)
        for r in out["Records"]:
            self.assertEqual(r["ShardId"], SHARD0)
            self.assertTrue(r["SequenceNumber"].isdigit(), r)
        got = self.records(name)
        self.assertEqual([(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in got],
                         [(d, "k%d" % i, o["SequenceNumber"]) for i, (d, o) in enumerate(zip(datas, out["Records"]))])

    def test_indefinite_lengths_as_jackson_writes_them(self):
        name = self.create()
        body = (b"\xbf" + cbor_mini.encode("StreamName") + cbor_mini.encode(name) +
                cbor_mini.encode("Data") + b"\x5f" + cbor_mini.encode(ALL_BYTES[:100]) +
                cbor_mini.encode(ALL_BYTES[100:]) + b"\xff" +
                cbor_mini.encode("PartitionKey") + b"\x7f\x61p\x61k\xff" + b"\xff")
        self.assertEqual(self.ok("PutRecord", body)["ShardId"], SHARD0)
        [rec] = self.records(name)
        self.assertEqual((rec["Data"], rec["PartitionKey"]), (ALL_BYTES, "pk"))

    def test_at_timestamp_iterator_takes_milliseconds(self):
        name = self.create()
        self.ok("PutRecord", {"StreamName": name, "Data": b"A", "PartitionKey": "k"})
        time.sleep(0.05)
        self.ok("PutRecord", {"StreamName": name, "Data": b"B", "PartitionKey": "k"})
        ta, tb = [r["ApproximateArrivalTimestamp"].value for r in self.records(name)]
        self.assertGreater(tb, ta)

        def at(ts):
            return [r["Data"] for r in self.records(name, kind="AT_TIMESTAMP", Timestamp=ts)]

        self.assertEqual(at(Timestamp(ta)), [b"A", b"B"])
        self.assertEqual(at(Timestamp(tb)), [b"B"])
        self.assertEqual(at(Timestamp(float(tb))), [b"B"])  # a float under tag 1 is milliseconds too
        self.assertEqual(at(Timestamp(tb + 3600 * 1000)), [])
        self.assertEqual(at(Timestamp(tb // 1000)), [b"A", b"B"])  # seconds read as ms: January 1970

    def test_list_shards(self):
        name = self.create(shards=2)
        shards = self.ok("ListShards", {"StreamName": name})["Shards"]
        self.assertEqual([s["ShardId"] for s in shards], [SHARD0, "shardId-000000000001"])
        self.assertEqual(shards[0]["HashKeyRange"]["StartingHashKey"], "0")
        self.assertEqual(shards[1]["HashKeyRange"]["EndingHashKey"], str(2 ** 128 - 1))
        self.assertTrue(shards[0]["SequenceNumberRange"]["StartingSequenceNumber"].isdigit())
        filtered = self.ok("ListShards", {"StreamName": name, "ShardFilter": {
            "Type": "AT_TIMESTAMP", "Timestamp": Timestamp(int(time.time() * 1000))}})
        self.assertEqual(filtered["Shards"], shards)
        page = self.ok("ListShards", {"StreamName": name, "MaxResults": 1})
        self.assertEqual([s["ShardId"] for s in page["Shards"]], [SHARD0])
        self.assertIsInstance(page["NextToken"], str)
        rest = self.ok("ListShards", {"NextToken": page["NextToken"]})
        self.assertEqual(rest["Shards"], shards[1:])

    # -- errors ---------------------------------------------------------------------------------------------------
    def test_resource_not_found_is_cbor(self):
        req = {"StreamName": self.new_name("missing")}
        resp, doc = self.send("DescribeStreamSummary", req)
        json_message = self.server.raw("DescribeStreamSummary", req).message
        self.assertIn(req["StreamName"], json_message)
        self.assertCborError(resp, doc, "ResourceNotFoundException", message=json_message)

    def test_resource_in_use_is_cbor(self):
        name = self.create()
        resp, doc = self.send("CreateStream", {"StreamName": name, "ShardCount": 1})
        self.assertCborError(resp, doc, "ResourceInUseException")
        self.assertIn(name, doc["message"])

    def test_validation_exception_is_cbor(self):
        req = {"StreamName": "bad name!", "ShardCount": 1}
        resp, doc = self.send("CreateStream", req)
        json_resp = self.server.raw("CreateStream", req)
        self.assertAwsError(json_resp, "ValidationException")
        self.assertCborError(resp, doc, "ValidationException", message=json_resp.message)
        self.assertIn("streamName", doc["message"])

    def test_malformed_cbor_is_serialization_exception(self):
        for body in (b"", b"\xa1\x6aStreamName", b"\xa1", b"\x80", b"\xff", b"\xa0\x00", b"\x1c",
                     b'{"StreamName":"x"}', b"\xbf\x61a\x01", b"\xa1\x01\x61x"):
            resp, doc = self.send("ListStreams", body)
            self.assertCborError(resp, doc, "SerializationException")

    def test_wrong_cbor_types_are_serialization_exception(self):
        name = self.create()
        for op, req in (("PutRecord", {"StreamName": name, "Data": "text, not bytes", "PartitionKey": "k"}),
                        ("PutRecords", {"StreamName": name, "Records": [{"Data": "AAAA", "PartitionKey": "k"}]}),
                        ("CreateStream", {"StreamName": self.new_name(), "ShardCount": "1"}),
                        ("GetShardIterator", {"StreamName": name, "ShardId": SHARD0,
                                              "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": "yesterday"}),
                        ("PutRecord", {"StreamName": 7, "Data": b"x", "PartitionKey": "k"})):
            resp, doc = self.send(op, req)
            self.assertCborError(resp, doc, "SerializationException")
        self.assertEqual(self.records(name), [])

    def test_errors_before_decoding_are_cbor_too(self):
        resp, doc = self.send("Kinesis_20131202.Nope", {})
        self.assertCborError(resp, doc, "UnknownOperationException")
        resp, doc = self.send("ListStreams", {}, headers={"Authorization": None})
        json_resp = self.server.raw("ListStreams", {}, headers={"Authorization": None})
        self.assertCborError(resp, doc, "MissingAuthenticationTokenException", status=json_resp.status,
                             message=json_resp.message)

    # -- mixing protocols -----------------------------------------------------------------------------------------
    def test_cbor_and_json_see_the_same_streams_and_records(self):
        name = self.create()
        k = self.kinesis
        wait_status(k, name, "ACTIVE")
        self.assertIn(name, k.list_streams()["StreamNames"])
        datas = [ALL_BYTES, b"json \xe9"]
        put = k.put_records(StreamName=name, Records=[{"Data": d, "PartitionKey": "j%d" % i}
                                                      for i, d in enumerate(datas)])
        self.ok("PutRecord", {"StreamName": name, "Data": b"\x00cbor\xff", "PartitionKey": "c"})
        over_json = k.get_records(ShardIterator=k.get_shard_iterator(
            StreamName=name, ShardId=SHARD0, ShardIteratorType="TRIM_HORIZON")["ShardIterator"])["Records"]
        over_cbor = self.records(name)
        self.assertEqual(len(over_cbor), 3)
        self.assertEqual([r["SequenceNumber"] for r in over_cbor[:2]], [r["SequenceNumber"] for r in put["Records"]])
        self.assertEqual([(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in over_cbor],
                         [(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in over_json])
        self.assertEqual(over_cbor[2]["Data"], b"\x00cbor\xff")
        for c, j in zip(over_cbor, over_json):
            self.assertEqual(c["ApproximateArrivalTimestamp"].value,
                             round(j["ApproximateArrivalTimestamp"].timestamp() * 1000))


if __name__ == "__main__":
    unittest.main()
