package kinesisd;

import static kinesisd.SdkSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.Attempt;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.google.common.util.concurrent.ListenableFuture;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import kinesisd.KclChecks.Put;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The KPL (its native daemon, from the jar) against kinesisd over TLS, verifying kinesisd's certificate through
 * CaCertPath; aggregation on, and the KCL deaggregating what it wrote.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KplTest {
  private static final byte[] KPL_MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
  private Kinesisd server;
  private MotoDynamo moto;
  private MotoDynamo sts;
  private KinesisClient sdk;
  private KinesisCalls k;
  private Path caDir;

  @BeforeAll
  void start() throws Exception {
    // The KPL daemon's AWS SDK for C++ would otherwise ask the EC2 instance metadata service (169.254.169.254)
    // for credentials and region; ctest sets this for the kpl entries.
    assertEquals("true", System.getenv("AWS_EC2_METADATA_DISABLED"), "AWS_EC2_METADATA_DISABLED must be true");
    server = Kinesisd.started();
    sts = MotoDynamo.startSts(server.tmpDir(), server.certPath(), server.certPath().resolveSibling("key.pem"));
    moto = MotoDynamo.start(server.tmpDir());
    sdk = Clients.sync(server, null, null);
    k = KinesisCalls.of(sdk);
    // The KPL's libcurl reads a CA directory in OpenSSL's hashed layout: <subject hash>.0
    caDir = Files.createDirectories(server.tmpDir().resolve("kpl-ca"));
    Process p = new ProcessBuilder("openssl", "x509", "-hash", "-noout", "-in", server.certPath().toString())
        .redirectErrorStream(true).start();
    String hash = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    assertEquals(0, p.waitFor(), "openssl x509 -hash: " + hash);
    Files.copy(server.certPath(), caDir.resolve(hash + ".0"));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (sdk != null) sdk.close();
      if (moto != null) moto.close();
      if (sts != null) sts.close();
    } finally {
      if (server != null) server.close();
    }
  }

  private KinesisProducer producer() {
    KinesisProducerConfiguration c = new KinesisProducerConfiguration()
        .setRegion("us-east-1")
        .setKinesisEndpoint("127.0.0.1")
        .setKinesisPort(server.port())
        .setVerifyCertificate(true)
        .setCaCertPath(caDir.toString())
        .setStsEndpoint("127.0.0.1")
        .setStsPort(sts.port())
        .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("AKIDKPLTEST", "secret")))
        .setMetricsLevel("none")
        .setAggregationEnabled(true)
        .setRecordMaxBufferedTime(100)
        .setRequestTimeout(10000)
        .setLogLevel("warning")
        .setTempDirectory(server.tmpDir().toString());
    return new KinesisProducer(c);
  }

  private static List<UserRecordResult> all(List<ListenableFuture<UserRecordResult>> futures) throws Exception {
    List<UserRecordResult> out = new ArrayList<>();
    for (ListenableFuture<UserRecordResult> f : futures) out.add(f.get(60, TimeUnit.SECONDS));
    return out;
  }

  /** Every Kinesis record of a shard from TRIM_HORIZON, as GetRecords returns them (aggregates not opened). */
  private List<Record> rawRecords(String stream, String shard, int atLeast) throws Exception {
    return readAtLeast(k, iterator(k, stream, shard, ShardIteratorType.TRIM_HORIZON, null), atLeast);
  }

  @Test
  void aggregatedRecordsAreDeaggregatedByTheKcl() throws Exception {
    String stream = uniqueName("kpl");
    createActive(k, stream, 2);
    List<Put> puts = new ArrayList<>();
    List<ListenableFuture<UserRecordResult>> futures = new ArrayList<>();
    KinesisProducer kpl = producer();
    try {
      for (int i = 0; i < 300; i++) {
        Put p = new Put("key-" + (i % 12), "kpl-" + i);
        puts.add(p);
        futures.add(kpl.addUserRecord(stream, p.key(), ByteBuffer.wrap(p.data().getBytes(StandardCharsets.UTF_8))));
      }
      kpl.flushSync();
      for (UserRecordResult r : all(futures)) assertTrue(r.isSuccessful(), r.getAttempts().toString());
    } finally {
      kpl.destroy();
    }
    // On the wire: fewer Kinesis records than user records, in the KPL's aggregated format.
    List<Record> raw = new ArrayList<>(rawRecords(stream, "shardId-000000000000", 1));
    raw.addAll(rawRecords(stream, "shardId-000000000001", 1));
    assertTrue(raw.size() < 300, "aggregated: " + raw.size() + " Kinesis records");
    for (Record r : raw) {
      byte[] head = new byte[4];
      System.arraycopy(r.data().asByteArray(), 0, head, 0, 4);
      assertArrayEquals(KPL_MAGIC, head, "KPL aggregation magic");
    }
    KclApp.Log log = new KclApp.Log();
    try (KclApp app = new KclApp(server, moto, stream, stream + "-app", "w1", true,
        InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON), log).start()) {
      KclChecks.assertProcessedOnceInOrder(puts, log);
      assertTrue(log.records.stream().allMatch(KclApp.Seen::aggregated), "the KCL saw aggregated user records");
    }
  }

  @Test
  void explicitHashKeyPicksTheShard() throws Exception {
    String stream = uniqueName("kplehk");
    createActive(k, stream, 2);
    KinesisProducer kpl = producer();
    try {
      String top = BigInteger.TWO.pow(128).subtract(BigInteger.ONE).toString();
      ListenableFuture<UserRecordResult> hi = kpl.addUserRecord(stream, "same-key", top, ByteBuffer.wrap(new byte[] {1}));
      ListenableFuture<UserRecordResult> lo = kpl.addUserRecord(stream, "same-key", "0", ByteBuffer.wrap(new byte[] {2}));
      kpl.flushSync();
      assertEquals("shardId-000000000001", hi.get(30, TimeUnit.SECONDS).getShardId());
      assertEquals("shardId-000000000000", lo.get(30, TimeUnit.SECONDS).getShardId());
    } finally {
      kpl.destroy();
    }
  }

  @Test
  void perShardLimitsAreMetByRetriesWithNothingLost() throws Exception {
    String stream = uniqueName("kplrate");
    createActive(k, stream, 1);
    KinesisProducer kpl = producer();
    int n = 3000;
    byte[] payload = new byte[1000];
    List<ListenableFuture<UserRecordResult>> futures = new ArrayList<>();
    long started = System.nanoTime();
    try {
      for (int i = 0; i < n; i++) {
        byte[] d = payload.clone();
        ByteBuffer.wrap(d).putInt(i);
        futures.add(kpl.addUserRecord(stream, "pk-" + (i % 50), ByteBuffer.wrap(d)));
      }
      kpl.flushSync();
      List<UserRecordResult> results = all(futures);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      long throttled = results.stream().flatMap(r -> r.getAttempts().stream()).filter(a -> !a.isSuccessful())
          .map(Attempt::getErrorCode).filter("ProvisionedThroughputExceededException"::equals).count();
      for (UserRecordResult r : results) assertTrue(r.isSuccessful(), r.getAttempts().toString());
      // ~3 MB into one shard that takes 1 MiB/s: at least two seconds, and the KPL was told to slow down.
      assertTrue(seconds >= 2, "3 MB in " + seconds + " s through a 1 MiB/s shard");
      assertTrue(throttled > 0, "no attempt was throttled");
    } finally {
      kpl.destroy();
    }
    List<KinesisClientRecord> users = new ArrayList<>();
    String[] it = {iterator(k, stream, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON, null)};
    AggregatorUtil agg = new AggregatorUtil();
    Waits.until(java.time.Duration.ofSeconds(60), n + " user records read back", () -> {
      var r = k.getRecords(software.amazon.awssdk.services.kinesis.model.GetRecordsRequest.builder()
          .shardIterator(it[0]).build());
      it[0] = r.nextShardIterator();
      users.addAll(agg.deaggregate(r.records().stream().map(KinesisClientRecord::fromRecord).toList()));
      if (users.size() < n) Thread.sleep(200);  // 5 GetRecords calls a second per shard
      return users.size() >= n;
    });
    assertEquals(n, users.size(), "user records after deaggregation");
    assertEquals(n, users.stream().map(u -> u.data().duplicate().getInt()).distinct().count(), "distinct payloads");
  }
}
