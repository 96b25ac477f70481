package webcall.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.LoggerFactory;

/**
 * {@code --log-format}: text lines (logback.xml, what Logback loads by itself) or one JSON object
 * per line (logback-json.xml). Chosen by the commands before their first log line: Logback may have
 * started already (a class's logger is made when the class loads) but has written nothing, so it is
 * reset and configured again.
 */
public enum LogFormat {
  text,
  json;

  public void apply() {
    if (this == text) {
      return;
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    URL config = LogFormat.class.getResource("/logback-json.xml");
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure the json log format: " + e.getMessage(), e);
    }
  }
}
