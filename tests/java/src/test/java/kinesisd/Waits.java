package kinesisd;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Waiting on observed state with a deadline (never a fixed sleep standing in for a condition). */
public final class Waits {
  private Waits() {}

  /** Polls cond every 20 ms until it returns true; fails with what was awaited when the deadline passes. */
  public static void until(Duration timeout, String what, Callable<Boolean> cond) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (Boolean.TRUE.equals(cond.call())) return;
        last = null;
      } catch (IllegalStateException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(20);
    }
    AssertionError err = new AssertionError("timed out after " + timeout + " waiting for " + what);
    if (last != null) err.initCause(last);
    throw err;
  }
}
