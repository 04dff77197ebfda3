package kinesisd;

import static kinesisd.SdkSupport.*;
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.*;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import kinesisd.KclChecks.Put;

/**
 * KCL 3.x consumer scenarios against kinesisd (default limits) with the lease table in moto. A subclass picks
 * the retrieval mode: polling (GetRecords) or enhanced fan-out (RegisterStreamConsumer + SubscribeToShard).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
abstract class KclScenarios {
  protected Kinesisd server;
  protected MotoDynamo moto;
  protected KinesisClient producerClient;
  protected KinesisCalls k;

  protected abstract boolean polling();

  @BeforeAll
  void start() throws Exception {
    server = Kinesisd.started();
    moto = MotoDynamo.start(server.tmpDir());
    producerClient = Clients.sync(server, null, null);
    k = KinesisCalls.of(producerClient);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (producerClient != null) producerClient.close();
      if (moto != null) moto.close();
    } finally {
      if (server != null) server.close();
    }
  }

  protected List<Put> put(String stream, String label, int n, int keys) {
    return KclChecks.put(k, stream, label, n, keys);
  }

  protected KclApp app(String stream, String app, String worker, InitialPositionInStreamExtended pos,
                       KclApp.Log log) {
    return new KclApp(server, moto, stream, app, worker, polling(), pos, log).start();
  }

  protected static InitialPositionInStreamExtended trimHorizon() {
    return InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON);
  }

  protected static void assertProcessedOnceInOrder(List<Put> expected, KclApp.Log log) throws Exception {
    KclChecks.assertProcessedOnceInOrder(expected, log);
  }

  @Test
  void fourShardsRecordsBeforeAndWhileRunning() throws Exception {
    String stream = uniqueName("kcl4");
    createActive(k, stream, 4);
    List<Put> all = new ArrayList<>(put(stream, "before", 200, 16));
    KclApp.Log log = new KclApp.Log();
    try (KclApp a = app(stream, stream + "-app", "w1", trimHorizon(), log)) {
      assertProcessedOnceInOrder(all, log);
      all.addAll(put(stream, "during", 200, 16));
      assertProcessedOnceInOrder(all, log);
      assertEquals(4, log.records.stream().map(KclApp.Seen::shardId).distinct().count(), "shards read");
    }
  }

  @Test
  void splitAndMergeWhileRunning() throws Exception {
    String stream = uniqueName("kclrs");
    createActive(k, stream, 2);
    KclApp.Log log = new KclApp.Log();
    try (KclApp a = app(stream, stream + "-app", "w1", trimHorizon(), log)) {
      List<Put> all = new ArrayList<>(put(stream, "a", 100, 10));
      assertProcessedOnceInOrder(all, log);
      k.splitShard(SplitShardRequest.builder().streamName(stream).shardToSplit("shardId-000000000000")
          .newStartingHashKey(BigInteger.TWO.pow(126).toString()).build());
      waitStatus(k, stream, StreamStatus.ACTIVE);
      all.addAll(put(stream, "b", 100, 10));
      assertProcessedOnceInOrder(all, log);
      // shard 3 holds [2^126, 2^127), shard 1 [2^127, 2^128): adjacent.
      k.mergeShards(MergeShardsRequest.builder().streamName(stream).shardToMerge("shardId-000000000003")
          .adjacentShardToMerge("shardId-000000000001").build());
      waitStatus(k, stream, StreamStatus.ACTIVE);
      all.addAll(put(stream, "c", 100, 10));
      assertProcessedOnceInOrder(all, log);
      Waits.until(Duration.ofSeconds(30), "the parents to be ended",
          () -> log.endedShards.containsAll(List.of("shardId-000000000000", "shardId-000000000001",
              "shardId-000000000003")));
      // Parents drained before children: no child record is processed before its parent's last record.
      assertParentsFirst(log, "shardId-000000000000", List.of("shardId-000000000002", "shardId-000000000003"));
      assertParentsFirst(log, "shardId-000000000003", List.of("shardId-000000000004"));
      assertParentsFirst(log, "shardId-000000000001", List.of("shardId-000000000004"));
    }
  }

  private static void assertParentsFirst(KclApp.Log log, String parent, List<String> children) {
    List<KclApp.Seen> seen = log.records;
    int lastParent = -1;
    int firstChild = Integer.MAX_VALUE;
    for (int i = 0; i < seen.size(); i++) {
      if (seen.get(i).shardId().equals(parent)) lastParent = i;
      if (children.contains(seen.get(i).shardId())) firstChild = Math.min(firstChild, i);
    }
    assertTrue(lastParent < firstChild, parent + " drained before " + children);
  }

  @Test
  void workerStoppedAndRestartedResumesFromCheckpoint() throws Exception {
    String stream = uniqueName("kclre");
    createActive(k, stream, 2);
    KclApp.Log log = new KclApp.Log();
    List<Put> all = new ArrayList<>(put(stream, "first", 100, 8));
    try (KclApp a = app(stream, stream + "-app", "w1", trimHorizon(), log)) {
      assertProcessedOnceInOrder(all, log);
    }
    all.addAll(put(stream, "stopped", 100, 8));
    try (KclApp b = app(stream, stream + "-app", "w1b", trimHorizon(), log)) {
      assertProcessedOnceInOrder(all, log);
      assertTrue(log.records.stream().filter(s -> s.data().startsWith("stopped")).allMatch(s -> s.worker()
          .equals("w1b")));
    }
  }

  @Test
  void secondWorkerJoinsAndLeasesBalance() throws Exception {
    String stream = uniqueName("kcl2w");
    createActive(k, stream, 4);
    String appName = stream + "-app";
    KclApp.Log log = new KclApp.Log();
    List<Put> all = new ArrayList<>(put(stream, "one", 100, 16));
    try (KclApp a = app(stream, appName, "w1", trimHorizon(), log)) {
      assertProcessedOnceInOrder(all, log);
      try (KclApp b = app(stream, appName, "w2", trimHorizon(), log)) {
        // The leader's lease assignment gives the new worker its share: two leases each.
        Waits.until(Duration.ofSeconds(60), "the leases to balance", () -> {
          Map<String, Long> per = LeaseTable.owners(moto, appName).values().stream()
              .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
          return per.getOrDefault("w1", 0L) == 2 && per.getOrDefault("w2", 0L) == 2;
        });
        all.addAll(put(stream, "two", 200, 16));
        assertProcessedOnceInOrder(all, log);
        assertTrue(log.records.stream().anyMatch(s -> s.worker().equals("w2") && s.data().startsWith("two")));
        assertTrue(log.records.stream().anyMatch(s -> s.worker().equals("w1") && s.data().startsWith("two")));
      }
    }
  }

  @Test
  void initialPositionLatest() throws Exception {
    String stream = uniqueName("kcllt");
    createActive(k, stream, 2);
    put(stream, "old", 50, 4);
    KclApp.Log log = new KclApp.Log();
    try (KclApp a = app(stream, stream + "-app", "w1",
        InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.LATEST), log)) {
      // The iterators are taken at some point after start: probe until a new record shows up.
      List<Put> probes = new ArrayList<>();
      Waits.until(Duration.ofSeconds(60), "a record put after start to be processed", () -> {
        probes.addAll(put(stream, "probe" + probes.size(), 4, 4));
        Thread.sleep(300);
        return log.records.stream().anyMatch(s -> s.data().startsWith("probe"));
      });
      List<Put> later = put(stream, "new", 50, 4);
      assertProcessedOnceInOrder(later, log);
      assertTrue(log.records.stream().noneMatch(s -> s.data().startsWith("old")), "LATEST skipped older records");
    }
  }

  @Test
  void initialPositionAtTimestamp() throws Exception {
    String stream = uniqueName("kclts");
    createActive(k, stream, 2);
    put(stream, "old", 50, 4);
    Instant after = Instant.now().plusMillis(5);
    Waits.until(Duration.ofSeconds(5), "the clock to pass the old records", () -> Instant.now().isAfter(after));
    List<Put> fresh = put(stream, "new", 50, 4);
    KclApp.Log log = new KclApp.Log();
    try (KclApp a = app(stream, stream + "-app", "w1",
        InitialPositionInStreamExtended.newInitialPositionAtTimestamp(Date.from(after)), log)) {
      assertProcessedOnceInOrder(fresh, log);
      assertTrue(log.records.stream().noneMatch(s -> s.data().startsWith("old")), "AT_TIMESTAMP skipped older");
    }
  }
}
