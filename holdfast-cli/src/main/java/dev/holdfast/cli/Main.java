package dev.holdfast.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code holdfast} command: the root of every subcommand. */
public final class Main implements Runnable {

  /** The subcommands, in the order the usage lists them. */
  private static final List<String> SUBCOMMANDS = List.of("help", "resolve", "inspect", "copy", "sync", "operator", "restore");

  private final CommandSpec spec = Specs.command(this, "holdfast",
      "Keeps copies of the images your workloads run, in a registry you control,",
      "and points the workloads at the copies.");

  public static void main(String[] args) {
    System.exit(newCommandLine(args).execute(args));
  }

  /**
   * The command line for these arguments; tests drive it the same way {@link #main} does. The
   * commands' models are built in code ({@link Specs}). When the first argument names a
   * subcommand, only that one is built; anything else (no arguments, an option of {@code holdfast}
   * itself, {@code help}, an unknown name) gets all of them, so the usage, and the error for a
   * mistyped name, lists every subcommand.
   */
  public static CommandLine newCommandLine(String... args) {
    CommandLine cli = new CommandLine(new Main().spec);
    String first = args.length > 0 ? args[0] : "";
    if (!first.equals("help") && SUBCOMMANDS.contains(first)) {
      cli.addSubcommand(first, subcommand(first));
    } else {
      for (String name : SUBCOMMANDS) {
        cli.addSubcommand(name, subcommand(name));
      }
    }
    // after the subcommands: picocli gives the handler to those it has at this point
    CommandLine.IParameterExceptionHandler standard = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler((error, arguments) -> {
      if (error instanceof Specs.BadInput) {
        CommandLine command = error.getCommandLine();
        command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + error.getMessage());
        return command.getCommandSpec().exitCodeOnInvalidInput();
      }
      return standard.handleParseException(error, arguments);
    });
    return cli;
  }

  private static Object subcommand(String name) {
    return switch (name) {
      case "help" -> new CommandLine.HelpCommand(); // picocli's, read from its annotations: only for help
      case "resolve" -> new ResolveCommand().spec;
      case "inspect" -> new InspectCommand().spec;
      case "copy" -> new CopyCommand().spec;
      case "sync" -> new SyncCommand().spec;
      case "operator" -> new OperatorCommand();
      case "restore" -> new RestoreCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
