"""Shared pieces of the hostile-input tests (test_hostile_*.py).

``HostileTestCase`` starts one server per class, writes a few records with every byte value before the attacks,
and offers ``assertServerSurvived()``: the process is alive, boto3 answers DescribeStream, PutRecord and
GetRecords within a deadline, and every record written so far reads back byte for byte (boto3 decodes each
byte of the answer, so nothing poisonous was stored). Raw socket helpers talk to the same loopback port.
"""

import os
import resource
import socket
import time
import unittest

import botocore.config

from harness import Server, ServerTestCase, create_active, unique_name

SHARD0 = "shardId-000000000000"
ALL_BYTES = bytes(range(256))
# How long the server may take to answer a boto3 call after an attack.
ANSWER_DEADLINE_S = 5


def raise_fd_limit(wanted):
    """Raises this process's soft RLIMIT_NOFILE towards ``wanted`` (the server inherits it); returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def cpu_seconds(pid):
    """User + system CPU time a process has used so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def connect(port, source="127.0.0.1", timeout=5):
    """A TCP connection to the server from a loopback ``source`` address (any of 127.0.0.0/8)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_until_closed(sock, deadline_s):
    """Reads until the peer closes; returns (bytes, closed) where closed is False if the deadline passed."""
    out = b""
    end = time.monotonic() + deadline_s
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return out, False
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            return out, False
        except (ConnectionResetError, BrokenPipeError):
            return out, True
        if not chunk:
            return out, True
        out += chunk


def exchange(port, payload, deadline_s=5):
    """Sends raw bytes, then reads until the server closes (or the deadline); returns (bytes, closed)."""
    with connect(port) as s:
        try:
            s.sendall(payload)
        except (ConnectionResetError, BrokenPipeError):
            return b"", True
        return read_until_closed(s, deadline_s)


def status_of(response):
    """The status code of the first HTTP/1.1 answer in ``response`` bytes, or None."""
    if not response.startswith(b"HTTP/1."):
        return None
    return int(response.split(b" ", 2)[1])


class HostileTestCase(ServerTestCase):
    """One server per class with a stream holding records written before any attack."""

    extra_args = []  # kinesisd options of the class's server
    server_class = Server

    @classmethod
    def setUpClass(cls):
        unittest.TestCase.setUpClass()
        # AWS's per-shard read rates (5 GetRecords a second) would throttle the checks after each attack.
        cls.server = cls.server_class(extra_args=["--throughput-limits", "off"] + list(cls.extra_args))
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()
        import boto3
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                     connect_timeout=ANSWER_DEADLINE_S, read_timeout=ANSWER_DEADLINE_S)
        cls.sdk = boto3.client("kinesis", region_name="us-east-1", endpoint_url=cls.server.url,
                               aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret",
                               config=cfg)
        cls.addClassCleanup(cls.sdk.close)
        cls.stream = unique_name("hostile")
        create_active(cls.sdk, cls.stream, 1)
        cls.written = []  # (partition key, data) in the order written
        for i in range(4):
            cls.put(("before-%d" % i), ALL_BYTES[i * 7:] + ALL_BYTES[:i * 7])

    @classmethod
    def put(cls, key, data):
        cls.sdk.put_record(StreamName=cls.stream, PartitionKey=key, Data=data)
        cls.written.append((key, data))

    def read_all(self):
        it = self.sdk.get_shard_iterator(StreamName=self.stream, ShardId=SHARD0,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        for _ in range(20):
            page = self.sdk.get_records(ShardIterator=it, Limit=10000)
            records += page["Records"]
            if page.get("MillisBehindLatest", 0) == 0 and len(records) >= len(self.written):
                break
            it = page["NextShardIterator"]
        return records

    def assertServerSurvived(self, what=""):
        """Alive, answering, and every record written so far intact (in order, byte for byte)."""
        self.assertIsNone(self.server.proc.poll(), "kinesisd died after %s:\n%s" % (what, self.server.log_tail()))
        started = time.monotonic()
        desc = self.sdk.describe_stream(StreamName=self.stream)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.put("after-%d" % len(self.written), os.urandom(64))
        records = self.read_all()
        self.assertEqual([(r["PartitionKey"], r["Data"]) for r in records], self.written, what)
        self.assertLess(time.monotonic() - started, 3 * ANSWER_DEADLINE_S, what)
