"""Server process: TLS on the same port, persistence across kill -9, start-up options."""

import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (BIN, DEFAULT_ACCOUNT, Server, ServerTestCase, create_active,  # noqa: E402
                     wait_gone, wait_status)


def tls_context(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = True
    return ctx


class TlsTest(ServerTestCase):

    def test_self_signed_cert_generated(self):
        srv = self.server
        self.assertTrue(os.path.isfile(srv.cert_path), srv.cert_path)
        self.assertTrue(os.path.isfile(srv.key_path), srv.key_path)
        with open(srv.cert_path) as f:
            self.assertIn("-----BEGIN CERTIFICATE-----", f.read())
        decode = getattr(ssl._ssl, "_test_decode_cert", None)
        if decode is not None:
            san = decode(srv.cert_path).get("subjectAltName", ())
            self.assertIn(("DNS", "localhost"), san)
            self.assertIn(("IP Address", "127.0.0.1"), san)

    def test_hostname_verification_localhost_and_ip(self):
        for hostname in ("localhost", "127.0.0.1"):
            ctx = tls_context(self.server.cert_path)
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as raw:
                with ctx.wrap_socket(raw, server_hostname=hostname) as s:
                    s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
            self.assertTrue(data.startswith(b"HTTP/1.1 200"), (hostname, data[:200]))

    def test_boto3_over_https(self):
        https = self.server.client(https=True)
        plain = self.server.client()
        name = self.new_name("tls")
        https.create_stream(StreamName=name, ShardCount=2)
        wait_status(https, name, "ACTIVE")
        self.assertIn(name, plain.list_streams()["StreamNames"])
        s = https.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["OpenShardCount"], 2)
        self.assertEqual([x["ShardId"] for x in https.list_shards(StreamName=name)["Shards"]],
                         ["shardId-000000000000", "shardId-000000000001"])

    def test_https_errors_and_keep_alive(self):
        resp = self.server.raw("ListStreams", {}, headers={"Authorization": None}, https=True)
        self.assertAwsError(resp, "MissingAuthenticationTokenException",
                            "Missing Authentication Token")
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=10,
                                           context=tls_context(self.server.cert_path))
        try:
            sock = None
            for _ in range(3):
                conn.request("GET", "/health")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
                sock = sock or conn.sock
                self.assertIs(conn.sock, sock)
        finally:
            conn.close()


class PersistenceTest(unittest.TestCase):

    def snapshot(self, client, names):
        snap = {}
        for n in names:
            d = client.describe_stream(StreamName=n)["StreamDescription"]
            snap[n] = {k: d[k] for k in ("StreamName", "StreamARN", "StreamStatus", "Shards",
                                         "StreamCreationTimestamp", "StreamModeDetails",
                                         "RetentionPeriodHours")}
        return snap

    def test_kill9_and_restart(self):
        srv = Server()
        self.addCleanup(srv.stop)
        srv.start()
        east, west = srv.client(), srv.client(region="us-west-2")
        a = create_active(east, uuid.uuid4().hex[:8] + "-a", 3)
        b = create_active(east, uuid.uuid4().hex[:8] + "-b", None,
                          StreamModeDetails={"StreamMode": "ON_DEMAND"})
        gone = create_active(east, uuid.uuid4().hex[:8] + "-gone", 1)
        w = create_active(west, uuid.uuid4().hex[:8] + "-w", 2)
        east.delete_stream(StreamName=gone)
        wait_gone(east, gone)
        before_east = self.snapshot(east, [a, b])
        before_west = self.snapshot(west, [w])
        with open(srv.cert_path, "rb") as f:
            cert_before = f.read()
        late = uuid.uuid4().hex[:8] + "-late"
        east.create_stream(StreamName=late, ShardCount=2)  # acknowledged, then crash

        srv.kill9()
        srv.start()
        east, west = srv.client(), srv.client(region="us-west-2")

        self.assertEqual(self.snapshot(east, [a, b]), before_east)
        self.assertEqual(self.snapshot(west, [w]), before_west)
        with self.assertRaises(east.exceptions.ResourceNotFoundException):
            east.describe_stream_summary(StreamName=gone)
        wait_status(east, late, "ACTIVE")
        self.assertEqual(len(east.list_shards(StreamName=late)["Shards"]), 2)
        self.assertEqual(east.list_streams()["StreamNames"], sorted([a, b, late]))
        self.assertEqual(west.list_streams()["StreamNames"], [w])
        with open(srv.cert_path, "rb") as f:
            self.assertEqual(f.read(), cert_before, "self-signed certificate regenerated")

        # Changes after the restart are persisted too (graceful stop this time).
        east.delete_stream(StreamName=a)
        wait_gone(east, a)
        srv.restart()
        east = srv.client()
        self.assertEqual(east.list_streams()["StreamNames"], sorted([b, late]))

    def test_sigterm_graceful_exit(self):
        srv = Server()
        self.addCleanup(srv.stop)
        srv.start()
        create_active(srv.client(), uuid.uuid4().hex[:8] + "-t", 1)
        os.kill(srv.proc.pid, signal.SIGTERM)
        rc = srv.proc.wait(timeout=10)
        self.assertEqual(rc, 0)


