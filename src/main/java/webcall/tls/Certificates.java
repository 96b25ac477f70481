package webcall.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLException;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reading PEM certificates, their fingerprints, and the server's TLS context. */
public final class Certificates {
  private Certificates() {}

  /** The certificates of a PEM file, leaf first. */
  public static List<X509Certificate> read(Path pem) throws IOException {
    byte[] bytes = Files.readAllBytes(pem);
    try {
      CertificateFactory f = CertificateFactory.getInstance("X.509");
      List<X509Certificate> out = new ArrayList<>();
      for (var c : f.generateCertificates(new ByteArrayInputStream(bytes))) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new IOException("no certificate in " + pem);
      }
      return out;
    } catch (CertificateException e) {
      throw new IOException("not a PEM certificate: " + pem + " (" + e.getMessage() + ")", e);
    }
  }

  /** SHA-256 over the certificate, as browsers show it: {@code AB:CD:…}. */
  public static String sha256Fingerprint(X509Certificate cert) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * base64(SHA-256(SubjectPublicKeyInfo)): what HPKP and Chromium's
   * --ignore-certificate-errors-spki-list use.
   */
  public static String spkiSha256(X509Certificate cert) {
    try {
      return Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The server context from PEM files: a certificate chain and an unencrypted PKCS#8, PKCS#1 (RSA)
   * or SEC1 (EC) private key, read with BouncyCastle (on the class path for the self-signed
   * certificate anyway). A key that does not belong to the certificate is refused here, at start,
   * rather than at every browser's handshake.
   */
  public static SslContext serverContext(Path certPem, Path keyPem) {
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = read(certPem);
      key = readKey(keyPem);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot use --tls-cert " + certPem + " with --tls-key " + keyPem + ": " + e.getMessage(),
          e);
    }
    if (!belongTogether(key, chain.get(0).getPublicKey())) {
      throw new IllegalArgumentException(
          "--tls-key " + keyPem + " is not the key of --tls-cert " + certPem);
    }
    try {
      return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).build();
    } catch (SSLException e) {
      throw new IllegalArgumentException(
          "cannot use --tls-cert " + certPem + ": " + e.getMessage(), e);
    }
  }

  static PrivateKey readKey(Path pem) throws IOException {
    try (PEMParser parser =
        new PEMParser(Files.newBufferedReader(pem, StandardCharsets.US_ASCII))) {
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      for (Object o; (o = parser.readObject()) != null; ) {
        if (o instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate(); // PKCS#1 RSA, SEC1 EC
        }
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info); // PKCS#8
        }
        if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
          throw new IOException(
              "the key is encrypted; give an unencrypted PEM key readable by this user only");
        }
        // anything else (EC PARAMETERS, a certificate in the same file) is skipped
      }
    }
    throw new IOException("no private key in " + pem);
  }

  /** Signs a random message with the key and checks it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, PublicKey pub) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null || !key.getAlgorithm().equals(pub.getAlgorithm())) {
      return algorithm == null; // an unusual key type: leave the check to the handshake
    }
    try {
      byte[] message = new byte[32];
      new SecureRandom().nextBytes(message);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(pub);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
