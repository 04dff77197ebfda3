"""StartStreamEncryption / StopStreamEncryption: UPDATING -> ACTIVE, the setting in DescribeStream(Summary),
records stored encrypted at rest (AES-256-GCM, docs/log-format.md) and decrypted by GetRecords, AWS's errors,
durability across kill -9, and a tampered record that is never served."""

import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dp_support import (DEFAULT_ACCOUNT, DataPlaneTestCase, Server, create_active, dp_client,  # noqa: E402
                        iterator, read_all, read_shard, segments, shard_dir, unique_name, wait_status)

KINESIS_KEY = "alias/aws/kinesis"
KEY_UUID = "12345678-1234-1234-1234-123456789012"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/" + KEY_UUID
ALIAS_ARN = "arn:aws:kms:us-east-1:123456789012:alias/MyAliasName"
FRAME_HEADER = 9          # checksum:u32 | length:u32 | type:u8
PAYLOAD_FIXED = 19        # position:u64 | arrival_ms:i64 | flags:u8 | key_length:u16
NONCE, TAG = 12, 16


def not_active(name, state):
    return "Stream %s under account %s not ACTIVE, instead in state %s" % (name, DEFAULT_ACCOUNT, state)


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def frames(blob):
    """[(offset, length, position, flags, key, data)] of the frames in a .log file."""
    out, at = [], 0
    while at + FRAME_HEADER <= len(blob):
        _, length, kind = struct.unpack_from("<IIB", blob, at)
        if kind != 1:
            break
        p = at + FRAME_HEADER
        position, _, flags, key_len = struct.unpack_from("<QqBH", blob, p)
        key = bytes(blob[p + PAYLOAD_FIXED:p + PAYLOAD_FIXED + key_len])
        data = bytes(blob[p + PAYLOAD_FIXED + key_len:p + length])
        out.append((at, length, position, flags, key, data))
        at = p + length
    return out


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def log_bytes(data_dir, name):
    return b"".join(read_bytes(p) for p in segments(shard_dir(data_dir, name)))


class EncryptionTestCase(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 400,
                     "extra_args": ["--throughput-limits", "off"]}

    def summary(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]

    def start(self, name, key=KINESIS_KEY, wait=True):
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key)
        if wait:
            wait_status(self.kinesis, name, "ACTIVE")

    def stop(self, name, key=KINESIS_KEY):
        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=key)
        wait_status(self.kinesis, name, "ACTIVE")


