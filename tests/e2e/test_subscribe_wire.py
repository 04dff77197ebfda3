"""SubscribeToShard on the wire, over a raw HTTP/1.1 socket: the chunked answer, the event-stream framing (prelude
and message CRC32s, string headers, initial-response then SubscribeToShardEvent, exception messages), JSON payloads
(base64 Data, epoch-seconds timestamps) and CBOR payloads (byte strings, tag 1 epoch milliseconds), errors as
ordinary answers, and keep-alive after an event stream ends."""

import base64
import json
import os
import socket
import struct
import sys
import time
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cbor_mini  # noqa: E402
from cbor_mini import Tag, Timestamp  # noqa: E402
from harness import (JSON_CT, TARGET_PREFIX, ServerTestCase, amz_date, create_active,  # noqa: E402
                     fake_authorization)

CBOR_CT = "application/x-amz-cbor-1.1"
EVENT_STREAM_CT = "application/vnd.amazon.eventstream"
SHARD0 = "shardId-000000000000"
LIFETIME_MS = 1000


def parse_messages(test, data):
    """Splits ``data`` into event-stream messages, checking both CRC32s; returns [(headers, payload)] where
    headers is a list of (name, type, value). Fails on a partial trailing message."""
    messages = []
    at = 0
    while at < len(data):
        test.assertGreaterEqual(len(data) - at, 16, "a partial message at offset %d" % at)
        total, headers_len, prelude_crc = struct.unpack(">III", data[at:at + 12])
        test.assertEqual(prelude_crc, zlib.crc32(data[at:at + 8]), "prelude CRC of the message at %d" % at)
        test.assertGreaterEqual(total, 16 + headers_len)
        test.assertLessEqual(at + total, len(data), "a message runs past the body")
        message = data[at:at + total]
        (message_crc,) = struct.unpack(">I", message[-4:])
        test.assertEqual(message_crc, zlib.crc32(message[:-4]), "message CRC of the message at %d" % at)
        headers = []
        pos = 12
        end = 12 + headers_len
        while pos < end:
            name_len = message[pos]
            name = message[pos + 1:pos + 1 + name_len].decode("utf-8")
            pos += 1 + name_len
            value_type = message[pos]
            pos += 1
            test.assertEqual(value_type, 7, "header %s is not a string" % name)
            (value_len,) = struct.unpack(">H", message[pos:pos + 2])
            value = message[pos + 2:pos + 2 + value_len].decode("utf-8")
            pos += 2 + value_len
            headers.append((name, value_type, value))
        test.assertEqual(pos, end, "headers overrun their length")
        messages.append((headers, message[end:-4]))
        at += total
    return messages


def header_map(test, headers):
    names = [h[0] for h in headers]
    test.assertEqual(len(names), len(set(names)), headers)
    return {h[0]: h[2] for h in headers}


class RawConnection(object):
    """One HTTP/1.1 connection over a socket; answers are read by hand, chunked bodies chunk by chunk."""

    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.pending = b""  # event-stream bytes not yet parsed (read_messages)
        self.messages = []
        self.port = port

    def close(self):
        self.sock.close()

    def send(self, op, body, content_type=JSON_CT, method="POST", path="/"):
        if isinstance(body, dict):
            body = json.dumps(body).encode("utf-8")
        date = amz_date()
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % self.port]
        if op is not None:
            lines += ["Content-Type: %s" % content_type, "X-Amz-Target: %s%s" % (TARGET_PREFIX, op),
                      "X-Amz-Date: %s" % date, "Authorization: %s" % fake_authorization(date=date)]
        lines.append("Content-Length: %d" % len(body))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("the server closed the connection")
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("latin-1")

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self):
        """(status, headers with lower-case names)."""
        status_line = self._line()
        version, status = status_line.split(" ")[:2]
        assert version == "HTTP/1.1", status_line
        headers = {}
        while True:
            line = self._line()
            if not line:
                return int(status), headers
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()

    def read_chunk(self):
        """The next chunk's data; None after the last chunk (and its empty trailer)."""
        size = int(self._line().split(";")[0], 16)
        if size == 0:
            while self._line():
                pass
            return None
        data = self._exact(size)
        assert self._exact(2) == b"\r\n", "chunk not followed by CRLF"
        return data

    def read_response(self):
        """(status, headers, body) of one whole answer, chunked or with Content-Length."""
        status, headers = self.read_head()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                chunk = self.read_chunk()
                if chunk is None:
                    break
                chunks.append(chunk)
            return status, headers, b"".join(chunks)
        return status, headers, self._exact(int(headers.get("content-length", "0")))


