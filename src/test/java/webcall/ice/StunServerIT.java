package webcall.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;

/**
 * The STUN responder on a real UDP socket, checked with coturn's client and with hand-made bad
 * datagrams.
 */
class StunServerIT {
  @RegisterExtension static final TestServer server = new TestServer();

  InetSocketAddress stun() {
    return new InetSocketAddress("127.0.0.1", server.server().stunAddress().getPort());
  }

  @Test
  void coturnsStunClientLearnsItsAddress() throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "turnutils_stunclient", "-p", String.valueOf(stun().getPort()), "127.0.0.1")
            .redirectErrorStream(true);
    Process p = pb.start();
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      Thread reader =
          new Thread(
              () -> {
                try {
                  p.getInputStream().transferTo(out);
                } catch (java.io.IOException ignored) {
                  // the process ended
                }
              });
      reader.start();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stun client finished").isTrue();
      reader.join(5000);
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(text).isZero();
      assertThat(text).containsPattern("UDP reflexive addr: 127\\.0\\.0\\.1:\\d+");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void badDatagramsGetNoReplyWhileAGoodRequestDoes() throws Exception {
    byte[] ok = StunTest.request(StunTest.txid(42), new byte[0]);
    byte[] cookie = StunTest.request(StunTest.txid(1), new byte[0]);
    cookie[7] ^= 1;
    byte[] oversized = new byte[600];
    System.arraycopy(ok, 0, oversized, 0, 20);
    oversized[2] = (byte) (580 >> 8);
    oversized[3] = (byte) (580 & 0xFF);
    byte[] huge = new byte[4000]; // beyond the receive buffer too: arrives cut short, still dropped
    System.arraycopy(ok, 0, huge, 0, 20);
    huge[2] = (byte) (3980 >> 8);
    huge[3] = (byte) (3980 & 0xFF);
    byte[] trailing = Arrays.copyOf(StunTest.request(StunTest.txid(2), new byte[0]), 28);
    byte[] indication = StunTest.request(StunTest.txid(3), new byte[0]);
    indication[1] = 0x11;
    byte[] response = StunTest.request(StunTest.txid(4), new byte[0]);
    response[0] = 0x01;
    byte[] badFingerprint =
        StunTest.withFingerprint(StunTest.request(StunTest.txid(5), new byte[0]));
    badFingerprint[badFingerprint.length - 1] ^= 1;
    byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      s.setSoTimeout(5000);
      for (byte[] bad :
          new byte[][] {
            new byte[0],
            new byte[10],
            cookie,
            oversized,
            huge,
            trailing,
            indication,
            response,
            badFingerprint,
            garbage
          }) {
        s.send(new DatagramPacket(bad, bad.length, stun()));
      }
      s.send(new DatagramPacket(ok, ok.length, stun()));
      byte[] buf = new byte[1500];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      s.receive(in);
      byte[] got = Arrays.copyOf(buf, in.getLength());
      // The first and only reply answers the good request: none of the bad ones was answered before
      // it.
      assertThat(Arrays.copyOfRange(got, 8, 20)).isEqualTo(StunTest.txid(42));
      assertThat(Stun.xorMappedAddress(got)).isEqualTo(s.getLocalSocketAddress());
      s.setSoTimeout(500);
      assertThat(receiveNothing(s)).isTrue();
    }
  }

  @Test
  void repliesPerSourceAreRateLimited() throws Exception {
    int limit = IceOptions.forTests().stunRepliesPerSecond();
    // From 127.0.0.2: its own budget, so the other tests' requests from 127.0.0.1 are not starved
    // by this burst.
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
      // The limit's exact windows are RateLimitsTest's, on an injected clock; here only that the
      // real server applies
      // it, so a burst split over two windows (at most twice the limit) is fine and nothing waits
      // for a fresh second.
      for (int i = 0; i < limit * 3; i++) {
        byte[] req = StunTest.request(StunTest.txid(100 + i), new byte[0]);
        s.send(new DatagramPacket(req, req.length, stun()));
      }
      s.setSoTimeout(700);
      int replies = 0;
      byte[] buf = new byte[1500];
      for (int i = 0; i < limit * 3; i++) {
        try {
          s.receive(new DatagramPacket(buf, buf.length));
          replies++;
        } catch (SocketTimeoutException e) {
          break;
        }
      }
      // Within one second the burst gets at most the limit; a burst split over two windows at most
      // twice that.
      assertThat(replies).isGreaterThan(0).isLessThanOrEqualTo(2 * limit).isLessThan(limit * 3);
    }
  }

  @Test
  void aTakenStunPortIsAClearErrorNamingTheWayOut() {
    webcall.config.ServerConfig c = webcall.config.ServerConfig.forLoopback();
    webcall.TestServer second =
        webcall.TestServer.of(c.withIce(c.ice().withStunPort(stun().getPort())));
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(second::start)
          .hasMessageContaining("UDP 127.0.0.1:" + stun().getPort())
          .hasMessageContaining("--no-stun");
    } finally {
      second.close();
    }
  }

  private static boolean receiveNothing(DatagramSocket s) throws Exception {
    try {
      s.receive(new DatagramPacket(new byte[1500], 1500));
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    }
  }
}
