package webcall.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an outside tool (OpenSSL, coturn's clients) to its end, bounded in time, and keeps what it
 * printed.
 */
public final class Command {
  private Command() {}

  /** Its exit code and its standard output and error, together. */
  public record Result(int exit, String output) {}

  public static Result run(long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    return runWithEnv(timeoutSeconds, Map.of(), command);
  }

  /** As {@link #run}, with {@code env} added to this process's environment. */
  public static Result runWithEnv(long timeoutSeconds, Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try {
                  p.getInputStream().transferTo(out);
                } catch (IOException ignored) {
                  // the process ended
                }
              });
      reader.start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
      }
      reader.join(5000);
      return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }
}
