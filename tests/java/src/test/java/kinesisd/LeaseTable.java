package kinesisd;

import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/** Reads the KCL's lease table (named after the application) straight from the DynamoDB-compatible store. */
final class LeaseTable {
  private LeaseTable() {}

  /** leaseKey (the shard id) -> leaseOwner, for leases that have an owner. */
  static Map<String, String> owners(MotoDynamo moto, String table) {
    try (DynamoDbAsyncClient c = moto.client()) {
      Map<String, String> out = new HashMap<>();
      for (Map<String, AttributeValue> item : c.scan(ScanRequest.builder().tableName(table).consistentRead(true)
          .build()).join().items()) {
        AttributeValue owner = item.get("leaseOwner");
        if (owner != null && owner.s() != null) out.put(item.get("leaseKey").s(), owner.s());
      }
      return out;
    }
  }
}
