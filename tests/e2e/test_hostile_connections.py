"""Connection floods: thousands of idle connections while boto3 keeps working, and the caps on connections per
client address and in total, with their rate-limited log line. Loopback has a whole /8, so clients come from
127.0.0.2, 127.0.0.3, ... as distinct addresses while boto3 uses 127.0.0.1.
"""

import re
import socket
import time
import unittest

from harness import Server
from hostile_support import HostileTestCase, connect, cpu_seconds, raise_fd_limit, read_until_closed, status_of

PER_IP = 300
TOTAL = 2400
HEADER_S = 3.0
FDS = raise_fd_limit(TOTAL + 1500)  # before the server starts: it inherits the limit
HEALTH = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def open_many(port, count, sources, send=None):
    """``count`` connections spread over ``sources``; each sends ``send`` first when given."""
    socks = []
    for i in range(count):
        s = connect(port, source=sources[i % len(sources)])
        if send:
            s.sendall(send)
        socks.append(s)
    return socks


def read_answer(sock, timeout=5):
    """Reads one small keep-alive answer (up to the end of its JSON body)."""
    sock.settimeout(timeout)
    out = b""
    while b"\r\n\r\n" not in out or not out.endswith(b"}"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        out += chunk
    return out


def refused(sock, wait_s=0.5):
    """True when the server closed the connection at once, unread."""
    _, closed = read_until_closed(sock, wait_s)
    return closed


class ConnectionFloods(HostileTestCase):
    extra_args = ["--max-connections-per-ip", str(PER_IP), "--max-connections", str(TOTAL),
                                    "--header-timeout-ms", str(int(HEADER_S * 1000))]

    def refusal_lines(self):
        return [line for line in self.server.log_tail(1 << 20).splitlines() if "event=connection_refused" in line]

    def close_all(self, socks):
        for s in socks:
            s.close()

    def wait_admitted(self, source, deadline_s=5):
        """Waits until a new connection from ``source`` is admitted (the server has seen earlier ones close)."""
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            s = connect(self.server.port, source=source)
            s.sendall(HEALTH)
            if status_of(read_answer(s)) == 200:
                return s
            s.close()
            time.sleep(0.05)
        self.fail("no connection from %s admitted within %ss" % (source, deadline_s))

    @unittest.skipIf(FDS < 2400, "needs about 2400 file descriptors (soft limit %d, hard too low)" % FDS)
    def test_thousands_of_idle_connections(self):
        sources = ["127.0.0.%d" % i for i in range(2, 10)]  # 8 addresses, 250 connections each
        silent = open_many(self.server.port, 1000, sources)  # never send a byte
        opened = time.monotonic()
        kept = open_many(self.server.port, 1000, sources, send=HEALTH)  # one request, then idle keep-alive
        try:
            for s in kept:
                self.assertEqual(status_of(read_answer(s)), 200)
            # boto3 is served throughout, and the records are intact.
            for _ in range(5):
                self.sdk.describe_stream_summary(StreamName=self.stream)
            self.assertServerSurvived("2000 idle connections")
            # Connections that never sent a byte are dropped at the header deadline; idle keep-alive ones stay
            # (the idle timeout is 120 s).
            left = opened + HEADER_S + 3 - time.monotonic()
            self.assertTrue(all(refused(s, max(left, 0.01)) for s in silent[:50]), "silent connections kept")
            self.assertTrue(all(refused(s, 0.2) for s in silent[50:]))
            self.assertFalse(any(refused(s, 0.001) for s in kept), "an idle keep-alive connection was cut")
            for s in kept[:20]:  # and they still work
                s.sendall(HEALTH)
                self.assertEqual(status_of(read_answer(s)), 200)
        finally:
            self.close_all(silent + kept)
        self.assertServerSurvived("2000 idle connections closed")

    def test_connections_per_address_are_capped_and_refusals_logged_once_a_second(self):
        source = "127.0.0.20"
        before = len(self.refusal_lines())
        admitted = open_many(self.server.port, PER_IP, [source], send=HEALTH)
        extra = []
        try:
            for s in admitted:
                self.assertEqual(status_of(read_answer(s)), 200)
            started = time.monotonic()
            extra = open_many(self.server.port, 200, [source])
            self.assertTrue(all(refused(s) for s in extra), "connections beyond the cap were kept")
            # Another address is not affected, nor is boto3 (127.0.0.1).
            other = self.wait_admitted("127.0.0.21")
            other.close()
            self.sdk.describe_stream_summary(StreamName=self.stream)
            # A refusal is logged at most once a second (an earlier test's line may hold this one back): refuse
            # one more now and then until a line names this client; it counts the refusals held back.
            deadline = time.monotonic() + 3
            while not any(source in line for line in self.refusal_lines()[before:]):
                self.assertLess(time.monotonic(), deadline, "no event=connection_refused line")
                probe = connect(self.server.port, source=source)
                extra.append(probe)
                self.assertTrue(refused(probe))
                time.sleep(0.2)
            lines = self.refusal_lines()[before:]
            self.assertLessEqual(len(lines), int(time.monotonic() - started) + 2, lines)  # at most one a second
            mine = [line for line in lines if source in line]
            self.assertIn("limit=max-connections-per-ip max=%d client=%s" % (PER_IP, source), mine[0])
            for line in lines:  # each line counts the refusals since the one before
                self.assertGreaterEqual(int(re.search(r"refused_since_last_report=(\d+)", line).group(1)), 1)
            # Closing one makes room for one.
            admitted.pop().close()
            admitted.append(self.wait_admitted(source))
        finally:
            self.close_all(admitted + extra)
        self.assertServerSurvived("per-address cap")

    @unittest.skipIf(FDS < 2600, "needs about 2600 file descriptors (soft limit %d)" % FDS)
    def test_connections_in_total_are_capped(self):
        sources = ["127.0.1.%d" % i for i in range(1, 21)]  # 20 addresses, under the per-address cap each
        socks = []
        try:
            # Fill up to the cap (the test's own boto3 connection counts too); the next ones are refused.
            socks = open_many(self.server.port, TOTAL - 10, sources, send=HEALTH)
            for s in socks:
                self.assertEqual(status_of(read_answer(s)), 200)
            extra = open_many(self.server.port, 50, sources)
            socks += extra
            self.assertTrue(refused(extra[-1]), "no connection refused beyond --max-connections")
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline and not any("limit=max-connections " in l for l in self.refusal_lines()):
                time.sleep(0.05)
            self.assertTrue(any("limit=max-connections max=%d" % TOTAL in l for l in self.refusal_lines()))
        finally:
            self.close_all(socks)
        # Once they are gone, new connections are admitted again.
        self.wait_admitted("127.0.1.1").close()
        self.assertServerSurvived("total cap")


class LowFileLimitServer(Server):
    """kinesisd under a hard open-file limit of 160 (prlimit execs it, so the PID is kinesisd's)."""

    def command(self):
        return ["prlimit", "--nofile=160:160", "--"] + Server.command(self)


class OutOfFileDescriptors(HostileTestCase):
    server_class = LowFileLimitServer

    def test_accept_pauses_instead_of_spinning_and_recovers(self):
        self.assertIn("event=open_file_limit_low limit=160", self.server.log_tail(1 << 16))
        socks = []
        try:
            socks = open_many(self.server.port, 250, ["127.0.0.40"])  # the kernel queues what is not accepted
            time.sleep(0.3)  # let the server run out
            before = cpu_seconds(self.server.proc.pid)
            time.sleep(1.5)
            used = cpu_seconds(self.server.proc.pid) - before
            self.assertLess(used, 0.4, "kinesisd spins on a failing accept (%.2fs CPU in 1.5s)" % used)
            failures = [l for l in self.server.log_tail(1 << 20).splitlines() if "event=accept_failed" in l]
            self.assertGreaterEqual(len(failures), 1)
            self.assertLessEqual(len(failures), 3, failures)
        finally:
            for s in socks:
                s.close()
        # Once descriptors are free again, connections are accepted and served.
        deadline = time.monotonic() + 10
        while True:
            s = connect(self.server.port, source="127.0.0.41")
            try:
                s.sendall(HEALTH)
                if status_of(read_answer(s, timeout=2)) == 200:
                    break
            except OSError:
                pass
            finally:
                s.close()
            self.assertLess(time.monotonic(), deadline, "no connection served after descriptors were freed")
            time.sleep(0.1)
        self.assertServerSurvived("running out of file descriptors")


if __name__ == "__main__":
    unittest.main()
