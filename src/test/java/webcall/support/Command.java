package webcall.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
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
