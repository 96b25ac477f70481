package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import webcall.peerjs.PeerJsTarget.Mode;
import webcall.support.RawWs;

/**
 * A close frame the client may not send (RFC 6455 §7.4: a code outside 1000-1003, 1007-1014,
 * 3000-4999, or a reason that is not UTF-8) is answered with 1002 (1007 for the reason), never
 * echoed, and the connection ends. Raw frames on both servers' PeerJS socket.
 */
class CloseCodesIT {
  @AfterAll
  static void joinClosing() throws InterruptedException {
    PeerJsTarget.awaitClosed();
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void invalidCloseCodesGet1002(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(PeerJsOptions.defaults("/myapp"))) {
      String q = s.path() + "/peerjs?key=peerjs&id=C&token=t";
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(PeerJsConformanceIT.OPEN);
        // The bytes: a masked close (mask 0) carrying code 0x5765 = 22373.
        ws.raw(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x57, 0x65});
        assertThat(ws.closeCode()).isEqualTo(1002);
        assertThat(ws.endsWithin()).isTrue();
      }
      for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535}) {
        try (RawWs ws = new RawWs(s.port(), q)) {
          assertThat(ws.read().text()).isEqualTo(PeerJsConformanceIT.OPEN);
          ws.frame(true, 0, 8, new byte[] {(byte) (code >> 8), (byte) code}, true);
          assertThat(ws.closeCode()).as("close code %d", code).isEqualTo(1002);
          assertThat(ws.endsWithin()).isTrue();
        }
      }
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(PeerJsConformanceIT.OPEN);
        ws.frame(
            true,
            0,
            8,
            new byte[] {0x03, (byte) 0xe8, (byte) 0xc3, 0x28},
            true); // 1000, reason not UTF-8
        assertThat(ws.closeCode()).isEqualTo(1007);
        assertThat(ws.endsWithin()).isTrue();
      }
      // A broken frame in the same write as the upgrade, before the server has registered the id: a
      // close frame too.
      try (java.net.Socket raw = new java.net.Socket("127.0.0.1", s.port())) {
        raw.setSoTimeout(10_000);
        String upgrade =
            "GET "
                + q
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        java.io.ByteArrayOutputStream both = new java.io.ByteArrayOutputStream();
        both.write(upgrade.getBytes(StandardCharsets.US_ASCII));
        both.write(new byte[] {(byte) 0x81, 0x02, '{', '}'}); // unmasked
        raw.getOutputStream().write(both.toByteArray());
        java.io.DataInputStream in = new java.io.DataInputStream(raw.getInputStream());
        assertThat(RawWs.readHead(in)).startsWith("HTTP/1.1 101");
        int code = -1;
        for (int i = 0; i < 10 && code < 0; i++) {
          int b0 = in.readUnsignedByte();
          byte[] payload = new byte[in.readUnsignedByte() & 0x7f];
          in.readFully(payload);
          if ((b0 & 0x0f) == 8) {
            code = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
          }
        }
        assertThat(code).isEqualTo(1002);
      }
      for (int code : new int[] {1000, 1001, 1003, 1011, 3000, 4999}) {
        try (RawWs ws = new RawWs(s.port(), q)) {
          assertThat(ws.read().text()).isEqualTo(PeerJsConformanceIT.OPEN);
          byte[] reason = "bye".getBytes(StandardCharsets.UTF_8);
          byte[] payload = new byte[2 + reason.length];
          payload[0] = (byte) (code >> 8);
          payload[1] = (byte) code;
          System.arraycopy(reason, 0, payload, 2, reason.length);
          ws.frame(true, 0, 8, payload, true);
          assertThat(ws.closeCode()).as("valid close code %d is echoed", code).isEqualTo(code);
        }
      }
    }
  }
}
