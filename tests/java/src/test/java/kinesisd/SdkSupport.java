package kinesisd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Small helpers over KinesisCalls shared by the SDK tests. */
final class SdkSupport {
  private SdkSupport() {}

  static String uniqueName(String prefix) {
    return prefix + "-" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 1e6));
  }

  static SdkBytes bytes(String s) {
    return SdkBytes.fromUtf8String(s);
  }

  /** Creates a PROVISIONED stream and waits (on DescribeStreamSummary) until it is ACTIVE. */
  static void createActive(KinesisCalls k, String name, int shards) throws Exception {
    k.createStream(CreateStreamRequest.builder().streamName(name).shardCount(shards).build());
    waitStatus(k, name, StreamStatus.ACTIVE);
  }

  static void waitStatus(KinesisCalls k, String name, StreamStatus status) throws Exception {
    Waits.until(Duration.ofSeconds(20), name + " to be " + status, () -> {
      Thread.sleep(60);  // DescribeStreamSummary allows 20 calls/s per account: poll below that
      return k.describeStreamSummary(DescribeStreamSummaryRequest.builder().streamName(name).build())
                 .streamDescriptionSummary().streamStatus() == status;
    });
  }

  static String iterator(KinesisCalls k, String stream, String shard, ShardIteratorType type, String seq) {
    return k.getShardIterator(GetShardIteratorRequest.builder().streamName(stream).shardId(shard)
                                  .shardIteratorType(type).startingSequenceNumber(seq).build())
        .shardIterator();
  }

  /** Reads a shard from the iterator until at least n records came back (deadline 20 s). */
  static List<Record> readAtLeast(KinesisCalls k, String iterator, int n) throws Exception {
    List<Record> out = new ArrayList<>();
    String[] it = {iterator};
    Waits.until(Duration.ofSeconds(20), n + " records", () -> {
      GetRecordsResponse r = k.getRecords(GetRecordsRequest.builder().shardIterator(it[0]).build());
      out.addAll(r.records());
      it[0] = r.nextShardIterator();
      if (out.size() < n) Thread.sleep(200);  // GetRecords allows 5 calls/s per shard
      return out.size() >= n;
    });
    return out;
  }

  /** Reads a closed shard to its end; returns its records and the final response (with ChildShards). */
  static GetRecordsResponse readToEnd(KinesisCalls k, String iterator, List<Record> into) throws Exception {
    GetRecordsResponse[] last = {null};
    String[] it = {iterator};
    Waits.until(Duration.ofSeconds(20), "the end of a closed shard", () -> {
      GetRecordsResponse r = k.getRecords(GetRecordsRequest.builder().shardIterator(it[0]).build());
      into.addAll(r.records());
      last[0] = r;
      it[0] = r.nextShardIterator();
      if (it[0] != null) Thread.sleep(200);
      return it[0] == null;
    });
    return last[0];
  }
}
