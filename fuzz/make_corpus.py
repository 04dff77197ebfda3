#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (small, handmade inputs).

Run it again after changing a target's input format; scripts/fuzz runs the targets over these seeds. Files are
named seed-<what>; inputs the fuzzer found and that are kept as regression inputs are named crash-<what> and
are not touched here.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "e2e"))
import cbor_mini  # noqa: E402  (the e2e tests' CBOR encoder)

JSON_CT = "application/x-amz-json-1.1"
CBOR_CT = "application/x-amz-cbor-1.1"
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kinesis/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)

# (operation, input) pairs the seeds of several targets are made from.
REQUESTS = [
    ("CreateStream", {"StreamName": "fuzz", "ShardCount": 2}),
    ("CreateStream", {"StreamName": "od", "StreamModeDetails": {"StreamMode": "ON_DEMAND"}}),
    ("ListStreams", {}),
    ("DescribeStream", {"StreamName": "fuzz"}),
    ("PutRecord", {"StreamName": "fuzz", "Data": "aGVsbG8=", "PartitionKey": "k"}),
    ("PutRecords", {"StreamName": "fuzz", "Records": [{"Data": "AA==", "PartitionKey": "a"},
                                                      {"Data": "AQ==", "PartitionKey": "b", "ExplicitHashKey": "1"}]}),
    ("GetShardIterator", {"StreamName": "fuzz", "ShardId": "shardId-000000000000",
                          "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": 1700000000.5}),
    ("ListShards", {"StreamName": "fuzz", "ShardFilter": {"Type": "AT_LATEST"}}),
    ("SplitShard", {"StreamName": "fuzz", "ShardToSplit": "shardId-000000000000",
                    "NewStartingHashKey": "170141183460469231731687303715884105728"}),
    ("AddTagsToStream", {"StreamName": "fuzz", "Tags": {"a": "b"}}),
    ("RegisterStreamConsumer", {"StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/fuzz",
                                "ConsumerName": "c"}),
    ("UpdateShardCount", {"StreamName": "fuzz", "TargetShardCount": 3, "ScalingType": "UNIFORM_SCALING"}),
]


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def cbor_input(doc):
    """The normalised JSON seed as CBOR: blobs as byte strings, timestamps as tag 1 over milliseconds."""
    def conv(key, v):
        if key == "Data":

            return base64.b64decode(v)
        if key == "Timestamp":
            return cbor_mini.Timestamp(int(v * 1000))
        if isinstance(v, dict):
            return {k: conv(k, x) for k, x in v.items()}
        if isinstance(v, list):
            return [conv(key, x) for x in v]
        return v
    return cbor_mini.encode(conv(None, doc))


def http1(op, body, ct=JSON_CT, extra=""):
    body = body if isinstance(body, bytes) else body.encode()
    head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\nX-Amz-Target: Kinesis_20131202.%s\r\n"
            "X-Amz-Date: 20150830T123600Z\r\nAuthorization: %s\r\n%sContent-Length: %d\r\n\r\n"
            % (ct, op, AUTH, extra, len(body)))
    return head.encode() + body


def h2_frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def hpack_literal(name, value):
    """A literal header field without indexing, new name, no Huffman coding (RFC 7541 6.2.2)."""
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


def h2_request(stream, op, body, ct=JSON_CT):
    headers = b"".join(hpack_literal(k, v) for k, v in [
        (":method", "POST"), (":scheme", "http"), (":path", "/"), (":authority", "127.0.0.1"),
        ("content-type", ct), ("x-amz-target", "Kinesis_20131202." + op), ("x-amz-date", "20150830T123600Z"),
        ("authorization", AUTH[:120])])
    return (h2_frame(1, 0x4, stream, headers) +  # HEADERS, END_HEADERS
            h2_frame(0, 0x1, stream, body if isinstance(body, bytes) else body.encode()))  # DATA, END_STREAM


def event_message(headers, payload):
    hb = b""
    for name, value in headers:
        hb += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value)) + value.encode()
    total = 12 + len(hb) + len(payload) + 4
    prelude = struct.pack(">II", total, len(hb))
    msg = prelude + struct.pack(">I", zlib.crc32(prelude)) + hb + payload
    return msg + struct.pack(">I", zlib.crc32(msg))


