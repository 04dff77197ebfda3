"""SubscribeToShard (enhanced fan-out) driven by boto3 over HTTP/1.1: records pushed in order and byte-exact, every
StartingPosition type, resuming from ContinuationSequenceNumber, heartbeats, AWS's errors, the 5-second rule and
takeover, shard end with ChildShards after SplitShard/MergeShards, the subscription lifetime, exception events when
the consumer or the stream goes away, DryRun, a graceful server stop, and the 2 MiB/s per-subscription limit."""

import datetime
import os
import sys
import threading
import time
import unittest

import boto3
import botocore.config
from botocore.exceptions import ClientError, EventStreamError

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import ServerTestCase, create_active, wait_gone  # noqa: E402

LIMITS_OFF = ["--throughput-limits", "off"]
SHARD0 = "shardId-000000000000"
SHARD1 = "shardId-000000000001"
SHARD2 = "shardId-000000000002"
SHARD3 = "shardId-000000000003"
MiB = 1024 * 1024
IN_USE_PREFIX = "Another active subscription exists for this consumer"


def fresh_client(server, read_timeout=15):
    """A boto3 client of its own (not the harness's cached one): for writer threads and for subscriptions whose
    connection must outlive the harness closing its clients."""
    cfg = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1},
                                 connect_timeout=5, read_timeout=read_timeout)
    return boto3.client("kinesis", region_name=harness.DEFAULT_REGION, endpoint_url=server.url,
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="dummy-secret", config=cfg)


