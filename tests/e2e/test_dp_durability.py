"""Data plane on disk: kill -9 durability, torn-tail recovery of the shard log, deletion of stream data."""

import os
import struct
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from dp_support import (ClientError, DataPlaneTestCase, Server, create_active, dp_client,  # noqa: E402
                        iterator, put_batches, read_all, read_shard, segments, shard_dir,
                        shard_ranges, stream_dirs, unique_name, wait_for, wait_gone)

LIMITS_OFF = ["--throughput-limits", "off"]
FRAME_HEADER = 9          # checksum:u32 | length:u32 | type:u8
PAYLOAD_FIXED = 19        # position:u64 | arrival_ms:i64 | flags:u8 | key_length:u16


def as_tuples(records):
    return [(r["SequenceNumber"], r["Data"], r["PartitionKey"]) for r in records]


class CrashTestCase(DataPlaneTestCase):
    """No class-wide server: every test starts (and kills) its own."""

    @classmethod
    def setUpClass(cls):
        pass

    def start_server(self, *args):
        srv = Server(create_ms=0, delete_ms=0, extra_args=LIMITS_OFF + list(args))
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        return srv

    def restart_after_crash(self, srv):
        srv.kill9()
        log_before = srv.log_tail(10 ** 7)
        srv.start()
        self.server = srv
        return srv.log_tail(10 ** 7)[len(log_before):]


class KillNineTest(CrashTestCase):

    def _durability(self, *args):
        srv = self.start_server(*args)
        k = dp_client(srv)
        name = create_active(k, unique_name("dur"), 2)
        ranges = shard_ranges(k, name)
        acked = {sid: [] for sid, _, _ in ranges}
        for n in range(6):
            entries = [{"Data": os.urandom(50 + i % 200), "PartitionKey": "key-%d-%d" % (n, i)}
                       for i in range(150)]
            resp = k.put_records(StreamName=name, Records=entries)
            self.assertEqual(resp["FailedRecordCount"], 0)
            for e, r in zip(entries, resp["Records"]):
                acked[r["ShardId"]].append((r["SequenceNumber"], e["Data"], e["PartitionKey"]))
        for i in range(5):
            r = k.put_record(StreamName=name, Data=b"single-%d" % i, PartitionKey="s%d" % i)
            acked[r["ShardId"]].append((r["SequenceNumber"], b"single-%d" % i, "s%d" % i))
        # Writes in flight at the moment of the crash: acknowledged ones must survive.
        stop = threading.Event()
        inflight_acked, sent = [], set()

        def writer():
            c = dp_client(srv)
            j = 0
            while not stop.is_set():
                batch = [{"Data": b"late-%d-%d" % (j, i), "PartitionKey": "late"} for i in range(50)]
                sent.update(e["Data"] for e in batch)
                try:
                    resp = c.put_records(StreamName=name, Records=batch)
                except Exception:
                    return
                inflight_acked.extend((r["ShardId"], r["SequenceNumber"], e["Data"])
                                      for e, r in zip(batch, resp["Records"]))
                j += 1

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        wait_for(lambda: len(inflight_acked) >= 200, what="background writes")
        srv.kill9()
        stop.set()
        t.join(10)
        self.restart_after_crash(srv)
        k = dp_client(srv)
        for sid, recs in acked.items():
            got = read_shard(k, name, sid)
            self.assertEqual(as_tuples(got[:len(recs)]), recs, sid)
            by_seq = {r["SequenceNumber"]: r["Data"] for r in got[len(recs):]}
            for shard, seq, data in inflight_acked:
                if shard == sid:
                    self.assertEqual(by_seq.get(seq), data, "acknowledged %s lost in %s" % (seq, sid))
            for r in got[len(recs):]:
                self.assertIn(r["Data"], sent, "record never sent: %r" % r)
                self.assertEqual(r["PartitionKey"], "late")
            ints = [int(r["SequenceNumber"]) for r in got]
            self.assertEqual(ints, sorted(set(ints)))
            new = k.put_record(StreamName=name, Data=b"after", PartitionKey="x",
                               ExplicitHashKey=str(dict((s, lo) for s, lo, _ in ranges)[sid]))
            self.assertEqual(new["ShardId"], sid)
            self.assertGreater(int(new["SequenceNumber"]), ints[-1])

    def test_fsync_interval(self):
        self._durability()

    def test_fsync_always(self):
        self._durability("--fsync", "always")