class SettingTest(EncryptionTestCase):

    def test_start_passes_through_updating_and_is_reported(self):
        name = self.new_stream(prefix="enc")
        s = self.summary(name)
        self.assertEqual(s["EncryptionType"], "NONE")
        self.assertNotIn("KeyId", s)
        self.kinesis.start_stream_encryption(StreamARN=s["StreamARN"], EncryptionType="KMS", KeyId=KEY_ARN)
        s = self.summary(name)
        self.assertEqual(s["StreamStatus"], "UPDATING")
        self.assertEqual((s["EncryptionType"], s["KeyId"]), ("KMS", KEY_ARN))
        wait_status(self.kinesis, name, "ACTIVE")
        desc = self.kinesis.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual((desc["EncryptionType"], desc["KeyId"]), ("KMS", KEY_ARN))
        # Moving to another key goes through UPDATING again; asking for the current key changes nothing.
        self.kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KINESIS_KEY)
        self.assertEqual(self.summary(name)["StreamStatus"], "UPDATING")
        wait_status(self.kinesis, name, "ACTIVE")
        self.start(name, KINESIS_KEY, wait=False)
        self.assertEqual(self.summary(name)["StreamStatus"], "ACTIVE")
        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KINESIS_KEY)
        s = self.summary(name)
        self.assertEqual((s["StreamStatus"], s["EncryptionType"]), ("UPDATING", "NONE"))
        self.assertNotIn("KeyId", s)
        wait_status(self.kinesis, name, "ACTIVE")

    def test_every_documented_key_form_is_accepted(self):
        name = self.new_stream(prefix="enc")
        for key in (KINESIS_KEY, KEY_ARN, ALIAS_ARN, "alias/MyAliasName", KEY_UUID,
                    "mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:us-east-1:123456789012:alias/a/b_c-d"):
            self.start(name, key)
            self.assertEqual(self.summary(name)["KeyId"], key)

    def test_errors(self):
        name = self.new_stream(prefix="enc")
        raw = self.server.raw
        # StopStreamEncryption has no KMS errors in the model: an unknown key is an InvalidArgumentException there.
        for op, unknown_key in (("StartStreamEncryption", "KMSNotFoundException"),
                                ("StopStreamEncryption", "InvalidArgumentException")):
            self.assertAwsError(raw(op, {"StreamName": name, "EncryptionType": "NONE", "KeyId": KINESIS_KEY}),
                                "InvalidArgumentException", "Encryption type cannot be NONE.")
            for key in ("not-a-key", "alias/", "alias/has space", "1234", KEY_UUID + "0",
                        "arn:aws:kms:us-east-1:123456789012:key/not-a-uuid",
                        "arn:aws:kms:eu-west-1:123456789012:key/" + KEY_UUID,  # another region
                        "arn:aws:kms:us-east-1:12345:key/" + KEY_UUID, "arn:aws:s3:::bucket"):
                self.assertAwsError(raw(op, {"StreamName": name, "EncryptionType": "KMS", "KeyId": key}),
                                    unknown_key, "Invalid keyId " + key)
            self.assertAwsError(raw(op, {"StreamName": name, "EncryptionType": "KMS", "KeyId": ""}),
                                "ValidationException", message_contains="keyId")
            self.assertAwsError(raw(op, {"StreamName": "missing-" + name, "EncryptionType": "KMS",
                                         "KeyId": KINESIS_KEY}),
                                "ResourceNotFoundException",
                                "Stream missing-%s under account %s not found." % (name, DEFAULT_ACCOUNT))
        # Not ACTIVE: UPDATING after a start.
        self.start(name, wait=False)
        for op in ("StartStreamEncryption", "StopStreamEncryption"):
            self.assertAwsError(raw(op, {"StreamName": name, "EncryptionType": "KMS", "KeyId": KEY_ARN}),
                                "ResourceInUseException", not_active(name, "UPDATING"))
        wait_status(self.kinesis, name, "ACTIVE")
        # Stopping needs the key the stream is encrypted with.
        self.assertAwsError(raw("StopStreamEncryption", {"StreamName": name, "EncryptionType": "KMS",
                                                         "KeyId": KEY_ARN}),
                            "InvalidArgumentException",
                            "KeyId %s does not match the key stream %s under account %s is encrypted with."
                            % (KEY_ARN, name, DEFAULT_ACCOUNT))
        self.assertEqual(self.summary(name)["EncryptionType"], "KMS")

    def test_stop_on_a_plain_stream_changes_nothing(self):
        name = self.new_stream(prefix="enc")
        self.kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=KEY_ARN)
        s = self.summary(name)
        self.assertEqual((s["StreamStatus"], s["EncryptionType"]), ("ACTIVE", "NONE"))

    def test_not_active_while_creating(self):
        srv = Server(create_ms=1500, delete_ms=0)
        self.addCleanup(srv.stop)
        srv.start()
        k = dp_client(srv)
        name = unique_name("enc")
        k.create_stream(StreamName=name, ShardCount=1)
        resp = srv.raw("StartStreamEncryption", {"StreamName": name, "EncryptionType": "KMS", "KeyId": KINESIS_KEY})
        self.assertAwsError(resp, "ResourceInUseException", not_active(name, "CREATING"))


class RecordsTest(EncryptionTestCase):

    def test_records_are_encrypted_at_rest_and_read_back_exactly(self):
        k, name = self.kinesis, self.new_stream(prefix="enc")
        plain_data = b"PLAIN-BEFORE-" + os.urandom(8).hex().encode()
        r = k.put_record(StreamName=name, Data=plain_data, PartitionKey="plain-key-0001")
        self.assertEqual(r["EncryptionType"], "NONE")
        self.start(name, KEY_ARN)
        secret = [b"SECRET-ONE-" + os.urandom(8).hex().encode(), bytes(range(256)) * 3, b""]
        r = k.put_record(StreamName=name, Data=secret[0], PartitionKey="secret-key-0001")
        self.assertEqual(r["EncryptionType"], "KMS")
        rs = k.put_records(StreamName=name, Records=[{"Data": secret[1], "PartitionKey": "secret-key-0002"},
                                                     {"Data": secret[2], "PartitionKey": "secret-key-0003"}])
        self.assertEqual((rs["EncryptionType"], rs["FailedRecordCount"]), ("KMS", 0))
        self.stop(name, KEY_ARN)
        after = b"PLAIN-AFTER-" + os.urandom(8).hex().encode()
        r = k.put_record(StreamName=name, Data=after, PartitionKey="plain-key-0002")
        self.assertEqual(r["EncryptionType"], "NONE")

        got = read_shard(k, name)
        self.assertEqual([(x["Data"], x["PartitionKey"]) for x in got],
                         [(plain_data, "plain-key-0001"), (secret[0], "secret-key-0001"),
                          (secret[1], "secret-key-0002"), (secret[2], "secret-key-0003"),
                          (after, "plain-key-0002")])
        # AWS names the encryption of encrypted records only.
        self.assertEqual([x.get("EncryptionType") for x in got], [None, "KMS", "KMS", "KMS", None])

        disk = log_bytes(self.server.data_dir, name)
        for text in (plain_data, b"plain-key-0001", after, b"plain-key-0002"):
            self.assertIn(text, disk)
        for text in (secret[0], secret[1], b"secret-key-000"):
            self.assertNotIn(text, disk)
        # Records carry the key id they were sealed under: the flag bit, no partition key in the clear.
        flags = [(f[3], f[4]) for p in segments(shard_dir(self.server.data_dir, name))
                 for f in frames(read_bytes(p))]
        self.assertEqual([f for f, _ in flags], [0, 1, 1, 1, 0])
        self.assertEqual([key for _, key in flags][1:4], [b"", b"", b""])
        self.assertIn(KEY_ARN.encode(), disk)

    def test_a_key_change_keeps_older_records_readable(self):
        k, name = self.kinesis, self.new_stream(prefix="enc")
        self.start(name, KEY_UUID)
        k.put_record(StreamName=name, Data=b"under-uuid", PartitionKey="a")
        self.start(name, ALIAS_ARN)
        k.put_record(StreamName=name, Data=b"under-alias", PartitionKey="b")
        got = read_shard(k, name)
        self.assertEqual([(x["Data"], x["EncryptionType"]) for x in got],
                         [(b"under-uuid", "KMS"), (b"under-alias", "KMS")])


