package webcall.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class KeyValueFieldsTest {
  static JsonNode fields(String format, Object... args) throws Exception {
    LoggerContext context = new LoggerContext();
    LoggingEvent event =
        new LoggingEvent("x", context.getLogger("test"), Level.INFO, format, null, args);
    StringWriter out = new StringWriter();
    try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
      g.writeStartObject();
      new KeyValueFields().writeTo(g, event);
      g.writeEndObject();
    }
    return new ObjectMapper().readTree(out.toString());
  }

  @Test
  void theMessagesPairsBecomeFields() throws Exception {
    JsonNode f = fields("event=peer-open peer={} addr={} takeover={}", "abc", "10.0.0.1", false);
    assertThat(f.path("event").asText()).isEqualTo("peer-open");
    assertThat(f.path("peer").asText()).isEqualTo("abc");
    assertThat(f.path("addr").asText()).isEqualTo("10.0.0.1");
    assertThat(f.path("takeover").asText()).isEqualTo("false");
  }

  @Test
  void clientTextCannotAddOrOverwriteAField() throws Exception {
    String crafted = "x addr=6.6.6.6 message=forged level=ERROR";
    JsonNode f =
        fields(
            "event=peer-reject peer={} addr={} reason={}",
            LogText.escape(crafted),
            "10.0.0.1",
            "X");
    assertThat(f.path("addr").asText()).isEqualTo("10.0.0.1");
    assertThat(f.has("message")).isFalse();
    assertThat(f.has("level")).isFalse();
    assertThat(f.path("reason").asText()).isEqualTo("X");
  }
}
