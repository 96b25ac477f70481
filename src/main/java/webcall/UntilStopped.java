package webcall;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * How both commands ({@code webcall} and {@code webcall peerjs}) run once started: until a signal
 * stops them.
 */
final class UntilStopped {
  private static final long SHUTDOWN_GRACE_SECONDS = 10;

  private UntilStopped() {}

  /**
   * Waits until SIGTERM or SIGINT, then runs {@code close} in a shutdown hook and exits with status
   * 0. The hook blocks until {@code close} is done, so the drain it runs holds the process however
   * it was asked to stop (a signal, {@code systemctl stop}, a container's stop); a close still
   * running {@code drain} + 10 s after the signal is cut off (exit 1), and a second signal exits at
   * once: an operator never waits on a stuck shutdown.
   */
  static int serve(Runnable close, String threadName, Duration drain) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    long budgetMillis = drain.toMillis() + TimeUnit.SECONDS.toMillis(SHUTDOWN_GRACE_SECONDS);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  Thread watchdog =
                      new Thread(
                          () -> {
                            try {
                              if (!stopped.await(budgetMillis, TimeUnit.MILLISECONDS)) {
                                Runtime.getRuntime().halt(1);
                              }
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                          },
                          threadName + "-watchdog");
                  watchdog.setDaemon(true);
                  watchdog.start();
                  close.run();
                  stopped.countDown();
                },
                threadName));
    AtomicBoolean signalled = new AtomicBoolean();
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal.handle(
            new Signal(name),
            sig -> {
              if (signalled.getAndSet(true)) {
                Runtime.getRuntime()
                    .halt(128 + sig.getNumber()); // the second signal: no more waiting
              }
              // System.exit blocks until the hooks finish, so it runs off the signal thread.
              new Thread(() -> System.exit(0), "webcall-exit").start();
            });
      } catch (IllegalArgumentException e) {
        // a platform without this signal: the JVM's default handling (shutdown hooks) stays
      }
    }
    stopped.await();
    return 0;
  }
}
