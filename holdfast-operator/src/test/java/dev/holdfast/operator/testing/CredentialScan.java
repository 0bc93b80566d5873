package dev.holdfast.operator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * No credential reaches a log, an Event, a status, a metric or an error message (issue 25). A scan
 * gathers what Holdfast wrote where people and tools read it: every ImageCopy and ImagePolicy with
 * its status, every Event (reason, message, note), and whatever else a test adds (the log lines it
 * captured with {@link #captureLogs()}, log files, a {@code /metrics} scrape). {@link #findings} names
 * each place where a secret appears, in any of the forms credentials travel in: as written, and
 * base64-encoded alone or as {@code username:password} (a Docker config's {@code auth}, a Basic
 * authorization header).
 */
public final class CredentialScan {
  /** A credential to look for. */
  public record Secret(String username, String password) {
    List<String> forms() {
      Base64.Encoder base64 = Base64.getEncoder();
      return List.of(password, base64.encodeToString(password.getBytes(StandardCharsets.UTF_8)),
          base64.encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
  }

  private final Map<String, String> texts = new LinkedHashMap<>();

  /** A scan of nothing yet: {@link #add} the texts. */
  public static CredentialScan empty() {
    return new CredentialScan();
  }

  /** Every ImageCopy, ImagePolicy and Event the API server holds. */
  public static CredentialScan of(KubernetesClient client) {
    CredentialScan scan = new CredentialScan();
    scan.add("ImageCopies", Serialization.asYaml(client.resources(ImageCopy.class).inAnyNamespace().list()));
    scan.add("ImagePolicies", Serialization.asYaml(client.resources(ImagePolicy.class).list()));
    StringBuilder events = new StringBuilder();
    client.v1().events().inAnyNamespace().list().getItems().forEach(e -> events.append(e.getReason()).append(": ")
        .append(e.getMessage()).append('\n'));
    client.events().v1().events().inAnyNamespace().list().getItems().forEach(e -> events.append(e.getReason())
        .append(": ").append(e.getNote()).append('\n'));
    scan.add("Events", events.toString());
    return scan;
  }

  /** Adds a text to scan, named {@code where} in the findings. */
  public CredentialScan add(String where, String text) {
    texts.merge(where, text == null ? "" : text, String::concat);
    return this;
  }

  /** Adds a file's content. */
  public CredentialScan addFile(Path file) {
    try {
      return add(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("read " + file, e);
    }
  }

  /** Everything scanned, for a check that the scan saw what it should. */
  public String scanned() {
    return String.join("\n", texts.values());
  }

  /** Where each secret appears ({@code "Events: the password of user"}), empty when nowhere. */
  public List<String> findings(List<Secret> secrets) {
    List<String> found = new ArrayList<>();
    texts.forEach((where, text) -> {
      for (Secret secret : secrets) {
        List<String> forms = secret.forms();
        for (int i = 0; i < forms.size(); i++) {
          if (text.contains(forms.get(i))) {
            found.add(where + ": " + List.of("the password", "the base64 password", "the base64 user:password").get(i)
                + " of " + secret.username());
          }
        }
      }
    });
    return found;
  }

  /**
   * Captures every log line of this JVM (logback, all levels the configuration lets through, with
   * the messages of the exceptions logged) until closed. {@link Logs#text()} is what was logged.
   */
  public static Logs captureLogs() {
    return new Logs();
  }

  /** The log lines captured since {@link #captureLogs()}. */
  public static final class Logs implements AutoCloseable {
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final Logger root;
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " - "
            + event.getFormattedMessage());
        for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
          line.append(" | ").append(thrown.getClassName()).append(": ").append(thrown.getMessage());
        }
        lines.add(line.toString());
      }
    };

    private Logs() {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      appender.setContext(context);
      appender.setName("credential-scan");
      appender.start();
      root.addAppender(appender);
    }

    /** The lines so far, one per line. */
    public String text() {
      return String.join("\n", lines);
    }

    @Override
    public void close() {
      root.detachAppender(appender);
      appender.stop();
    }
  }
}
