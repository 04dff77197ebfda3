package kinesisd;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real kinesisd process on 127.0.0.1 with a fresh temporary data directory.
 *
 * <p>The binary comes from {@code KINESISD_BIN} (set by ctest). The server listens on a port the kernel picks
 * ({@code --listen 127.0.0.1:0 --port-file}); start() returns once /health answers. close() stops the process
 * by its PID (SIGTERM, then SIGKILL) and removes the temporary directory; a JVM shutdown hook does the same if
 * a test dies before close().
 */
public final class Kinesisd implements AutoCloseable {
  private final Path tmp;
  private final Path dataDir;
  private final Path portFile;
  private final Path log;
  private final List<String> extraArgs;
  private Process process;
  private int port;

  public Kinesisd(String... extraArgs) throws IOException {
    this.tmp = Files.createTempDirectory("kinesisd-java-");
    this.dataDir = tmp.resolve("data");
    this.portFile = tmp.resolve("port");
    this.log = tmp.resolve("server.log");
    this.extraArgs = List.of(extraArgs);
  }

  public static Kinesisd started(String... extraArgs) throws Exception {
    Kinesisd server = new Kinesisd(extraArgs);
    server.start();
    return server;
  }

  public void start() throws Exception {
    String bin = System.getenv("KINESISD_BIN");
    if (bin == null || bin.isEmpty()) {
      throw new IllegalStateException("KINESISD_BIN is not set (ctest sets it to the built kinesisd)");
    }
    if (!Files.isExecutable(Path.of(bin))) {
      throw new IllegalStateException("KINESISD_BIN is not an executable: " + bin);
    }
    Files.deleteIfExists(portFile);
    List<String> cmd = new ArrayList<>(List.of(bin, "--listen", "127.0.0.1:0", "--port-file",
        portFile.toString(), "--data-dir", dataDir.toString(), "--create-stream-ms", "200",
        "--delete-stream-ms", "200", "--update-stream-ms", "200", "--log-level", "warn"));
    cmd.addAll(extraArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("KINESISD_") || k.equals("INITIALIZE_STREAMS"));
    process = pb.start();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietly));
    Waits.until(Duration.ofSeconds(20), "kinesisd to become healthy", () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("kinesisd exited with " + process.exitValue() + ":\n" + logTail());
      }
      if (port == 0 && Files.exists(portFile)) {
        String text = Files.readString(portFile).trim();
        if (text.matches("\\d+")) port = Integer.parseInt(text);
      }
      return port != 0 && healthy();
    });
  }

  private boolean healthy() {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(httpUrl() + "/health").toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(2000);
      try (InputStream in = c.getInputStream()) {
        in.readAllBytes();
      }
      return c.getResponseCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String httpUrl() {
    return "http://127.0.0.1:" + port;
  }

  public URI httpsUri() {
    return URI.create("https://127.0.0.1:" + port);
  }

  public URI httpUri() {
    return URI.create(httpUrl());
  }

  /** kinesisd's self-signed certificate, generated on first start. */
  public Path certPath() {
    return dataDir.resolve("tls").resolve("cert.pem");
  }

  /**
   * A PKCS12 trust store holding only kinesisd's certificate, written next to the data dir, so that clients
   * verify the server (host name included) instead of switching verification off.
   */
  public Path trustStore(char[] password) throws Exception {
    Path out = tmp.resolve("truststore.p12");
    if (Files.exists(out)) return out;
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, password);
    try (InputStream in = Files.newInputStream(certPath())) {
      int i = 0;
      for (Certificate cert : cf.generateCertificates(in)) ks.setCertificateEntry("kinesisd-" + i++, cert);
    }
    try (var os = Files.newOutputStream(out)) {
      ks.store(os, password);
    }
    return out;
  }

  public Path tmpDir() {
    return tmp;
  }

  public String logTail() {
    try {
      String s = Files.readString(log);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the process (SIGTERM by PID, SIGKILL after 5 s) and keeps the data dir for restart(). */
  public void stopProcess() throws InterruptedException {
    if (process == null) return;
    ProcessHandle h = process.toHandle();
    h.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      h.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    process = null;
    port = 0;
  }

  private void stopQuietly() {
    try {
      stopProcess();
    } catch (Exception ignored) {
      // best effort from a shutdown hook
    }
  }

  @Override
  public void close() throws Exception {
    stopProcess();
    try (Stream<Path> walk = Files.walk(tmp)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