class InitializeStreamsTest(unittest.TestCase):

    def check_streams(self, srv, expected, region="us-east-1"):
        k = srv.client(region=region)
        for name, shards in expected.items():
            wait_status(k, name, "ACTIVE", timeout=5)
            s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            self.assertEqual(s["OpenShardCount"], shards)
            self.assertEqual(s["StreamARN"], "arn:aws:kinesis:%s:%s:stream/%s"
                             % (region, DEFAULT_ACCOUNT, name))
        self.assertEqual(k.list_streams()["StreamNames"], sorted(expected))

    def test_flag_and_restart(self):
        tag = uuid.uuid4().hex[:8]
        expected = {"a" + tag: 2, "b" + tag: 1}
        srv = Server(initialize_streams="a%s:2,b%s:1" % (tag, tag))
        self.addCleanup(srv.stop)
        srv.start()
        self.check_streams(srv, expected)
        srv.restart()  # the streams already exist in the data dir: must start fine
        self.check_streams(srv, expected)

    def test_environment_variable(self):
        tag = uuid.uuid4().hex[:8]
        srv = Server(env={"INITIALIZE_STREAMS": "env%s:3" % tag})
        self.addCleanup(srv.stop)
        srv.start()
        self.check_streams(srv, {"env" + tag: 3})

    def test_region_option(self):
        tag = uuid.uuid4().hex[:8]
        srv = Server(region="eu-west-1", initialize_streams="r%s:1" % tag)
        self.addCleanup(srv.stop)
        srv.start()
        self.check_streams(srv, {"r" + tag: 1}, region="eu-west-1")
        self.assertEqual(srv.client().list_streams()["StreamNames"], [])


class CommandLineTest(unittest.TestCase):

    def run_bin(self, *args):
        if not os.path.exists(BIN):
            self.fail("kinesisd binary not found at %s" % BIN)
        tmp = tempfile.mkdtemp(prefix="kinesisd-e2e-cli-")
        self.addCleanup(shutil.rmtree, tmp, True)
        return subprocess.run([BIN] + list(args), cwd=tmp, stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=15)

    def test_help(self):
        proc = self.run_bin("--help")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        text = (proc.stdout + proc.stderr).decode()
        for opt in ("--listen", "--data-dir", "--initialize-streams", "--shard-limit",
                    "--create-stream-ms", "--region", "--account-id"):
            self.assertIn(opt, text)

    def test_unknown_flag(self):
        proc = self.run_bin("--no-such-flag")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no-such-flag", proc.stderr.decode())

    def bad_start(self, *args):
        tmp = tempfile.mkdtemp(prefix="kinesisd-e2e-bad-")
        self.addCleanup(shutil.rmtree, tmp, True)
        proc = self.run_bin("--listen", "127.0.0.1:0", "--data-dir", os.path.join(tmp, "d"),
                            *args)
        self.assertEqual(proc.returncode, 2, (args, proc.stderr))
        self.assertTrue(proc.stderr.strip(), "no message on stderr for %r" % (args,))

    def test_bad_option_value(self):
        self.bad_start("--shard-limit", "not-a-number")

    def test_missing_config_file(self):
        self.bad_start("--config", "/nonexistent/kinesisd-%s.conf" % uuid.uuid4().hex)

    def test_bad_initialize_streams(self):
        self.bad_start("--initialize-streams", "a:notanumber")


if __name__ == "__main__":
    unittest.main(verbosity=2)
