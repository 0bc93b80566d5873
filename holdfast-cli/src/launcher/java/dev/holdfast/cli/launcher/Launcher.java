package dev.holdfast.cli.launcher;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The jar's {@code Main-Class}, compiled for Java 8 (holdfast-cli/pom.xml, execution {@code
 * launcher}) so that any Java can load it: on Java 21 or newer it runs the holdfast command
 * ({@code dev.holdfast.cli.Main}); on an older Java it says in one line that Java 21 is needed,
 * instead of the JVM's {@code UnsupportedClassVersionError}.
 */
public final class Launcher {
  private Launcher() {}

  static final int REQUIRED = 21;

  public static void main(String[] args) throws Throwable {
    String version = System.getProperty("java.specification.version", "");
    if (feature(version) < REQUIRED) {
      System.err.println("holdfast needs Java " + REQUIRED + " or newer; this is Java " + version + " ("
          + System.getProperty("java.home") + "): run bin/holdfast, which picks a JDK " + REQUIRED
          + "+, or set JAVA_HOME to one");
      System.exit(1);
    }
    MethodHandle main = MethodHandles.lookup().findStatic(Class.forName("dev.holdfast.cli.Main"), "main",
        MethodType.methodType(void.class, String[].class));
    main.invokeExact(args);
  }

  /** 8 for "1.8", 17 for "17"; 0 when unreadable. */
  static int feature(String specificationVersion) {
    String major = specificationVersion.startsWith("1.") ? specificationVersion.substring(2) : specificationVersion;
    int dot = major.indexOf('.');
    try {
      return Integer.parseInt(dot < 0 ? major : major.substring(0, dot));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
