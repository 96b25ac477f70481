package webcall.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * webcall --tls-self-signed as a person runs it: the certificate is made once and its fingerprint
 * printed.
 */
class MainTlsIT {
  static final Pattern LISTENING =
      Pattern.compile("webcall listening on https://127\\.0\\.0\\.1:(\\d+)");
  static final Pattern FINGERPRINT =
      Pattern.compile("TLS certificate SHA-256 fingerprint: ([0-9A-F:]{95})");

  record Started(int port, String fingerprint, List<String> lines) {}

  /**
   * Starts webcall in its own JVM, reads its banner, checks it answers over HTTPS, then stops it.
   */
  static Started runOnce(Path dataDir) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            "webcall.Main",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--stun-port",
            "-1",
            "--tls-self-signed",
            "--data-dir",
            dataDir.toString());
    pb.environment().keySet().removeIf(k -> k.startsWith("WEBCALL_"));
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    try {
      List<String> lines = new ArrayList<>();
      int port = -1;
      String fingerprint = null;
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // readLine ends when the process prints a line or exits; the banner is a handful of lines.
      for (String line;
          fingerprint == null
              && System.nanoTime() < deadline
              && (line = out.readLine()) != null; ) {
        lines.add(line);
        Matcher l = LISTENING.matcher(line);
        if (l.find()) {
          port = Integer.parseInt(l.group(1));
        }
        Matcher f = FINGERPRINT.matcher(line);
        if (f.find()) {
          fingerprint = f.group(1);
        }
      }
      assertThat(port).as(String.join("\n", lines)).isPositive();
      assertThat(fingerprint).as(String.join("\n", lines)).isNotNull();
      HttpResponse<String> res =
          Https.trusting(dataDir.resolve("tls/self-signed-cert.pem"))
              .send(
                  HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(302);
      return new Started(port, fingerprint, lines);
    } finally {
      p.destroy(); // SIGTERM: the shutdown hook closes the server
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void theCertificateIsMadeOnceAndItsFingerprintPrintedAtEveryStart(@TempDir Path dataDir)
      throws Exception {
    Started first = runOnce(dataDir);
    String openssl =
        Https.run(
            "openssl",
            "x509",
            "-in",
            dataDir.resolve("tls/self-signed-cert.pem").toString(),
            "-noout",
            "-fingerprint",
            "-sha256");
    assertThat(openssl.trim()).isEqualToIgnoringCase("sha256 Fingerprint=" + first.fingerprint());

    Started second = runOnce(dataDir);
    assertThat(second.fingerprint()).isEqualTo(first.fingerprint());
  }
}
