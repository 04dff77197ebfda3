package kinesisd;

/** KCL scenarios with the KCL's default retrieval: enhanced fan-out (its own consumer, SubscribeToShard). */
class KclFanOutTest extends KclScenarios {
  @Override
  protected boolean polling() {
    return false;
  }
}
