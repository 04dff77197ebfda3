package kinesisd;

import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;

/** KinesisClient on the Apache HTTP client: HTTP/1.1 over TLS. */
class ApacheSyncTest extends SdkShardsContract {
  private KinesisClient client;
  private KinesisClient noRetryClient;

  @Override
  protected KinesisCalls open(Kinesisd server) {
    client = Clients.sync(server, contentTypes, null);
    noRetryClient = Clients.sync(server, contentTypes, AwsRetryStrategy.doNotRetry());
    return KinesisCalls.of(client);
  }

  @Override
  protected KinesisCalls noRetry() {
    return KinesisCalls.of(noRetryClient);
  }

  @Override
  protected void closeClient() {
    if (client != null) client.close();
    if (noRetryClient != null) noRetryClient.close();
  }
}
