package kinesisd;

import static kinesisd.SdkSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * ListShards with every ShardFilter, SplitShard and MergeShards (ChildShards at the end of a parent), stream
 * consumers, and service errors as the SDK's own exception classes.
 */
abstract class SdkShardsContract extends SdkContract {
  /** A second client of the same kind that never retries, so throttling reaches the test. */
  protected abstract KinesisCalls noRetry();

  private List<String> ids(String stream, ShardFilter filter) {
    return k.listShards(ListShardsRequest.builder().streamName(stream).shardFilter(filter).build()).shards()
        .stream().map(Shard::shardId).sorted().collect(Collectors.toList());
  }

  private static String shard(int n) {
    return String.format("shardId-%012d", n);
  }

  @Test
  void splitMergeAndEveryShardFilter() throws Exception {
    String name = uniqueName("reshard");
    createActive(k, name, 2);
    k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("x").explicitHashKey("1")
        .data(bytes("before")).build());
    Instant beforeSplit = Instant.now();
    // ShardFilter timestamps are compared in whole seconds: let the clock reach the next second.
    Waits.until(Duration.ofSeconds(3), "the next second",
        () -> Instant.now().getEpochSecond() > beforeSplit.getEpochSecond());
    String half = BigInteger.TWO.pow(126).toString();
    k.splitShard(SplitShardRequest.builder().streamName(name).shardToSplit(shard(0)).newStartingHashKey(half)
        .build());
    waitStatus(k, name, StreamStatus.ACTIVE);
    List<String> all = List.of(shard(0), shard(1), shard(2), shard(3));
    assertEquals(all, ids(name, ShardFilter.builder().type(ShardFilterType.FROM_TRIM_HORIZON).build()));
    assertEquals(List.of(shard(0), shard(1)), ids(name, ShardFilter.builder().type(ShardFilterType.AT_TRIM_HORIZON)
        .build()));
    assertEquals(all.subList(1, 4), ids(name, ShardFilter.builder().type(ShardFilterType.AT_LATEST).build()));
    assertEquals(List.of(shard(0), shard(1)), ids(name, ShardFilter.builder().type(ShardFilterType.AT_TIMESTAMP)
        .timestamp(beforeSplit).build()));
    assertEquals(all, ids(name, ShardFilter.builder().type(ShardFilterType.FROM_TIMESTAMP).timestamp(beforeSplit)
        .build()));
    assertEquals(all.subList(1, 4), ids(name, ShardFilter.builder().type(ShardFilterType.AT_TIMESTAMP)
        .timestamp(Instant.now().plusSeconds(5)).build()));
    assertEquals(all.subList(2, 4), ids(name, ShardFilter.builder().type(ShardFilterType.AFTER_SHARD_ID)
        .shardId(shard(1)).build()));

    // Paging: one shard per page, NextToken alone on the follow-up calls.
    List<String> paged = new ArrayList<>();
    ListShardsResponse page = k.listShards(ListShardsRequest.builder().streamName(name).maxResults(1).build());
    paged.addAll(page.shards().stream().map(Shard::shardId).toList());
    while (page.nextToken() != null) {
      page = k.listShards(ListShardsRequest.builder().nextToken(page.nextToken()).maxResults(1).build());
      paged.addAll(page.shards().stream().map(Shard::shardId).toList());
    }
    assertEquals(all, paged);

    // The parent ends with ChildShards and no further iterator.
    List<Record> parentRecords = new ArrayList<>();
    GetRecordsResponse end = readToEnd(k, iterator(k, name, shard(0), ShardIteratorType.TRIM_HORIZON, null),
        parentRecords);
    assertEquals(List.of("before"), parentRecords.stream().map(r -> r.data().asUtf8String()).toList());
    assertEquals(List.of(shard(2), shard(3)), end.childShards().stream().map(ChildShard::shardId).sorted().toList());
    for (ChildShard c : end.childShards()) assertEquals(List.of(shard(0)), c.parentShards());

