package webcall.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The page's pure modules (quality.js, governor.js) tested under Node's own test runner: `node
 * --test src/test/js/`, so that `mvn test` runs them with the Java unit tests. Node is on every
 * machine that builds (npm needs it).
 */
class PageScriptsTest {
  @Test
  void nodeTestsPass() throws IOException, InterruptedException {
    Process node =
        new ProcessBuilder("node", "--test", "src/test/js/")
            .directory(Path.of("").toAbsolutePath().toFile())
            .redirectErrorStream(true)
            .start();
    node.getOutputStream().close();
    boolean finished = node.waitFor(120, TimeUnit.SECONDS);
    String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!finished) {
      node.destroyForcibly();
    }
    assertThat(finished).as("node --test finished within 120 s").isTrue();
    assertThat(node.exitValue()).as(output).isZero();
    assertThat(output).as("the tests ran").containsPattern("# pass [1-9]");
  }
}
