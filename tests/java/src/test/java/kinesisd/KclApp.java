package kinesisd;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.lifecycle.events.*;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * One KCL 3.x worker: a Scheduler whose ShardRecordProcessor records every record it sees and checkpoints after
 * each batch and at shard end. Timings are configured down so that leases, shard syncs and reads happen within
 * a second or two; CloudWatch metrics are off (the CloudWatch client is never called).
 */
public final class KclApp implements AutoCloseable {
  /** One processed record, as the processor saw it. */
  public record Seen(String worker, String shardId, String partitionKey, String data, String sequenceNumber,
                     long subSequenceNumber, boolean aggregated) {}

  /** What every worker of a test saw, in processing order. */
  public static final class Log {
    public final List<Seen> records = new CopyOnWriteArrayList<>();
    public final List<String> endedShards = new CopyOnWriteArrayList<>();
    /** shard id -> workers that initialized a processor for it, in order. */
    public final Map<String, List<String>> initialized = new ConcurrentHashMap<>();
  }

  private final Scheduler scheduler;
  private final Thread thread;
  private final KinesisAsyncClient kinesis;
  private final DynamoDbAsyncClient dynamo;
  private final CloudWatchAsyncClient cloudWatch;
  public final String workerId;

  public KclApp(Kinesisd server, MotoDynamo moto, String stream, String app, String workerId, boolean polling,
                InitialPositionInStreamExtended position, Log log) {
    this.workerId = workerId;
    kinesis = Clients.forKcl(server);
    dynamo = moto.client();
    // Never called with MetricsLevel.NONE; pointed at a closed loopback port so nothing could leave the host.
    cloudWatch = CloudWatchAsyncClient.builder().endpointOverride(URI.create("http://127.0.0.1:9"))
        .region(Clients.REGION).credentialsProvider(Clients.CREDENTIALS).build();
    ConfigsBuilder cb = new ConfigsBuilder(stream, app, kinesis, dynamo, cloudWatch, workerId,
        () -> new Recorder(workerId, log));
    LeaseManagementConfig leases = cb.leaseManagementConfig()
        .initialPositionInStream(position)
        .failoverTimeMillis(4000)
        .leaseAssignmentIntervalMillis(1000L)
        .shardSyncIntervalMillis(1000)
        .listShardsBackoffTimeInMillis(200)
        .dynamoDbLockBasedLeaderLeaseDurationInMillis(3000)
        .dynamoDbLockBasedLeaderHeartbeatPeriodInMillis(500)
        .leaseTablePitrEnabled(false)
        .leaseTableDeletionProtectionEnabled(false);
    leases.workerUtilizationAwareAssignmentConfig().inMemoryWorkerMetricsCaptureFrequencyMillis(500)
        .workerMetricsReporterFreqInMillis(1000);
    var retrieval = cb.retrievalConfig().initialPositionInStreamExtended(position);
    if (polling) {
      retrieval.retrievalSpecificConfig(new PollingConfig(stream, kinesis).idleTimeBetweenReadsInMillis(250));
    }
    scheduler = new Scheduler(cb.checkpointConfig(),
        cb.coordinatorConfig().parentShardPollIntervalMillis(200).shardConsumerDispatchPollIntervalMillis(100)
            .schedulerInitializationBackoffTimeMillis(200),
        leases, cb.lifecycleConfig().taskBackoffTimeMillis(200), cb.metricsConfig().metricsLevel(MetricsLevel.NONE),
        cb.processorConfig().callProcessRecordsEvenForEmptyRecordList(false), retrieval);
    thread = new Thread(scheduler, "kcl-" + workerId);
    thread.setDaemon(true);
  }

  public KclApp start() {
    thread.start();
    return this;
  }

  /** Graceful shutdown: every processor gets shutdownRequested and checkpoints; leases are released. */
  public void stop() throws Exception {
    if (thread.isAlive()) {
      Boolean done = scheduler.startGracefulShutdown().get(60, TimeUnit.SECONDS);
      if (!Boolean.TRUE.equals(done)) scheduler.shutdown();
      thread.join(Duration.ofSeconds(30).toMillis());
    }
  }

  @Override
  public void close() throws Exception {
    try {
      stop();
    } finally {
      kinesis.close();
      dynamo.close();
      cloudWatch.close();
    }
  }

  /** Records what it sees; checkpoints after every batch, at shard end and on a requested shutdown. */
  static final class Recorder implements ShardRecordProcessor {
    private final String worker;
    private final Log log;
    private String shardId;

    Recorder(String worker, Log log) {
      this.worker = worker;
      this.log = log;
    }

    @Override
    public void initialize(InitializationInput in) {
      shardId = in.shardId();
      log.initialized.computeIfAbsent(shardId, s -> new CopyOnWriteArrayList<>()).add(worker);
    }

    @Override
    public void processRecords(ProcessRecordsInput in) {
      for (KinesisClientRecord r : in.records()) {
        byte[] data = new byte[r.data().remaining()];
        r.data().duplicate().get(data);
        log.records.add(new Seen(worker, shardId, r.partitionKey(), new String(data,
            java.nio.charset.StandardCharsets.UTF_8), r.sequenceNumber(), r.subSequenceNumber(), r.aggregated()));
      }
      try {
        in.checkpointer().checkpoint();
      } catch (Exception e) {
        throw new RuntimeException("checkpoint on " + shardId, e);
      }
    }

    @Override
    public void leaseLost(LeaseLostInput in) {}

    @Override
    public void shardEnded(ShardEndedInput in) {
      try {
        in.checkpointer().checkpoint();
        log.endedShards.add(shardId);
      } catch (Exception e) {
        throw new RuntimeException("checkpoint at the end of " + shardId, e);
      }
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput in) {
      try {
        in.checkpointer().checkpoint();
      } catch (Exception e) {
        throw new RuntimeException("checkpoint on shutdown of " + shardId, e);
      }
    }
  }
}
