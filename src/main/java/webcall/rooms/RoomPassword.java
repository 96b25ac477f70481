package webcall.rooms;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A room's password, kept only as a salted hash: PBKDF2-HMAC-SHA256 from the JDK, a random 16-byte
 * salt per password, {@value #ITERATIONS} iterations. The hash never leaves memory, so the
 * stretching only has to make a heap dump or a core file useless for reading the password back, not
 * resist an offline attack on a stolen database; online guessing is held back by the attempt limits
 * in {@link RoomSignaling}. More iterations would stall the event loop that checks a join (about a
 * millisecond here). Never logged, never sent; {@link #toString} says nothing.
 */
final class RoomPassword {
  static final int ITERATIONS = 10_000;

  /** Longest password accepted, in characters. */
  static final int MAX_LENGTH = 128;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] salt;
  private final byte[] hash;

  private RoomPassword(byte[] salt, byte[] hash) {
    this.salt = salt;
    this.hash = hash;
  }

  static RoomPassword of(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return new RoomPassword(salt, derive(password, salt));
  }

  boolean matches(String candidate) {
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

  @Override
  public String toString() {
    return "RoomPassword[hidden]";
  }
}
