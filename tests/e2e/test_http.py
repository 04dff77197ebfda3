"""HTTP framing: health, headers, keep-alive, pipelining, body limit, wrong method."""

import datetime
import http.client
import json
import os
import select
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (JSON_CT, Server, ServerTestCase, amz_date,  # noqa: E402
                     fake_authorization, parse_http_date)

BODY_LIMIT = 16 * 1024 * 1024


def request_bytes(op, body, port, extra_headers=()):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    date = amz_date()
    lines = ["POST / HTTP/1.1",
             "Host: 127.0.0.1:%d" % port,
             "Content-Type: " + JSON_CT,
             "X-Amz-Target: Kinesis_20131202." + op,
             "X-Amz-Date: " + date,
             "Authorization: " + fake_authorization(date=date),
             "Content-Length: %d" % len(payload)]
    lines.extend(extra_headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def read_response(f):
    """Minimal HTTP/1.1 response reader (Content-Length or chunked) from a binary file."""
    status_line = f.readline()
    if not status_line:
        raise EOFError("connection closed before a response")
    parts = status_line.decode("latin-1").split(" ", 2)
    status = int(parts[1])
    headers = {}
    while True:
        line = f.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        k, v = line.decode("latin-1").split(":", 1)
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        body = f.read(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int(f.readline().split(b";")[0], 16)
            if size == 0:
                f.readline()
                break
            body += f.read(size)
            f.readline()
    else:
        body = b""
    return status, headers, body


class HttpFramingTest(ServerTestCase):
    # Framing, not rates: these tests send many ListStreams (5/s on AWS) back to back.
    server_kwargs = {"extra_args": ["--throughput-limits", "off"]}

    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout)

    def test_large_answers_over_https_and_http(self):
        # Answers of every size around TLS's 16 KiB record and Beast's flattening limit, over HTTPS and plain
        # HTTP/1.1 on the same keep-alive client: each arrives whole (a gathered write once hung over TLS).
        from harness import create_active
        for https in (True, False):
            c = self.server.client(https=https)
            name = self.new_name("big")
            create_active(c, name, shards=1)
            for size in (10_000, 12_200, 12_400, 16_384, 40_000, 1_000_000):
                data = bytes(i % 251 for i in range(size))
                put = c.put_record(StreamName=name, PartitionKey="k", Data=data)
                it = c.get_shard_iterator(StreamName=name, ShardId=put["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                          StartingSequenceNumber=put["SequenceNumber"])["ShardIterator"]
                records = c.get_records(ShardIterator=it, Limit=1)["Records"]
                self.assertEqual(records[0]["Data"], data, "size %d over %s" % (size, "https" if https else "http"))

    def test_health(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        try:
            conn.request("GET", "/health")
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        self.assertEqual(resp.status, 200)
        self.assertEqual(json.loads(body), {"status": "ok"})

    def test_success_headers(self):
        a = self.server.raw("ListStreams", {})
        b = self.server.raw("ListStreams", {})
        self.assertEqual(a.status, 200, a)
        self.assertCommonHeaders(a)
        self.assertCommonHeaders(b)
        self.assertNotEqual(a.headers["x-amzn-RequestId"], b.headers["x-amzn-RequestId"])
        date = parse_http_date(a.headers["Date"])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - date).total_seconds()), 120)
        self.assertIn("StreamNames", a.json())

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            sock = None
            for i in range(5):
                date = amz_date()
                conn.request("POST", "/", body=b"{}", headers={
                    "Content-Type": JSON_CT, "X-Amz-Target": "Kinesis_20131202.ListStreams",
                    "X-Amz-Date": date, "Authorization": fake_authorization(date=date)})
                resp = conn.getresponse()
                body = resp.read()
                self.assertEqual(resp.status, 200, body)
                self.assertIn("StreamNames", json.loads(body))
                self.assertIsNotNone(conn.sock, "server closed the keep-alive connection")
                if sock is None:
                    sock = conn.sock
                self.assertIs(conn.sock, sock, "request %d used a new connection" % i)
        finally:
            conn.close()

    def test_pipelining(self):
        port = self.server.port
        a, b = self.new_name("pipe-a"), self.new_name("pipe-b")
        data = (request_bytes("DescribeStreamSummary", {"StreamName": a}, port)
                + request_bytes("DescribeStreamSummary", {"StreamName": b}, port)
                + request_bytes("ListStreams", {}, port))
        with self.connect() as s:
            s.sendall(data)
            f = s.makefile("rb")
            r1 = read_response(f)
            r2 = read_response(f)
            r3 = read_response(f)
        self.assertEqual(r1[0], 400)
        self.assertIn("Stream %s under account" % a, json.loads(r1[2])["message"])
        self.assertEqual(r2[0], 400)
        self.assertIn("Stream %s under account" % b, json.loads(r2[2])["message"])
        self.assertEqual(r3[0], 200)
        self.assertIn("StreamNames", json.loads(r3[2]))

    def assertServerAlive(self):
        resp = self.server.raw("ListStreams", {})
        self.assertEqual(resp.status, 200, resp)

    def test_large_body_under_limit_accepted(self):
        body = b'{"Limit": 5' + b" " * (1024 * 1024) + b"}"
        resp = self.server.raw("ListStreams", body)
        self.assertEqual(resp.status, 200, resp)
        self.assertIn("StreamNames", resp.json())

    def test_get_root_refused(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        try:
            conn.request("GET", "/")
            resp = conn.getresponse()
            resp.read()
        finally:
            conn.close()
        self.assertGreaterEqual(resp.status, 400)
        self.assertLess(resp.status, 500)
        self.assertServerAlive()

    def test_garbage_request_line_then_alive(self):
        with self.connect(timeout=5) as s:
            s.sendall(b"THIS IS NOT HTTP\r\n\r\n")
            try:
                s.recv(65536)
            except OSError:
                pass
        self.assertServerAlive()

    def test_half_request_then_close_then_alive(self):
        with self.connect(timeout=5) as s:
            s.sendall(request_bytes("ListStreams", {}, self.server.port)[:40])
        self.assertServerAlive()

    def test_many_sequential_connections(self):
        for _ in range(30):
            resp = self.server.raw("ListStreams", {})
            self.assertEqual(resp.status, 200)


class BodyLimitTest(ServerTestCase):
    """A fresh server per test: a crash here must not take other tests down with it."""

    @classmethod
    def setUpClass(cls):
        pass

    def setUp(self):
        self.server = Server()
        self.addCleanup(self.server.stop)
        self.server.start()

    def connect(self, timeout=10):
        return socket.create_connection(("127.0.0.1", self.server.port), timeout=timeout)

    def assertServerAlive(self):
        try:
            resp = self.server.raw("ListStreams", {})
        except OSError as e:
            try:
                rc = self.server.proc.wait(timeout=1)
            except Exception:
                rc = None
            self.fail("server unusable after oversized request (%r), exit status %s, log: %s"
                      % (e, rc, self.server.log_tail()))
        self.assertEqual(resp.status, 200, resp)

    def oversized_status(self, framing_header, body_chunks):
        """Send an oversized request; return the response status (None if closed silently)."""
        head = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
                "X-Amz-Target: Kinesis_20131202.ListStreams\r\nX-Amz-Date: %s\r\n"
                "Authorization: %s\r\n%s\r\n\r\n"
                % (JSON_CT, amz_date(), fake_authorization(), framing_header)).encode()
        with self.connect(timeout=20) as s:
            s.sendall(head)
            # A server may answer as soon as it sees the headers; otherwise send the body.
            ready, _, _ = select.select([s], [], [], 1.0)
            sender = None
            if not ready:
                def send_body():
                    try:
                        for chunk in body_chunks():
                            s.sendall(chunk)
                    except OSError:
                        pass  # the server may stop reading and close
                sender = threading.Thread(target=send_body, daemon=True)
                sender.start()
            f = s.makefile("rb")
            try:
                status = read_response(f)[0]
            except (EOFError, ConnectionResetError):
                status = None
            if sender is not None:
                sender.join(timeout=20)
        return status

    def test_content_length_over_limit_413(self):
        size = BODY_LIMIT + 1

        def chunks():
            left = size
            while left > 0:
                n = min(left, 1 << 20)
                yield b" " * n
                left -= n
        status = self.oversized_status("Content-Length: %d" % size, chunks)
        self.assertEqual(status, 413, "expected 413 for Content-Length %d" % size)
        self.assertServerAlive()

    def test_chunked_over_limit_413(self):
        def chunks():
            for _ in range(17):
                yield b"100000\r\n" + b" " * 0x100000 + b"\r\n"
            yield b"0\r\n\r\n"
        status = self.oversized_status("Transfer-Encoding: chunked", chunks)
        self.assertEqual(status, 413)
        self.assertServerAlive()


if __name__ == "__main__":
    unittest.main(verbosity=2)
