package webcall.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.logstash.logback.composite.AbstractJsonProvider;

/**
 * Writes the {@code key=value} pairs of a log message ({@code event=peer-open peer=abc addr=...})
 * as JSON fields beside {@code message}, so a log shipper can filter on {@code event} without
 * parsing text. Values are what the message holds (client text in it is already escaped by {@link
 * LogText}); a key that would overwrite one of the encoder's own fields is left in the message
 * only.
 */
public final class KeyValueFields extends AbstractJsonProvider<ILoggingEvent> {
  private static final Pattern PAIR = Pattern.compile("(?:^|\\s)([a-z][a-z0-9_]*)=(\\S*)");
  private static final Set<String> RESERVED =
      Set.of(
          "message",
          "level",
          "logger_name",
          "thread_name",
          "stack_trace",
          "@timestamp",
          "@version",
          "tags");

  @Override
  public void writeTo(JsonGenerator generator, ILoggingEvent event) throws IOException {
    String message = event.getFormattedMessage();
    if (message == null || message.indexOf('=') < 0) {
      return;
    }
    Matcher m = PAIR.matcher(message);
    Set<String> written = new HashSet<>();
    while (m.find()) {
      String key = m.group(1);
      if (!RESERVED.contains(key) && written.add(key)) {
        generator.writeStringField(key, m.group(2));
      }
    }
  }
}
