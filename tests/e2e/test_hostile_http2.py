"""Hostile HTTP/2 (h2c with prior knowledge): rapid reset, SETTINGS and PING floods, an HPACK bomb, a
CONTINUATION flood, a stalled preface and stalled streams, raw frames built with hyperframe and hpack (the h2
package's). The server runs with short deadlines (header 1 s, body 1.5 s); an answer that lasts longer than both
(a SubscribeToShard event stream) is not cut.
"""

import base64
import json
import os
import socket
import time
import unittest

import hpack
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame)

from harness import JSON_CT, amz_date, fake_authorization
from hostile_support import SHARD0, HostileTestCase, connect, read_until_closed

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
HEADER_S = 1.0
BODY_S = 1.5
SLACK_S = 1.5
ENHANCE_YOUR_CALM = 0xB


class H2Raw(object):
    """One raw HTTP/2 connection: sends frames, collects the server's."""

    def __init__(self, port, handshake=True):
        self.sock = connect(port)
        self.buf = b""
        self.frames = []
        self.closed = False
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        if handshake:
            self.send(PREFACE + SettingsFrame(0).serialize())

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            self.closed = True
            return False

    def request_headers(self, target="ListStreams", path="/", method="POST"):
        date = amz_date()
        return [(":method", method), (":scheme", "http"), (":authority", "127.0.0.1"), (":path", path),
                ("content-type", JSON_CT), ("x-amz-target", "Kinesis_20131202." + target),
                ("x-amz-date", date), ("authorization", fake_authorization(date=date))]

    def headers(self, stream_id, headers, end_stream=False, end_headers=True):
        f = HeadersFrame(stream_id, data=self.encoder.encode(headers))
        f.flags.add("END_HEADERS") if end_headers else None
        if end_stream:
            f.flags.add("END_STREAM")
        return f.serialize()

    @staticmethod
    def data(stream_id, payload, end_stream=False):
        f = DataFrame(stream_id, data=payload)
        if end_stream:
            f.flags.add("END_STREAM")
        return f.serialize()

    def pump(self, wait_s):
        """Reads what arrives within ``wait_s``; ACKs the server's SETTINGS and PINGs."""
        end = time.monotonic() + wait_s
        while not self.closed:
            left = end - time.monotonic()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                return
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.closed = True
                return
            self.buf += chunk
            while len(self.buf) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
                if len(self.buf) < 9 + length:
                    break
                frame.parse_body(memoryview(self.buf[9:9 + length]))
                self.buf = self.buf[9 + length:]
                self.frames.append(frame)
                if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
                    self.send(SettingsFrame(0, flags=["ACK"]).serialize())

    def wait_for(self, predicate, deadline_s):
        """The first frame (collected or arriving within the deadline) that satisfies ``predicate``."""
        end = time.monotonic() + deadline_s
        while True:
            for f in self.frames:
                if predicate(f):
                    return f
            if self.closed or time.monotonic() >= end:
                return None
            self.pump(min(0.1, end - time.monotonic()))

    def goaway(self, deadline_s):
        return self.wait_for(lambda f: isinstance(f, GoAwayFrame), deadline_s)

    def status_of(self, stream_id, deadline_s):
        f = self.wait_for(lambda f: isinstance(f, HeadersFrame) and f.stream_id == stream_id, deadline_s)
        return dict(self.decoder.decode(f.data)).get(":status") if f else None

    def close(self):
        self.sock.close()


