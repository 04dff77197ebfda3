package kinesisd;

/** KCL scenarios with polling retrieval (PollingConfig: GetShardIterator + GetRecords). */
class KclPollingTest extends KclScenarios {
  @Override
  protected boolean polling() {
    return true;
  }
}