class WireCase(ServerTestCase):
    """Helpers: streams with ACTIVE consumers, raw subscriptions, event-stream checks."""

    # -- helpers ----------------------------------------------------------------------------------------------------
    def stream_with_consumers(self, consumers=1, shards=1):
        c = self.kinesis
        name = self.new_name("wire")
        create_active(c, name, shards=shards)
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        arns = []
        for i in range(consumers):
            arns.append(c.register_stream_consumer(StreamARN=arn, ConsumerName="w%d" % i)["Consumer"]["ConsumerARN"])
        for consumer in arns:
            deadline = time.monotonic() + 5
            while c.describe_stream_consumer(ConsumerARN=consumer)["ConsumerDescription"]["ConsumerStatus"] \
                    != "ACTIVE":
                self.assertLess(time.monotonic(), deadline, "consumer not ACTIVE")
                time.sleep(0.05)
        return name, arns

    def connect(self):
        conn = RawConnection(self.server.port)
        self.addCleanup(conn.close)
        return conn

    def assertEventStreamHead(self, status, headers):
        self.assertEqual(status, 200, headers)
        self.assertEqual(headers.get("content-type"), EVENT_STREAM_CT)
        self.assertEqual(headers.get("transfer-encoding", "").lower(), "chunked")
        self.assertNotIn("content-length", headers)
        self.assertNotIn("x-amzn-errortype", headers)
        for h in ("x-amzn-requestid", "x-amz-id-2", "date"):
            self.assertTrue(headers.get(h), "missing %s: %r" % (h, headers))

    def subscribe_raw(self, conn, consumer, position, cbor=False, shard_id=SHARD0):
        doc = {"ConsumerARN": consumer, "ShardId": shard_id, "StartingPosition": position}
        if cbor:
            conn.send("SubscribeToShard", cbor_mini.encode(doc), content_type=CBOR_CT)
        else:
            conn.send("SubscribeToShard", doc)

    def read_messages(self, conn, done, timeout=15.0):
        """Reads a live event stream chunk by chunk into ``conn.messages`` until ``done(conn.messages)``."""
        deadline = time.monotonic() + timeout
        while not done(conn.messages):
            self.assertLess(time.monotonic(), deadline, "condition not reached; %d messages" % len(conn.messages))
            chunk = conn.read_chunk()
            self.assertIsNotNone(chunk, "the event stream ended early")
            conn.pending += chunk
            at = 0
            while len(conn.pending) - at >= 12:
                (total,) = struct.unpack(">I", conn.pending[at:at + 4])
                if len(conn.pending) - at < total:
                    break
                at += total
            complete, conn.pending = conn.pending[:at], conn.pending[at:]
            conn.messages += parse_messages(self, complete)
        return conn.messages

    def read_event_stream(self, conn):
        """Reads a whole event-stream answer (it ends with the 1 s lifetime) and returns its messages."""
        status, headers, body = conn.read_response()
        self.assertEventStreamHead(status, headers)
        return parse_messages(self, body)

    def assertInitialResponse(self, message, content_type):
        headers, payload = message
        self.assertEqual(header_map(self, headers), {":message-type": "event", ":event-type": "initial-response",
                                                     ":content-type": content_type})
        return payload

    def events(self, messages, content_type):
        """The payloads of SubscribeToShardEvent messages after the initial response, decoded."""
        out = []
        for headers, payload in messages[1:]:
            self.assertEqual(header_map(self, headers), {":message-type": "event",
                                                         ":event-type": "SubscribeToShardEvent",
                                                         ":content-type": content_type})
            out.append(cbor_mini.decode(payload) if content_type == CBOR_CT else json.loads(payload.decode("utf-8")))
        return out

    def raw_get_records(self, name, cbor=False):
        it = self.server.call("GetShardIterator", {"StreamName": name, "ShardId": SHARD0,
                                                   "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
        if not cbor:
            return self.server.call("GetRecords", {"ShardIterator": it})["Records"]
        resp = self.server.raw("GetRecords", cbor_mini.encode({"ShardIterator": it}),
                               headers={"Content-Type": CBOR_CT})
        self.assertEqual(resp.status, 200, resp)
        return cbor_mini.decode(resp.body)["Records"]



class SubscribeWireTest(WireCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0,
                     "extra_args": ["--throughput-limits", "off", "--subscription-lifetime-ms", str(LIFETIME_MS)]}

    # -- 11. JSON framing -------------------------------------------------------------------------------------------
    def test_json_event_stream_framing(self):
        c = self.kinesis
        name, (consumer, second) = self.stream_with_consumers(consumers=2)
        data = [bytes(range(256)), b"second", "\u00fcber".encode("utf-8")]
        puts = []
        for i, d in enumerate(data):
            puts.append(c.put_record(StreamName=name, Data=d, PartitionKey="pk-%d" % i))
            time.sleep(0.01)  # distinct arrival milliseconds
        stored = self.raw_get_records(name)
        conn = self.connect()
        started = time.monotonic()
        self.subscribe_raw(conn, consumer, {"Type": "TRIM_HORIZON"})
        messages = self.read_event_stream(conn)
        self.assertGreaterEqual(time.monotonic() - started, 0.9, "ended before its 1 s lifetime")
        self.assertGreaterEqual(len(messages), 2, messages)
        self.assertEqual(json.loads(self.assertInitialResponse(messages[0], "application/json")), {})
        self.assertEqual(messages[0][1], b"{}")
        events = self.events(messages, "application/json")
        records = []
        for event in events:
            self.assertTrue(set(event) <= {"Records", "ContinuationSequenceNumber", "MillisBehindLatest"}, event)
            self.assertIsInstance(event["Records"], list)
            self.assertIsInstance(event["ContinuationSequenceNumber"], str)
            self.assertIsInstance(event["MillisBehindLatest"], int)
            records += event["Records"]
        self.assertEqual(len(records), 3, events)
        for i, (rec, raw, put) in enumerate(zip(records, stored, puts)):
            self.assertEqual(set(rec), {"SequenceNumber", "ApproximateArrivalTimestamp", "Data", "PartitionKey"})
            self.assertEqual(base64.b64decode(rec["Data"], validate=True), data[i])
            self.assertEqual(rec["Data"], raw["Data"])
            self.assertEqual(rec["SequenceNumber"], put["SequenceNumber"])
            self.assertEqual(rec["PartitionKey"], "pk-%d" % i)
            # Epoch seconds (a JSON number with milliseconds), the value GetRecords gives.
            self.assertIsInstance(rec["ApproximateArrivalTimestamp"], (int, float))
            self.assertLess(abs(rec["ApproximateArrivalTimestamp"] - time.time()), 60)
            self.assertEqual(rec["ApproximateArrivalTimestamp"], raw["ApproximateArrivalTimestamp"])
        # AT_TIMESTAMP in epoch seconds with milliseconds: starts at the record that arrived then.
        conn2 = self.connect()
        self.subscribe_raw(conn2, second,
                           {"Type": "AT_TIMESTAMP", "Timestamp": stored[1]["ApproximateArrivalTimestamp"]})
        later = [r for e in self.events(self.read_event_stream(conn2), "application/json") for r in e["Records"]]
        self.assertEqual([base64.b64decode(r["Data"]) for r in later], data[1:])

    # -- 12. CBOR payloads ------------------------------------------------------------------------------------------
    def test_cbor_request_gets_cbor_events(self):
        c = self.kinesis
        name, (first, second) = self.stream_with_consumers(consumers=2)
        data = [bytes(range(256)), b"\x00", b"third"]
        puts = []
        for i, d in enumerate(data):
            puts.append(c.put_record(StreamName=name, Data=d, PartitionKey="pk-%d" % i))
            time.sleep(0.01)
        stored = self.raw_get_records(name, cbor=True)
        stored_json = self.raw_get_records(name)
        conn = self.connect()
        self.subscribe_raw(conn, first, {"Type": "TRIM_HORIZON"}, cbor=True)
        messages = self.read_event_stream(conn)
        initial = self.assertInitialResponse(messages[0], CBOR_CT)
        self.assertEqual(initial, b"\xa0")
        self.assertEqual(cbor_mini.decode(initial), {})
        events = self.events(messages, CBOR_CT)
        records = [r for e in events for r in e["Records"]]
        for event in events:
            self.assertIsInstance(event["ContinuationSequenceNumber"], str)
            self.assertIsInstance(event["MillisBehindLatest"], int)
        self.assertEqual(len(records), 3, events)
        for i, (rec, raw, raw_json) in enumerate(zip(records, stored, stored_json)):
            self.assertIsInstance(rec["Data"], bytes)
            self.assertEqual(rec["Data"], data[i])
            self.assertEqual(rec["SequenceNumber"], puts[i]["SequenceNumber"])
            self.assertEqual(rec["PartitionKey"], "pk-%d" % i)
            ts = rec["ApproximateArrivalTimestamp"]
            self.assertIsInstance(ts, Tag)
            self.assertEqual(ts.tag, 1)
            self.assertIsInstance(ts.value, int, "tag 1 must wrap integer milliseconds: %r" % (ts,))
            self.assertEqual(ts, raw["ApproximateArrivalTimestamp"])
            self.assertEqual(ts.value, round(raw_json["ApproximateArrivalTimestamp"] * 1000))
        # AT_TIMESTAMP given as tag 1 epoch milliseconds: starts at the record that arrived then.
        conn2 = self.connect()
        self.subscribe_raw(conn2, second, {"Type": "AT_TIMESTAMP",
                                           "Timestamp": Timestamp(records[1]["ApproximateArrivalTimestamp"].value)},
                           cbor=True)
        later = [r for e in self.events(self.read_event_stream(conn2), CBOR_CT) for r in e["Records"]]
        self.assertEqual([r["Data"] for r in later], data[1:])

    # -- 13. errors -------------------------------------------------------------------------------------------------
    def test_errors_are_ordinary_answers(self):
        _, (consumer,) = self.stream_with_consumers()
        good = {"ConsumerARN": consumer, "ShardId": SHARD0, "StartingPosition": {"Type": "LATEST"}}
        resp = self.server.raw("SubscribeToShard", b'{"ConsumerARN": "x", ')
        self.assertAwsError(resp, "SerializationException")
        self.assertEqual(resp.headers.get("Content-Type"), JSON_CT)
        resp = self.server.raw("SubscribeToShard", {"ConsumerARN": consumer, "ShardId": SHARD0})
        self.assertAwsError(resp, "ValidationException",
                            "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                            "constraint: Member must not be null")
        resp = self.server.raw("SubscribeToShard", dict(good, StartingPosition={"Type": "NEWEST"}))
        self.assertAwsError(resp, "ValidationException",
                            "1 validation error detected: Value 'NEWEST' at 'startingPosition.type' failed to satisfy "
                            "constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, "
                            "AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]")
        resp = self.server.raw("SubscribeToShard", dict(good, StartingPosition={}))
        self.assertAwsError(resp, "ValidationException",
                            "1 validation error detected: Value null at 'startingPosition.type' failed to satisfy "
                            "constraint: Member must not be null")
        resp = self.server.raw("SubscribeToShard", dict(good, ConsumerARN="not-an-arn"))
        self.assertAwsError(resp, "ValidationException", message_contains="at 'consumerARN' failed to satisfy")
        resp = self.server.raw("SubscribeToShard", dict(good, ShardId=7))
        self.assertAwsError(resp, "SerializationException")
        # CBOR: malformed, and a missing member, answered in CBOR.
        for body, code in ((b"\xa1\x61", "SerializationException"),
                           (cbor_mini.encode({"ConsumerARN": consumer, "ShardId": SHARD0}), "ValidationException")):
            resp = self.server.raw("SubscribeToShard", body, headers={"Content-Type": CBOR_CT})
            self.assertEqual(resp.status, 400, resp)
            self.assertEqual(resp.headers.get("Content-Type"), CBOR_CT)
            self.assertEqual(cbor_mini.decode(resp.body)["__type"], code)
        # No refused call claimed the pair, and the server is fine.
        health = self.server.raw(None, None, method="GET", path="/health")
        self.assertEqual((health.status, health.json()), (200, {"status": "ok"}))
        conn = self.connect()
        self.subscribe_raw(conn, consumer, {"Type": "LATEST"})
        messages = self.read_event_stream(conn)
        self.assertInitialResponse(messages[0], "application/json")

    # -- 14. keep-alive ---------------------------------------------------------------------------------------------
    def test_keep_alive_after_the_stream_ends(self):
        c = self.kinesis
        name, (consumer, other) = self.stream_with_consumers(consumers=2)
        put = c.put_record(StreamName=name, Data=b"k", PartitionKey="p")
        conn = self.connect()
        self.subscribe_raw(conn, consumer, {"Type": "TRIM_HORIZON"})
        events = self.events(self.read_event_stream(conn), "application/json")
        self.assertEqual([r["SequenceNumber"] for e in events for r in e["Records"]], [put["SequenceNumber"]])
        # The same connection: a normal request ...
        conn.send("ListStreams", {})
        status, headers, body = conn.read_response()
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get("content-type"), JSON_CT)
        self.assertIn(name, json.loads(body)["StreamNames"])
        # ... a second subscription within 5 s of the first: an ordinary error answer ...
        self.subscribe_raw(conn, consumer, {"Type": "LATEST"})
        status, headers, body = conn.read_response()
        self.assertEqual(status, 400, body)
        self.assertEqual(headers.get("x-amzn-errortype", "").split(":")[0], "ResourceInUseException")
        self.assertTrue(json.loads(body)["message"].startswith("Another active subscription exists for this consumer"))
        # ... and another event stream (another consumer is another pair), in CBOR this time.
        self.subscribe_raw(conn, other, {"Type": "TRIM_HORIZON"}, cbor=True)
        messages = self.read_event_stream(conn)
        self.assertEqual(self.assertInitialResponse(messages[0], CBOR_CT), b"\xa0")
        conn.send(None, b"", method="GET", path="/health")
        status, headers, body = conn.read_response()
        self.assertEqual((status, json.loads(body)), (200, {"status": "ok"}))

    def test_pipelined_request_is_answered_after_the_stream(self):
        name, (consumer,) = self.stream_with_consumers()
        conn = self.connect()
        doc = json.dumps({"ConsumerARN": consumer, "ShardId": SHARD0,
                          "StartingPosition": {"Type": "LATEST"}}).encode("utf-8")
        date = amz_date()
        head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nX-Amz-Target: %s%%s\r\n"
                "X-Amz-Date: %s\r\nAuthorization: %s\r\nContent-Length: %%d\r\n\r\n"
                % (JSON_CT, TARGET_PREFIX, date, fake_authorization(date=date)))
        conn.sock.sendall((head % ("SubscribeToShard", len(doc))).encode("ascii") + doc +
                          (head % ("ListStreams", 2)).encode("ascii") + b"{}")
        messages = self.read_event_stream(conn)
        self.assertInitialResponse(messages[0], "application/json")
        status, _, body = conn.read_response()
        self.assertEqual(status, 200, body)
        self.assertIn(name, json.loads(body)["StreamNames"])

    def test_http_1_0_client_gets_no_chunked_encoding(self):
        """RFC 9112 6.1: a server MUST NOT send Transfer-Encoding in answer to an HTTP/1.0 request. The event
        stream then ends with the connection."""
        _, (consumer,) = self.stream_with_consumers()
        conn = self.connect()
        doc = json.dumps({"ConsumerARN": consumer, "ShardId": SHARD0,
                          "StartingPosition": {"Type": "TRIM_HORIZON"}}).encode("utf-8")
        date = amz_date()
        conn.sock.sendall(("POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
                           "X-Amz-Target: %sSubscribeToShard\r\nX-Amz-Date: %s\r\nAuthorization: %s\r\n"
                           "Content-Length: %d\r\n\r\n" % (JSON_CT, TARGET_PREFIX, date,
                                                             fake_authorization(date=date), len(doc))).encode("ascii")
                          + doc)
        data = b""
        while True:
            piece = conn.sock.recv(65536)
            if not piece:
                break
            data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.assertEqual(lines[0].split(" ")[1], "200", lines[0])
        headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:]}
        self.assertEqual(headers.get("content-type"), EVENT_STREAM_CT)
        self.assertNotIn("transfer-encoding", headers)
        messages = parse_messages(self, body)
        self.assertInitialResponse(messages[0], "application/json")

    def test_client_going_away_mid_stream(self):
        c = self.kinesis
        name, (consumer,) = self.stream_with_consumers()
        conn = RawConnection(self.server.port)
        self.subscribe_raw(conn, consumer, {"Type": "LATEST"})
        status, headers = conn.read_head()
        self.assertEventStreamHead(status, headers)
        self.assertIsNotNone(conn.read_chunk())
        conn.sock.shutdown(socket.SHUT_RDWR)
        conn.close()
        for i in range(20):  # the server writes into a closed connection
            c.put_record(StreamName=name, Data=b"x" * 1000, PartitionKey="p%d" % i)
        time.sleep(LIFETIME_MS / 1000.0 + 0.2)
        health = self.server.raw(None, None, method="GET", path="/health")
        self.assertEqual(health.status, 200)
        self.assertIn(name, c.list_streams()["StreamNames"])
        self.assertIsNone(self.server.proc.poll())