class HostileHttp2(HostileTestCase):
    extra_args = ["--header-timeout-ms", str(int(HEADER_S * 1000)),
                                    "--body-timeout-ms", str(int(BODY_S * 1000))]

    def assertCutOff(self, c, what, code=None, deadline_s=10):
        """The server sent GOAWAY (with ``code`` when given) or closed the connection, within the deadline."""
        g = c.goaway(deadline_s)
        if g is None:
            self.assertTrue(c.closed, "%s: neither GOAWAY nor close" % what)
        elif code is not None:
            self.assertEqual(g.error_code, code, what)
        c.close()

    def test_a_normal_connection_is_served(self):
        c = H2Raw(self.server.port)
        c.send(c.headers(1, c.request_headers(), end_stream=False) + c.data(1, b"{}", end_stream=True))
        self.assertEqual(c.status_of(1, 5), "200")
        c.send(PingFrame(0, opaque_data=b"12345678").serialize())  # a few pings are fine
        self.assertIsNotNone(c.wait_for(lambda f: isinstance(f, PingFrame) and "ACK" in f.flags, 5))
        self.assertIsNone(c.goaway(0.2))
        c.close()

    def test_rapid_reset(self):
        c = H2Raw(self.server.port)
        batch = b""
        for i in range(3000):
            sid = 1 + 2 * i
            batch += c.headers(sid, c.request_headers(), end_stream=True)
            batch += RstStreamFrame(sid, error_code=8).serialize()
            if len(batch) > 64 * 1024:
                if not c.send(batch):
                    break
                batch = b""
                c.pump(0)
        c.send(batch)
        self.assertCutOff(c, "rapid reset")
        self.assertServerSurvived("rapid reset")

    def test_settings_flood(self):
        c = H2Raw(self.server.port)
        for _ in range(10):
            if not c.send(SettingsFrame(0, settings={0x3: 100}).serialize() * 500):
                break
            c.pump(0.01)
        self.assertCutOff(c, "SETTINGS flood", code=None)
        self.assertServerSurvived("SETTINGS flood")

    def test_ping_flood(self):
        c = H2Raw(self.server.port)
        for _ in range(10):
            if not c.send(PingFrame(0, opaque_data=b"floodfld").serialize() * 500):
                break
            c.pump(0.01)
        self.assertCutOff(c, "PING flood")
        self.assertIn("event=h2_flood", self.server.log_tail(1 << 16))
        self.assertServerSurvived("PING flood")

    def test_hpack_bomb(self):
        # One 4 KiB header enters the dynamic table; 15000 one-byte references to it make a 60 MB header list.
        c = H2Raw(self.server.port)
        block = hpack.Encoder().encode(c.request_headers())
        literal = b"\x40\x05x-big" + bytes([0x7f]) + self._hpack_int(4000 - 127) + b"v" * 4000
        block = block + literal + b"\xbe" * 15000
        f = HeadersFrame(1, data=block[:16384])
        frames = [f]
        rest = block[16384:]
        while rest:
            frames.append(ContinuationFrame(1, data=rest[:16384]))
            rest = rest[16384:]
        frames[-1].flags.add("END_HEADERS")
        f.flags.add("END_STREAM")
        c.send(b"".join(x.serialize() for x in frames))
        reset = c.wait_for(lambda f: isinstance(f, RstStreamFrame) and f.stream_id == 1, 5)
        answered = [f for f in c.frames if isinstance(f, HeadersFrame) and f.stream_id == 1]
        self.assertTrue(reset is not None or c.goaway(0.5) is not None or c.closed, "HPACK bomb accepted")
        self.assertEqual(answered, [])
        c.close()
        self.assertServerSurvived("HPACK bomb")

    @staticmethod
    def _hpack_int(n):
        out = b""
        while n >= 128:
            out += bytes([(n % 128) + 128])
            n //= 128
        return out + bytes([n])

    def test_continuation_flood(self):
        c = H2Raw(self.server.port)
        first = HeadersFrame(1, data=c.encoder.encode(c.request_headers()))
        flood = b"".join(ContinuationFrame(1, data=b"\x00\x01a\x01b").serialize() for _ in range(20000))
        c.send(first.serialize() + flood)
        self.assertCutOff(c, "CONTINUATION flood")
        self.assertServerSurvived("CONTINUATION flood")

    def test_stalled_preface(self):
        for sent in (PREFACE[:10], PREFACE):  # part of the preface; all of it but no SETTINGS
            started = time.monotonic()
            with connect(self.server.port) as s:
                s.sendall(sent)
                _, closed = read_until_closed(s, HEADER_S + SLACK_S + 2)
            self.assertTrue(closed, sent)
            self.assertLess(time.monotonic() - started, HEADER_S + SLACK_S, sent)
        self.assertServerSurvived("stalled preface")

    def test_stalled_streams_are_reset_while_others_are_served(self):
        c = H2Raw(self.server.port)
        started = time.monotonic()
        # Stream 1 sends its headers and then a byte of body now and then, never ending; stream 3 sends its
        # headers and nothing more. Both are reset at their deadline; complete requests are answered meanwhile.
        c.send(c.headers(1, c.request_headers(), end_stream=False) + c.data(1, b"{"))
        c.send(c.headers(3, c.request_headers(), end_stream=False))
        resets = {}
        sid = 5
        while time.monotonic() - started < HEADER_S + BODY_S + SLACK_S and len(resets) < 2:
            c.send(c.data(1, b" "))
            c.send(c.headers(sid, c.request_headers(method="GET", path="/health"), end_stream=True))  # served
            self.assertEqual(c.status_of(sid, 5), "200")
            sid += 2
            for f in c.frames:
                if isinstance(f, RstStreamFrame) and f.stream_id in (1, 3):
                    resets.setdefault(f.stream_id, time.monotonic() - started)
            c.pump(0.2)
        self.assertIn(3, resets, "a stream that never sent its body was not reset")
        self.assertIn(1, resets, "a stream that dribbles its body was not reset")
        self.assertLess(resets[1], HEADER_S + BODY_S + SLACK_S)
        self.assertIsNone(c.goaway(0.1))  # the connection itself lives on
        c.send(c.headers(sid, c.request_headers(method="GET", path="/health"), end_stream=True))
        self.assertEqual(c.status_of(sid, 5), "200")
        c.close()
        self.assertServerSurvived("stalled streams")

    def test_an_event_stream_outlives_the_deadlines(self):
        arn = self.sdk.describe_stream_summary(StreamName=self.stream)["StreamDescriptionSummary"]["StreamARN"]
        consumer = self.sdk.register_stream_consumer(StreamARN=arn, ConsumerName="hostile")["Consumer"]
        deadline = time.monotonic() + 10
        while self.sdk.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])[
                "ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.05)
        c = H2Raw(self.server.port)
        body = json.dumps({"ConsumerARN": consumer["ConsumerARN"], "ShardId": SHARD0,
                           "StartingPosition": {"Type": "LATEST"}}).encode()
        c.send(c.headers(1, c.request_headers("SubscribeToShard"), end_stream=False) + c.data(1, body, True))
        self.assertEqual(c.status_of(1, 5), "200")
        c.pump(HEADER_S + BODY_S + 0.5)  # longer than both deadlines
        marker = os.urandom(16).hex().encode()
        self.put("late", marker)
        encoded = base64.b64encode(marker)  # the event's JSON payload carries Data in base64
        got = c.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 1 and encoded in f.data, 5)
        self.assertIsNotNone(got, "the event stream was cut or did not deliver")
        self.assertFalse([f for f in c.frames if isinstance(f, RstStreamFrame) and f.stream_id == 1])
        c.close()
        self.assertServerSurvived("a long event stream")


if __name__ == "__main__":
    unittest.main()