class TornTailTest(CrashTestCase):

    def _damage(self, damage):
        """Fill several segments, kill -9, apply ``damage(path, acked) -> kept``, restart, check."""
        srv = self.start_server("--segment-bytes", "65536")
        k = dp_client(srv)
        name = create_active(k, unique_name("torn"), 1)
        acked = put_batches(k, name, 950, key="tk", size=300, batch=100)
        shard = shard_dir(srv.data_dir, name)
        self.assertGreaterEqual(len(segments(shard)), 3, os.listdir(shard))
        srv.kill9()
        last = segments(shard)[-1]
        kept, expected_size = damage(last, acked)
        log = self.restart_after_crash(srv)
        self.assertIn("event=log_truncated", log)
        self.assertEqual(os.path.getsize(last), expected_size, "tail not truncated at the last valid frame")
        k = dp_client(srv)
        got = read_shard(k, name)
        self.assertEqual(len(got), len(kept))
        self.assertEqual(as_tuples(got), kept)
        new = k.put_record(StreamName=name, Data=b"after-recovery", PartitionKey="tk")
        self.assertGreater(int(new["SequenceNumber"]), int(kept[-1][0]))
        got = read_shard(k, name)
        self.assertEqual(as_tuples(got), kept + [(new["SequenceNumber"], b"after-recovery", "tk")])
        # The repaired log also survives another crash.
        self.restart_after_crash(srv)
        self.assertEqual(as_tuples(read_shard(dp_client(srv), name)), as_tuples(got))

    @staticmethod
    def _append(path, blob):
        size = os.path.getsize(path)
        with open(path, "ab") as f:
            f.write(blob)
        return size

    def test_random_garbage_tail(self):
        self._damage(lambda p, acked: (acked, self._append(p, os.urandom(13))))

    def test_header_claiming_long_length(self):
        header = struct.pack("<IIB", 0x12345678, 5000, 1)
        self._damage(lambda p, acked: (acked, self._append(p, header)))

    def test_zero_filled_tail(self):
        self._damage(lambda p, acked: (acked, self._append(p, b"\0" * 4096)))

    def test_truncated_last_record(self):
        def cut(path, acked):
            _, data, key = acked[-1]
            frame = FRAME_HEADER + PAYLOAD_FIXED + len(key.encode()) + len(data)
            size = os.path.getsize(path)
            with open(path, "r+b") as f:
                f.truncate(size - frame // 2)
            return acked[:-1], size - frame
        self._damage(cut)


class DeleteStreamDataTest(DataPlaneTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0,
                     "extra_args": LIMITS_OFF + ["--retention-check-ms", "100"]}

    def test_delete_removes_directory_and_recreate_is_empty(self):
        srv, k = self.server, self.kinesis
        name = self.new_stream(2, "del")
        put_batches(k, name, 50, key="a")
        old_it = iterator(k, name)
        self.assertEqual(len(stream_dirs(srv.data_dir, name)), 1)
        old_dir = stream_dirs(srv.data_dir, name)[0]
        k.delete_stream(StreamName=name)
        wait_gone(k, name)
        wait_for(lambda: not os.path.exists(old_dir), timeout=5, what="stream directory removal")
        create_active(k, name, 2)
        for sid, _, _ in shard_ranges(k, name):
            self.assertEqual(read_shard(k, name, sid), [], sid)
        seq = k.put_record(StreamName=name, Data=b"fresh", PartitionKey="a")["SequenceNumber"]
        all_recs = [r for sid, _, _ in shard_ranges(k, name) for r in read_shard(k, name, sid)]
        self.assertEqual([(r["SequenceNumber"], r["Data"]) for r in all_recs], [(seq, b"fresh")])
        # An iterator of the deleted stream must not serve the old records.
        try:
            stale, _, _ = read_all(k, old_it)
        except ClientError:
            stale = []
        self.assertNotIn(b"r0-".ljust(10, b"."), [r["Data"] for r in stale])


if __name__ == "__main__":
    unittest.main(verbosity=2)
