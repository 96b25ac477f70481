package webcall.ice;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-limited TURN credentials in coturn's use-auth-secret scheme (the "TURN REST API"): the
 * username is {@code <expiry unix time>:<opaque id>}, the password {@code base64(HMAC-SHA1(secret,
 * username))}. coturn recomputes the password from the same secret, so nothing has to be stored or
 * shared per user.
 */
public final class TurnCredentials {
  /** One credential, as the browser's RTCIceServer wants it. */
  public record Credential(String username, String password, long expiresAt) {
    @Override
    public String toString() {
      return "Credential[username=" + username + ", password=hidden]";
    }
  }

  private final List<String> secrets;
  private final Duration lifetime;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * The first secret signs; the others still verify, so a secret can be rotated without cutting
   * anyone off.
   */
  public TurnCredentials(List<String> secrets, Duration lifetime, Clock clock) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret");
    }
    this.secrets = List.copyOf(secrets);
    this.lifetime = IceOptions.clamp(lifetime);
    this.clock = clock;
  }

  public Duration lifetime() {
    return lifetime;
  }

  /** A fresh credential; the id is random, so it says nothing about who asked. */
  public Credential issue() {
    byte[] id = new byte[8];
    random.nextBytes(id);
    long expiry = clock.instant().getEpochSecond() + lifetime.toSeconds();
    String username = expiry + ":" + HexFormat.of().formatHex(id);
    return new Credential(username, sign(secrets.get(0), username), expiry);
  }

  /** Whether coturn would accept this pair with any of our secrets, now. */
  public boolean accepts(String username, String password) {
    int colon = username.indexOf(':');
    long expiry;
    try {
      expiry = Long.parseLong(colon < 0 ? username : username.substring(0, colon));
    } catch (NumberFormatException e) {
      return false;
    }
    if (expiry < clock.instant().getEpochSecond()) {
      return false;
    }
    byte[] given = password.getBytes(StandardCharsets.US_ASCII);
    for (String secret : secrets) {
      if (MessageDigest.isEqual(
          sign(secret, username).getBytes(StandardCharsets.US_ASCII), given)) {
        return true;
      }
    }
    return false;
  }

  static String sign(String secret, String username) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder()
          .encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is part of every Java runtime", e);
    }
  }
}
