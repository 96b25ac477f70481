package webcall.ice;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * The slice of STUN (RFC 8489) a Binding responder needs: check a request, build the answer. Pure
 * functions over byte arrays so they can be tested without a socket.
 */
public final class Stun {
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int HEADER = 20;

  /**
   * RFC 8489 §6.1: without path MTU knowledge a STUN message must fit 576-byte IPv4 packets, i.e.
   * 548 bytes.
   */
  public static final int MAX_MESSAGE = 548;

  static final int BINDING_REQUEST = 0x0001;
  static final int BINDING_SUCCESS = 0x0101;
  static final int BINDING_ERROR = 0x0111;

  static final int ATTR_ERROR_CODE = 0x0009;
  static final int ATTR_UNKNOWN_ATTRIBUTES = 0x000A;
  static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
  static final int ATTR_MESSAGE_INTEGRITY_SHA256 = 0x001C;
  static final int ATTR_FINGERPRINT = 0x8028;
  static final int FINGERPRINT_XOR = 0x5354554e;

  /**
   * Comprehension-required attributes (type < 0x8000) we understand in a Binding request: USERNAME,
   * MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, USERHASH, PRIORITY, USE-CANDIDATE (the last two
   * from ICE). Anything else of that range gets 420 Unknown Attribute, as §6.3.1 requires;
   * CHANGE-REQUEST (RFC 5780) lands there, which tells NAT-discovery clients we have no alternate
   * address.
   */
  private static final Set<Integer> UNDERSTOOD =
      Set.of(0x0006, 0x0008, 0x001C, 0x001E, 0x0024, 0x0025);

  private Stun() {}

  /** What to do with a datagram: nothing (dropped), or send these bytes back. */
  public sealed interface Verdict permits Drop, Reply {}

  /** Dropped without a reply; the reason is for tests and debug counters, never sent. */
  public record Drop(String reason) implements Verdict {}

  public record Reply(byte[] bytes) implements Verdict {}

  /**
   * Checks a datagram and, when it is a well-formed Binding request, builds the answer for the
   * given source.
   */
  public static Verdict answer(byte[] d, InetSocketAddress source) {
    if (d.length < HEADER) {
      return new Drop("short");
    }
    if (d.length > MAX_MESSAGE) {
      return new Drop("oversized");
    }
    ByteBuffer b = ByteBuffer.wrap(d);
    int type = b.getShort(0) & 0xFFFF;
    int length = b.getShort(2) & 0xFFFF;
    if ((type & 0xC000) != 0) {
      return new Drop("not-stun"); // the two top bits are zero in every STUN message (§5)
    }
    if (b.getInt(4) != MAGIC_COOKIE) {
      return new Drop("cookie");
    }
    if (length % 4 != 0 || HEADER + length != d.length) {
      return new Drop("length"); // shorter or longer than declared: not one clean message
    }
    if (type != BINDING_REQUEST) {
      return new Drop(
          "not-binding-request"); // indications, responses and other methods get no answer
    }
    List<Integer> unknown = new ArrayList<>();
    boolean fingerprint = false;
    int at = HEADER;
    while (at < d.length) {
      if (fingerprint) {
        return new Drop("after-fingerprint"); // FINGERPRINT must be last (§14.7)
      }
      if (d.length - at < 4) {
        return new Drop("attribute-header");
      }
      int attr = b.getShort(at) & 0xFFFF;
      int attrLen = b.getShort(at + 2) & 0xFFFF;
      int padded = (attrLen + 3) & ~3;
      if (padded > d.length - at - 4) {
        return new Drop("attribute-length");
      }
      if (attr == ATTR_FINGERPRINT) {
        if (attrLen != 4 || b.getInt(at + 4) != fingerprint(d, at)) {
          return new Drop("fingerprint");
        }
        fingerprint = true;
      } else if (attr < 0x8000 && !UNDERSTOOD.contains(attr) && unknown.size() < 16) {
        unknown.add(attr);
      }
      at += 4 + padded;
    }
    byte[] txid = new byte[12];
    System.arraycopy(d, 8, txid, 0, 12);
    if (!unknown.isEmpty()) {
      return new Reply(unknownAttributes(txid, unknown, fingerprint));
    }
    return new Reply(success(txid, source, fingerprint));
  }

