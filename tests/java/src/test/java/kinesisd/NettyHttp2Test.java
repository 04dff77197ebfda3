package kinesisd;

import static kinesisd.SdkSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * KinesisAsyncClient on the Netty client: HTTP/2 over TLS (ALPN), and SubscribeToShard through the SDK's
 * event-stream visitor.
 */
class NettyHttp2Test extends SdkShardsContract {
  private KinesisAsyncClient client;
  private KinesisAsyncClient noRetryClient;

  @Override
  protected KinesisCalls open(Kinesisd server) {
    client = Clients.async(server, contentTypes, null);
    noRetryClient = Clients.async(server, contentTypes, AwsRetryStrategy.doNotRetry());
    return KinesisCalls.of(client);
  }

  @Override
  protected KinesisCalls noRetry() {
    return KinesisCalls.of(noRetryClient);
  }

  @Override
  protected void closeClient() {
    if (client != null) client.close();
    if (noRetryClient != null) noRetryClient.close();
  }

  /** The SDK's defaults for Kinesis (HTTP/2, protocol assumed, no fallback to HTTP/1.1) work as they are. */
  @Test
  void sdkDefaultNettyHttp2() throws Exception {
    try (KinesisAsyncClient plain = KinesisAsyncClient.builder().endpointOverride(server.httpsUri())
        .region(Clients.REGION).credentialsProvider(Clients.CREDENTIALS)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().tlsTrustManagersProvider(Clients.trustKinesisd(server)))
        .overrideConfiguration(ClientOverrideConfiguration.builder().addExecutionInterceptor(contentTypes).build())
        .build()) {
      KinesisCalls p = KinesisCalls.of(plain);
      String name = uniqueName("h2");
      createActive(p, name, 1);
      List<CompletableFuture<PutRecordResponse>> puts = new ArrayList<>();
      for (int i = 0; i < 50; i++) {  // concurrent streams on one HTTP/2 connection
        puts.add(plain.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p" + i)
            .data(bytes("v" + i)).build()));
      }
      CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(20, TimeUnit.SECONDS);
      assertEquals(50, readAtLeast(p, iterator(p, name, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON,
          null), 50).size());
    }
  }

  /** Requests that carry a StreamId (as the KCL 3.4+ sends them) reach kinesisd through an endpoint provider. */
  @Test
  void requestsWithStreamIdThroughAnEndpointProvider() throws Exception {
    String name = uniqueName("sid");
    createActive(k, name, 1);
    String id = k.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(name).build())
        .streamDescriptionSummary().streamId();
    assertTrue(id.matches("[a-z0-9]{20}-[a-z0-9]{3}"), id);
    try (KinesisAsyncClient kcl = Clients.forKcl(server)) {
      KinesisCalls c = KinesisCalls.of(kcl);
      assertEquals(name, c.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(name)
          .streamId(id).build()).streamDescriptionSummary().streamName());
      c.putRecord(PutRecordRequest.builder().streamName(name).streamId(id).partitionKey("p").data(bytes("x")).build());
      assertEquals(1, c.listShards(ListShardsRequest.builder().streamName(name).streamId(id).build()).shards().size());
      assertThrows(ResourceNotFoundException.class, () -> c.describeStreamSummary(DescribeStreamSummaryRequest
          .builder().streamName(name).streamId("a".repeat(20) + "-zzz").build()));
    }
  }

  private String activeConsumer(String stream) throws Exception {
    String arn = k.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(stream).build())
        .streamDescriptionSummary().streamARN();
    String consumer = k.registerStreamConsumer(RegisterStreamConsumerRequest.builder().streamARN(arn)
        .consumerName("sub").build()).consumer().consumerARN();
    Waits.until(Duration.ofSeconds(20), "the consumer to be ACTIVE", () -> {
      Thread.sleep(100);
      return k.describeStreamConsumer(DescribeStreamConsumerRequest.builder().consumerARN(consumer).build())
          .consumerDescription().consumerStatus() == ConsumerStatus.ACTIVE;
    });
    return consumer;
  }

  /** Events seen by one subscription's visitor. */
  private static final class Seen {
    final List<Record> records = new CopyOnWriteArrayList<>();
    final List<SubscribeToShardEvent> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> done;

    Seen(KinesisAsyncClient client, String consumer, String shard, StartingPosition pos) {
      SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
          .subscriber(SubscribeToShardResponseHandler.Visitor.builder().onSubscribeToShardEvent(e -> {
            events.add(e);
            records.addAll(e.records());
          }).build())
          .build();
      done = client.subscribeToShard(SubscribeToShardRequest.builder().consumerARN(consumer).shardId(shard)
          .startingPosition(pos).build(), handler);
    }
  }

  @Test
  void subscribeToShardPushesRecordsInOrder() throws Exception {
    String name = uniqueName("sub");
    createActive(k, name, 1);
    String consumer = activeConsumer(name);
    for (int i = 0; i < 5; i++) {
      k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p").data(bytes("before-" + i)).build());
    }
    Seen seen = new Seen(client, consumer, "shardId-000000000000",
        StartingPosition.builder().type(ShardIteratorType.TRIM_HORIZON).build());
    Waits.until(Duration.ofSeconds(20), "the records put before subscribing", () -> seen.records.size() >= 5);
    List<String> lastSeqs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      lastSeqs.add(k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p")
          .data(bytes("during-" + i)).build()).sequenceNumber());
    }
    Waits.until(Duration.ofSeconds(20), "the records put while subscribed", () -> seen.records.size() >= 10);
    List<String> data = seen.records.stream().map(r -> r.data().asUtf8String()).toList();
    assertEquals(List.of("before-0", "before-1", "before-2", "before-3", "before-4", "during-0", "during-1",
        "during-2", "during-3", "during-4"), data);
    // The event that carried the last record continues at or after it (a resume from there skips nothing).
    SubscribeToShardEvent carrier = seen.events.stream().filter(e -> e.records().stream().anyMatch(r ->
        r.sequenceNumber().equals(lastSeqs.get(4)))).findFirst().orElseThrow();
    assertTrue(new BigInteger(carrier.continuationSequenceNumber()).compareTo(new BigInteger(lastSeqs.get(4))) >= 0,
        carrier.continuationSequenceNumber() + " vs " + lastSeqs.get(4));
    assertTrue(seen.events.stream().allMatch(e -> e.millisBehindLatest() != null));

    // A second subscription to the same consumer and shard within 5 s is refused.
    Seen second = new Seen(client, consumer, "shardId-000000000000",
        StartingPosition.builder().type(ShardIteratorType.LATEST).build());
    CompletionException refused = assertThrows(CompletionException.class, () -> second.done.join());
    assertInstanceOf(ResourceInUseException.class, refused.getCause(), refused.toString());
    assertFalse(seen.done.isDone(), "the first subscription keeps running");
    seen.done.cancel(true);
  }

  @Test
  void subscriptionToAClosedShardEndsWithChildShards() throws Exception {
    String name = uniqueName("subend");
    createActive(k, name, 1);
    String consumer = activeConsumer(name);
    String seq = k.putRecord(PutRecordRequest.builder().streamName(name).partitionKey("p").data(bytes("parent"))
        .build()).sequenceNumber();
    k.splitShard(SplitShardRequest.builder().streamName(name).shardToSplit("shardId-000000000000")
        .newStartingHashKey(BigInteger.TWO.pow(127).toString()).build());
    waitStatus(k, name, StreamStatus.ACTIVE);
    Seen seen = new Seen(client, consumer, "shardId-000000000000",
        StartingPosition.builder().type(ShardIteratorType.AT_SEQUENCE_NUMBER).sequenceNumber(seq).build());
    seen.done.get(20, TimeUnit.SECONDS);  // the stream completes normally at the shard's end
    assertEquals(List.of("parent"), seen.records.stream().map(r -> r.data().asUtf8String()).toList());
    SubscribeToShardEvent last = seen.events.get(seen.events.size() - 1);
    assertNull(last.continuationSequenceNumber());
    assertEquals(List.of("shardId-000000000001", "shardId-000000000002"),
        last.childShards().stream().map(ChildShard::shardId).sorted().toList());
  }
}
