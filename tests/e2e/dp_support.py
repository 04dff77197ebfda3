"""Shared helpers for the data-plane end-to-end tests (test_dp_*.py).

Builds on ``harness.py`` (server process management). What it adds:

* boto3 clients that make exactly one attempt (``retries`` mode ``standard``
  with ``total_max_attempts`` 1): the legacy ``max_attempts`` setting counts
  retries, and a silent retry would hide throttling;
* MD5 routing, reading a shard to its tip, locating a shard's log directory;
* assertion helpers for AWS errors raised by boto3.
"""

import base64
import contextlib
import glob
import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import (DEFAULT_ACCOUNT, DEFAULT_REGION, Server, ServerTestCase,  # noqa: E402,F401
                     create_active, list_all_shards, unique_name, wait_gone, wait_status)

from botocore.exceptions import ClientError  # noqa: E402

SEQ_DIGITS = 56


def dp_client(server, region=DEFAULT_REGION):
    """A kinesis client for ``server`` that never retries.

    Cached on the server's client table, which the harness closes and clears
    whenever the process is stopped, so a restart (new port) gets a new client.
    """
    key = ("dp-single-attempt", region, server.port)
    clients = server._clients
    if key not in clients:
        import boto3
        import botocore.config
        cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                     connect_timeout=5, read_timeout=30,
                                     max_pool_connections=16)
        clients[key] = boto3.client(
            "kinesis", region_name=region, endpoint_url=server.url,
            aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret", config=cfg)
    return clients[key]


def md5_hash_key(partition_key):
    """The 128-bit hash key AWS derives from a partition key."""
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def shard_ranges(client, name):
    """[(shard_id, start, end)] of the stream's shards, in ListShards order."""
    return [(s["ShardId"], int(s["HashKeyRange"]["StartingHashKey"]),
             int(s["HashKeyRange"]["EndingHashKey"]))
            for s in list_all_shards(client, StreamName=name)]


def shard_for_hash(ranges, hash_key):
    hits = [sid for sid, lo, hi in ranges if lo <= hash_key <= hi]
    if len(hits) != 1:
        raise AssertionError("hash key %d is in %d shard ranges: %r" % (hash_key, len(hits), ranges))
    return hits[0]


def iterator(client, name, shard_id="shardId-000000000000", kind="TRIM_HORIZON", **kwargs):
    return client.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=kind,
                                     **kwargs)["ShardIterator"]


def read_all(client, it, limit=None, max_calls=1000):
    """GetRecords from ``it`` until a call returns no records.

    Returns (records, next_iterator, last_response).
    """
    records = []
    resp = None
    for _ in range(max_calls):
        kwargs = {"ShardIterator": it}
        if limit is not None:
            kwargs["Limit"] = limit
        resp = client.get_records(**kwargs)
        records.extend(resp["Records"])
        it = resp.get("NextShardIterator")
        if not resp["Records"] or it is None:
            return records, it, resp
    raise AssertionError("shard not drained after %d GetRecords calls" % max_calls)


def read_shard(client, name, shard_id="shardId-000000000000"):
    return read_all(client, iterator(client, name, shard_id))[0]


def put_batches(client, name, count, key="pk", size=10, batch=500, prefix=b"r"):
    """PutRecords ``count`` records (data ``prefix + index`` padded to ``size``) with one
    partition key; returns [(sequence_number, data, key)] of acknowledged records."""
    acked = []
    i = 0
    while i < count:
        entries = []
        for j in range(i, min(count, i + batch)):
            data = (prefix + b"%d-" % j).ljust(size, b".")
            entries.append({"Data": data, "PartitionKey": key})
        resp = client.put_records(StreamName=name, Records=entries)
        if resp.get("FailedRecordCount", 0):
            raise AssertionError("PutRecords failed some records: %r" % (
                [r for r in resp["Records"] if "ErrorCode" in r][:3],))
        for entry, result in zip(entries, resp["Records"]):
            acked.append((result["SequenceNumber"], entry["Data"], entry["PartitionKey"]))
        i += batch
    return acked


def stream_dirs(data_dir, name, region=DEFAULT_REGION):
    """Directories ``<data>/streams/<region>/<name>.<id>`` of a stream name."""
    base = os.path.join(data_dir, "streams", region)
    return sorted(p for p in glob.glob(os.path.join(base, glob.escape(name) + ".*"))
                  if os.path.isdir(p))


def shard_dir(data_dir, name, shard_id="shardId-000000000000", region=DEFAULT_REGION):
    dirs = stream_dirs(data_dir, name, region)
    if len(dirs) != 1:
        raise AssertionError("expected one directory for stream %s, found %r (in %r)"
                             % (name, dirs, os.listdir(os.path.join(data_dir, "streams", region))))
    path = os.path.join(dirs[0], shard_id)
    if not os.path.isdir(path):
        raise AssertionError("no shard directory %s" % path)
    return path


def segments(path):
    return sorted(glob.glob(os.path.join(path, "*.log")))


def flip_b64_char(token):
    """Change one base64 character in the middle of ``token``."""
    mid = len(token) // 2
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    while token[mid] not in alphabet:
        mid += 1
    c = token[mid]
    repl = "A" if c != "A" else "B"
    return token[:mid] + repl + token[mid + 1:]


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))


class DataPlaneTestCase(ServerTestCase):
    """One server per class, streams ACTIVE at once, single-attempt boto3 client."""

    server_kwargs = {"create_ms": 0, "delete_ms": 0}

    @property
    def kinesis(self):
        return dp_client(self.server)

    def new_stream(self, shards=1, prefix="dp", **kwargs):
        return create_active(self.kinesis, self.new_name(prefix), shards, **kwargs)

    @contextlib.contextmanager
    def assertAws(self, code, message=None, prefix=None, contains=None):
        """``with self.assertAws("InvalidArgumentException", message=...): client.call()``"""
        with self.assertRaises(ClientError) as ctx:
            yield ctx
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code, ctx.exception.response)
        msg = err.get("Message")
        if message is not None:
            self.assertEqual(msg, message, ctx.exception.response)
        if prefix is not None:
            self.assertIsNotNone(msg, ctx.exception.response)
            self.assertTrue(msg.startswith(prefix), "message %r does not start with %r" % (msg, prefix))
        if contains is not None:
            self.assertIsNotNone(msg, ctx.exception.response)
            self.assertIn(contains, msg)

    def assertSeq(self, seq):
        self.assertIsInstance(seq, str)
        self.assertEqual(len(seq), SEQ_DIGITS, seq)
        self.assertTrue(seq.isdigit(), seq)


def b64(data):
    return base64.b64encode(data).decode("ascii")


__all__ = [n for n in dir() if not n.startswith("_")] + ["harness"]
