package webcall.support;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away self-signed certificate for 127.0.0.1 and localhost, made with the JDK's keytool and
 * written out as the PEM files that {@code --sslkey}/{@code --sslcert} take, plus a client
 * SSLContext that trusts it and nothing else.
 */
public final class TestCertificate {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private final Path keyPem;
  private final Path certPem;
  private final X509Certificate certificate;

  private TestCertificate(Path keyPem, Path certPem, X509Certificate certificate) {
    this.keyPem = keyPem;
    this.certPem = certPem;
    this.certificate = certificate;
  }

  public static TestCertificate create(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path store = dir.resolve("test.p12");
    Files.deleteIfExists(store);
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    keytool,
                    "-genkeypair",
                    "-alias",
                    "webcall",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "san=ip:127.0.0.1,dns:localhost",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    new String(PASSWORD),
                    "-keypass",
                    new String(PASSWORD)))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    PrivateKey key = (PrivateKey) ks.getKey("webcall", PASSWORD);
    Certificate cert = ks.getCertificate("webcall");
    Path keyPem = dir.resolve("key.pem");
    Path certPem = dir.resolve("cert.pem");
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8, as Netty reads it
    Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
    return new TestCertificate(keyPem, certPem, (X509Certificate) cert);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  public Path keyPem() {
    return keyPem;
  }

  public Path certPem() {
    return certPem;
  }

  /** A client context that trusts only this certificate. */
  public SSLContext clientContext() throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("webcall", certificate);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }
}