class LongLivedStreamsTest(WireCase):
    """Exception messages and fan-out: with the default 5-minute lifetime, so no stream ends by itself first."""
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0, "extra_args": ["--throughput-limits", "off"]}

    def exception_stream(self, consumer, cause, cbor=False):
        """Subscribes LATEST, reads the initial response, runs ``cause()``, then reads the body to its end."""
        conn = self.connect()
        self.subscribe_raw(conn, consumer, {"Type": "LATEST"}, cbor=cbor)
        status, headers = conn.read_head()
        self.assertEventStreamHead(status, headers)
        received = conn.read_chunk()
        self.assertIsNotNone(received)
        cause()
        while True:
            chunk = conn.read_chunk()
            if chunk is None:
                break
            received += chunk
        messages = parse_messages(self, received)
        content_type = CBOR_CT if cbor else "application/json"
        self.assertInitialResponse(messages[0], content_type)
        self.events(messages[:-1], content_type)  # everything before the last message is an ordinary event
        headers, payload = messages[-1]
        return conn, header_map(self, headers), payload

    def test_exception_message_then_end(self):
        c = self.kinesis
        name, (consumer,) = self.stream_with_consumers()
        conn, headers, payload = self.exception_stream(
            consumer, lambda: c.deregister_stream_consumer(ConsumerARN=consumer))
        self.assertEqual(headers, {":message-type": "exception", ":exception-type": "ResourceNotFoundException",
                                   ":content-type": "application/json"})
        consumer_name = consumer.split("/consumer/")[1].rsplit(":", 1)[0]
        self.assertEqual(json.loads(payload.decode("utf-8")),
                         {"message": "Consumer %s under stream %s under account 000000000000 not found."
                                     % (consumer_name, name)})
        # The connection is still usable.
        conn.send("ListStreams", {})
        status, headers, body = conn.read_response()
        self.assertEqual(status, 200, body)
        self.assertIn(name, json.loads(body)["StreamNames"])

    def test_cbor_exception_message(self):
        c = self.kinesis
        name, (consumer,) = self.stream_with_consumers()
        _, headers, payload = self.exception_stream(
            consumer, lambda: c.delete_stream(StreamName=name, EnforceConsumerDeletion=True), cbor=True)
        self.assertEqual(headers, {":message-type": "exception", ":exception-type": "ResourceNotFoundException",
                                   ":content-type": CBOR_CT})
        self.assertEqual(cbor_mini.decode(payload),
                         {"message": "Stream %s under account 000000000000 not found." % name})

    def test_fan_out_to_many_subscriptions(self):
        """Twenty live subscriptions (ten consumers on each of two shards) are all woken by each append."""
        c = self.kinesis
        name, consumers = self.stream_with_consumers(consumers=10, shards=2)
        shards = [SHARD0, "shardId-000000000001"]
        conns = []
        for shard in shards:
            for consumer in consumers:
                conn = self.connect()
                self.subscribe_raw(conn, consumer, {"Type": "LATEST"}, shard_id=shard)
                status, headers = conn.read_head()
                self.assertEventStreamHead(status, headers)
                self.read_messages(conn, lambda m: len(m) >= 2)  # the initial response and a first, empty event
                conns.append((shard, conn))
        written = {shard: [] for shard in shards}
        for i in range(3):
            for shard, hash_key in zip(shards, ("0", str(2 ** 127))):
                out = c.put_record(StreamName=name, Data=b"%s-%d" % (shard.encode(), i), PartitionKey="p",
                                   ExplicitHashKey=hash_key)
                self.assertEqual(out["ShardId"], shard)
                written[shard].append(out["SequenceNumber"])

        def records(messages):
            return [r for e in self.events(messages, "application/json") for r in e["Records"]]

        for shard, conn in conns:
            self.read_messages(conn, lambda m: len(records(m)) >= 3)
            self.assertEqual([r["SequenceNumber"] for r in records(conn.messages)], written[shard], shard)


if __name__ == "__main__":
    unittest.main()
