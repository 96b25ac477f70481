package webcall.ops;

import java.util.List;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Whether the server accepts new calls: ready while no reason against it is set. Reasons are named
 * so that each part that can make the server unready (startup, the drain before a stop, shutdown; a
 * Redis check later) sets and clears its own without knowing about the others, and {@code /readyz}
 * can say which ones hold.
 */
public final class Readiness {
  /** Set from construction until the listeners are bound. */
  public static final String STARTING = "starting";

  /**
   * Set from the stop signal on while calls in progress finish ({@code --drain-timeout}); then
   * {@link #STOPPING}.
   */
  public static final String DRAINING = "draining";

  /** Set once shutdown has begun. */
  public static final String STOPPING = "stopping";

  private final ConcurrentSkipListSet<String> reasons = new ConcurrentSkipListSet<>();

  /** Starts unready for {@code initial} reasons (typically {@link #STARTING}). */
  public Readiness(String... initial) {
    for (String r : initial) {
      notReady(r);
    }
  }

  /**
   * Adds a reason the server is not ready; names are constants of the caller, never client text.
   */
  public void notReady(String reason) {
    reasons.add(reason);
  }

  /** Removes a reason; the server is ready once none is left. */
  public void clear(String reason) {
    reasons.remove(reason);
  }

  public boolean isReady() {
    return reasons.isEmpty();
  }

  /** The reasons that hold now, sorted. */
  public List<String> reasons() {
    return List.copyOf(reasons);
  }
}
