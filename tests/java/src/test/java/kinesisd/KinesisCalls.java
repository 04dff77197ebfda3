package kinesisd;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.*;

/**
 * The Kinesis operations the SDK tests use, over either the synchronous client (Apache, HTTP/1.1) or the
 * asynchronous one (Netty, HTTP/2). Request and response classes are the SDK's own and shared by both clients;
 * the async side joins and rethrows the service exception itself, so tests assert on the same classes.
 */
public interface KinesisCalls {
  CreateStreamResponse createStream(CreateStreamRequest r);

  DescribeStreamResponse describeStream(DescribeStreamRequest r);

  DescribeStreamSummaryResponse describeStreamSummary(DescribeStreamSummaryRequest r);

  ListStreamsResponse listStreams(ListStreamsRequest r);

  DeleteStreamResponse deleteStream(DeleteStreamRequest r);

  PutRecordResponse putRecord(PutRecordRequest r);

  PutRecordsResponse putRecords(PutRecordsRequest r);

  GetShardIteratorResponse getShardIterator(GetShardIteratorRequest r);

  GetRecordsResponse getRecords(GetRecordsRequest r);

  ListShardsResponse listShards(ListShardsRequest r);

  SplitShardResponse splitShard(SplitShardRequest r);

  MergeShardsResponse mergeShards(MergeShardsRequest r);

  RegisterStreamConsumerResponse registerStreamConsumer(RegisterStreamConsumerRequest r);

  DescribeStreamConsumerResponse describeStreamConsumer(DescribeStreamConsumerRequest r);

  ListStreamConsumersResponse listStreamConsumers(ListStreamConsumersRequest r);

  DeregisterStreamConsumerResponse deregisterStreamConsumer(DeregisterStreamConsumerRequest r);

  static KinesisCalls of(KinesisClient c) {
    return new KinesisCalls() {
      public CreateStreamResponse createStream(CreateStreamRequest r) { return c.createStream(r); }
      public DescribeStreamResponse describeStream(DescribeStreamRequest r) { return c.describeStream(r); }
      public DescribeStreamSummaryResponse describeStreamSummary(DescribeStreamSummaryRequest r) {
        return c.describeStreamSummary(r);
      }
      public ListStreamsResponse listStreams(ListStreamsRequest r) { return c.listStreams(r); }
      public DeleteStreamResponse deleteStream(DeleteStreamRequest r) { return c.deleteStream(r); }
      public PutRecordResponse putRecord(PutRecordRequest r) { return c.putRecord(r); }
      public PutRecordsResponse putRecords(PutRecordsRequest r) { return c.putRecords(r); }
      public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest r) {
        return c.getShardIterator(r);
      }
      public GetRecordsResponse getRecords(GetRecordsRequest r) { return c.getRecords(r); }
      public ListShardsResponse listShards(ListShardsRequest r) { return c.listShards(r); }
      public SplitShardResponse splitShard(SplitShardRequest r) { return c.splitShard(r); }
      public MergeShardsResponse mergeShards(MergeShardsRequest r) { return c.mergeShards(r); }
      public RegisterStreamConsumerResponse registerStreamConsumer(RegisterStreamConsumerRequest r) {
        return c.registerStreamConsumer(r);
      }
      public DescribeStreamConsumerResponse describeStreamConsumer(DescribeStreamConsumerRequest r) {
        return c.describeStreamConsumer(r);
      }
      public ListStreamConsumersResponse listStreamConsumers(ListStreamConsumersRequest r) {
        return c.listStreamConsumers(r);
      }
      public DeregisterStreamConsumerResponse deregisterStreamConsumer(DeregisterStreamConsumerRequest r) {
        return c.deregisterStreamConsumer(r);
      }
    };
  }

  static KinesisCalls of(KinesisAsyncClient c) {
    return new KinesisCalls() {
      public CreateStreamResponse createStream(CreateStreamRequest r) { return join(c::createStream, r); }
      public DescribeStreamResponse describeStream(DescribeStreamRequest r) {
        return join(c::describeStream, r);
      }
      public DescribeStreamSummaryResponse describeStreamSummary(DescribeStreamSummaryRequest r) {
        return join(c::describeStreamSummary, r);
      }
      public ListStreamsResponse listStreams(ListStreamsRequest r) { return join(c::listStreams, r); }
      public DeleteStreamResponse deleteStream(DeleteStreamRequest r) { return join(c::deleteStream, r); }
      public PutRecordResponse putRecord(PutRecordRequest r) { return join(c::putRecord, r); }
      public PutRecordsResponse putRecords(PutRecordsRequest r) { return join(c::putRecords, r); }
      public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest r) {
        return join(c::getShardIterator, r);
      }
      public GetRecordsResponse getRecords(GetRecordsRequest r) { return join(c::getRecords, r); }
      public ListShardsResponse listShards(ListShardsRequest r) { return join(c::listShards, r); }
      public SplitShardResponse splitShard(SplitShardRequest r) { return join(c::splitShard, r); }
      public MergeShardsResponse mergeShards(MergeShardsRequest r) { return join(c::mergeShards, r); }
      public RegisterStreamConsumerResponse registerStreamConsumer(RegisterStreamConsumerRequest r) {
        return join(c::registerStreamConsumer, r);
      }
      public DescribeStreamConsumerResponse describeStreamConsumer(DescribeStreamConsumerRequest r) {
        return join(c::describeStreamConsumer, r);
      }
      public ListStreamConsumersResponse listStreamConsumers(ListStreamConsumersRequest r) {
        return join(c::listStreamConsumers, r);
      }
      public DeregisterStreamConsumerResponse deregisterStreamConsumer(DeregisterStreamConsumerRequest r) {
        return join(c::deregisterStreamConsumer, r);
      }
    };
  }

  /** Waits for an async call and rethrows its failure unwrapped (the SDK's exception class, not a wrapper). */
  static <Q, A> A join(Function<Q, CompletableFuture<A>> call, Q request) {
    try {
      return call.apply(request).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw e;
    }
  }
}
