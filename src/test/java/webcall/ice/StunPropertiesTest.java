package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;
import static webcall.support.Generated.between;
import static webcall.support.Generated.bool;
import static webcall.support.Generated.bytes;
import static webcall.support.Generated.bytesOfLength;
import static webcall.support.Generated.forAll;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import webcall.support.Generated.Gen;

/**
 * STUN parsing on generated datagrams: whatever arrives, {@link Stun#answer} returns a verdict (a
 * {@code Drop} is its documented refusal) and never throws; a valid Binding request round-trips to
 * the sender's own address.
 */
class StunPropertiesTest {
  @Test
  void anyDatagramGetsAVerdictNeverAnException() {
    forAll(
        bytes(700),
        datagram -> {
          Stun.Verdict v = Stun.answer(datagram, StunTest.CLIENT);
          assertThat(v).isNotNull();
          if (v instanceof Stun.Reply r) {
            assertWellFormedResponse(r.bytes(), datagram);
          }
        });
  }

  /**
   * Past the header checks: a Binding request header over arbitrary attribute bytes, the parser's
   * hardest input.
   */
  @Test
  void anyAttributesAfterAValidHeaderGetAVerdict() {
    Gen<byte[]> attributes = r -> bytesOfLength(r, 4 * r.nextInt(133));
    forAll(
        attributes.map(a -> StunTest.request(StunTest.txid(7), a)),
        request -> {
          Stun.Verdict v = Stun.answer(request, StunTest.CLIENT);
          assertThat(v).isNotNull();
          if (v instanceof Stun.Reply r) {
            assertWellFormedResponse(r.bytes(), request);
          }
        });
  }

  /**
   * Attributes made of plausible pieces (known, unknown, FINGERPRINT, odd lengths): deeper into the
   * attribute loop.
   */
  @Test
  void plausibleAttributesGetAVerdict() {
    Gen<byte[]> attribute =
        r -> {
          int type =
              new int[] {0x0006, 0x0008, 0x001C, 0x0024, 0x8028, 0x7fff, 0x8000, r.nextInt(0x10000)}
                  [r.nextInt(8)];
          int length = r.nextInt(4) == 0 ? r.nextInt(0x10000) : r.nextInt(24);
          ByteBuffer b = ByteBuffer.allocate(4 + ((Math.min(length, 24) + 3) & ~3));
          b.putShort((short) type).putShort((short) length);
          return b.array();
        };
    Gen<byte[]> request =
        r -> {
          ByteBuffer all = ByteBuffer.allocate(528);
          for (int n = r.nextInt(6); n > 0; n--) {
            byte[] a = attribute.next(r);
            if (all.remaining() >= a.length) {
              all.put(a);
            }
          }
          byte[] body = Arrays.copyOf(all.array(), all.position());
          byte[] message = StunTest.request(StunTest.txid(r.nextInt()), body);
          return r.nextBoolean() ? StunTest.withFingerprint(message) : message;
        };
    forAll(
        request,
        d -> {
          Stun.Verdict v = Stun.answer(d, StunTest.CLIENT);
          assertThat(v).isNotNull();
          if (v instanceof Stun.Reply r) {
            assertWellFormedResponse(r.bytes(), d);
          }
        });
  }

  record Case(byte[] txid, InetSocketAddress source, boolean fingerprint) {
    @Override
    public String toString() {
      return "txid "
          + Arrays.toString(txid)
          + " from "
          + source
          + (fingerprint ? " with FINGERPRINT" : "");
    }
  }

  @Test
  void aBindingRequestRoundTripsToTheSendersAddress() {
    Gen<InetSocketAddress> source =
        r -> {
          try {
            return new InetSocketAddress(
                InetAddress.getByAddress(bytesOfLength(r, r.nextBoolean() ? 4 : 16)),
                between(0, 65535).next(r));
          } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
          }
        };
    forAll(
        r -> new Case(bytesOfLength(r, 12), source.next(r), bool().next(r)),
        c -> {
          byte[] request = StunTest.request(c.txid(), new byte[0]);
          if (c.fingerprint()) {
            request = StunTest.withFingerprint(request);
          }
          Stun.Verdict v = Stun.answer(request, c.source());
          assertThat(v).isInstanceOf(Stun.Reply.class);
          byte[] reply = ((Stun.Reply) v).bytes();
          assertWellFormedResponse(reply, request);
          assertThat(ByteBuffer.wrap(reply).getShort(0) & 0xFFFF).isEqualTo(Stun.BINDING_SUCCESS);
          assertThat(Stun.xorMappedAddress(reply)).isEqualTo(c.source());
        });
  }

  private static void assertWellFormedResponse(byte[] reply, byte[] request) {
    ByteBuffer b = ByteBuffer.wrap(reply);
    assertThat(reply.length).isBetween(Stun.HEADER, Stun.MAX_MESSAGE);
    assertThat(b.getShort(2) & 0xFFFF).isEqualTo(reply.length - Stun.HEADER);
    assertThat(b.getInt(4)).isEqualTo(Stun.MAGIC_COOKIE);
    assertThat(Arrays.copyOfRange(reply, 8, 20)).isEqualTo(Arrays.copyOfRange(request, 8, 20));
  }
}