def main():
    for i, (op, doc) in enumerate(REQUESTS):
        body = json.dumps(doc)
        write("fuzz_http1", "%02d-%s" % (i, op), http1(op, body))
        write("fuzz_codec", "%02d-%s-json" % (i, op), b"\x00" + op.encode() + b"\n" + body.encode())
        write("fuzz_codec", "%02d-%s-cbor" % (i, op), b"\x01" + op.encode() + b"\n" + cbor_input(doc))
        write("fuzz_http2", "%02d-%s" % (i, op), h2_frame(4, 0, 0, b"") + h2_request(1, op, body))
    write("fuzz_http1", "health", b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    write("fuzz_http1", "pipelined", http1("ListStreams", "{}") + http1("DescribeLimits", "{}"))
    write("fuzz_http1", "cbor", http1("ListStreams", cbor_mini.encode({"Limit": 5}), ct=CBOR_CT))
    write("fuzz_http1", "chunked", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: " + JSON_CT.encode() +
          b"\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nAuthorization: " + AUTH.encode() +
          b"\r\nX-Amz-Date: 20150830T123600Z\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")
    write("fuzz_http1", "too-large", b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n{}")
    write("fuzz_http1", "presigned", b"POST /?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830"
          b"%2Fus-east-1%2Fkinesis%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
          b"&X-Amz-Signature=" + b"0" * 64 + b" HTTP/1.1\r\nHost: x\r\nContent-Type: " + JSON_CT.encode() +
          b"\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 2\r\n\r\n{}")
    write("fuzz_http1", "subscribe", http1("SubscribeToShard", json.dumps({
        "ConsumerARN": "arn:aws:kinesis:us-east-1:000000000000:stream/fuzz/consumer/c:1",
        "ShardId": "shardId-000000000000", "StartingPosition": {"Type": "LATEST"}})))
    write("fuzz_http2", "two-streams", h2_frame(4, 0, 0, b"") + h2_request(1, "ListStreams", "{}") +
          h2_request(3, "DescribeLimits", "{}") + h2_frame(6, 0, 0, b"\0" * 8))  # and a PING
    write("fuzz_http2", "window-update", h2_frame(4, 0, 0, struct.pack(">HI", 4, 65535)) +
          h2_frame(8, 0, 0, struct.pack(">I", 1 << 20)) + h2_request(1, "ListStreams", "{}") +
          h2_frame(3, 0, 1, struct.pack(">I", 8)))  # RST_STREAM

    write("fuzz_sigv4", "header", b"\x01" + AUTH.encode() + b"\n\nPOST\n/\n{}\nhost:127.0.0.1\n"
          b"content-type:" + JSON_CT.encode() + b"\nx-amz-date:20150830T123600Z\n"
          b"x-amz-target:Kinesis_20131202.ListStreams")
    write("fuzz_sigv4", "presigned", b"\x00\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830"
          b"%2Fus-east-1%2Fkinesis%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
          b"&X-Amz-Signature=" + b"0" * 64 + b"\nGET\n/a%20b/../c\n\nhost:127.0.0.1")
    write("fuzz_sigv4", "no-auth", b"\x00\n\nPOST\n/\n{}\n")

    ev = event_message([(":message-type", "event"), (":event-type", "SubscribeToShardEvent"),
                        (":content-type", "application/json")], b'{"Records":[]}')
    write("fuzz_event_stream", "event", b"\x00" + ev)
    write("fuzz_event_stream", "two", b"\x00" + ev + event_message([(":message-type", "exception")], b"{}"))
    # Fixed-up mode: every value type once (bool, byte, short, int, long, bytes, string, timestamp, uuid).
    typed = (b"\x01t\x00" + b"\x01f\x01" + b"\x01b\x02\x80" + b"\x01s\x03\x80\x00" + b"\x01i\x04\x00\x00\x00\x01" +
             b"\x01l\x05" + b"\xff" * 8 + b"\x01y\x06\x00\x02ab" + b"\x01z\x07\x00\x01c" + b"\x01m\x08" + b"\x00" * 8 +
             b"\x01u\x09" + b"\x11" * 16)
    write("fuzz_event_stream", "typed", b"\x01" + struct.pack(">II", 0, len(typed)) + b"\0" * 4 + typed +
          b"payload" + b"\0" * 4)

    key = b"fuzz-iterator-key-0123456789abcdef"  # fuzz_shard_iterator.cpp's key
    body = (b"\x01" + struct.pack("<QQQQ", 1699999990000, 3, 42, 1699999999000) + b"\x09us-east-1" + b"\x04fuzz")

    write("fuzz_shard_iterator", "signed", b"\x00" + base64.b64encode(body + hmac.new(key, body, hashlib.sha256).digest()[:16]))
    write("fuzz_shard_iterator", "body", b"\x01" + body)
    write("fuzz_shard_iterator", "expired", b"\x01" + body[:25] + struct.pack("<Q", 1) + body[33:])

    # FuzzedDataProvider inputs: any bytes are valid; a few shapes of different lengths as starting points.
    for n, size in enumerate((16, 200, 1500, 6000)):
        write("fuzz_log_recovery", "bytes-%d" % n, bytes((i * 131 + n * 7) % 256 for i in range(size)))


if __name__ == "__main__":
    main()
