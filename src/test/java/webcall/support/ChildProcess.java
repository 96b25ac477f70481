package webcall.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server run as its own process, as a user would run it (the webcall command line, or the
 * reference Node server): started, waited for until it prints its ready line, and stopped by its
 * own PID with SIGTERM (then SIGKILL if it hangs). Standard error goes to a file under target/ for
 * when a test fails.
 */
public final class ChildProcess implements AutoCloseable {
  private final Process process;
  private final List<String> stdout = new ArrayList<>();
  private final CompletableFuture<Matcher> ready = new CompletableFuture<>();
  private final Path stderr;

  private ChildProcess(
      List<String> command, Map<String, String> env, Pattern readyLine, String name) {
    try {
      Path logs = Path.of("target", "child-logs");
      Files.createDirectories(logs);
      stderr = Files.createTempFile(logs, name + "-", ".stderr.log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
      pb.environment().putAll(env);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      process.getOutputStream().close(); // no standard input, as in CI
    } catch (IOException ignored) {
      // nothing to close
    }
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  synchronized (stdout) {
                    stdout.add(line);
                  }
                  Matcher m = readyLine.matcher(line);
                  if (m.find()) {
                    ready.complete(m);
                  }
                }
              } catch (IOException ignored) {
                // the process ended
              }
              ready.completeExceptionally(
                  new IllegalStateException("ended without its ready line"));
            },
            name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code command} and waits up to {@code within} for a stdout line that matches {@code
   * readyLine}.
   */
  public static ChildProcess start(
      List<String> command,
      Map<String, String> env,
      Pattern readyLine,
      Duration within,
      String name) {
    ChildProcess p = new ChildProcess(command, env, readyLine, name);
    try {
      p.ready.get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      p.close();
      throw new AssertionError(
          name
              + " did not get ready: "
              + e
              + "\nstdout: "
              + p.stdout()
              + "\nstderr: "
              + p.stderrText(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.close();
      throw new AssertionError(e);
    }
    return p;
  }

  /**
   * The webcall command line in a new JVM with this test run's class path: {@code java webcall.Main
   * args...}.
   */
  public static List<String> webcall(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("webcall.Main");
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The groups of the ready line, e.g. the port the server printed. */
  public Matcher readyLine() {
    return ready.join();
  }

  public List<String> stdout() {
    synchronized (stdout) {
      return List.copyOf(stdout);
    }
  }

  public String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  public long pid() {
    return process.pid();
  }

  /** Sends a signal by name ("TERM", "INT") to this process alone, by its PID. */
  public void signal(String name) {
    try {
      Command.Result r = Command.run(10, "kill", "-" + name, Long.toString(process.pid()));
      if (r.exit() != 0) {
        throw new AssertionError("kill -" + name + " failed: " + r.output());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Waits up to {@code within} for the process to end by itself; its exit code, or -1 if it is
   * still running.
   */
  public int exitWithin(Duration within) {
    try {
      return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Sends SIGTERM and returns the exit code, or -1 if it had to be killed after {@code grace}. */
  public int stop(Duration grace) {
    process.destroy();
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(10));
    }
  }
}
