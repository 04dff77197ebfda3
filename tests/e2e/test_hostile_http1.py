"""Hostile HTTP/1.1 and TLS: lying Content-Length, bad chunked encoding, huge headers, slowloris heads and
bodies, TLS garbage and stalled handshakes. The server runs with short deadlines (header 1 s, body 1.5 s) so the
slow attacks are quick to observe; the defaults are 10 s and 30 s.
"""

import os
import socket
import ssl
import threading
import time
import unittest

from harness import fake_authorization, amz_date
from hostile_support import SHARD0, HostileTestCase, connect, exchange, read_until_closed, status_of

HEADER_S = 1.0
BODY_S = 1.5
SLACK_S = 1.5  # scheduling on a loaded 2-core machine


def head(target="ListStreams", extra=b"", length=None, chunked=False):
    date = amz_date()
    lines = [b"POST / HTTP/1.1", b"Host: 127.0.0.1", b"Content-Type: application/x-amz-json-1.1",
             b"X-Amz-Target: Kinesis_20131202." + target.encode(), b"X-Amz-Date: " + date.encode(),
             b"Authorization: " + fake_authorization(date=date).encode()]
    if length is not None:
        lines.append(b"Content-Length: " + str(length).encode())
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
    return b"\r\n".join(lines) + b"\r\n" + extra + b"\r\n"


