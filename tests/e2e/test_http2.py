"""HTTP/2 on the same port as HTTP/1.1: h2c with prior knowledge on plain connections, ALPN h2 on TLS, many
streams multiplexed on one connection, and the same answers and errors as over HTTP/1.1. Driven by curl, which
speaks HTTP/2 through nghttp2 like the AWS SDKs' HTTP/2 clients."""

import json
import os
import shutil
import subprocess
import unittest

import harness
from harness import ServerTestCase, amz_date, fake_authorization


def curl_args(op, body, http="--http2-prior-knowledge"):
    date = amz_date()
    return ["curl", "-s", "-i", http, "-X", "POST",
            "-H", "X-Amz-Target: Kinesis_20131202." + op,
            "-H", "Content-Type: application/x-amz-json-1.1",
            "-H", "X-Amz-Date: " + date,
            "-H", "Authorization: " + fake_authorization(date=date),
            "--data-binary", json.dumps(body)]


def parse(output):
    """Splits curl -i output (newlines already normalised by text mode) into (protocol, status, headers, body)."""
    output = output.replace("\r\n", "\n")
    head, _, body = output.partition("\n\n")
    lines = head.split("\n")
    protocol, status = lines[0].split(" ")[0], int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return protocol, status, headers, body


@unittest.skipUnless(shutil.which("curl"), "curl is not installed")
class Http2Test(ServerTestCase):
    server_kwargs = {"create_ms": 0, "extra_args": ["--throughput-limits", "off"]}

    def curl(self, op, body, url=None, http="--http2-prior-knowledge", extra=()):
        args = curl_args(op, body, http) + list(extra) + [url or self.server.url + "/"]
        out = subprocess.run(args, capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        return parse(out.stdout)

    def test_prior_knowledge_on_plain_connections(self):
        name = self.new_name("h2")
        protocol, status, headers, _ = self.curl("CreateStream", {"StreamName": name, "ShardCount": 1})
        self.assertEqual((protocol, status), ("HTTP/2", 200))
        for h in ("x-amzn-requestid", "x-amz-id-2", "date"):
            self.assertIn(h, headers)
        harness.wait_status(self.kinesis, name, "ACTIVE")
        protocol, status, headers, body = self.curl("PutRecord", {"StreamName": name, "Data": "aGVsbG8=",
                                                                  "PartitionKey": "k"})
        self.assertEqual((protocol, status), ("HTTP/2", 200))
        self.assertEqual(headers["content-type"], "application/x-amz-json-1.1")
        self.assertEqual(json.loads(body)["ShardId"], "shardId-000000000000")

    def test_errors_are_the_same_as_over_http1(self):
        protocol, status, headers, body = self.curl("DescribeStream", {"StreamName": "no-such-stream"})
        self.assertEqual((protocol, status), ("HTTP/2", 400))
        self.assertEqual(headers["x-amzn-errortype"], "ResourceNotFoundException")
        self.assertEqual(json.loads(body), {"__type": "ResourceNotFoundException",
                                            "message": "Stream no-such-stream under account 000000000000 not found."})
        _, status, _, body = self.curl("CreateStream", {"StreamName": "a b", "ShardCount": 1})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "ValidationException")

    def test_alpn_h2_over_tls_and_http1_when_only_that_is_offered(self):
        tls = ["--cacert", self.server.cert_path]
        protocol, status, _, body = self.curl("ListStreams", {}, url=self.server.https_url + "/", http="--http2",
                                              extra=tls)
        self.assertEqual((protocol, status), ("HTTP/2", 200))
        self.assertIn("StreamNames", json.loads(body))
        protocol, status, _, _ = self.curl("ListStreams", {}, url=self.server.https_url + "/", http="--http1.1",
                                           extra=tls)
        self.assertEqual((protocol, status), ("HTTP/1.1", 200))
        protocol, status, _, _ = self.curl("ListStreams", {}, http="--http1.1")
        self.assertEqual((protocol, status), ("HTTP/1.1", 200))

    def test_prior_knowledge_over_tls_without_alpn(self):
        # The AWS SDK for Java v2's Netty client (its default for Kinesis) offers no ALPN and sends the HTTP/2
        # preface right after the handshake; a client without ALPN that speaks HTTP/1.1 still gets HTTP/1.1.
        tls = ["--cacert", self.server.cert_path, "--no-alpn"]
        protocol, status, _, body = self.curl("ListStreams", {}, url=self.server.https_url + "/", extra=tls)
        self.assertEqual((protocol, status), ("HTTP/2", 200))
        self.assertIn("StreamNames", json.loads(body))
        protocol, status, _, _ = self.curl("ListStreams", {}, url=self.server.https_url + "/", http="--http1.1",
                                           extra=tls)
        self.assertEqual((protocol, status), ("HTTP/1.1", 200))

    # Over TLS: curl 7.88 (Debian bookworm) fails to reuse an h2c prior-knowledge connection for a second
    # request (exit 16 before it sends anything); Node's http2 client reuses h2c connections fine (test_js_sdk).
    def test_many_streams_multiplexed_on_one_connection(self):
        name = self.new_name("mux")
        harness.create_active(self.kinesis, name, shards=2)
        date = amz_date()
        args = ["curl", "-s", "--parallel", "--parallel-max", "30"]
        for i in range(30):
            args += ["--http2", "--cacert", self.server.cert_path, "-X", "POST", "-H", "X-Amz-Target: Kinesis_20131202.PutRecord",
                     "-H", "Content-Type: application/x-amz-json-1.1", "-H", "X-Amz-Date: " + date,
                     "-H", "Authorization: " + fake_authorization(date=date),
                     "--data-binary", json.dumps({"StreamName": name, "Data": "eA==", "PartitionKey": "k%d" % i}),
                     "-w", "%{http_version} %{http_code} %{num_connects}\\n", "-o", "/dev/null",
                     self.server.https_url + "/", "--next"]
        out = subprocess.run(args[:-1], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = [l.split() for l in out.stdout.strip().splitlines()]
        self.assertEqual(len(lines), 30)
        self.assertTrue(all(l[0] == "2" and l[1] == "200" for l in lines), lines)
        self.assertLessEqual(sum(int(l[2]) for l in lines), 2, "curl should reuse one HTTP/2 connection")
        shards = self.kinesis.list_shards(StreamName=name)["Shards"]
        total = 0
        for s in shards:
            it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=s["ShardId"],
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            total += len(self.kinesis.get_records(ShardIterator=it)["Records"])
        self.assertEqual(total, 30)


if __name__ == "__main__":
    unittest.main()
