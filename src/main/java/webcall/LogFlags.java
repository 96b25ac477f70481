package webcall;

import picocli.CommandLine.Option;
import webcall.logging.LogFormat;

/** {@code --log-format}, shared by both commands. */
final class LogFlags {
  @Option(
      names = "--log-format",
      defaultValue = "${env:WEBCALL_LOG_FORMAT:-text}",
      description =
          "Log lines on standard error: text, or json (one JSON object per line) (WEBCALL_LOG_FORMAT)."
              + " Default: ${DEFAULT-VALUE}")
  LogFormat format = LogFormat.text;
}
