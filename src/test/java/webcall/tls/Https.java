package webcall.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import webcall.support.Command;

/**
 * Test clients: one that trusts exactly one certificate, a raw plain-HTTP exchange, and OpenSSL as
 * a witness.
 */
final class Https {
  private Https() {}

  /** An HTTP client whose only trusted certificate is this one (hostname checks stay on). */
  static HttpClient trusting(Path certPem) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(trustingContext(certPem))
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  /** A TLS context whose only trusted certificate is this one. */
  static SSLContext trustingContext(Path certPem) throws Exception {
    X509Certificate cert = Certificates.read(certPem).get(0);
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("webcall", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /**
   * One request over plain TCP, written by hand so the Host header can be anything; returns the raw
   * response.
   */
  static String plain(int port, String requestHead) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(requestHead.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      // The redirects say Connection: close, so the server ends the exchange; 10 s of silence also
      // ends it.
      for (int n; (n = in.read(buf)) > 0 && got.size() < 65_536; ) {
        got.write(buf, 0, n);
      }
      return got.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Runs a command (OpenSSL) and returns its standard output; fails on a non-zero exit. */
  static String run(String... command) throws Exception {
    Command.Result r = Command.run(60, command);
    if (r.exit() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + r.output());
    }
    return r.output();
  }
}