class HostileHttp1(HostileTestCase):
    extra_args = ["--header-timeout-ms", str(int(HEADER_S * 1000)),
                                    "--body-timeout-ms", str(int(BODY_S * 1000))]

    def test_content_length_larger_than_the_body(self):
        started = time.monotonic()
        out, closed = exchange(self.server.port, head(length=1000) + b"{}", deadline_s=BODY_S + SLACK_S + 2)
        self.assertTrue(closed, "a body that never completes must be dropped at the body deadline")
        self.assertLess(time.monotonic() - started, BODY_S + SLACK_S)
        self.assertNotEqual(status_of(out), 200, out)
        self.assertServerSurvived("Content-Length larger than the body")

    def test_content_length_smaller_than_the_body(self):
        # The 2 declared bytes are a request; what follows is not one: answered, then the connection ends.
        out, closed = exchange(self.server.port, head(length=2) + b'{}{"StreamName": "x"}\r\n\r\n')
        self.assertTrue(closed, out)
        self.assertEqual(status_of(out), 200, out)
        self.assertEqual(out.count(b"HTTP/1.1 "), 1, out)
        self.assertServerSurvived("Content-Length smaller than the body")

    def test_conflicting_and_malformed_lengths(self):
        for extra in (b"Content-Length: 2\r\nContent-Length: 3\r\n", b"Content-Length: -1\r\n",
                      b"Content-Length: 99999999999999999999999\r\n", b"Content-Length: 2x\r\n",
                      b"Content-Length: 2\r\nTransfer-Encoding: chunked\r\n"):
            out, closed = exchange(self.server.port, head(extra=extra) + b"{}", deadline_s=BODY_S + SLACK_S + 2)
            self.assertTrue(closed, extra)
            self.assertNotEqual(status_of(out), 200, (extra, out))
            if out:
                self.assertLess(status_of(out), 500, (extra, out))
        self.assertServerSurvived("conflicting lengths")

    def test_bad_chunked_encoding(self):
        # A 3 MB chunk extension is legal syntax, but the server buffers at most 64 KiB unparsed; a trailer field
        # of 70000 bytes crashed it (Beast throws for a field value over 65533 bytes).
        for body in (b"zz\r\n{}\r\n0\r\n\r\n", b"2\r\n{}0\r\n\r\n", b"ffffffffffffffffff\r\n{}",
                     b"2;" + b"x" * 3000000 + b"\r\n{}\r\n0\r\n\r\n", b"-2\r\n{}\r\n0\r\n\r\n",
                     b"2\r\n{}\r\n0\r\nX-Trailer: " + b"y" * 70000 + b"\r\n\r\n",
                     b"2\r\n{}\r\n0\r\n" + b"".join(b"X-T%d: v\r\n" % i for i in range(20000)) + b"\r\n"):
            out, closed = exchange(self.server.port, head(chunked=True) + body, deadline_s=BODY_S + SLACK_S + 2)
            self.assertTrue(closed, body[:30])
            self.assertNotEqual(status_of(out), 200, (body[:30], out))
            if out:
                self.assertLess(status_of(out), 500, (body[:30], out))
        # A well-formed chunked body still works on the same server.
        out, _ = exchange(self.server.port, head(chunked=True) + b"1\r\n{\r\n1\r\n}\r\n0\r\n\r\n",
                          deadline_s=0.5)
        self.assertEqual(status_of(out), 200, out)
        self.assertServerSurvived("bad chunked encoding")

    def test_huge_headers(self):
        for extra in (b"X-Big: " + b"a" * 100000 + b"\r\n", b"".join(b"X-%d: v\r\n" % i for i in range(20000)),
                      b"X-" + b"n" * 100000 + b": v\r\n"):
            out, closed = exchange(self.server.port, head(extra=extra, length=2) + b"{}")
            self.assertTrue(closed)
            self.assertEqual(status_of(out), 431, out[:200])
        out, closed = exchange(self.server.port, b"POST /" + b"p" * 100000 + b" HTTP/1.1\r\n\r\n")
        self.assertTrue(closed)
        self.assertNotEqual(status_of(out), 200, out[:200])
        self.assertServerSurvived("huge headers")

    def test_slowloris_heads_and_bodies_are_cut_while_others_are_served(self):
        # Twenty connections dribble a head (a header line every 200 ms, forever), ten dribble a body.
        count_heads, count_bodies = 20, 10
        socks = [connect(self.server.port) for _ in range(count_heads + count_bodies)]
        closed_after = {}
        stop = threading.Event()

        def dribble(i, s):
            started = time.monotonic()
            try:
                s.sendall(head(length=100)[:40] if i < count_heads else head(length=100) + b"{")
                n = 0
                while not stop.is_set():
                    n += 1
                    s.sendall(b"X-Slow-%d: z\r\n" % n if i < count_heads else b" ")
                    if stop.wait(0.2):
                        break
            except OSError:
                pass
            _, closed = read_until_closed(s, 0.5)
            if closed:
                closed_after[i] = time.monotonic() - started

        threads = [threading.Thread(target=dribble, args=(i, s)) for i, s in enumerate(socks)]
        for t in threads:
            t.start()
        try:
            # Meanwhile a well-behaved client is served, again and again.
            served = 0
            deadline = time.monotonic() + HEADER_S + BODY_S + SLACK_S + 1
            while time.monotonic() < deadline and len(closed_after) < len(socks):
                self.sdk.describe_stream_summary(StreamName=self.stream)
                served += 1
                time.sleep(0.1)
            self.assertGreaterEqual(served, 5)
        finally:
            stop.set()
            for t in threads:
                t.join(5)
            for s in socks:
                s.close()
        self.assertEqual(len(closed_after), len(socks), "connections the server did not close: %s"
                         % sorted(set(range(len(socks))) - set(closed_after)))
        for i, took in closed_after.items():
            bound = HEADER_S if i < count_heads else HEADER_S + BODY_S
            self.assertLess(took, bound + SLACK_S, "connection %d closed after %.2fs" % (i, took))
        self.assertServerSurvived("slowloris")

    def test_slow_tls_handshake_and_tls_garbage(self):
        # A TLS record header, then nothing: dropped at the header deadline (the handshake deadline).
        started = time.monotonic()
        with connect(self.server.port) as s:
            s.sendall(b"\x16\x03\x01\x02\x00\x01")
            _, closed = read_until_closed(s, HEADER_S + SLACK_S + 2)
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, HEADER_S + SLACK_S)
        # Random bytes after a ClientHello-looking first byte, and a truncated real ClientHello.
        for payload in (b"\x16" + os.urandom(5000), b"\x16\x03\x01" + os.urandom(2000), b"\x16\x03\x03\xff\xff" +
                        os.urandom(300)):
            _, closed = exchange(self.server.port, payload, deadline_s=HEADER_S + SLACK_S + 2)
            self.assertTrue(closed)
        hello = self.client_hello()
        for cut in (5, 40, len(hello) // 2, len(hello) - 1):
            started = time.monotonic()
            _, closed = exchange(self.server.port, hello[:cut], deadline_s=HEADER_S + SLACK_S + 2)
            self.assertTrue(closed, cut)
            self.assertLess(time.monotonic() - started, HEADER_S + SLACK_S, cut)
        # HTTPS still works, with boto3 and the TLS deadline in place.
        self.assertEqual(self.server.client(https=True).describe_stream_summary(
            StreamName=self.stream)["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE")
        self.assertServerSurvived("TLS garbage")

    def tls(self, alpn=None):
        ctx = ssl.create_default_context(cafile=self.server.cert_path)
        if alpn:
            ctx.set_alpn_protocols(alpn)
        return ctx.wrap_socket(connect(self.server.port), server_hostname="127.0.0.1")

    def test_slowloris_inside_tls_and_a_silent_h2_over_tls(self):
        # HTTP/1.1 inside TLS: a head dribbled a line every 200 ms is cut at the header deadline.
        s = self.tls()
        started = time.monotonic()
        s.sendall(head(length=10)[:30])
        closed = False
        while not closed and time.monotonic() - started < HEADER_S + SLACK_S + 1:
            try:
                s.sendall(b"X-S: 1\r\n")
                s.settimeout(0.2)
                closed = s.recv(1) == b""
            except socket.timeout:
                pass
            except (ssl.SSLError, OSError):
                closed = True
        s.close()
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - started, HEADER_S + SLACK_S)
        # HTTP/2 negotiated by ALPN, then no preface: cut at the header deadline too.
        s = self.tls(["h2"])
        self.assertEqual(s.selected_alpn_protocol(), "h2")
        started = time.monotonic()
        s.settimeout(HEADER_S + SLACK_S + 2)
        try:
            while s.recv(4096):
                pass
        except (ssl.SSLError, OSError):
            pass
        s.close()
        self.assertLess(time.monotonic() - started, HEADER_S + SLACK_S)
        self.assertServerSurvived("slowloris inside TLS")

    def test_an_event_stream_outlives_the_deadlines(self):
        # boto3 reads SubscribeToShard over HTTP/1.1 (chunked): the answer lasts longer than both deadlines.
        arn = self.sdk.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]["StreamARN"]
        consumer = self.sdk.register_stream_consumer(StreamARN=arn, ConsumerName="hostile1")["Consumer"]
        deadline = time.monotonic() + 10
        while self.sdk.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        sub = self.server.client().subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=SHARD0,
                                                      StartingPosition={"Type": "LATEST"})
        self.assertEqual(sub["ResponseMetadata"]["HTTPStatusCode"], 200)  # the initial-response has arrived
        events = iter(sub["EventStream"])
        time.sleep(HEADER_S + BODY_S + 0.5)
        marker = os.urandom(16)
        self.put("late", marker)
        got = []
        until = time.monotonic() + 5
        while not got and time.monotonic() < until:
            got = [r for r in next(events)["SubscribeToShardEvent"]["Records"] if r["Data"] == marker]
        self.assertTrue(got, "the event stream was cut or did not deliver")
        sub["EventStream"].close()
        self.assertServerSurvived("a long event stream")

    @staticmethod
    def client_hello():
        """The bytes of a real ClientHello, from Python's ssl module (no network)."""
        ctx = ssl.create_default_context()
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        return outgoing.read()


if __name__ == "__main__":
    unittest.main()
