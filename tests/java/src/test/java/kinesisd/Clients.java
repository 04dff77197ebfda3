package kinesisd;

import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.services.kinesis.endpoints.KinesisEndpointProvider;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.Http2Configuration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/**
 * SDK clients configured as an application would point them at kinesisd: endpoint override, a region,
 * static credentials, and TLS that trusts kinesisd's certificate through a trust store (verification stays on).
 */
public final class Clients {
  public static final Region REGION = Region.US_EAST_1;
  public static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDJAVATEST", "secret"));
  private static final char[] PASSWORD = "kinesisd".toCharArray();

  private Clients() {}

  /** Whether this JVM runs the SDK's default CBOR protocol (aws.cborEnabled unset or true). */
  public static boolean cborEnabled() {
    return !"false".equalsIgnoreCase(System.getProperty("aws.cborEnabled", "true"));
  }

  public static String expectedContentType() {
    return cborEnabled() ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1";
  }

  /** Records "Operation Content-Type" for every request the SDK transmits. */
  public static final class ContentTypes implements ExecutionInterceptor {
    public final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission ctx, ExecutionAttributes attrs) {
      String op = attrs.getAttribute(software.amazon.awssdk.core.interceptor.SdkExecutionAttribute.OPERATION_NAME);
      seen.add(op + " " + ctx.httpRequest().firstMatchingHeader("Content-Type").orElse("(none)"));
    }
  }

  public static TlsTrustManagersProvider trustKinesisd(Kinesisd server) {
    return () -> {
      try {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server.trustStore(PASSWORD))) {
          ks.load(in, PASSWORD);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
      } catch (Exception e) {
        throw new IllegalStateException("cannot build the trust store from " + server.certPath(), e);
      }
    };
  }

  /**
   * An endpoint provider that always answers kinesisd's URL. The SDK's Kinesis endpoint rules turn a request's
   * StreamId (the KCL 3.4+ sends the one DescribeStreamSummary returns) into an AWS host name,
   * {@code <id>.<suffix>.control-kinesis.<region>.amazonaws.com}, even when endpointOverride is set; only an
   * endpoint provider keeps such requests on kinesisd.
   */
  public static KinesisEndpointProvider alwaysAt(URI uri) {
    return params -> CompletableFuture.completedFuture(Endpoint.builder().url(uri).build());
  }

  /** Netty over HTTPS with HTTP/2 chosen by ALPN, as the SDK's Kinesis async client does by default. */
  public static NettyNioAsyncHttpClient.Builder netty(Kinesisd server) {
    return NettyNioAsyncHttpClient.builder()
        .protocol(Protocol.HTTP2)
        .protocolNegotiation(ProtocolNegotiation.ALPN)
        .http2Configuration(Http2Configuration.builder().maxStreams(100L).build())
        .tlsTrustManagersProvider(trustKinesisd(server))
        .connectionAcquisitionTimeout(Duration.ofSeconds(30));
  }

  /** The async client as the KCL gets it: requests with a StreamId stay on kinesisd too. */
  public static KinesisAsyncClient forKcl(Kinesisd server) {
    return KinesisAsyncClient.builder()
        .endpointOverride(server.httpsUri())
        .endpointProvider(alwaysAt(server.httpsUri()))
        .region(REGION)
        .credentialsProvider(CREDENTIALS)
        .httpClientBuilder(netty(server))
        .build();
  }

  public static KinesisAsyncClient async(Kinesisd server, ExecutionInterceptor interceptor, RetryStrategy retry) {
    ClientOverrideConfiguration.Builder o = ClientOverrideConfiguration.builder();
    if (interceptor != null) o.addExecutionInterceptor(interceptor);
    if (retry != null) o.retryStrategy(retry);
    else o.retryStrategy(RetryMode.STANDARD);
    return KinesisAsyncClient.builder()
        .endpointOverride(server.httpsUri())
        .region(REGION)
        .credentialsProvider(CREDENTIALS)
        .httpClientBuilder(netty(server))
        .overrideConfiguration(o.build())
        .build();
  }

  /** Apache over HTTPS: HTTP/1.1. */
  public static KinesisClient sync(Kinesisd server, ExecutionInterceptor interceptor, RetryStrategy retry) {
    ClientOverrideConfiguration.Builder o = ClientOverrideConfiguration.builder();
    if (interceptor != null) o.addExecutionInterceptor(interceptor);
    if (retry != null) o.retryStrategy(retry);
    else o.retryStrategy(RetryMode.STANDARD);
    return KinesisClient.builder()
        .endpointOverride(server.httpsUri())
        .region(REGION)
        .credentialsProvider(CREDENTIALS)
        .httpClientBuilder(ApacheHttpClient.builder().tlsTrustManagersProvider(trustKinesisd(server)))
        .overrideConfiguration(o.build())
        .build();
  }
}
