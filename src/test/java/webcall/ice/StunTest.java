package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class StunTest {
  static final InetSocketAddress CLIENT = new InetSocketAddress("203.0.113.7", 54321);

  /** A Binding request written out by hand, independently of the code under test. */
  static byte[] request(byte[] txid, byte[] attributes) {
    ByteBuffer b = ByteBuffer.allocate(20 + attributes.length);
    b.putShort((short) 0x0001)
        .putShort((short) attributes.length)
        .putInt(0x2112A442)
        .put(txid)
        .put(attributes);
    return b.array();
  }

  static byte[] txid(int seed) {
    byte[] t = new byte[12];
    for (int i = 0; i < 12; i++) {
      t[i] = (byte) (seed * 31 + i);
    }
    return t;
  }

  /** Appends a FINGERPRINT computed with java.util.zip directly, as §14.7 describes it. */
  static byte[] withFingerprint(byte[] message) {
    byte[] m = java.util.Arrays.copyOf(message, message.length + 8);
    int len = message.length - 20 + 8;
    m[2] = (byte) (len >> 8);
    m[3] = (byte) len;
    CRC32 crc = new CRC32();
    crc.update(m, 0, message.length);
    ByteBuffer.wrap(m, message.length, 8)
        .putShort((short) 0x8028)
        .putShort((short) 4)
        .putInt((int) crc.getValue() ^ 0x5354554e);
    return m;
  }

  static byte[] reply(byte[] request) {
    Stun.Verdict v = Stun.answer(request, CLIENT);
    assertThat(v).isInstanceOf(Stun.Reply.class);
    return ((Stun.Reply) v).bytes();
  }

  static String dropReason(byte[] request) {
    Stun.Verdict v = Stun.answer(request, CLIENT);
    assertThat(v).isInstanceOf(Stun.Drop.class);
    return ((Stun.Drop) v).reason();
  }

  @Test
  void bindingRequestGetsSuccessWithTheXoredSourceAddress() throws Exception {
    byte[] res = reply(request(txid(1), new byte[0]));
    ByteBuffer b = ByteBuffer.wrap(res);
    assertThat(b.getShort(0)).isEqualTo((short) 0x0101);
    assertThat(b.getShort(2) & 0xFFFF).isEqualTo(res.length - 20).isEqualTo(12);
    assertThat(b.getInt(4)).isEqualTo(0x2112A442);
    assertThat(java.util.Arrays.copyOfRange(res, 8, 20)).isEqualTo(txid(1));
    // XOR-MAPPED-ADDRESS by hand: port ^ 0x2112, address ^ cookie.
    assertThat(b.getShort(20)).isEqualTo((short) 0x0020);
    assertThat(res[25]).isEqualTo((byte) 1);
    assertThat((b.getShort(26) & 0xFFFF) ^ 0x2112).isEqualTo(54321);
    assertThat(b.getInt(28) ^ 0x2112A442)
        .isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 203, 0, 113, 7}).getInt());
    assertThat(Stun.xorMappedAddress(res)).isEqualTo(CLIENT);
  }

  @Test
  void ipv6SourcesAreXoredWithCookieAndTransactionId() throws Exception {
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 40000);
    Stun.Reply r = (Stun.Reply) Stun.answer(request(txid(2), new byte[0]), v6);
    assertThat(r.bytes()).hasSize(20 + 4 + 20);
    assertThat(Stun.xorMappedAddress(r.bytes())).isEqualTo(v6);
  }

  @Test
  void fingerprintIsCheckedAndEchoed() {
    byte[] good = withFingerprint(request(txid(3), new byte[0]));
    byte[] res = reply(good);
    assertThat(res).hasSize(20 + 12 + 8);
    // The response's own fingerprint verifies with an independent CRC.
    byte[] withoutFp = java.util.Arrays.copyOf(res, res.length - 8);
    assertThat(withFingerprint(withoutFp)).isEqualTo(res);

    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 1;
    assertThat(dropReason(bad)).isEqualTo("fingerprint");
  }

  @Test
  void knownAttributesAreAcceptedAndUnknownRequiredOnesGet420() {
    // PRIORITY (0x0024, understood) and SOFTWARE (0x8022, optional) pass.
    byte[] attrs =
        ByteBuffer.allocate(8 + 8)
            .putShort((short) 0x0024)
            .putShort((short) 4)
            .putInt(7)
            .putShort((short) 0x8022)
            .putShort((short) 3)
            .put(new byte[] {'a', 'b', 'c', 0})
            .array();
    assertThat(ByteBuffer.wrap(reply(request(txid(4), attrs))).getShort(0))
        .isEqualTo((short) 0x0101);
    // CHANGE-REQUEST (0x0003): we have no alternate address, so 420 with UNKNOWN-ATTRIBUTES naming
    // it.
    byte[] change =
        ByteBuffer.allocate(8).putShort((short) 0x0003).putShort((short) 4).putInt(6).array();
    byte[] err = reply(request(txid(5), change));
    ByteBuffer e = ByteBuffer.wrap(err);
    assertThat(e.getShort(0)).isEqualTo((short) 0x0111);
    assertThat(e.getShort(20)).isEqualTo((short) 0x0009);
    assertThat(err[26] * 100 + err[27]).isEqualTo(420);
    int listAt = 20 + 4 + ((e.getShort(22) + 3) & ~3);
    assertThat(e.getShort(listAt)).isEqualTo((short) 0x000A);
    assertThat(e.getShort(listAt + 4)).isEqualTo((short) 0x0003);
    assertThat(e.getShort(2) & 0xFFFF).isEqualTo(err.length - 20);
  }

  @Test
  void malformedDatagramsAreDropped() {
    byte[] ok = request(txid(6), new byte[0]);
    assertThat(dropReason(new byte[19])).isEqualTo("short");
    byte[] cookie = ok.clone();
    cookie[4] = 0;
    assertThat(dropReason(cookie)).isEqualTo("cookie");
    byte[] topBits = ok.clone();
    topBits[0] = (byte) 0x40;
    assertThat(dropReason(topBits)).isEqualTo("not-stun");
    // Declared length longer, shorter, or not a multiple of 4.
    byte[] trailing = java.util.Arrays.copyOf(ok, 24);
    assertThat(dropReason(trailing)).isEqualTo("length");
    byte[] declaresMore = ok.clone();
    declaresMore[3] = 8;
    assertThat(dropReason(declaresMore)).isEqualTo("length");
    byte[] odd = request(txid(6), new byte[4]);
    odd[3] = 3;
    assertThat(dropReason(odd)).isEqualTo("length");
    // An attribute running past the end.
    byte[] overrun =
        request(
            txid(6), ByteBuffer.allocate(8).putShort((short) 0x0024).putShort((short) 8).array());
    assertThat(dropReason(overrun)).isEqualTo("attribute-length");
    // Something after FINGERPRINT.
    byte[] fp = withFingerprint(ok);
    byte[] after =
        request(
            txid(6), java.util.Arrays.copyOf(java.util.Arrays.copyOfRange(fp, 20, fp.length), 16));
    assertThat(dropReason(after)).isIn("after-fingerprint", "fingerprint");
  }

  @Test
  void nonRequestsAndOtherMethodsAreDropped() {
    for (int type :
        new int[] {0x0011 /* indication */, 0x0101 /* success */, 0x0111 /* error */, 0x0003}) {
      byte[] m = request(txid(7), new byte[0]);
      m[0] = (byte) (type >> 8);
      m[1] = (byte) type;
      assertThat(dropReason(m)).isEqualTo("not-binding-request");
    }
  }

  @Test
  void sizeLimitIs548Bytes() {
    // 548 bytes exactly: accepted (one SOFTWARE-like optional attribute filling it).
    byte[] fill = ByteBuffer.allocate(528).putShort((short) 0x8022).putShort((short) 524).array();
    assertThat(Stun.answer(request(txid(8), fill), CLIENT)).isInstanceOf(Stun.Reply.class);
    byte[] over = ByteBuffer.allocate(532).putShort((short) 0x8022).putShort((short) 528).array();
    assertThat(dropReason(request(txid(8), over))).isEqualTo("oversized");
  }
}
