"""Reliability rules at the wire and at start-up (docs/reliability.md).

- No poison records: text that is not UTF-8 (JSON and CBOR, raw bytes or escapes) is refused with
  SerializationException and never stored, so boto3 can read every shard afterwards.
- A member whose value is null is absent.
- One server per data dir: a second one exits with code 3 and says which process holds it.
- Secrets and directories in the data dir are private (0600 / 0700), and a readable key file is warned about.
"""

import os
import stat
import subprocess
import unittest

import cbor_mini
from harness import JSON_CT, Server, ServerTestCase, create_active

CBOR_CT = "application/x-amz-cbor-1.1"


class PoisonInputTest(ServerTestCase):
    def setUp(self):
        self.name = self.new_name("poison")
        create_active(self.kinesis, self.name, shards=1)
        self.kinesis.put_record(StreamName=self.name, Data=b"good", PartitionKey="good-key")

    def read_all(self):
        shard = self.kinesis.list_shards(StreamName=self.name)["Shards"][0]["ShardId"]
        it = self.kinesis.get_shard_iterator(StreamName=self.name, ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return self.kinesis.get_records(ShardIterator=it)["Records"]  # boto3 decodes every byte

    def put_raw(self, body_bytes, content_type=JSON_CT):
        return self.server.raw("PutRecord", body_bytes, headers={"Content-Type": content_type})

    def test_invalid_utf8_partition_keys_are_refused_and_the_shard_stays_readable(self):
        for key in (b"k\xff\xfe", b"\xc0\xaf", b"\xed\xa0\x80", b"ok\xc3"):
            body = b'{"StreamName":"' + self.name.encode() + b'","Data":"AAAA","PartitionKey":"' + key + b'"}'
            resp = self.put_raw(body)
            self.assertAwsError(resp, "SerializationException")
            self.assertIn("UTF-8", resp.message or "")
        for escaped in ("\\udc00", "a\\ud800b"):  # JSON escapes of lone surrogates
            body = '{"StreamName":"%s","Data":"AAAA","PartitionKey":"%s"}' % (self.name, escaped)
            self.assertAwsError(self.put_raw(body.encode()), "SerializationException")
        records = self.read_all()
        self.assertEqual([(r["PartitionKey"], r["Data"]) for r in records], [("good-key", b"good")])

    def test_invalid_utf8_in_cbor_text_is_refused(self):
        head = cbor_mini.encode_head(3, 3) + b"k\xff\xfe"  # a text string holding invalid UTF-8
        body = (cbor_mini.encode_head(5, 3) + cbor_mini.encode("StreamName") + cbor_mini.encode(self.name)
                + cbor_mini.encode("Data") + cbor_mini.encode(b"x") + cbor_mini.encode("PartitionKey") + head)
        resp = self.put_raw(body, CBOR_CT)
        self.assertEqual(resp.status, 400, resp)
        self.assertEqual(resp.headers.get("x-amzn-ErrorType").split(":")[0], "SerializationException")
        self.assertEqual(len(self.read_all()), 1)

    def test_valid_multibyte_keys_round_trip(self):
        key = "caf\u00e9-\U0001F600"
        self.kinesis.put_record(StreamName=self.name, Data=b"x", PartitionKey=key)
        self.assertIn(key, [r["PartitionKey"] for r in self.read_all()])

    def test_invalid_utf8_in_tag_keys_is_refused(self):
        body = b'{"StreamName":"' + self.name.encode() + b'","Tags":{"k\xff":"v"}}'
        self.assertAwsError(self.server.raw("AddTagsToStream", body), "SerializationException")
        self.assertEqual(self.kinesis.list_tags_for_stream(StreamName=self.name)["Tags"], [])


class NullMembersTest(ServerTestCase):
    def test_null_partition_key_is_a_missing_one(self):
        name = self.new_name("null")
        create_active(self.kinesis, name, shards=1)
        missing = self.server.raw("PutRecord", {"StreamName": name, "Data": "AAAA"})
        null = self.server.raw("PutRecord", {"StreamName": name, "Data": "AAAA", "PartitionKey": None})
        self.assertEqual(missing.status, 400, missing)
        self.assertEqual((null.status, null.error_type, null.message),
                         (missing.status, missing.error_type, missing.message))
        nulls = self.server.raw("PutRecords", {"StreamName": name,
                                               "Records": [{"Data": "AAAA", "PartitionKey": None}]})
        self.assertEqual(nulls.status, 400, nulls)
        shard = self.kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
        it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=shard,
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self.assertEqual(self.kinesis.get_records(ShardIterator=it)["Records"], [])

    def test_null_optional_members_are_ignored(self):
        resp = self.server.raw("ListStreams", {"Limit": None, "ExclusiveStartStreamName": None})
        self.assertEqual(resp.status, 200, resp)


class DataDirTest(unittest.TestCase):
    def test_second_server_on_the_same_data_dir_exits_with_code_3(self):
        first = Server()
        self.addCleanup(first.stop)
        first.start()
        cmd = Server(data_dir=first.data_dir).command()
        second = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
        self.assertEqual(second.returncode, 3, second)
        err = second.stderr.decode(errors="replace")
        self.assertIn("in use by another kinesisd", err)
        self.assertIn("pid %d" % first.proc.pid, err)
        # The first one is unharmed, and a restart after kill -9 takes the lock again.
        first.client().list_streams()
        first.kill9()
        first.start()
        first.client().list_streams()

    def test_secrets_and_directories_are_private_and_a_readable_key_is_warned_about(self):
        old = os.umask(0)  # umask-proof: the modes must not depend on the caller's umask
        try:
            srv = Server()
            self.addCleanup(srv.stop)
            srv.start()
        finally:
            os.umask(old)
        name = "private"
        create_active(srv.client(), name, shards=1)
        srv.client().put_record(StreamName=name, Data=b"x", PartitionKey="k")
        for rel in ("iterator.key", "encryption.key", "tls/key.pem", "catalog.json"):
            mode = stat.S_IMODE(os.stat(os.path.join(srv.data_dir, rel)).st_mode)
            self.assertEqual(mode & 0o077, 0, "%s is %o" % (rel, mode))
        for root, dirs, files in os.walk(srv.data_dir):
            mode = stat.S_IMODE(os.stat(root).st_mode)
            self.assertEqual(mode & 0o077, 0, "%s is %o" % (root, mode))
            for f in files:
                if f.endswith(".log"):
                    self.assertEqual(stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode) & 0o077, 0, f)
        srv.terminate()
        key = os.path.join(srv.data_dir, "iterator.key")
        os.chmod(key, 0o644)
        srv.start()
        self.assertIn("event=insecure_permissions file=%s" % key, srv.log_tail())


if __name__ == "__main__":
    unittest.main()
