package webcall.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParserTest {
  private final Parser parser = new Parser(SocketIoOptions.MAX_ATTACHMENTS);

  @Test
  void readsTheReferenceExamples() throws ProtocolError {
    Packet connect = parser.decode("0/admin,{\"token\":\"123\"}");
    assertThat(connect.type()).isEqualTo(PacketType.CONNECT);
    assertThat(connect.nsp()).isEqualTo("/admin");
    assertThat(connect.data()).isEqualTo(Map.of("token", "123"));

    Packet event = parser.decode("212[\"hello\",1]");
    assertThat(event.type()).isEqualTo(PacketType.EVENT);
    assertThat(event.nsp()).isEqualTo("/");
    assertThat(event.id()).isEqualTo(12);
    assertThat(event.array()).containsExactly("hello", 1);

    Packet binary =
        parser.decode(
            "52-/custom,7[\"x\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    assertThat(binary.type()).isEqualTo(PacketType.BINARY_EVENT);
    assertThat(binary.attachments()).isEqualTo(2);
    assertThat(binary.nsp()).isEqualTo("/custom");
    assertThat(binary.id()).isEqualTo(7);

    assertThat(parser.decode("0").data()).isSameAs(Packet.NONE);
    assertThat(parser.decode("1/custom,").nsp()).isEqualTo("/custom");
    assertThat(parser.decode("0/random").nsp()).isEqualTo("/random");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "9",
        "abc",
        "4abc",
        "2{}",
        "2[]",
        "2abc[\"x\"]",
        "2[\"disconnect\"]",
        "2[\"connect\"]",
        "2[\"newListener\"]",
        "2[\"removeListener\"]",
        "2[\"connect_error\"]",
        "2[\"disconnecting\"]",
        "2[true]",
        "0[]",
        "0\"text\"",
        "1{}",
        "3{}",
        "4[]",
        "5[\"x\"]",
        "5x-[\"x\"]",
        "511-[\"x\"]",
        "51234-[\"x\"]",
        "2[\"x\"]trailing",
        "21234567890123456[\"x\"]"
      })
  void refusesWhatTheReferenceRefuses(String packet) {
    assertThatThrownBy(() -> parser.decode(packet)).isInstanceOf(ProtocolError.class);
  }

  @Test
  void refusesJsonNestedDeeperThan32() {
    String deep = "2[\"x\"," + "[".repeat(40) + "]".repeat(40) + "]";
    assertThatThrownBy(() -> parser.decode(deep)).isInstanceOf(ProtocolError.class);
  }

  @Test
  void putsAttachmentsBackAndTakesThemOutAgain() throws ProtocolError {
    Packet p = parser.decode("51-[\"x\",{\"_placeholder\":true,\"num\":0}]");
    byte[] a = {1, 2, 3};
    Object data = Parser.reconstruct(p.data(), List.of(a));
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) data;
    assertThat(list).containsExactly("x", a);
    assertThatThrownBy(
            () ->
                Parser.reconstruct(
                    parser.decode("51-[\"x\",{\"_placeholder\":true,\"num\":1}]").data(),
                    List.of(a)))
        .isInstanceOf(ProtocolError.class);

    List<Object> encoded = Parser.encode(PacketType.ACK, "/", 789, List.of(a, "b"));
    assertThat(encoded.get(0)).isEqualTo("61-789[{\"_placeholder\":true,\"num\":0},\"b\"]");
    assertThat(encoded.get(1)).isSameAs(a);
  }

  @Test
  void writesPackets() {
    assertThat(
            Parser.encode(
                PacketType.CONNECT_ERROR, "/random", -1, Map.of("message", "Invalid namespace")))
        .containsExactly("4/random,{\"message\":\"Invalid namespace\"}");
    assertThat(Parser.encode(PacketType.DISCONNECT, "/", -1, Packet.NONE)).containsExactly("1");
    assertThat(Outgoing.event("hi", "there", 1).frames[0].text).isEqualTo("42[\"hi\",\"there\",1]");
    assertThat(Outgoing.eventIn("/custom", "hi", "there").frames[0].text)
        .isEqualTo("42/custom,[\"hi\",\"there\"]");
  }

  @Test
  void splitsPollingBodies() {
    assertThat(EngineIoServer.decodePayload(body("4hello\u001ebAQIDBA==\u001e3")))
        .satisfiesExactly(
            p -> assertThat(p).isEqualTo("4hello"),
            p -> assertThat((byte[]) p).containsExactly(1, 2, 3, 4),
            p -> assertThat(p).isEqualTo("3"));
    assertThat(EngineIoServer.decodePayload(body("abc"))).isNull();
    assertThat(EngineIoServer.decodePayload(body(""))).isNull();
    assertThat(EngineIoServer.decodePayload(body("4a\u001e"))).isNull();
    assertThat(EngineIoServer.decodePayload(body("b!!!"))).isNull();
  }

  private static io.netty.buffer.ByteBuf body(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.UTF_8));
  }
}
