package kinesisd;

import static org.junit.jupiter.api.Assertions.*;

import java.security.KeyStore;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The harness itself: kinesisd starts on a kernel-chosen port, its certificate becomes a trust store, and
 *  close() stops the process by PID. */
class HarnessTest {
  @Test
  void startsTrustsAndStops() throws Exception {
    Kinesisd server = Kinesisd.started();
    long pid = server.pid();
    try {
      assertTrue(server.port() > 0);
      assertTrue(Files.readString(server.certPath()).contains("BEGIN CERTIFICATE"));
      char[] pw = "x".toCharArray();
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(server.trustStore(pw))) {
        ks.load(in, pw);
      }
      assertEquals(1, ks.size());
    } finally {
      server.close();
    }
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "kinesisd " + pid + " stopped");
    assertFalse(Files.exists(server.tmpDir()));
  }
}