  /**
   * Binding Success Response with XOR-MAPPED-ADDRESS, and FINGERPRINT when the request carried one.
   */
  static byte[] success(byte[] txid, InetSocketAddress source, boolean fingerprint) {
    byte[] ip = source.getAddress().getAddress();
    int family = source.getAddress() instanceof Inet4Address ? 0x01 : 0x02;
    ByteBuffer attr = ByteBuffer.allocate(4 + 4 + ip.length);
    attr.putShort((short) ATTR_XOR_MAPPED_ADDRESS).putShort((short) (4 + ip.length));
    attr.put((byte) 0)
        .put((byte) family)
        .putShort((short) (source.getPort() ^ (MAGIC_COOKIE >>> 16)));
    byte[] mask = new byte[16];
    ByteBuffer.wrap(mask).putInt(MAGIC_COOKIE).put(txid);
    for (int i = 0; i < ip.length; i++) {
      attr.put((byte) (ip[i] ^ mask[i]));
    }
    return message(BINDING_SUCCESS, txid, attr.array(), fingerprint);
  }

  /** 420 Unknown Attribute error response listing what we did not understand (§14.8, §14.13). */
  static byte[] unknownAttributes(byte[] txid, List<Integer> unknown, boolean fingerprint) {
    byte[] reason = "Unknown Attribute".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    int errLen = 4 + reason.length;
    int listLen = 2 * unknown.size();
    ByteBuffer a = ByteBuffer.allocate(4 + pad(errLen) + 4 + pad(listLen));
    a.putShort((short) ATTR_ERROR_CODE)
        .putShort((short) errLen)
        .putShort((short) 0)
        .put((byte) 4)
        .put((byte) 20);
    a.put(reason).position(4 + pad(errLen));
    a.putShort((short) ATTR_UNKNOWN_ATTRIBUTES).putShort((short) listLen);
    for (int t : unknown) {
      a.putShort((short) t);
    }
    return message(BINDING_ERROR, txid, a.array(), fingerprint);
  }

  private static byte[] message(int type, byte[] txid, byte[] attributes, boolean fingerprint) {
    int length = attributes.length + (fingerprint ? 8 : 0);
    ByteBuffer m = ByteBuffer.allocate(HEADER + length);
    m.putShort((short) type)
        .putShort((short) length)
        .putInt(MAGIC_COOKIE)
        .put(txid)
        .put(attributes);
    byte[] out = m.array();
    if (fingerprint) {
      int at = HEADER + attributes.length;
      m.putShort(at, (short) ATTR_FINGERPRINT)
          .putShort(at + 2, (short) 4)
          .putInt(at + 4, fingerprint(out, at));
    }
    return out;
  }

  /**
   * CRC-32 of the message up to the FINGERPRINT attribute at {@code at}, XOR 0x5354554e, with the
   * header's length field counting through the FINGERPRINT (§14.7): so compute over a copy whose
   * length says so.
   */
  static int fingerprint(byte[] message, int at) {
    byte[] head = java.util.Arrays.copyOf(message, at);
    int lengthThroughFingerprint = at + 8 - HEADER;
    head[2] = (byte) (lengthThroughFingerprint >>> 8);
    head[3] = (byte) lengthThroughFingerprint;
    CRC32 crc = new CRC32();
    crc.update(head);
    return (int) crc.getValue() ^ FINGERPRINT_XOR;
  }

  /**
   * Reads XOR-MAPPED-ADDRESS from a success response (for tests and diagnostics); null when absent.
   */
  public static InetSocketAddress xorMappedAddress(byte[] response)
      throws java.net.UnknownHostException {
    ByteBuffer b = ByteBuffer.wrap(response);
    int at = HEADER;
    while (at + 4 <= response.length) {
      int attr = b.getShort(at) & 0xFFFF;
      int len = b.getShort(at + 2) & 0xFFFF;
      if (attr == ATTR_XOR_MAPPED_ADDRESS) {
        int family = response[at + 5];
        int port = (b.getShort(at + 6) & 0xFFFF) ^ (MAGIC_COOKIE >>> 16);
        byte[] ip = new byte[family == 1 ? 4 : 16];
        for (int i = 0; i < ip.length; i++) {
          ip[i] =
              (byte)
                  (response[at + 8 + i] ^ response[4 + i]); // cookie then transaction id, as sent
        }
        return new InetSocketAddress(java.net.InetAddress.getByAddress(ip), port);
      }
      at += 4 + pad(len);
    }
    return null;
  }

  private static int pad(int n) {
    return (n + 3) & ~3;
  }
}
