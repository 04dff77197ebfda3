"""Resharding while writing and syncing, for the ThreadSanitizer run (scripts/tsan) as much as for correctness.

Four writers send PutRecords while SplitShard, MergeShards and UpdateShardCount reshape the stream and other
streams are created and deleted; `--fsync interval --fsync-interval-ms 50` and `--retention-check-ms 50` make the
periodic sync of written shards (DataPlane::sync_dirty) and the sweeper (DataPlane::sweep) run all the time,
while new shards' logs are opened (DataPlane::open_stream). Afterwards every acknowledged record must be read back
exactly once, reading parents before children."""

import threading
import time

from botocore.exceptions import ClientError

from harness import ServerTestCase, create_active, wait_gone, wait_status
from test_resharding import read_parents_first

WRITERS = 4
BATCH = 20


class ConcurrentReshardingTest(ServerTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 100,
                     "extra_args": ["--throughput-limits", "off", "--fsync", "interval", "--fsync-interval-ms", "50",
                                    "--retention-check-ms", "50"]}

    def open_shards(self, name):
        shards = self.kinesis.list_shards(StreamName=name)["Shards"]
        return [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]

    def test_every_acknowledged_record_once_while_resharding_writing_and_syncing(self):
        c = self.kinesis
        name = self.new_name("conc")
        create_active(c, name, shards=4)
        acked, sent, errors = [], set(), []
        lock, stop = threading.Lock(), threading.Event()

        def writer(worker):
            client = self.server.client()
            n = 0
            while not stop.is_set() or n < 3 * BATCH:
                batch = [{"Data": ("%d:%d" % (worker, n + i)).encode(), "PartitionKey": "k-%d-%d" % (worker, i % 11)}
                         for i in range(BATCH)]
                with lock:
                    sent.update((r["PartitionKey"], r["Data"]) for r in batch)
                try:
                    out = client.put_records(StreamName=name, Records=batch)
                except ClientError as e:
                    errors.append(e)
                    return
                with lock:
                    acked.extend((r["PartitionKey"], r["Data"]) for r, res in zip(batch, out["Records"])
                                 if "SequenceNumber" in res)
                n += BATCH

        def churn():
            # Other streams' logs are opened and, once deleted, swept while the writers and reshards run.
            client = self.server.client()
            i = 0
            while not stop.is_set():
                other = "%s-side-%d" % (name, i)
                try:
                    create_active(client, other, shards=2)
                    client.put_record(StreamName=other, Data=b"x", PartitionKey="x")
                    client.delete_stream(StreamName=other)
                    wait_gone(client, other)
                except ClientError as e:
                    errors.append(e)
                    return
                i += 1

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        threads.append(threading.Thread(target=churn))
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + 30
            while len(acked) < 200 and time.monotonic() < deadline:  # the writers are under way
                time.sleep(0.02)
            for _ in range(3):  # split an open shard in the middle, then merge its two children back
                shard = self.open_shards(name)[0]
                lo, hi = (int(shard["HashKeyRange"][k]) for k in ("StartingHashKey", "EndingHashKey"))
                c.split_shard(StreamName=name, ShardToSplit=shard["ShardId"], NewStartingHashKey=str((lo + hi + 1) // 2))
                wait_status(c, name, "ACTIVE", timeout=30)
                children = sorted(s["ShardId"] for s in self.open_shards(name)
                                  if s.get("ParentShardId") == shard["ShardId"])
                self.assertEqual(len(children), 2)
                c.merge_shards(StreamName=name, ShardToMerge=children[0], AdjacentShardToMerge=children[1])
                wait_status(c, name, "ACTIVE", timeout=30)
            for target in (8, 4):
                c.update_shard_count(StreamName=name, TargetShardCount=target, ScalingType="UNIFORM_SCALING")
                wait_status(c, name, "ACTIVE", timeout=30)
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        self.assertEqual(errors, [])
        self.assertFalse(any(t.is_alive() for t in threads), "a writer did not finish")
        self.assertEqual(len(self.open_shards(name)), 4)

        got = [(r["PartitionKey"], r["Data"]) for r in read_parents_first(c, name)]
        self.assertGreater(len(acked), 200)
        self.assertEqual(len(got), len(set(got)), "a record was read twice")
        self.assertEqual(set(acked) - set(got), set(), "acknowledged records were not read back")
        self.assertEqual(set(got) - sent, set(), "records that were never sent were read")