class DurabilityTest(EncryptionTestCase):

    @classmethod
    def setUpClass(cls):
        pass

    def own_server(self):
        srv = Server(create_ms=0, delete_ms=0, update_ms=100, extra_args=["--throughput-limits", "off"])
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        return srv

    def test_everything_survives_kill9(self):
        srv = self.own_server()
        k = dp_client(srv)
        name = create_active(k, unique_name("enc"), 1)
        self.start(name, KEY_ARN)
        data = [os.urandom(100) for _ in range(20)]
        k.put_records(StreamName=name, Records=[{"Data": d, "PartitionKey": "p%d" % i} for i, d in enumerate(data)])
        key_file = os.path.join(srv.data_dir, "encryption.key")
        master = read_bytes(key_file)
        self.assertEqual(len(master), 32)
        srv.kill9()
        srv.start()
        k = dp_client(srv)
        s = self.summary(name)
        self.assertEqual((s["StreamStatus"], s["EncryptionType"], s["KeyId"]), ("ACTIVE", "KMS", KEY_ARN))
        self.assertEqual(read_bytes(key_file), master)
        got = read_shard(k, name)
        self.assertEqual([x["Data"] for x in got], data)
        self.assertTrue(all(x["EncryptionType"] == "KMS" for x in got))
        self.assertEqual(k.put_record(StreamName=name, Data=b"x", PartitionKey="p")["EncryptionType"], "KMS")

    def test_a_tampered_record_is_never_served(self):
        srv = self.own_server()
        k = dp_client(srv)
        name = create_active(k, unique_name("enc"), 1)
        first = k.put_record(StreamName=name, Data=b"plain one", PartitionKey="p")["SequenceNumber"]
        self.start(name, KINESIS_KEY)
        k.put_record(StreamName=name, Data=b"sealed two", PartitionKey="p")
        srv.terminate()
        path = segments(shard_dir(srv.data_dir, name))[-1]
        blob = bytearray(read_bytes(path))
        at, length, _, flags, key, data = frames(blob)[1]
        self.assertEqual(flags, 1)
        key_len = struct.unpack_from("<H", data, 0)[0]
        self.assertEqual(data[2:2 + key_len], KINESIS_KEY.encode())
        victim = at + FRAME_HEADER + PAYLOAD_FIXED + len(key) + 2 + key_len + NONCE  # first ciphertext byte
        blob[victim] ^= 0x40
        crc = crc32c(bytes(blob[at + 8:at + FRAME_HEADER + length]))
        struct.pack_into("<I", blob, at, (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF)
        with open(path, "wb") as f:
            f.write(blob)
        log_before = srv.log_tail(10 ** 7)
        srv.start()
        k = dp_client(srv)
        self.assertNotIn("event=log_truncated", srv.log_tail(10 ** 7)[len(log_before):])  # the CRC holds
        with self.assertAws("InternalFailure"):
            k.get_records(ShardIterator=iterator(k, name))
        self.assertIn("event=record_auth_failed", srv.log_tail(10 ** 7))
        # The plain record before it is still served.
        got = k.get_records(ShardIterator=iterator(k, name, kind="AT_SEQUENCE_NUMBER",
                                                   StartingSequenceNumber=first), Limit=1)["Records"]
        self.assertEqual([x["Data"] for x in got], [b"plain one"])

    def test_another_master_key_cannot_read(self):
        srv = self.own_server()
        k = dp_client(srv)
        name = create_active(k, unique_name("enc"), 1)
        self.start(name, KINESIS_KEY)
        k.put_record(StreamName=name, Data=b"sealed", PartitionKey="p")
        srv.terminate()
        with open(os.path.join(srv.data_dir, "encryption.key"), "wb") as f:
            f.write(os.urandom(32))
        srv.start()
        k = dp_client(srv)
        with self.assertAws("InternalFailure"):
            read_all(k, iterator(k, name))


if __name__ == "__main__":
    unittest.main()
