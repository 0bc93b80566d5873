package dev.holdfast.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Configures logging for the command line in code: warnings and errors only, on standard error
 * (standard output is the command's result, e.g. {@code holdfast resolve -o json} lines), as
 * {@code holdfast: LEVEL message}. Done in code rather than with an XML file because parsing the
 * XML was a measurable part of a short command's start-up (docs/benchmarks.md). The environment
 * variable {@code HOLDFAST_LOG_LEVEL} ({@code error}, {@code warn}, {@code info}, {@code debug},
 * {@code trace}) sets another level for Holdfast's own loggers. A {@code
 * -Dlogback.configurationFile=...} given by the user still wins.
 */
public final class LogConfigurator extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Line layout = new Line();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    // Holdfast's own loggers only: HttpClient's debug level would log every byte on the wire
    context.getLogger("dev.holdfast").setLevel(Level.toLevel(System.getenv("HOLDFAST_LOG_LEVEL"), Level.WARN));
    root.addAppender(stderr);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** {@code holdfast: LEVEL message}, and the stack trace of an attached exception. */
  static final class Line extends LayoutBase<ILoggingEvent> {
    @Override
    public String doLayout(ILoggingEvent event) {
      StringBuilder line = new StringBuilder("holdfast: ").append(event.getLevel()).append(' ')
          .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
      if (event.getThrowableProxy() != null) {
        line.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append(CoreConstants.LINE_SEPARATOR);
      }
      return line.toString();
    }
  }
}