    k.mergeShards(MergeShardsRequest.builder().streamName(name).shardToMerge(shard(2)).adjacentShardToMerge(shard(3))
        .build());
    waitStatus(k, name, StreamStatus.ACTIVE);
    List<Shard> open = k.listShards(ListShardsRequest.builder().streamName(name)
        .shardFilter(ShardFilter.builder().type(ShardFilterType.AT_LATEST).build()).build()).shards();
    assertEquals(List.of(shard(1), shard(4)), open.stream().map(Shard::shardId).sorted().toList());
    Shard merged = open.stream().filter(s -> s.shardId().equals(shard(4))).findFirst().orElseThrow();
    assertEquals(shard(2), merged.parentShardId());
    assertEquals(shard(3), merged.adjacentParentShardId());
    assertEquals("0", merged.hashKeyRange().startingHashKey());
    GetRecordsResponse childEnd = readToEnd(k, iterator(k, name, shard(2), ShardIteratorType.TRIM_HORIZON, null),
        new ArrayList<>());
    assertEquals(List.of(shard(4)), childEnd.childShards().stream().map(ChildShard::shardId).toList());
    assertEquals(List.of(shard(2), shard(3)), childEnd.childShards().get(0).parentShards().stream().sorted()
        .toList());
  }

  @Test
  void consumersRegisterDescribeListDeregister() throws Exception {
    String name = uniqueName("cons");
    createActive(k, name, 1);
    String arn = k.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(name).build())
        .streamDescriptionSummary().streamARN();
    Consumer c = k.registerStreamConsumer(RegisterStreamConsumerRequest.builder().streamARN(arn)
        .consumerName("app").build()).consumer();
    assertEquals("app", c.consumerName());
    assertTrue(c.consumerARN().startsWith(arn + "/consumer/app:"), c.consumerARN());
    assertEquals(ConsumerStatus.CREATING, c.consumerStatus());
    Waits.until(Duration.ofSeconds(20), "the consumer to be ACTIVE", () -> {
      Thread.sleep(100);
      return k.describeStreamConsumer(DescribeStreamConsumerRequest.builder().consumerARN(c.consumerARN()).build())
          .consumerDescription().consumerStatus() == ConsumerStatus.ACTIVE;
    });
    ConsumerDescription byName = k.describeStreamConsumer(DescribeStreamConsumerRequest.builder().streamARN(arn)
        .consumerName("app").build()).consumerDescription();
    assertEquals(c.consumerARN(), byName.consumerARN());
    assertEquals(arn, byName.streamARN());
    assertNotNull(byName.consumerCreationTimestamp());
    List<Consumer> listed = k.listStreamConsumers(ListStreamConsumersRequest.builder().streamARN(arn).build())
        .consumers();
    assertEquals(List.of(c.consumerARN()), listed.stream().map(Consumer::consumerARN).toList());
    assertThrows(ResourceInUseException.class, () -> k.registerStreamConsumer(RegisterStreamConsumerRequest
        .builder().streamARN(arn).consumerName("app").build()));
    k.deregisterStreamConsumer(DeregisterStreamConsumerRequest.builder().consumerARN(c.consumerARN()).build());
    Waits.until(Duration.ofSeconds(20), "the consumer to be gone", () -> {
      Thread.sleep(100);
      try {
        k.describeStreamConsumer(DescribeStreamConsumerRequest.builder().consumerARN(c.consumerARN()).build());
        return false;
      } catch (ResourceNotFoundException e) {
        return true;
      }
    });
  }

  private static void assertServiceError(AwsServiceException e, String code) {
    assertEquals(400, e.statusCode(), e.toString());
    assertEquals(code, e.awsErrorDetails().errorCode());
    assertNotNull(e.awsErrorDetails().errorMessage(), "message");
    assertFalse(e.awsErrorDetails().errorMessage().isEmpty());
  }

  @Test
  void serviceErrorsAreTheSdksExceptionClasses() throws Exception {
    String missing = uniqueName("missing");
    ResourceNotFoundException nf = assertThrows(ResourceNotFoundException.class,
        () -> k.describeStream(DescribeStreamRequest.builder().streamName(missing).build()));
    assertServiceError(nf, "ResourceNotFoundException");
    assertTrue(nf.awsErrorDetails().errorMessage().contains(missing), nf.getMessage());

    String name = uniqueName("errs");
    createActive(k, name, 1);
    assertServiceError(assertThrows(ResourceInUseException.class,
        () -> k.createStream(CreateStreamRequest.builder().streamName(name).shardCount(1).build())),
        "ResourceInUseException");
    assertServiceError(assertThrows(InvalidArgumentException.class,
        () -> k.getShardIterator(GetShardIteratorRequest.builder().streamName(name).shardId(shard(0))
            .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).build())), "InvalidArgumentException");
    assertServiceError(assertThrows(ResourceNotFoundException.class,
        () -> k.getShardIterator(GetShardIteratorRequest.builder().streamName(name).shardId(shard(7))
            .shardIteratorType(ShardIteratorType.LATEST).build())), "ResourceNotFoundException");
    assertServiceError(assertThrows(InvalidArgumentException.class,
        () -> k.getRecords(GetRecordsRequest.builder().shardIterator("not-an-iterator").build())),
        "InvalidArgumentException");
    assertServiceError(assertThrows(ValidationException.class,
        () -> k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("").data(bytes("x")).build())),
        "ValidationException");

    // GetRecords allows 5 calls a second per shard: a client that never retries sees the throttle.
    KinesisCalls raw = noRetry();
    String it = iterator(k, name, shard(0), ShardIteratorType.TRIM_HORIZON, null);
    ProvisionedThroughputExceededException throttled = null;
    for (int i = 0; i < 50 && throttled == null; i++) {
      try {
        it = raw.getRecords(GetRecordsRequest.builder().shardIterator(it).build()).nextShardIterator();
      } catch (ProvisionedThroughputExceededException e) {
        throttled = e;
      }
    }
    assertNotNull(throttled, "50 GetRecords calls in a row on one shard were never throttled");
    assertServiceError(throttled, "ProvisionedThroughputExceededException");
  }
}