class Reader(object):
    """Iterates one boto3 EventStream, keeping every SubscribeToShardEvent and when it arrived."""

    def __init__(self, test, event_stream):
        self.test = test
        self.stream = event_stream
        self.it = iter(event_stream)
        self.events = []
        self.arrivals = []  # time.monotonic() of each event
        self.ended = False

    def next_event(self):
        """The next event, or None when the stream ended. EventStreamError propagates."""
        if self.ended:
            return None
        try:
            wrapped = next(self.it)
        except StopIteration:
            self.ended = True
            return None
        self.test.assertEqual(list(wrapped), ["SubscribeToShardEvent"], wrapped)
        event = wrapped["SubscribeToShardEvent"]
        self.test.assertIsInstance(event["Records"], list, event)
        self.test.assertIsInstance(event["MillisBehindLatest"], int, event)
        self.test.assertGreaterEqual(event["MillisBehindLatest"], 0, event)
        self.events.append(event)
        self.arrivals.append(time.monotonic())
        return event

    @property
    def records(self):
        return [r for e in self.events for r in e["Records"]]

    def read_until(self, done, timeout=20.0):
        """Reads events until ``done(self)`` holds; fails when the stream ends first or time runs out (the
        server sends a heartbeat at least every 5 s, so the deadline is checked at least that often)."""
        deadline = time.monotonic() + timeout
        while not done(self):
            if time.monotonic() > deadline:
                self.test.fail("condition not reached within %.0fs; %d events, %d records"
                               % (timeout, len(self.events), len(self.records)))
            if self.next_event() is None:
                self.test.fail("the event stream ended early; %d events, %d records"
                               % (len(self.events), len(self.records)))
        return self

    def read_records(self, n, timeout=20.0):
        return self.read_until(lambda r: len(r.records) >= n, timeout)

    def read_to_end(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while self.next_event() is not None:
            if time.monotonic() > deadline:
                self.test.fail("the event stream did not end within %.0fs" % timeout)
        return self


class SubscribeCase(ServerTestCase):
    """Shared helpers: streams with consumers, subscriptions read through Reader."""

    def make_stream(self, shards=1, consumers=1, client=None):
        c = client or self.kinesis
        name = self.new_name("sub")
        create_active(c, name, shards=shards)
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        arns = [self.register(arn, "app-%d" % i, client=c) for i in range(consumers)]
        return name, arn, arns

    def register(self, stream_arn, consumer_name, client=None):
        c = client or self.kinesis
        consumer = c.register_stream_consumer(StreamARN=stream_arn, ConsumerName=consumer_name)["Consumer"]
        self.wait_consumer_active(consumer["ConsumerARN"], client=c)
        return consumer["ConsumerARN"]

    def wait_consumer_active(self, consumer_arn, timeout=10.0, client=None):
        c = client or self.kinesis
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if c.describe_stream_consumer(ConsumerARN=consumer_arn)["ConsumerDescription"]["ConsumerStatus"] \
                    == "ACTIVE":
                return
            time.sleep(0.05)
        self.fail("consumer %s never became ACTIVE" % consumer_arn)

    def subscribe(self, consumer_arn, shard_id=SHARD0, client=None, **position):
        """Subscribes (the call returns once the initial-response arrived) and returns a Reader."""
        c = client or self.kinesis
        out = c.subscribe_to_shard(ConsumerARN=consumer_arn, ShardId=shard_id, StartingPosition=position)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(out["ResponseMetadata"]["HTTPHeaders"].get("content-type"),
                         "application/vnd.amazon.eventstream")
        stream = out["EventStream"]
        self.addCleanup(stream.close)
        return Reader(self, stream)

    def get_records(self, name, shard_id=SHARD0):
        c = self.kinesis
        it = c.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records = []
        for _ in range(100):
            out = c.get_records(ShardIterator=it)
            records.extend(out["Records"])
            it = out.get("NextShardIterator")
            if it is None or (not out["Records"] and out["MillisBehindLatest"] == 0):
                return records
        self.fail("GetRecords did not reach the end of %s" % shard_id)

    def assertSameRecords(self, got, expected):
        """Records compared on what a consumer sees: sequence number, data, partition key, arrival time."""
        def key(r):
            return (r["SequenceNumber"], r["Data"], r.get("PartitionKey"), r["ApproximateArrivalTimestamp"])
        self.assertEqual(len(got), len(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            self.assertEqual(key(g), key(e), "record %d differs" % i)

    def assertStreamError(self, reader, code, message=None, message_prefix=None, timeout=15.0):
        """The stream yields an exception event ``code`` (botocore raises EventStreamError) and then nothing."""
        with self.assertRaises(EventStreamError) as ctx:
            reader.read_until(lambda r: False, timeout)
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code, ctx.exception.response)
        if message is not None:
            self.assertEqual(err["Message"], message, ctx.exception.response)
        if message_prefix is not None:
            self.assertTrue(err["Message"].startswith(message_prefix), err)
        self.assertIsInstance(ctx.exception, ClientError)
        return err


class SubscribeToShardTest(SubscribeCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0, "extra_args": LIMITS_OFF}

    # -- 1. records before and during a subscription --------------------------------------------------------------
    def test_records_before_and_during_arrive_in_order_byte_exact(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        big = bytes((i * 7 + 3) % 256 for i in range(MiB - 64))  # ~1 MiB; with the key under the 1 MiB limit
        before = [(bytes(range(256)), "all-bytes"), (big, "big"), (b"\x00\xff\x00", "\u043a\u043b\u044e\u0447")]
        during = [(bytes(reversed(range(256))), "reversed"), (b"x", "k" * 256), (big[::-1], "big-2"),
                  ("h\u00e9llo".encode("utf-8"), "a")]
        puts = []
        for data, key in before:
            puts.append((data, key, c.put_record(StreamName=name, Data=data, PartitionKey=key)))
        reader = self.subscribe(consumer, Type="TRIM_HORIZON")
        reader.read_records(len(before))
        for data, key in during:
            puts.append((data, key, c.put_record(StreamName=name, Data=data, PartitionKey=key)))
        reader.read_records(len(puts))
        got = reader.records
        self.assertEqual(len(got), len(puts))
        for (data, key, put), rec in zip(puts, got):
            self.assertEqual(put["ShardId"], SHARD0)
            self.assertEqual(rec["SequenceNumber"], put["SequenceNumber"])
            self.assertEqual(rec["PartitionKey"], key)
            self.assertEqual(len(rec["Data"]), len(data))
            self.assertTrue(rec["Data"] == data, "data of %s differs" % key)
            self.assertIsInstance(rec["ApproximateArrivalTimestamp"], datetime.datetime)
        # Exactly what GetRecords shows, arrival timestamps included.
        self.assertSameRecords(got, self.get_records(name))
        seqs = [int(r["SequenceNumber"]) for r in got]
        self.assertEqual(seqs, sorted(set(seqs)))
        # Every event of an open shard carries a ContinuationSequenceNumber past its records and before the next.
        for i, event in enumerate(reader.events):
            self.assertIn("ContinuationSequenceNumber", event)
            self.assertNotIn("ChildShards", event)
            csn = int(event["ContinuationSequenceNumber"])
            delivered = [int(r["SequenceNumber"]) for e in reader.events[:i + 1] for r in e["Records"]]
            later = [int(r["SequenceNumber"]) for e in reader.events[i + 1:] for r in e["Records"]]
            if delivered:
                self.assertGreater(csn, delivered[-1])
            if later:
                self.assertLess(csn, later[0])
        self.assertEqual(reader.events[-1]["MillisBehindLatest"], 0)  # caught up

    # -- 2. starting positions --------------------------------------------------------------------------------------
    def test_latest_gets_only_records_written_after_subscribing(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        for i in range(3):
            c.put_record(StreamName=name, Data=b"old-%d" % i, PartitionKey="p")
        reader = self.subscribe(consumer, Type="LATEST")
        first = reader.next_event()  # sent at once, empty: nothing after LATEST yet
        self.assertIsNotNone(first)
        self.assertEqual(first["Records"], [])
        self.assertEqual(first["MillisBehindLatest"], 0)
        self.assertIn("ContinuationSequenceNumber", first)
        new = [c.put_record(StreamName=name, Data=b"new-%d" % i, PartitionKey="p") for i in range(2)]
        reader.read_records(2)
        self.assertEqual([r["Data"] for r in reader.records], [b"new-0", b"new-1"])
        self.assertEqual([r["SequenceNumber"] for r in reader.records], [p["SequenceNumber"] for p in new])

    def test_at_and_after_sequence_number(self):
        c = self.kinesis
        name, _, consumers = self.make_stream(consumers=5)
        puts = [c.put_record(StreamName=name, Data=b"r%d" % i, PartitionKey="p") for i in range(5)]
        seqs = [p["SequenceNumber"] for p in puts]
        start = c.list_shards(StreamName=name)["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"]
        cases = [  # (consumer, position, expected data)
            (consumers[0], {"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": seqs[2]}, [b"r2", b"r3", b"r4"]),
            (consumers[1], {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": seqs[2]}, [b"r3", b"r4"]),
            (consumers[2], {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": start},
             [b"r0", b"r1", b"r2", b"r3", b"r4"]),
            (consumers[3], {"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": start},
             [b"r0", b"r1", b"r2", b"r3", b"r4"]),
            (consumers[4], {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": seqs[4]}, []),
        ]
        for consumer, position, expected in cases:
            reader = self.subscribe(consumer, **position)
            reader.read_until(lambda r: len(r.events) >= 1)
            if expected:
                reader.read_records(len(expected))
            self.assertEqual([r["Data"] for r in reader.records], expected, position)
            self.assertEqual([r["SequenceNumber"] for r in reader.records], seqs[5 - len(expected):], position)
        # The last one is at the tip: a record written now is the next it gets.
        tip = c.put_record(StreamName=name, Data=b"r5", PartitionKey="p")
        reader.read_records(1)
        self.assertEqual([r["SequenceNumber"] for r in reader.records], [tip["SequenceNumber"]])

    def test_trim_horizon_and_at_timestamp(self):
        c = self.kinesis
        name, _, consumers = self.make_stream(consumers=4)
        for i in range(3):
            c.put_record(StreamName=name, Data=b"early-%d" % i, PartitionKey="p")
        # boto3 sends JSON timestamps in whole seconds: the late records start a new second.
        time.sleep(1.05 - time.time() % 1.0)
        for i in range(3):
            c.put_record(StreamName=name, Data=b"late-%d" % i, PartitionKey="p")
        records = self.get_records(name)
        self.assertEqual(len(records), 6)
        late_at = records[3]["ApproximateArrivalTimestamp"].replace(microsecond=0)
        self.assertLess(records[2]["ApproximateArrivalTimestamp"], late_at)
        all_data = [b"early-0", b"early-1", b"early-2", b"late-0", b"late-1", b"late-2"]

        horizon = self.subscribe(consumers[0], Type="TRIM_HORIZON").read_records(6)
        self.assertSameRecords(horizon.records, records)
        at = self.subscribe(consumers[1], Type="AT_TIMESTAMP", Timestamp=late_at).read_records(3)
        self.assertEqual([r["Data"] for r in at.records], all_data[3:])
        self.assertSameRecords(at.records, records[3:])
        old = self.subscribe(consumers[2], Type="AT_TIMESTAMP",
                             Timestamp=records[0]["ApproximateArrivalTimestamp"] - datetime.timedelta(hours=1))
        self.assertEqual([r["Data"] for r in old.read_records(6).records], all_data)
        # A timestamp in the future: nothing yet, then the next record.
        future = self.subscribe(consumers[3], Type="AT_TIMESTAMP",
                                Timestamp=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=1))
        first = future.next_event()
        self.assertEqual(first["Records"], [])
        time.sleep(1.1)
        c.put_record(StreamName=name, Data=b"next", PartitionKey="p")
        self.assertEqual([r["Data"] for r in future.read_records(1).records], [b"next"])

    def test_resume_from_continuation_sequence_number(self):
        c = self.kinesis
        name, _, consumers = self.make_stream(consumers=7)
        reader = self.subscribe(consumers[0], Type="TRIM_HORIZON")
        empty = reader.next_event()  # nothing written yet: an empty event that still says where to resume
        self.assertEqual(empty["Records"], [])
        self.assertIn("ContinuationSequenceNumber", empty)
        # One record at a time, each read before the next is written, so each event holds one record.
        puts = []
        for i in range(6):
            puts.append(c.put_record(StreamName=name, Data=b"m%d" % i, PartitionKey="k%d" % i))
            reader.read_records(i + 1)
        seqs = [p["SequenceNumber"] for p in puts]
        self.assertEqual([r["SequenceNumber"] for r in reader.records], seqs)
        with_records = [e for e in reader.events if e["Records"]]
        self.assertGreaterEqual(len(with_records), 2)
        # Resume after a middle event: exactly the records after the last one it delivered (AT and AFTER alike).
        middle = with_records[len(with_records) // 2 - 1]
        cut = seqs.index(middle["Records"][-1]["SequenceNumber"]) + 1
        self.assertLess(cut, len(seqs))
        for consumer, kind in ((consumers[1], "AFTER_SEQUENCE_NUMBER"), (consumers[2], "AT_SEQUENCE_NUMBER")):
            resumed = self.subscribe(consumer, Type=kind, SequenceNumber=middle["ContinuationSequenceNumber"])
            resumed.read_records(len(seqs) - cut)
            self.assertEqual([r["SequenceNumber"] for r in resumed.records], seqs[cut:], kind)
        # Resume from the empty first event: everything, nothing skipped.
        for consumer, kind in ((consumers[3], "AFTER_SEQUENCE_NUMBER"), (consumers[4], "AT_SEQUENCE_NUMBER")):
            resumed = self.subscribe(consumer, Type=kind, SequenceNumber=empty["ContinuationSequenceNumber"])
            resumed.read_records(len(seqs))
            self.assertEqual([r["SequenceNumber"] for r in resumed.records], seqs, kind)
        # Resume from the last event (caught up): nothing old, the next record first.
        last = reader.events[-1]
        tail = [self.subscribe(consumer, Type=kind, SequenceNumber=last["ContinuationSequenceNumber"])
                for consumer, kind in ((consumers[5], "AFTER_SEQUENCE_NUMBER"), (consumers[6], "AT_SEQUENCE_NUMBER"))]
        for t in tail:
            t.read_until(lambda r: len(r.events) >= 1)
        nxt = c.put_record(StreamName=name, Data=b"after", PartitionKey="z")
        for t in tail:
            self.assertEqual([r["SequenceNumber"] for r in t.read_records(1).records], [nxt["SequenceNumber"]])

    # -- 3. errors as ordinary HTTP 400 answers ---------------------------------------------------------------------
    def test_errors(self):
        c = self.kinesis
        name, arn, (consumer, other_consumer) = self.make_stream(shards=2, consumers=2)
        seq1 = c.put_record(StreamName=name, Data=b"x", PartitionKey="p",
                            ExplicitHashKey=str(2 ** 127))
        self.assertEqual(seq1["ShardId"], SHARD1)

        def refused(code, message=None, message_prefix=None, **kwargs):
            with self.assertRaises(ClientError) as ctx:
                c.subscribe_to_shard(**kwargs)
            self.assertNotIsInstance(ctx.exception, EventStreamError)  # an answer, not an event
            self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertClientError(ctx, code, message)
            if message_prefix is not None:
                self.assertTrue(ctx.exception.response["Error"]["Message"].startswith(message_prefix),
                                ctx.exception.response)

        latest = {"Type": "LATEST"}
        refused("ResourceNotFoundException",
                "Consumer nope under stream %s under account 000000000000 not found." % name,
                ConsumerARN=arn + "/consumer/nope:1700000000", ShardId=SHARD0, StartingPosition=latest)
        refused("ResourceNotFoundException",  # the right name with another creation time
                "Consumer app-0 under stream %s under account 000000000000 not found." % name,
                ConsumerARN=consumer.rsplit(":", 1)[0] + ":1", ShardId=SHARD0, StartingPosition=latest)
        refused("ResourceNotFoundException",
                "Shard shardId-000000000009 in stream %s under account 000000000000 does not exist" % name,
                ConsumerARN=consumer, ShardId="shardId-000000000009", StartingPosition=latest)
        refused("InvalidArgumentException",
                "StartingPosition.SequenceNumber must be specified for type AT_SEQUENCE_NUMBER.",
                ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "AT_SEQUENCE_NUMBER"})
        refused("InvalidArgumentException",
                "StartingPosition.SequenceNumber must be specified for type AFTER_SEQUENCE_NUMBER.",
                ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER"})
        refused("InvalidArgumentException",
                "StartingPosition.Timestamp must be specified for type AT_TIMESTAMP.",
                ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "AT_TIMESTAMP"})
        refused("InvalidArgumentException",
                "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a "
                "shard with shardId-000000000000",
                ConsumerARN=consumer, ShardId=SHARD0,
                StartingPosition={"Type": "AT_SEQUENCE_NUMBER", "SequenceNumber": seq1["SequenceNumber"]})
        refused("InvalidArgumentException",
                "StartingSequenceNumber 12345 used in SubscribeToShard on shard shardId-000000000000 in stream %s "
                "under account 000000000000 is invalid." % name,
                ConsumerARN=consumer, ShardId=SHARD0,
                StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": "12345"})
        # None of the refused calls claimed the pair: the first real subscription goes through.
        first = self.subscribe(consumer, SHARD0, Type="LATEST")
        self.assertIsNotNone(first.next_event())
        # A second call for the same consumer and shard within 5 s is refused ...
        refused("ResourceInUseException",
                "%s: 000000000000:%s:%s:app-0" % (IN_USE_PREFIX, name, SHARD0),
                message_prefix=IN_USE_PREFIX,
                ConsumerARN=consumer, ShardId=SHARD0, StartingPosition=latest)
        # ... a different shard or a different consumer is not.
        self.assertIsNotNone(self.subscribe(consumer, SHARD1, Type="TRIM_HORIZON").read_records(1))
        self.assertIsNotNone(self.subscribe(other_consumer, SHARD0, Type="LATEST").next_event())
        # The refusal did not end the first subscription.
        put = c.put_record(StreamName=name, Data=b"still", PartitionKey="p", ExplicitHashKey="0")
        self.assertEqual([r["SequenceNumber"] for r in first.read_records(1).records], [put["SequenceNumber"]])
        # An unknown stream in the consumer ARN.
        refused("ResourceNotFoundException",
                ConsumerARN=arn.replace(name, name + "-gone") + "/consumer/app-0:1700000000", ShardId=SHARD0,
                StartingPosition=latest)

    # -- 4. heartbeat and takeover ----------------------------------------------------------------------------------
    def test_heartbeat_then_takeover_after_5_seconds(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        put = c.put_record(StreamName=name, Data=b"one", PartitionKey="p")
        old = self.subscribe(consumer, Type="TRIM_HORIZON")
        old.read_records(1)
        # Nothing more arrives: an empty heartbeat event comes about 5 s after the last event, with a
        # continuation and MillisBehindLatest 0.
        heartbeat = old.next_event()
        self.assertIsNotNone(heartbeat)
        self.assertEqual(heartbeat["Records"], [])
        self.assertEqual(heartbeat["MillisBehindLatest"], 0)
        self.assertIn("ContinuationSequenceNumber", heartbeat)
        self.assertGreater(int(heartbeat["ContinuationSequenceNumber"]), int(put["SequenceNumber"]))
        self.assertGreater(old.arrivals[-1] - old.arrivals[-2], 3.0, "a heartbeat long before 5 s")
        # More than 5 s after the first call: a new call takes over.
        new = self.subscribe(consumer, Type="AFTER_SEQUENCE_NUMBER",
                             SequenceNumber=heartbeat["ContinuationSequenceNumber"])
        self.assertStreamError(old, "ResourceInUseException",
                               "%s: 000000000000:%s:%s:app-0" % (IN_USE_PREFIX, name, SHARD0))
        self.assertIsNone(old.next_event())
        new.read_until(lambda r: len(r.events) >= 1)
        two = c.put_record(StreamName=name, Data=b"two", PartitionKey="p")
        self.assertEqual([r["SequenceNumber"] for r in new.read_records(1).records], [two["SequenceNumber"]])
        # The takeover restarted the 5 s window: a third call right now is refused.
        with self.assertRaises(ClientError) as ctx:
            c.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "LATEST"})
        self.assertClientError(ctx, "ResourceInUseException")

    # -- 5. shard end -----------------------------------------------------------------------------------------------
    def test_split_while_subscribed_then_children_then_merge(self):
        c = self.kinesis
        name, _, (consumer, consumer_b, consumer_c, consumer_d, consumer_e) = self.make_stream(consumers=5)
        written = []  # (data, ShardId, SequenceNumber)
        for i in range(5):
            out = c.put_record(StreamName=name, Data=b"before-%d" % i, PartitionKey="key-%d" % i)
            written.append((b"before-%d" % i, out["ShardId"], out["SequenceNumber"]))
        parent = self.subscribe(consumer, SHARD0, Type="TRIM_HORIZON")
        parent.read_records(5)

        # A writer keeps writing while the shard is split.
        writer_client = fresh_client(self.server)
        self.addCleanup(writer_client.close)
        progress = threading.Event()
        failures = []
        during = []

        split_done = threading.Event()

        def write():
            try:
                extra = None  # writes left once the split is done
                for i in range(5000):
                    data = b"during-%d" % i
                    out = writer_client.put_record(StreamName=name, Data=data, PartitionKey="key-%d" % i)
                    during.append((data, out["ShardId"], out["SequenceNumber"]))
                    if i == 30:
                        progress.set()
                    if extra is None and split_done.is_set():
                        extra = 30
                    if extra is not None:
                        extra -= 1
                        if extra == 0:
                            return
            except Exception as e:  # reported by the main thread
                failures.append(e)
            finally:
                progress.set()

        thread = threading.Thread(target=write)
        thread.start()
        progress.wait(20)
        try:
            c.split_shard(StreamName=name, ShardToSplit=SHARD0, NewStartingHashKey=str(2 ** 127))
        finally:
            split_done.set()
        thread.join(60)
        self.assertFalse(thread.is_alive())
        self.assertEqual(failures, [])
        written += during
        self.assertEqual({w[1] for w in during} - {SHARD0, SHARD1, SHARD2}, set())
        self.assertTrue(any(w[1] == SHARD0 for w in during) and any(w[1] != SHARD0 for w in during), during)

        # The parent's subscription: its remaining records, then ChildShards without a continuation, then the end.
        parent.read_to_end()
        in_parent = [w for w in written if w[1] == SHARD0]
        self.assertEqual([(r["Data"], r["SequenceNumber"]) for r in parent.records],
                         [(w[0], w[2]) for w in in_parent])
        final = parent.events[-1]
        self.assertNotIn("ContinuationSequenceNumber", final)
        self.assertEqual(final["MillisBehindLatest"], 0)
        children = sorted(final["ChildShards"], key=lambda ch: ch["ShardId"])
        self.assertEqual([ch["ShardId"] for ch in children], [SHARD1, SHARD2])
        for ch in children:
            self.assertEqual(ch["ParentShards"], [SHARD0])
        self.assertEqual(children[0]["HashKeyRange"], {"StartingHashKey": "0", "EndingHashKey": str(2 ** 127 - 1)})
        self.assertEqual(children[1]["HashKeyRange"],
                         {"StartingHashKey": str(2 ** 127), "EndingHashKey": str(harness.MAX_HASH_KEY)})
        for event in parent.events[:-1]:
            self.assertIn("ContinuationSequenceNumber", event)
            self.assertNotIn("ChildShards", event)

        # The children (another shard, so no 5 s wait): exactly the records routed to them.
        for child in (SHARD1, SHARD2):
            expected = [w for w in written if w[1] == child]
            sub = self.subscribe(consumer, child, Type="TRIM_HORIZON")
            sub.read_records(len(expected))
            self.assertEqual([(r["Data"], r["SequenceNumber"]) for r in sub.records],
                             [(w[0], w[2]) for w in expected], child)
            for event in sub.events:
                self.assertIn("ContinuationSequenceNumber", event)
        # Exactly once across parent and children.
        self.assertEqual(len({w[2] for w in written}), len(written))
        self.assertEqual(sorted(w[0] for w in written),
                         sorted([b"before-%d" % i for i in range(5)] + [b"during-%d" % i for i in range(len(during))]))

        # Subscribing to the closed parent: its records, then ChildShards, then the end.
        closed = self.subscribe(consumer_b, SHARD0, Type="TRIM_HORIZON").read_to_end()
        self.assertEqual([r["SequenceNumber"] for r in closed.records], [w[2] for w in in_parent])
        self.assertNotIn("ContinuationSequenceNumber", closed.events[-1])
        self.assertEqual(sorted(ch["ShardId"] for ch in closed.events[-1]["ChildShards"]), [SHARD1, SHARD2])
        at_end = self.subscribe(consumer_c, SHARD0, Type="LATEST").read_to_end()
        self.assertEqual(len(at_end.events), 1)
        self.assertEqual(at_end.events[0]["Records"], [])
        self.assertNotIn("ContinuationSequenceNumber", at_end.events[0])
        self.assertEqual(len(at_end.events[0]["ChildShards"]), 2)
        last = in_parent[-1][2]
        at_last = self.subscribe(consumer_d, SHARD0, Type="AT_SEQUENCE_NUMBER", SequenceNumber=last).read_to_end()
        self.assertEqual([r["SequenceNumber"] for r in at_last.records], [last])
        self.assertEqual(len(at_last.events[-1]["ChildShards"]), 2)
        after_last = self.subscribe(consumer_e, SHARD0, Type="AFTER_SEQUENCE_NUMBER", SequenceNumber=last).read_to_end()
        self.assertEqual(after_last.records, [])
        self.assertEqual(len(after_last.events[-1]["ChildShards"]), 2)
        self.assertNotIn("ContinuationSequenceNumber", after_last.events[-1])
        # A parent's sequence number does not fit a child.
        with self.assertRaises(ClientError) as ctx:
            c.subscribe_to_shard(ConsumerARN=consumer_e, ShardId=SHARD1,
                                 StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": last})
        self.assertClientError(ctx, "InvalidArgumentException",
                               "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in "
                               "a call to a shard with shardId-000000000001")

        # Merge the two children while one is subscribed: it ends naming the merged shard with both parents.
        harness.wait_status(c, name, "ACTIVE")
        low = self.subscribe(consumer_b, SHARD1, Type="LATEST")
        low.next_event()
        c.merge_shards(StreamName=name, ShardToMerge=SHARD1, AdjacentShardToMerge=SHARD2)
        low.read_to_end()
        self.assertEqual(low.records, [])
        self.assertNotIn("ContinuationSequenceNumber", low.events[-1])
        merged = low.events[-1]["ChildShards"]
        self.assertEqual(len(merged), 1)
        self.assertEqual(merged[0]["ShardId"], SHARD3)
        self.assertEqual(sorted(merged[0]["ParentShards"]), [SHARD1, SHARD2])
        self.assertEqual(merged[0]["HashKeyRange"], {"StartingHashKey": "0",
                                                     "EndingHashKey": str(harness.MAX_HASH_KEY)})
        after = c.put_record(StreamName=name, Data=b"merged", PartitionKey="p")
        self.assertEqual(after["ShardId"], SHARD3)
        grandchild = self.subscribe(consumer_c, SHARD3, Type="TRIM_HORIZON").read_records(1)
        self.assertEqual([r["SequenceNumber"] for r in grandchild.records], [after["SequenceNumber"]])

    # -- 7. the consumer or the stream goes away --------------------------------------------------------------------
    def test_deregistering_the_consumer_ends_the_stream(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        reader = self.subscribe(consumer, Type="LATEST")
        reader.next_event()
        c.deregister_stream_consumer(ConsumerARN=consumer)
        # The same text as DescribeStreamConsumer's for a consumer that is gone.
        consumer_name = consumer.split("/consumer/")[1].rsplit(":", 1)[0]
        self.assertStreamError(reader, "ResourceNotFoundException",
                               "Consumer %s under stream %s under account 000000000000 not found."
                               % (consumer_name, name))
        self.assertIsNone(reader.next_event())

    def test_deleting_the_stream_ends_the_stream(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        c.put_record(StreamName=name, Data=b"a", PartitionKey="p")
        reader = self.subscribe(consumer, Type="TRIM_HORIZON")
        reader.read_records(1)
        c.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        self.assertStreamError(reader, "ResourceNotFoundException",
                               "Stream %s under account 000000000000 not found." % name)
        self.assertIsNone(reader.next_event())
        wait_gone(c, name)

    # -- 8. DryRun (not in boto3's model: raw JSON) -------------------------------------------------------------------
    def test_dry_run_does_not_claim(self):
        _, _, (consumer,) = self.make_stream()
        body = {"ConsumerARN": consumer, "ShardId": SHARD0, "StartingPosition": {"Type": "LATEST"}, "DryRun": True}
        for _ in range(2):  # twice within 5 s: neither claims the pair
            resp = self.server.raw("SubscribeToShard", body)
            self.assertAwsError(resp, "DryRunOperationException",
                                "Request would have succeeded, but DryRun flag is set.")
        # The checks still run.
        resp = self.server.raw("SubscribeToShard", dict(body, ShardId="shardId-000000000007"))
        self.assertAwsError(resp, "ResourceNotFoundException", message_prefix="Shard shardId-000000000007")
        resp = self.server.raw("SubscribeToShard", dict(body, StartingPosition={"Type": "AT_SEQUENCE_NUMBER"}))
        self.assertAwsError(resp, "InvalidArgumentException")
        # A real subscription right after succeeds, and claims the pair.
        reader = self.subscribe(consumer, Type="LATEST")
        self.assertIsNotNone(reader.next_event())
        with self.assertRaises(ClientError) as ctx:
            self.kinesis.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "LATEST"})
        self.assertClientError(ctx, "ResourceInUseException")

    def test_dry_run_while_the_pair_is_in_use(self):
        """A DryRun must not say a call "would have succeeded" when the same call without DryRun is refused: every
        check runs (README), and the 5-second rule is one."""
        _, _, (consumer,) = self.make_stream()
        reader = self.subscribe(consumer, Type="LATEST")
        self.assertIsNotNone(reader.next_event())
        body = {"ConsumerARN": consumer, "ShardId": SHARD0, "StartingPosition": {"Type": "LATEST"}}
        self.assertAwsError(self.server.raw("SubscribeToShard", body), "ResourceInUseException",
                            message_prefix=IN_USE_PREFIX)
        self.assertAwsError(self.server.raw("SubscribeToShard", dict(body, DryRun=True)), "ResourceInUseException",
                            message_prefix=IN_USE_PREFIX)

    # -- encrypted streams ------------------------------------------------------------------------------------------
    def test_encrypted_records_arrive_decrypted(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        c.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        harness.wait_status(c, name, "ACTIVE")
        put = c.put_record(StreamName=name, Data=bytes(range(256)), PartitionKey="secret")
        self.assertEqual(put["EncryptionType"], "KMS")
        reader = self.subscribe(consumer, Type="TRIM_HORIZON").read_records(1)
        rec = reader.records[0]
        self.assertEqual((rec["SequenceNumber"], rec["Data"], rec["PartitionKey"], rec.get("EncryptionType")),
                         (put["SequenceNumber"], bytes(range(256)), "secret", "KMS"))


class CreatingConsumerTest(SubscribeCase):
    """Consumers take the registry's create delay to become ACTIVE."""
    server_kwargs = {"create_ms": 1500, "delete_ms": 0, "update_ms": 0, "extra_args": LIMITS_OFF}

    def test_consumer_still_creating(self):
        c = self.kinesis
        name = self.new_name("creating")
        c.create_stream(StreamName=name, ShardCount=1)
        harness.wait_status(c, name, "ACTIVE")
        arn = c.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        consumer = c.register_stream_consumer(StreamARN=arn, ConsumerName="slow")["Consumer"]
        self.assertEqual(consumer["ConsumerStatus"], "CREATING")
        created = int(consumer["ConsumerCreationTimestamp"].timestamp())
        with self.assertRaises(ClientError) as ctx:
            c.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId=SHARD0,
                                 StartingPosition={"Type": "LATEST"})
        self.assertClientError(ctx, "ResourceInUseException",
                               "Consumer slow with creation timestamp %d under stream: %s , account 000000000000. "
                               "is not in ACTIVE status." % (created, name))
        # The refusal claimed nothing: once ACTIVE, the first call succeeds.
        self.wait_consumer_active(consumer["ConsumerARN"])
        put = c.put_record(StreamName=name, Data=b"hello", PartitionKey="p")
        reader = self.subscribe(consumer["ConsumerARN"], Type="TRIM_HORIZON").read_records(1)
        self.assertEqual(reader.records[0]["SequenceNumber"], put["SequenceNumber"])


class LifetimeTest(SubscribeCase):
    server_kwargs = {"create_ms": 0, "delete_ms": 0, "update_ms": 0,
                     "extra_args": LIMITS_OFF + ["--subscription-lifetime-ms", "2000"]}

    def test_stream_ends_after_the_lifetime(self):
        c = self.kinesis
        name, _, (consumer,) = self.make_stream()
        c.put_record(StreamName=name, Data=b"a", PartitionKey="p")
        started = time.monotonic()
        reader = self.subscribe(consumer, Type="TRIM_HORIZON")
        reader.read_to_end(timeout=15)  # ends by itself, without an exception event
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 1.9, "ended before its 2 s lifetime")
        self.assertLess(elapsed, 10.0, "did not end near its 2 s lifetime")
        self.assertEqual([r["Data"] for r in reader.records], [b"a"])
        for event in reader.events:
            self.assertIn("ContinuationSequenceNumber", event)
        # The 5 s rule counts from the call, not from the end of the stream.
        with self.assertRaises(ClientError) as ctx:
            c.subscribe_to_shard(ConsumerARN=consumer, ShardId=SHARD0, StartingPosition={"Type": "LATEST"})
        self.assertClientError(ctx, "ResourceInUseException")
        self.assertTrue(ctx.exception.response["Error"]["Message"].startswith(IN_USE_PREFIX))
        # After 5 s, renewing from the last continuation continues exactly after the last record.
        time.sleep(max(0.0, started + 5.5 - time.monotonic()))
        b = c.put_record(StreamName=name, Data=b"b", PartitionKey="p")
        renewed = self.subscribe(consumer, Type="AFTER_SEQUENCE_NUMBER",
                                 SequenceNumber=reader.events[-1]["ContinuationSequenceNumber"]).read_records(1)
        self.assertEqual([r["SequenceNumber"] for r in renewed.records], [b["SequenceNumber"]])


class ServerStopTest(SubscribeCase):
    """A server of its own per test: SIGTERM while a subscription is open."""

    @classmethod
    def setUpClass(cls):
        unittest.TestCase.setUpClass()

    def setUp(self):
        self.server = harness.Server(create_ms=0, delete_ms=0, update_ms=0, extra_args=LIMITS_OFF)
        self.addCleanup(self.server.stop)
        self.server.start()

    def test_sigterm_ends_the_stream_cleanly_and_quickly(self):
        name, _, (consumer,) = self.make_stream()
        sub_client = fresh_client(self.server)
        self.addCleanup(sub_client.close)
        put = self.kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="p")
        reader = self.subscribe(consumer, Type="TRIM_HORIZON", client=sub_client).read_records(1)
        self.assertEqual(reader.records[0]["SequenceNumber"], put["SequenceNumber"])
        started = time.monotonic()
        rc = self.server.terminate(timeout=10)
        elapsed = time.monotonic() - started
        self.assertEqual(rc, 0, self.server.log_tail())
        self.assertLess(elapsed, 4.0, "the open subscription held the stop to its 5 s drain")
        reader.read_to_end(timeout=10)  # the body was ended properly: no error while reading what is left
        self.assertEqual(len(reader.records), 1)


class ThroughputLimitTest(SubscribeCase):
    """2 MiB/s per subscription with --throughput-limits on (the default). The data is written with the limits off
    (writes are 1 MiB/s per shard), then the same data dir is served with them on."""

    @classmethod
    def setUpClass(cls):
        unittest.TestCase.setUpClass()

    def test_two_mib_per_second(self):
        srv = harness.Server(create_ms=0, delete_ms=0, update_ms=0, extra_args=LIMITS_OFF)
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        c = srv.client()
        name, _, (consumer,) = self.make_stream(client=c)
        size = 256 * 1024 - 16
        total_records = 20  # 5 MiB
        puts = []
        for batch in range(4):
            records = [{"Data": bytes([batch * 5 + i]) * size, "PartitionKey": "p%02d" % (batch * 5 + i)}
                       for i in range(5)]
            out = c.put_records(StreamName=name, Records=records)
            self.assertEqual(out.get("FailedRecordCount", 0), 0, out)
            puts += [r["SequenceNumber"] for r in out["Records"]]
        record_bytes = size + 3
        self.assertEqual(srv.terminate(), 0)
        srv.extra_args = ["--throughput-limits", "on"]
        srv.start()
        c = srv.client()
        started = time.monotonic()
        reader = self.subscribe(consumer, Type="TRIM_HORIZON", client=c)
        reader.read_records(total_records, timeout=30)  # everything arrives eventually
        self.assertEqual([r["SequenceNumber"] for r in reader.records], puts)
        for i, r in enumerate(reader.records):
            self.assertEqual(r["Data"], bytes([i]) * size)
        delivered = 0
        for event, at in zip(reader.events, reader.arrivals):
            delivered += sum(len(r["Data"]) + len(r["PartitionKey"]) for r in event["Records"])
            allowed = 2 * MiB + 2 * MiB * (at - started) + record_bytes
            self.assertLessEqual(delivered, allowed, "%d bytes after %.2fs" % (delivered, at - started))
        self.assertEqual(delivered, total_records * record_bytes)
        # While held back, the events say how far behind they are (the records were written before the restart).
        with_records = [e for e in reader.events if e["Records"]]
        for event in with_records[:-1]:
            self.assertGreater(event["MillisBehindLatest"], 0, event["MillisBehindLatest"])
        self.assertEqual(with_records[-1]["MillisBehindLatest"], 0)
        self.assertGreater(len([e for e in reader.events if e["Records"]]), 1, "5 MiB in one event")


if __name__ == "__main__":
    unittest.main()
