package kinesisd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * moto's server mode (moto[server], Apache-2.0) as the DynamoDB-compatible store for the KCL's lease,
 * coordinator-state and worker-metrics tables, on a free loopback port, stopped by its PID.
 *
 * <p>The interpreter is KINESISD_PYTHON (ctest passes the one CMake found), else python3 on PATH.
 */
public final class MotoDynamo implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private final String scheme;

  private MotoDynamo(Process process, int port, Path log, String scheme) {
    this.scheme = scheme;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public static MotoDynamo start(Path dir) throws Exception {
    return start(dir, "moto.log", java.util.Map.of());
  }

  /**
   * moto over HTTPS with kinesisd's own certificate and key (valid for 127.0.0.1), answering for kinesisd's
   * account: the KPL asks STS GetCallerIdentity for the account of the StreamARNs it builds.
   */
  public static MotoDynamo startSts(Path dir, Path cert, Path key) throws Exception {
    return start(dir, "moto-sts.log", java.util.Map.of("MOTO_ACCOUNT_ID", "000000000000"), "-c", cert.toString(),
        "-k", key.toString());
  }

  private static MotoDynamo start(Path dir, String logName, java.util.Map<String, String> env, String... extra)
      throws Exception {
    String python = System.getenv().getOrDefault("KINESISD_PYTHON", "python3");
    Path log = dir.resolve(logName);
    // The port is chosen free just before moto binds it; if another process takes it first, moto exits and
    // the next attempt picks another.
    for (int attempt = 0; attempt < 3; attempt++) {
      int port = freePort();
      java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(python, "-m", "moto.server", "-H",
          "127.0.0.1", "-p", String.valueOf(port)));
      cmd.addAll(java.util.List.of(extra));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.environment().put("MOTO_CALL_RESET_API", "false");
      pb.environment().putAll(env);
      Process p = pb.start();
      MotoDynamo m = new MotoDynamo(p, port, log, extra.length > 0 ? "https" : "http");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> p.toHandle().destroyForcibly()));
      try {
        Waits.until(Duration.ofSeconds(30), "moto to listen on " + port, () -> {
          if (!p.isAlive()) return true;  // exited: the loop below tries another port
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
          }
        });
      } catch (AssertionError e) {
        m.close();
        throw new AssertionError(e.getMessage() + "\n" + m.logTail(), e);
      }
      if (p.isAlive()) return m;
    }
    throw new IllegalStateException("moto did not start:\n" + Files.readString(log));
  }

  public int port() {
    return port;
  }

  public URI endpoint() {
    return URI.create(scheme + "://127.0.0.1:" + port);
  }

  public DynamoDbAsyncClient client() {
    return DynamoDbAsyncClient.builder().endpointOverride(endpoint()).region(Clients.REGION)
        .credentialsProvider(Clients.CREDENTIALS).build();
  }

  public String logTail() {
    try {
      String s = Files.readString(log);
      return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  @Override
  public void close() throws Exception {
    process.toHandle().destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.toHandle().destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }
}
