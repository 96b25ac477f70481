package webcall.rooms;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A room's password, kept only as a salted hash: PBKDF2-HMAC-SHA256 from the JDK, a random 16-byte
 * salt per password, {@value #ITERATIONS} iterations. In memory (the only store today) the
 * stretching only has to make a heap dump or a core file useless for reading the password back; a
 * shared store that keeps {@link #encoded()} (salt and hash, never the password) must be guarded as
 * that, since a rooms' password lives only as long as its room; online guessing is held back by the
 * attempt limits in {@link RoomSignaling}. More iterations would stall the event loop that checks a
 * join (about a millisecond here). Never logged, never sent to a client; {@link #toString} says
 * nothing. Two are equal when salt and hash are: a password set again, even to the same text, is
 * another one.
 */
public final class RoomPassword {
  static final int ITERATIONS = 10_000;

  /** Longest password accepted, in characters. */
  public static final int MAX_LENGTH = 128;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] salt;
  private final byte[] hash;

  private RoomPassword(byte[] salt, byte[] hash) {
    this.salt = salt;
    this.hash = hash;
  }

  /** A new salted hash of {@code password}. */
  public static RoomPassword of(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return new RoomPassword(salt, derive(password, salt));
  }

  /** Whether {@code candidate} is this password; false for null or a too long one. */
  public boolean matches(String candidate) {
    return candidate != null
        && candidate.length() <= MAX_LENGTH
        && MessageDigest.isEqual(hash, derive(candidate, salt));
  }

  private static byte[] derive(String password, byte[] salt) {
    PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, ITERATIONS, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  /** Salt and hash, for a store to keep: {@code "pbkdf2-sha256:<salt>:<hash>"}, base64. */
  public String encoded() {
    Base64.Encoder b64 = Base64.getEncoder();
    return PREFIX + b64.encodeToString(salt) + ":" + b64.encodeToString(hash);
  }

  /** The password {@link #encoded()} gave; IllegalArgumentException for anything else. */
  public static RoomPassword decode(String encoded) {
    String[] parts =
        encoded.startsWith(PREFIX) ? encoded.substring(PREFIX.length()).split(":", -1) : null;
    if (parts == null || parts.length != 2) {
      throw new IllegalArgumentException("not an encoded room password");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    byte[] salt = b64.decode(parts[0]);
    byte[] hash = b64.decode(parts[1]);
    if (salt.length != 16 || hash.length != 32) {
      throw new IllegalArgumentException("not an encoded room password");
    }
    return new RoomPassword(salt, hash);
  }

  private static final String PREFIX = "pbkdf2-sha256:";

  @Override
  public boolean equals(Object o) {
    return o instanceof RoomPassword p
        && MessageDigest.isEqual(salt, p.salt)
        && MessageDigest.isEqual(hash, p.hash);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(hash);
  }

  @Override
  public String toString() {
    return "RoomPassword[hidden]";
  }
}
