package dev.holdfast.cli;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/**
 * The commands' picocli models, built in code. picocli can read them from annotations instead, but
 * the first annotation it reads makes the JDK generate a proxy class per annotation type (with its
 * class-file API, mostly interpreted at that point), and the first fields it sets bind through
 * generated method handles: ~35 ms of every command's start, and ~200 methods for the JIT to
 * compile, where a model built here costs ~7 ms (docs/benchmarks.md). Each option is bound to a
 * field of its command through a getter and a setter.
 */
final class Specs {
  private Specs() {}

  /**
   * A usage error in what the command line names (an image reference, the contents of a file, a
   * credentials or CA file, a mirror configuration) rather than in how it is written. Main prints
   * it as {@code inspect} and {@code resolve} print theirs, {@code holdfast COMMAND: MESSAGE}, and
   * exits with 2, without the usage: forty lines of options would bury the one line that names
   * the input. Errors in how the command line is written (a missing or unknown option, an option
   * value of the wrong type) keep picocli's message and the usage.
   */
  static final class BadInput extends ParameterException {
    private static final long serialVersionUID = 1L;

    BadInput(CommandSpec spec, String message, Throwable cause) {
      super(spec.commandLine(), message, cause);
    }
  }

  /**
   * A command named {@code name} that runs {@code command} (a {@link Runnable} or {@link
   * java.util.concurrent.Callable}), with {@code -h}/{@code --help} and {@code -V}/{@code
   * --version} as picocli's {@code mixinStandardHelpOptions} has them.
   */
  static CommandSpec command(Object command, String name, String... description) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name).versionProvider(new VersionProvider());
    spec.usageMessage().description(description);
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
        .description("Show this help message and exit.").build());
    spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
        .description("Print version information and exit.").build());
    return spec;
  }

  /** An option with one value of {@code type}, kept by {@code get} and {@code set}. */
  static <T> OptionSpec.Builder option(String[] names, Class<T> type, Supplier<T> get, Consumer<T> set) {
    Binding<T> binding = new Binding<>(get, set);
    return OptionSpec.builder(names).type(type).getter(binding).setter(binding).initialValue(get.get());
  }

  /** {@link #option(String[], Class, Supplier, Consumer)} with one name. */
  static <T> OptionSpec.Builder option(String name, Class<T> type, Supplier<T> get, Consumer<T> set) {
    return option(new String[] {name}, type, get, set);
  }

  /** A repeatable option: each value, of {@code element}, is added to the list. */
  static <T> OptionSpec.Builder repeatable(String name, Class<T> element, Supplier<List<T>> get, Consumer<List<T>> set) {
    Binding<List<T>> binding = new Binding<>(get, set);
    return OptionSpec.builder(name).type(List.class).auxiliaryTypes(element).getter(binding).setter(binding)
        .initialValue(get.get());
  }

  /** A required positional parameter at {@code index} with one value of {@code type}. */
  static <T> PositionalParamSpec.Builder positional(String index, Class<T> type, Supplier<T> get, Consumer<T> set) {
    Binding<T> binding = new Binding<>(get, set);
    return PositionalParamSpec.builder().index(index).type(type).getter(binding).setter(binding)
        .initialValue(get.get()).required(true);
  }

  /**
   * Positional parameters from {@code index} on, each of {@code element}, collected in a list; at
   * least one is required (arity {@code 1..*}).
   */
  static <T> PositionalParamSpec.Builder positionals(String index, Class<T> element, Supplier<List<T>> get,
      Consumer<List<T>> set) {
    Binding<List<T>> binding = new Binding<>(get, set);
    return PositionalParamSpec.builder().index(index).type(List.class).auxiliaryTypes(element).getter(binding)
        .setter(binding).initialValue(get.get()).arity("1..*").required(true);
  }

  /** A field as picocli reads and writes it. */
  private static final class Binding<T> implements IGetter, ISetter {
    private final Supplier<T> get;
    private final Consumer<T> set;

    Binding(Supplier<T> get, Consumer<T> set) {
      this.get = get;
      this.set = set;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> V get() {
      return (V) get.get();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> V set(V value) {
      V old = get();
      set.accept((T) value);
      return old;
    }
  }
}
