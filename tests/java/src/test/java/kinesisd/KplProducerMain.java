package kinesisd;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.Attempt;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.google.common.util.concurrent.ListenableFuture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the KPL in its own JVM (KplTest starts it): its generated protobuf classes need protobuf-java 3, the
 * KCL's need 4, so the two cannot share a class path.
 *
 * <p>Reads user records from stdin, one per line: stream, partition key, explicit hash key (or empty) and the
 * base64 payload, tab-separated. At end of input it flushes and prints one line per record: success, shard id,
 * sequence number and the error codes of its failed attempts (comma-separated). Configuration comes from system
 * properties kpl.port, kpl.stsPort, kpl.caDir, kpl.tmp.
 */
public final class KplProducerMain {
  /**
   * The KPL aggregates only once it has the stream's shard map (ListShards, fetched in the background at
   * start); until then it sends user records one by one. Puts pairs of "kpl-warmup" records until a pair comes
   * back as one aggregated Kinesis record (same sequence number), so the records under test are aggregated.
   */
  private static void awaitAggregation(KinesisProducer kpl, String stream) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      byte[] d = "warmup".getBytes(StandardCharsets.UTF_8);
      ListenableFuture<UserRecordResult> a = kpl.addUserRecord(stream, "kpl-warmup", ByteBuffer.wrap(d));
      ListenableFuture<UserRecordResult> b = kpl.addUserRecord(stream, "kpl-warmup", ByteBuffer.wrap(d));
      kpl.flushSync();
      if (a.get(30, TimeUnit.SECONDS).getSequenceNumber().equals(b.get(30, TimeUnit.SECONDS).getSequenceNumber())) {
        return;
      }
    }
    throw new IllegalStateException("the KPL never aggregated (no shard map for " + stream + ")");
  }

  public static void main(String[] args) throws Exception {
    KinesisProducerConfiguration c = new KinesisProducerConfiguration()
        .setRegion("us-east-1")
        .setKinesisEndpoint("127.0.0.1")
        .setKinesisPort(Long.parseLong(System.getProperty("kpl.port")))
        .setVerifyCertificate(true)
        .setCaCertPath(System.getProperty("kpl.caDir"))
        .setStsEndpoint("127.0.0.1")
        .setStsPort(Long.parseLong(System.getProperty("kpl.stsPort")))
        .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("AKIDKPLTEST", "secret")))
        .setMetricsLevel("none")
        .setAggregationEnabled(true)
        .setRecordMaxBufferedTime(100)
        .setRequestTimeout(10000)
        // One connection: the KPL then has one PutRecords in flight, so a key's records reach their shard in the
        // order they were added (with many connections, concurrent requests to a shard may land in any order).
        .setMinConnections(1)
        .setMaxConnections(1)
        .setLogLevel("warning")
        .setTempDirectory(System.getProperty("kpl.tmp"));
    List<String[]> lines = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) lines.add(line.split("\t", -1));
    }
    KinesisProducer kpl = new KinesisProducer(c);
    if (!lines.isEmpty()) awaitAggregation(kpl, lines.get(0)[0]);
    List<ListenableFuture<UserRecordResult>> futures = new ArrayList<>();
    for (String[] f : lines) {
      ByteBuffer data = ByteBuffer.wrap(Base64.getDecoder().decode(f[3]));
      futures.add(kpl.addUserRecord(f[0], f[1], f[2].isEmpty() ? null : f[2], data));
    }
    kpl.flushSync();
    StringBuilder out = new StringBuilder();
    for (ListenableFuture<UserRecordResult> fu : futures) {
      UserRecordResult r;
      try {
        r = fu.get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        out.append("false\t\t\t").append(e.getClass().getSimpleName()).append('\n');
        continue;
      }
      String failed = r.getAttempts().stream().filter(a -> !a.isSuccessful()).map(Attempt::getErrorCode)
          .collect(Collectors.joining(","));
      out.append(r.isSuccessful()).append('\t').append(r.getShardId()).append('\t').append(r.getSequenceNumber())
          .append('\t').append(failed).append('\n');
    }
    System.out.print(out);
    System.out.flush();
    kpl.destroy();
    System.exit(0);
  }
}
