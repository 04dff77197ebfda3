package kinesisd;

import static kinesisd.SdkSupport.*;
import static org.junit.jupiter.api.Assertions.*;

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

  /** One user record for the KPL: explicitHashKey may be null. */
  record In(String stream, String key, String explicitHashKey, byte[] data) {}

  /** What the KPL reported for one user record. */
  record Out(boolean ok, String shardId, String sequenceNumber, List<String> failedAttempts) {}

  /** The child JVM's class path: this one's, with protobuf-java 3 in place of 4 and without the KCL. */
  private static String kplClassPath() throws Exception {
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path testClasses = Path.of(KplTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path proto3 = testClasses.getParent().resolve("kpl-protobuf").resolve("protobuf-java-3.25.5.jar");
    assertTrue(Files.exists(proto3), proto3 + " (copied by the pom at test-compile)");
    List<String> parts = new ArrayList<>(List.of(proto3.toString()));
    for (String e : cp.split(java.io.File.pathSeparator)) {
      String n = Path.of(e).getFileName().toString();
      if (!n.startsWith("protobuf-java-") && !n.startsWith("amazon-kinesis-client-")) parts.add(e);
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  /** Sends the records through the KPL in a child JVM and returns its results in the same order. */
  private List<Out> produce(List<In> records) throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(javaBin, "-cp", kplClassPath(), "-Dkpl.port=" + server.port(),
        "-Dkpl.stsPort=" + sts.port(), "-Dkpl.caDir=" + caDir, "-Dkpl.tmp=" + server.tmpDir(),
        "kinesisd.KplProducerMain").redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      try (var w = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
        for (In r : records) {
          w.write(r.stream() + "\t" + r.key() + "\t" + (r.explicitHashKey() == null ? "" : r.explicitHashKey())
              + "\t" + java.util.Base64.getEncoder().encodeToString(r.data()) + "\n");
        }
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the KPL process finished");
      assertEquals(0, p.exitValue(), "KPL process exit status; output:\n" + out);
      List<Out> results = new ArrayList<>();
      for (String line : out.split("\n")) {
        if (line.isEmpty()) continue;
        String[] f = line.split("\t", -1);
        results.add(new Out(Boolean.parseBoolean(f[0]), f[1], f[2],
            f[3].isEmpty() ? List.of() : List.of(f[3].split(","))));
      }
      assertEquals(records.size(), results.size(), "one result per user record");
      return results;
    } finally {
      p.destroyForcibly();
    }
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
    List<In> ins = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Put p = new Put("key-" + (i % 12), "kpl-" + i);
      puts.add(p);
      ins.add(new In(stream, p.key(), null, p.data().getBytes(StandardCharsets.UTF_8)));
    }
    List<Out> outs = produce(ins);
    for (Out r : outs) assertTrue(r.ok(), r.toString());
    StringBuilder kplSaid = new StringBuilder();  // shown if the KCL's view disagrees
    for (int i = 0; i < outs.size(); i++) {
      kplSaid.append(puts.get(i)).append(' ').append(outs.get(i)).append('\n');
    }
    // On the wire: fewer Kinesis records than user records, in the KPL's aggregated format.
    List<Record> raw = new ArrayList<>(rawRecords(stream, "shardId-000000000000", 1));
    raw.addAll(rawRecords(stream, "shardId-000000000001", 1));
    // User records went out inside KPL aggregates, so far fewer Kinesis records. The KPL sends an aggregate that
    // ended up holding one user record as that plain record (and the warm-up records may go out before the
    // shard map), so a raw record is either an aggregate or exactly one plain payload.
    assertTrue(raw.size() < 100, "aggregated: " + raw.size() + " Kinesis records");
    int aggregates = 0;
    for (Record r : raw) {
      byte[] bytes = r.data().asByteArray();
      String text = new String(bytes, StandardCharsets.UTF_8);
      if (text.equals("warmup") || text.startsWith("kpl-")) continue;
      byte[] head = new byte[4];
      System.arraycopy(bytes, 0, head, 0, 4);
      assertArrayEquals(KPL_MAGIC, head, "KPL aggregation magic");
      aggregates++;
    }
    assertTrue(aggregates > 0, "at least one KPL aggregate on the wire");
    KclApp.Log log = new KclApp.Log();
    try (KclApp app = new KclApp(server, moto, stream, stream + "-app", "w1", true,
        InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON), log).start()) {
      // kinesisd's promise is the order it stores: by sequence number, and within one KPL aggregate by
      // sub-sequence number. The KPL itself may place a key's records in an aggregate (or retry them) in another
      // order than they were added; so the expected order per key is the stored one, and each record must come
      // with the sequence number the KPL was given for it.
      var want = puts.stream().map(Put::data).collect(java.util.stream.Collectors.toSet());
      Waits.until(java.time.Duration.ofSeconds(60), puts.size() + " records processed", () ->
          log.records.stream().map(KclApp.Seen::data).collect(java.util.stream.Collectors.toSet()).containsAll(want));
      java.util.Map<String, KclApp.Seen> seen = new java.util.HashMap<>();
      for (KclApp.Seen x : log.records) seen.putIfAbsent(x.data(), x);
      for (int i = 0; i < puts.size(); i++) {
        assertEquals(outs.get(i).sequenceNumber(), seen.get(puts.get(i).data()).sequenceNumber(),
            "sequence number of " + puts.get(i).data());
      }
      List<Put> inSequence = new ArrayList<>(puts);
      inSequence.sort(java.util.Comparator
          .comparing((Put p) -> new java.math.BigInteger(seen.get(p.data()).sequenceNumber()))
          .thenComparingLong(p -> seen.get(p.data()).subSequenceNumber()));
      try {
        KclChecks.assertProcessedOnceInOrder(inSequence, log);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "\nKCL saw: " + log.records + "\nKPL results:\n" + kplSaid, e);
      }
      assertTrue(log.records.stream().filter(x -> x.data().startsWith("kpl-")).anyMatch(KclApp.Seen::aggregated),
          "the KCL saw aggregated user records");
    }
  }

  @Test
  void explicitHashKeyPicksTheShard() throws Exception {
    String stream = uniqueName("kplehk");
    createActive(k, stream, 2);
    String top = BigInteger.TWO.pow(128).subtract(BigInteger.ONE).toString();
    List<Out> r = produce(List.of(new In(stream, "same-key", top, new byte[] {1}),
        new In(stream, "same-key", "0", new byte[] {2})));
    assertEquals("shardId-000000000001", r.get(0).shardId());
    assertEquals("shardId-000000000000", r.get(1).shardId());
  }

  @Test
  void perShardLimitsAreMetByRetriesWithNothingLost() throws Exception {
    String stream = uniqueName("kplrate");
    createActive(k, stream, 1);
    int n = 3000;
    List<In> ins = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] d = new byte[1000];
      ByteBuffer.wrap(d).putInt(i);
      ins.add(new In(stream, "pk-" + (i % 50), null, d));
    }
    long started = System.nanoTime();
    List<Out> results = produce(ins);
    double seconds = (System.nanoTime() - started) / 1e9;
    long throttled = results.stream().flatMap(r -> r.failedAttempts().stream())
        .filter("ProvisionedThroughputExceededException"::equals).count();
    for (Out r : results) assertTrue(r.ok(), r.toString());
    // ~3 MB into one shard that takes 1 MiB/s: more than two seconds, and the KPL was told to slow down.
    assertTrue(seconds > 2, "3 MB in " + seconds + " s through a 1 MiB/s shard");
    assertTrue(throttled > 0, "no attempt was throttled");
    List<KinesisClientRecord> users = new ArrayList<>();
    String[] it = {iterator(k, stream, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON, null)};
    AggregatorUtil agg = new AggregatorUtil();
    Waits.until(java.time.Duration.ofSeconds(60), n + " user records read back", () -> {
      var r = k.getRecords(software.amazon.awssdk.services.kinesis.model.GetRecordsRequest.builder()
          .shardIterator(it[0]).build());
      it[0] = r.nextShardIterator();
      users.addAll(agg.deaggregate(r.records().stream().map(KinesisClientRecord::fromRecord).toList()));
      if (users.size() < n) Thread.sleep(200);  // 5 GetRecords calls a second per shard
      return users.stream().filter(u -> u.data().remaining() == 1000).count() >= n;
    });
    users.removeIf(u -> u.data().remaining() != 1000);  // the producer's warm-up records
    assertEquals(n, users.size(), "user records after deaggregation");
    assertEquals(n, users.stream().map(u -> u.data().duplicate().getInt()).distinct().count(), "distinct payloads");
  }
}
