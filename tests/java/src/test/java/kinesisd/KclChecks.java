package kinesisd;

import static kinesisd.SdkSupport.bytes;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.kinesis.model.*;

/** Putting records with known payloads and checking what KCL processors saw of them. */
final class KclChecks {
  private KclChecks() {}

  /** One record the test put: its partition key and unique payload. */
  public record Put(String key, String data) {}

  public static List<Put> put(KinesisCalls k, String stream, String label, int n, int keys) {
    List<Put> puts = new ArrayList<>();
    for (int i = 0; i < n; i++) puts.add(new Put("key-" + (i % keys), label + "-" + i));
    PutRecordsResponse r = k.putRecords(PutRecordsRequest.builder().streamName(stream).records(puts.stream()
        .map(p -> PutRecordsRequestEntry.builder().partitionKey(p.key()).data(bytes(p.data())).build())
        .toList()).build());
    assertEquals(0, r.failedRecordCount(), "PutRecords failures");
    return puts;
  }

  /** Waits until every expected payload was processed, then checks: each exactly once, in order per key. */
  public static void assertProcessedOnceInOrder(List<Put> expected, KclApp.Log log) throws Exception {
    var want = expected.stream().map(Put::data).collect(Collectors.toSet());
    Waits.until(Duration.ofSeconds(60), expected.size() + " records processed", () ->
        log.records.stream().map(KclApp.Seen::data).collect(Collectors.toSet()).containsAll(want));
    Map<String, Long> counts = log.records.stream().filter(s -> want.contains(s.data()))
        .collect(Collectors.groupingBy(KclApp.Seen::data, Collectors.counting()));
    counts.forEach((d, c) -> assertEquals(1L, c, "times " + d + " was processed"));
    Map<String, List<String>> wantByKey = expected.stream().collect(Collectors.groupingBy(Put::key,
        Collectors.mapping(Put::data, Collectors.toList())));
    Map<String, List<String>> gotByKey = log.records.stream().filter(s -> want.contains(s.data()))
        .collect(Collectors.groupingBy(KclApp.Seen::partitionKey, Collectors.mapping(KclApp.Seen::data,
            Collectors.toList())));
    assertEquals(wantByKey, gotByKey, "per-key order");
  }
}
