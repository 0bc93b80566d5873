package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** {@code holdfast operator --log-level}: Holdfast's own loggers at that level, the libraries' never below INFO. */
class OperatorLoggingTest {
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

  @AfterEach
  void reset() throws Exception {
    context.reset();
    new ContextInitializer(context).autoConfig(); // the tests' configuration again
  }

  @ParameterizedTest(name = "--log-level {0}")
  @CsvSource({"info, INFO, INFO", "debug, DEBUG, INFO", "trace, TRACE, INFO", "warn, WARN, WARN", "error, ERROR, ERROR"})
  void holdfastsLoggersFollowTheFlagAndTheLibrariesStayAtInfoAtMost(String flag, String holdfast, String libraries) {
    new LogConfigurator().configure(context); // the command line's WARN for dev.holdfast comes first

    OperatorCommand.configureLogging("text", flag);

    assertThat(context.getLogger("dev.holdfast.operator.HoldfastOperator").getEffectiveLevel())
        .isEqualTo(Level.toLevel(holdfast));
    assertThat(context.getLogger("org.apache.hc.client5.http.wire").getEffectiveLevel())
        .isEqualTo(Level.toLevel(libraries));
    assertThat(context.getLogger("io.javaoperatorsdk.operator.Operator").getEffectiveLevel())
        .isEqualTo(Level.toLevel(libraries));
  }

  @Test
  void theDefaultLevelLogsHoldfastsInfoLines() {
    new LogConfigurator().configure(context);

    OperatorCommand.configureLogging("json", "info");

    assertThat(LoggerFactory.getLogger("dev.holdfast.operator.reconcile.ImageCopies").isInfoEnabled()).isTrue();
  }
}
