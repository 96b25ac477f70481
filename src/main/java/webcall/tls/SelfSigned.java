package webcall.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificate of {@code --tls-self-signed}: made once per install for this host's names and
 * addresses, kept in the data directory (never in the repository or the jar), and reused on every
 * start so its fingerprint stays the one people verified. It is replaced only when it is about to
 * expire.
 */
public final class SelfSigned {
  private static final Logger log = LoggerFactory.getLogger(SelfSigned.class);

  /**
   * Apple platforms refuse TLS server certificates valid for longer, even ones a user chose to
   * trust.
   */
  static final Duration VALIDITY = Duration.ofDays(825);

  static final Duration RENEW_BEFORE = Duration.ofDays(30);
  static final String CERT = "self-signed-cert.pem";
  static final String KEY = "self-signed-key.pem";

  /** Where the certificate and key are, and whether this start made them. */
  public record Material(Path cert, Path key, boolean created) {}

  private SelfSigned() {}

  /** The directory's certificate, made first if it is missing or expires within 30 days. */
  public static Material ensure(
      Path dataDir, Clock clock, Set<String> names, Set<InetAddress> addresses) throws IOException {
    Path dir = dataDir.resolve("tls");
    Path cert = dir.resolve(CERT);
    Path key = dir.resolve(KEY);
    if (Files.exists(cert) && Files.exists(key)) {
      X509Certificate existing = Certificates.read(cert).get(0);
      Instant renewAt = existing.getNotAfter().toInstant().minus(RENEW_BEFORE);
      if (clock.instant().isBefore(renewAt)) {
        warnAboutMissingNames(existing, cert, names, addresses);
        return new Material(cert, key, false);
      }
      log.info(
          "event=tls-self-signed-renew reason=expires-soon not_after={}",
          existing.getNotAfter().toInstant());
    }
    Files.createDirectories(dir);
    restrict(dir, "rwx------");
    KeyPair pair = newKeyPair();
    X509Certificate made = sign(pair, clock.instant(), names, addresses);
    // Key first, then certificate, each by atomic rename: a crash or a second process never leaves
    // a certificate
    // without its key, and a reader never sees half a file.
    writeAtomically(key, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), true);
    try {
      writeAtomically(cert, pem("CERTIFICATE", made.getEncoded()), false);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
    log.info(
        "event=tls-self-signed-created dir={} names={} addresses={}", dir, names, addresses.size());
    return new Material(cert, key, true);
  }

  /**
   * localhost, the host name(s), and every address of every interface that is up, loopback
   * included.
   */
  public static Set<String> hostNames() {
    Set<String> names = new LinkedHashSet<>(List.of("localhost"));
    try {
      InetAddress local = InetAddress.getLocalHost();
      addName(names, local.getHostName());
      addName(names, local.getCanonicalHostName());
    } catch (UnknownHostException e) {
      log.debug("event=tls-hostname-unknown error={}", e.toString());
    }
    String env = System.getenv("HOSTNAME");
    if (env != null) {
      addName(names, env);
    }
    return names;
  }

  public static Set<InetAddress> hostAddresses() {
    Set<InetAddress> out = new LinkedHashSet<>();
    try {
      out.add(InetAddress.getByName("127.0.0.1"));
      out.add(InetAddress.getByName("::1"));
      for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
        if (!nic.isUp()) {
          continue;
        }
        for (InetAddress a : nic.inetAddresses().toList()) {
          // A link-local IPv6 address needs a zone that a certificate cannot carry.
          if (!(a instanceof Inet6Address && a.isLinkLocalAddress())) {
            out.add(InetAddress.getByAddress(a.getAddress())); // without the scope id
          }
        }
      }
    } catch (SocketException | UnknownHostException e) {
      log.warn("event=tls-addresses-unknown error={}", e.toString());
    }
    return out;
  }

  private static void addName(Set<String> names, String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    // Only DNS names: an address here would be an IP SAN, added separately.
    if (n.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
        && !n.matches("[0-9.]+")) {
      names.add(n);
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC P-256 is part of every Java runtime", e);
    }
  }

  static X509Certificate sign(
      KeyPair pair, Instant now, Set<String> names, Set<InetAddress> addresses) {
    String cn = names.stream().filter(n -> !n.equals("localhost")).findFirst().orElse("localhost");
    var subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "webcall (self-signed)")
            .addRDN(BCStyle.CN, cn)
            .build();
    List<GeneralName> sans = new ArrayList<>();
    names.forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
    addresses.forEach(a -> sans.add(new GeneralName(GeneralName.iPAddress, a.getHostAddress())));
    try {
      var builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(VALIDITY)),
              subject,
              pair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(sans.toArray(GeneralName[]::new)));
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (OperatorCreationException | GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot make the self-signed certificate", e);
    }
  }

  /**
   * A stored certificate made on another network does not name today's addresses: say how to get a
   * new one.
   */
  private static void warnAboutMissingNames(
      X509Certificate cert, Path file, Set<String> names, Set<InetAddress> addresses) {
    Set<String> has = new LinkedHashSet<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        sans.forEach(s -> has.add(String.valueOf(s.get(1)).toLowerCase(Locale.ROOT)));
      }
    } catch (CertificateParsingException e) {
      return;
    }
    List<String> missing = new ArrayList<>();
    names.stream().filter(n -> !has.contains(n)).forEach(missing::add);
    for (InetAddress a : addresses) {
      boolean named =
          has.stream()
              .anyMatch(
                  h -> {
                    try {
                      return h.matches("[0-9a-f:.]+") && InetAddress.getByName(h).equals(a);
                    } catch (UnknownHostException e) {
                      return false;
                    }
                  });
      if (!named) {
        missing.add(a.getHostAddress());
      }
    }
    if (!missing.isEmpty()) {
      log.warn(
          "event=tls-self-signed-names-missing missing={} hint=\"delete {} and its key to make a new one"
              + " (its fingerprint will change)\"",
          missing,
          file);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try {
      if (secret) {
        restrict(tmp, "rw-------");
      }
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (FileAlreadyExistsException e) {
      throw new IOException("cannot replace " + target, e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void restrict(Path p, String perms) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system (Windows): the user's profile directory is already private
    }
  }
}
