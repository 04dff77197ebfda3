"""SplitShard, MergeShards and UpdateShardCount against the real server: topology, errors, routing of new
writes to the children, ChildShards at the end of a parent, exactly-once parents-first reading under concurrent
writes, and persistence of the topology across kill -9."""

import hashlib
import threading
import time
import unittest

from botocore.exceptions import ClientError

import harness
from harness import MAX_HASH_KEY, ServerTestCase, create_active, wait_status


def md5_key(partition_key):
    return int(hashlib.md5(partition_key.encode("utf-8")).hexdigest(), 16)


def shards_by_id(client, name):
    return {s["ShardId"]: s for s in harness.list_all_shards(client, StreamName=name)}


def read_shard_to_end(client, name, shard_id):
    """Every record of a shard from TRIM_HORIZON, and the ChildShards given at its end (None if still open)."""
    it = client.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    for _ in range(1000):
        out = client.get_records(ShardIterator=it, Limit=1000)
        records.extend(out["Records"])
        if out.get("NextShardIterator") is None:
            return records, out.get("ChildShards", [])
        if not out["Records"] and out["MillisBehindLatest"] == 0:
            return records, None
        it = out["NextShardIterator"]
    raise AssertionError("shard %s did not end" % shard_id)


def read_parents_first(client, name):
    """Reads every shard, a child only after all its parents, as the KCL does. Returns records in read order."""
    shards = shards_by_id(client, name)
    done, order = set(), []
    while len(done) < len(shards):
        progressed = False
        for sid, shard in sorted(shards.items()):
            if sid in done:
                continue
            parents = [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")) if p in shards]
            if any(p not in done for p in parents):
                continue
            records, _ = read_shard_to_end(client, name, sid)
            order.extend(records)
            done.add(sid)
            progressed = True
        if not progressed:
            raise AssertionError("cyclic parents in %r" % shards)
    return order


class ReshardingTest(ServerTestCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 300,
                     "extra_args": ["--throughput-limits", "off"]}

    def test_split_topology_routing_and_child_shards(self):
        c = self.kinesis
        name = self.new_name("split")
        create_active(c, name, shards=1)
        before = c.put_record(StreamName=name, Data=b"before", PartitionKey="a")
        middle = str(2 ** 127)
        c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=middle)
        self.assertEqual(c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"],
                         "UPDATING")
        shards = shards_by_id(c, name)
        parent = shards["shardId-000000000000"]
        low, high = shards["shardId-000000000001"], shards["shardId-000000000002"]
        self.assertEqual(low["ParentShardId"], "shardId-000000000000")
        self.assertEqual(high["ParentShardId"], "shardId-000000000000")
        self.assertEqual(low["HashKeyRange"], {"StartingHashKey": "0", "EndingHashKey": str(2 ** 127 - 1)})
        self.assertEqual(high["HashKeyRange"], {"StartingHashKey": middle, "EndingHashKey": str(MAX_HASH_KEY)})
        self.assertIn("EndingSequenceNumber", parent["SequenceNumberRange"])
        self.assertEqual(parent["SequenceNumberRange"]["EndingSequenceNumber"], before["SequenceNumber"])
        self.assertGreater(int(low["SequenceNumberRange"]["StartingSequenceNumber"]), int(before["SequenceNumber"]))
        # New writes go to the children at once, by hash key.
        for key in ("a", "b", "c", "d", "e", "f"):
            out = c.put_record(StreamName=name, Data=key.encode(), PartitionKey=key)
            expected = "shardId-000000000001" if md5_key(key) < 2 ** 127 else "shardId-000000000002"
            self.assertEqual(out["ShardId"], expected, key)
        # Reading the parent to its end gives its record, then ChildShards and no further iterator.
        records, children = read_shard_to_end(c, name, "shardId-000000000000")
        self.assertEqual([r["Data"] for r in records], [b"before"])
        self.assertEqual(sorted(ch["ShardId"] for ch in children), ["shardId-000000000001", "shardId-000000000002"])
        for ch in children:
            self.assertEqual(ch["ParentShards"], ["shardId-000000000000"])
        wait_status(c, name, "ACTIVE")
        # ShardFilter AT_LATEST shows only the open children.
        latest = c.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
        self.assertEqual(sorted(s["ShardId"] for s in latest), ["shardId-000000000001", "shardId-000000000002"])

    def test_shard_filters_over_a_resharded_topology(self):
        c = self.kinesis
        name = self.new_name("filters")
        create_active(c, name, shards=2)
        time.sleep(0.05)
        before_split = time.time()
        time.sleep(1.1)  # sequence numbers and filters work in whole seconds here
        c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2 ** 126))
        wait_status(c, name, "ACTIVE")

        def ids(filter_):
            return sorted(s["ShardId"] for s in c.list_shards(StreamName=name, ShardFilter=filter_)["Shards"])

        everything = ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003"]
        self.assertEqual(ids({"Type": "FROM_TRIM_HORIZON"}), everything)
        self.assertEqual(ids({"Type": "AT_TRIM_HORIZON"}), ["shardId-000000000000", "shardId-000000000001"])
        self.assertEqual(ids({"Type": "AT_LATEST"}), everything[1:])
        self.assertEqual(ids({"Type": "AT_TIMESTAMP", "Timestamp": before_split}),
                         ["shardId-000000000000", "shardId-000000000001"])
        self.assertEqual(ids({"Type": "FROM_TIMESTAMP", "Timestamp": before_split}), everything)
        self.assertEqual(ids({"Type": "AT_TIMESTAMP", "Timestamp": time.time() + 5}), everything[1:])
        self.assertEqual(ids({"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"}), everything[2:])

    def test_split_and_merge_errors(self):
        c = self.kinesis
        name = self.new_name("errs")
        create_active(c, name, shards=2)
        shards = shards_by_id(c, name)
        start0 = int(shards["shardId-000000000000"]["HashKeyRange"]["StartingHashKey"])
        end0 = int(shards["shardId-000000000000"]["HashKeyRange"]["EndingHashKey"])
        with self.assertRaises(ClientError) as ctx:
            c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(start0 + 1))
        self.assertClientError(
            ctx, "InvalidArgumentException",
            "NewStartingHashKey %d used in SplitShard() on shard shardId-000000000000 in stream %s under account "
            "000000000000 is not both greater than one plus the shard's StartingHashKey %d and less than the "
            "shard's EndingHashKey %d." % (start0 + 1, name, start0, end0))
        with self.assertRaises(ClientError) as ctx:
            c.split_shard(StreamName=name, ShardToSplit="shardId-000000000009", NewStartingHashKey="100")
        self.assertClientError(ctx, "ResourceNotFoundException",
                               "Could not find shard shardId-000000000009 in stream %s under account 000000000000."
                               % name)
        c.merge_shards(StreamName=name, ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000001")
        with self.assertRaises(ClientError) as ctx:  # UPDATING
            c.merge_shards(StreamName=name, ShardToMerge="shardId-000000000000",
                           AdjacentShardToMerge="shardId-000000000001")
        self.assertClientError(ctx, "ResourceInUseException",
                               "Stream %s under account 000000000000 not ACTIVE, instead in state UPDATING" % name)
        wait_status(c, name, "ACTIVE")
        merged = shards_by_id(c, name)["shardId-000000000002"]
        self.assertEqual(merged["ParentShardId"], "shardId-000000000000")
        self.assertEqual(merged["AdjacentParentShardId"], "shardId-000000000001")
        self.assertEqual(merged["HashKeyRange"], {"StartingHashKey": "0", "EndingHashKey": str(MAX_HASH_KEY)})
        with self.assertRaises(ClientError) as ctx:  # a closed shard cannot be split again
            c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="12345")
        self.assertClientError(
            ctx, "InvalidArgumentException",
            "Shard shardId-000000000000 in stream %s under account 000000000000 has already been merged or split, "
            "and thus is not eligible for merging or splitting." % name)

    def test_merge_requires_adjacent_shards(self):
        c = self.kinesis
        name = self.new_name("adj")
        create_active(c, name, shards=3)
        with self.assertRaises(ClientError) as ctx:
            c.merge_shards(StreamName=name, ShardToMerge="shardId-000000000000",
                           AdjacentShardToMerge="shardId-000000000002")
        self.assertClientError(
            ctx, "InvalidArgumentException",
            "Shards shardId-000000000000 and shardId-000000000002 in stream %s under account 000000000000 are not "
            "an adjacent pair of shards eligible for merging" % name)

    def test_update_shard_count(self):
        c = self.kinesis
        name = self.new_name("scale")
        create_active(c, name, shards=2)
        out = c.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (2, 4))
        wait_status(c, name, "ACTIVE")
        latest = c.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
        self.assertEqual(len(latest), 4)
        starts = sorted(int(s["HashKeyRange"]["StartingHashKey"]) for s in latest)
        self.assertEqual(starts, [r[0] for r in harness.expected_hash_ranges(4)])
        for s in latest:
            self.assertIn(s["ParentShardId"], ("shardId-000000000000", "shardId-000000000001"))
        with self.assertRaises(ClientError) as ctx:
            c.update_shard_count(StreamName=name, TargetShardCount=9, ScalingType="UNIFORM_SCALING")
        self.assertClientError(ctx, "LimitExceededException",
                               "UpdateShardCount cannot scale up over double your current open shard count. "
                               "Current open shard count: 4, Target shard count: 9")
        with self.assertRaises(ClientError) as ctx:
            c.update_shard_count(StreamName=name, TargetShardCount=1, ScalingType="UNIFORM_SCALING")
        self.assertClientError(ctx, "LimitExceededException",
                               "UpdateShardCount cannot scale down below half your current open shard count. "
                               "Current open shard count: 4, Target shard count: 1")

    def reshape_under_writes(self, name, reshape):
        """Runs three writers while `reshape()` runs, then checks a parents-first read of the whole stream gives
        every acknowledged record exactly once, and each key's records in write order."""
        c = self.kinesis
        acked, errors, stop = [], [], threading.Event()

        def writer(worker):
            client = self.server.client()
            n = 0
            while not stop.is_set() or n < 50:
                batch = [{"Data": ("%d:%d" % (worker, n + i)).encode(), "PartitionKey": "key-%d-%d" % (worker, (n + i) % 7)}
                         for i in range(10)]
                try:
                    out = client.put_records(StreamName=name, Records=batch)
                except ClientError as e:  # pragma: no cover - reported below
                    errors.append(e)
                    return
                for rec, res in zip(batch, out["Records"]):
                    if "SequenceNumber" in res:
                        acked.append((rec["PartitionKey"], rec["Data"]))
                n += 10

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        try:
            reshape()
        finally:
            time.sleep(0.2)
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(errors, [])
        records = read_parents_first(c, name)
        got = [(r["PartitionKey"], r["Data"]) for r in records]
        self.assertEqual(len(got), len(set(got)), "a record was delivered twice")
        self.assertEqual(sorted(got), sorted(acked), "delivered records differ from acknowledged ones")
        # Per key, records come back in the order they were written (each writer numbers its records).
        last = {}
        for key, data in got:
            seq = int(data.decode().split(":")[1])
            self.assertGreater(seq, last.get(key, -1), "key %s out of order" % key)
            last[key] = seq

    def test_exactly_once_in_key_order_across_split_and_merge_under_writes(self):
        c = self.kinesis
        name = self.new_name("eo")
        create_active(c, name, shards=2)

        def reshape():
            c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2 ** 126))
            wait_status(c, name, "ACTIVE")
            time.sleep(0.2)
            c.merge_shards(StreamName=name, ShardToMerge="shardId-000000000002",
                           AdjacentShardToMerge="shardId-000000000003")
            wait_status(c, name, "ACTIVE")

        self.reshape_under_writes(name, reshape)

    def test_update_shard_count_over_an_uneven_topology(self):
        # Shard 1 of four is split in three; scaling the six open shards to three gives a new shard whose keys
        # came from four old shards. AWS gets there by splits and merges (each shard at most two parents), so a
        # parents-first reader still sees every record once and in key order.
        c = self.kinesis
        name = self.new_name("uneven")
        create_active(c, name, shards=4)
        q = 2 ** 126
        c.split_shard(StreamName=name, ShardToSplit="shardId-000000000001", NewStartingHashKey=str(q + q // 3))
        wait_status(c, name, "ACTIVE")
        c.split_shard(StreamName=name, ShardToSplit="shardId-000000000005", NewStartingHashKey=str(q + 2 * q // 3))
        wait_status(c, name, "ACTIVE")

        def reshape():
            out = c.update_shard_count(StreamName=name, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
            self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (6, 3))
            wait_status(c, name, "ACTIVE")

        self.reshape_under_writes(name, reshape)
        shards = shards_by_id(c, name)
        open_ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
                             for s in shards.values() if "EndingSequenceNumber" not in s["SequenceNumberRange"])
        self.assertEqual(open_ranges, harness.expected_hash_ranges(3))
        for s in shards.values():
            parents = [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p]
            self.assertLessEqual(len(parents), 2)
            if len(parents) == 2:  # a merge: adjacent parents that make up the child
                a, b = shards[parents[0]]["HashKeyRange"], shards[parents[1]]["HashKeyRange"]
                self.assertEqual(int(a["EndingHashKey"]) + 1, int(b["StartingHashKey"]))

    def test_topology_survives_kill9(self):
        srv = harness.Server(create_ms=0, delete_ms=0, update_ms=0)
        self.addCleanup(srv.stop)
        srv.start()
        c = srv.client()
        name = self.new_name("crash")
        create_active(c, name, shards=1)
        c.put_record(StreamName=name, Data=b"x", PartitionKey="p")
        c.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2 ** 127))
        before = shards_by_id(c, name)
        srv.kill9()
        srv.restart()
        c = srv.client()
        self.assertEqual(shards_by_id(c, name), before)
        out = c.put_record(StreamName=name, Data=b"y", PartitionKey="p")
        self.assertIn(out["ShardId"], ("shardId-000000000001", "shardId-000000000002"))
        records, children = read_shard_to_end(c, name, "shardId-000000000000")
        self.assertEqual([r["Data"] for r in records], [b"x"])
        self.assertEqual(len(children), 2)


if __name__ == "__main__":
    unittest.main()
