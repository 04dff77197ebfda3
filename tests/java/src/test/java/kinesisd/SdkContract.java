package kinesisd;

import static kinesisd.SdkSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The Kinesis data and control plane through one SDK client (a subclass picks Netty/HTTP/2 or Apache/HTTP/1.1)
 * against a real kinesisd with its default limits. The protocol is the SDK's default CBOR, or JSON when the
 * JVM runs with -Daws.cborEnabled=false; every request's Content-Type is checked against that.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SdkContract {
  protected Kinesisd server;
  protected final Clients.ContentTypes contentTypes = new Clients.ContentTypes();
  protected KinesisCalls k;

  /** Builds the client under test and returns its calls. */
  protected abstract KinesisCalls open(Kinesisd server) throws Exception;

  protected abstract void closeClient();

  @BeforeAll
  void startServer() throws Exception {
    server = Kinesisd.started();
    k = open(server);
  }

  @AfterAll
  void stopServer() throws Exception {
    try {
      if (k != null) {
        // The SDK sends SubscribeToShard as JSON whatever the setting (its event-stream operations have no CBOR).
        for (String seen : contentTypes.seen) {
          String want = seen.startsWith("SubscribeToShard ") ? "application/x-amz-json-1.1"
                                                              : Clients.expectedContentType();
          assertTrue(seen.endsWith(" " + want), "request Content-Type: " + seen);
        }
        assertFalse(contentTypes.seen.isEmpty(), "the interceptor saw the requests");
      }
      closeClient();
    } finally {
      if (server != null) server.close();
    }
  }

  @Test
  void streamLifecycle() throws Exception {
    String name = uniqueName("life");
    CreateStreamResponse created = k.createStream(CreateStreamRequest.builder().streamName(name).shardCount(3).build());
    assertNotNull(created);
    waitStatus(k, name, StreamStatus.ACTIVE);
    StreamDescription d = k.describeStream(DescribeStreamRequest.builder().streamName(name).build()).streamDescription();
    assertEquals(name, d.streamName());
    assertEquals(StreamStatus.ACTIVE, d.streamStatus());
    assertEquals("arn:aws:kinesis:us-east-1:000000000000:stream/" + name, d.streamARN());
    assertEquals(3, d.shards().size());
    assertEquals(24, d.retentionPeriodHours());
    assertNotNull(d.streamCreationTimestamp());
    assertFalse(d.hasMoreShards());
    assertEquals("0", d.shards().get(0).hashKeyRange().startingHashKey());
    assertEquals(BigInteger.TWO.pow(128).subtract(BigInteger.ONE).toString(),
        d.shards().get(2).hashKeyRange().endingHashKey());
    StreamDescriptionSummary s = k.describeStreamSummary(
        DescribeStreamSummaryRequest.builder().streamARN(d.streamARN()).build()).streamDescriptionSummary();
    assertEquals(3, s.openShardCount());
    assertEquals(StreamMode.PROVISIONED, s.streamModeDetails().streamMode());
    assertNotNull(s.streamId(), "StreamId (read by KCL 3.4+)");
    ListStreamsResponse list = k.listStreams(ListStreamsRequest.builder().build());
    assertTrue(list.streamNames().contains(name));
    assertTrue(list.streamSummaries().stream().anyMatch(x -> x.streamName().equals(name)
        && x.streamARN().equals(d.streamARN()) && x.streamCreationTimestamp() != null));
    k.deleteStream(DeleteStreamRequest.builder().streamName(name).build());
    Waits.until(java.time.Duration.ofSeconds(20), name + " to be gone", () -> {
      Thread.sleep(100);
      try {
        k.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(name).build());
        return false;
      } catch (ResourceNotFoundException e) {
        return true;
      }
    });
  }

  @Test
  void putRecordAndPutRecordsThenGetRecordsInOrder() throws Exception {
    String name = uniqueName("put");
    createActive(k, name, 1);
    byte[] allBytes = new byte[256];
    for (int i = 0; i < 256; i++) allBytes[i] = (byte) i;
    PutRecordResponse first = k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("pk")
        .data(SdkBytes.fromByteArray(allBytes)).build());
    assertEquals("shardId-000000000000", first.shardId());
    assertTrue(first.sequenceNumber().matches("\\d{20,}"), first.sequenceNumber());
    List<PutRecordsRequestEntry> entries = IntStream.range(0, 20).mapToObj(i -> PutRecordsRequestEntry.builder()
        .partitionKey("k" + (i % 3)).data(bytes("rec-" + i)).build()).collect(Collectors.toList());
    PutRecordsResponse batch = k.putRecords(PutRecordsRequest.builder().streamName(name).records(entries).build());
    assertEquals(0, batch.failedRecordCount());
    assertEquals(20, batch.records().size());
    for (PutRecordsResultEntry e : batch.records()) {
      assertEquals("shardId-000000000000", e.shardId());
      assertNull(e.errorCode());
    }
    List<Record> got = readAtLeast(k, iterator(k, name, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON,
        null), 21);
    assertEquals(21, got.size());
    assertArrayEquals(allBytes, got.get(0).data().asByteArray(), "binary blob round trip");
    assertEquals(first.sequenceNumber(), got.get(0).sequenceNumber());
    for (int i = 0; i < 20; i++) {
      Record r = got.get(i + 1);
      assertEquals("rec-" + i, r.data().asUtf8String());
      assertEquals("k" + (i % 3), r.partitionKey());
      assertEquals(batch.records().get(i).sequenceNumber(), r.sequenceNumber());
      assertNotNull(r.approximateArrivalTimestamp());
    }
  }

  @Test
  void explicitHashKeyRoutesToItsShard() throws Exception {
    String name = uniqueName("ehk");
    createActive(k, name, 2);
    String top = BigInteger.TWO.pow(128).subtract(BigInteger.ONE).toString();
    PutRecordResponse hi = k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("a")
        .explicitHashKey(top).data(bytes("hi")).build());
    PutRecordResponse lo = k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("a")
        .explicitHashKey("0").data(bytes("lo")).build());
    assertEquals("shardId-000000000001", hi.shardId());
    assertEquals("shardId-000000000000", lo.shardId());
  }

  @Test
  void everyShardIteratorType() throws Exception {
    String name = uniqueName("iter");
    createActive(k, name, 1);
    String shard = "shardId-000000000000";
    String latest = iterator(k, name, shard, ShardIteratorType.LATEST, null);
    List<String> seqs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seqs.add(k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p").data(bytes("r" + i))
          .build()).sequenceNumber());
    }
    assertEquals("r0", readAtLeast(k, latest, 3).get(0).data().asUtf8String(), "LATEST taken before the puts");
    assertEquals("r1", readAtLeast(k, iterator(k, name, shard, ShardIteratorType.AT_SEQUENCE_NUMBER,
        seqs.get(1)), 1).get(0).data().asUtf8String());
    assertEquals("r2", readAtLeast(k, iterator(k, name, shard, ShardIteratorType.AFTER_SEQUENCE_NUMBER,
        seqs.get(1)), 1).get(0).data().asUtf8String());
    assertEquals("r0", readAtLeast(k, iterator(k, name, shard, ShardIteratorType.TRIM_HORIZON, null), 3)
        .get(0).data().asUtf8String());
    GetRecordsResponse empty = k.getRecords(GetRecordsRequest.builder()
        .shardIterator(iterator(k, name, shard, ShardIteratorType.LATEST, null)).build());
    assertTrue(empty.records().isEmpty());
    assertNotNull(empty.nextShardIterator());
    assertEquals(0L, empty.millisBehindLatest());
  }

  @Test
  void atTimestampWithMilliseconds() throws Exception {
    String name = uniqueName("ts");
    createActive(k, name, 1);
    String shard = "shardId-000000000000";
    k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p").data(bytes("a")).build());
    Instant tsA = readAtLeast(k, iterator(k, name, shard, ShardIteratorType.TRIM_HORIZON, null), 1).get(0)
        .approximateArrivalTimestamp();
    assertTrue(Math.abs(tsA.toEpochMilli() - System.currentTimeMillis()) < 60_000, "arrival time is now: " + tsA);
    Waits.until(java.time.Duration.ofSeconds(5), "the clock to pass A's arrival",
        () -> System.currentTimeMillis() > tsA.toEpochMilli() + 2);
    k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p").data(bytes("b")).build());
    List<Record> fromA = readAtLeast(k, k.getShardIterator(GetShardIteratorRequest.builder().streamName(name)
        .shardId(shard).shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(tsA).build())
        .shardIterator(), 2);
    assertEquals("a", fromA.get(0).data().asUtf8String(), "AT_TIMESTAMP at A's own millisecond includes A");
    Instant afterA = tsA.plusMillis(1);
    List<Record> fromB = readAtLeast(k, k.getShardIterator(GetShardIteratorRequest.builder().streamName(name)
        .shardId(shard).shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(afterA).build())
        .shardIterator(), 1);
    assertEquals("b", fromB.get(0).data().asUtf8String(), "one millisecond later excludes A");
    assertFalse(fromB.get(0).approximateArrivalTimestamp().isBefore(afterA));
  }
}
