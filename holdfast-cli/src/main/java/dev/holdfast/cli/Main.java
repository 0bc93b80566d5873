package dev.holdfast.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code holdfast} command: the root of every subcommand. */
@Command(
    name = "holdfast",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "Keeps copies of the images your workloads run, in a registry you control,",
      "and points the workloads at the copies."
    })
public final class Main implements Runnable {

  /** The subcommands, in the order the usage lists them. */
  private static final List<String> SUBCOMMANDS = List.of("help", "resolve", "inspect", "copy", "sync");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine(args).execute(args));
  }

  /**
   * The command line for these arguments; tests drive it the same way {@link #main} does. When the
   * first argument names a subcommand, only that one is built: picocli reads a command's options
   * by reflection when it is added, and building all of them took ~30 ms of a sync that finds
   * everything present (docs/benchmarks.md). Anything else (no arguments, an option of {@code
   * holdfast} itself, {@code help}, an unknown name) gets all of them, so the usage, and the
   * error for a mistyped name, lists every subcommand.
   */
  public static CommandLine newCommandLine(String... args) {
    CommandLine cli = new CommandLine(new Main());
    String first = args.length > 0 ? args[0] : "";
    if (!first.equals("help") && SUBCOMMANDS.contains(first)) {
      cli.addSubcommand(first, subcommand(first));
    } else {
      for (String name : SUBCOMMANDS) {
        cli.addSubcommand(name, subcommand(name));
      }
    }
    return cli;
  }

  private static Object subcommand(String name) {
    return switch (name) {
      case "help" -> new CommandLine.HelpCommand();
      case "resolve" -> new ResolveCommand();
      case "inspect" -> new InspectCommand();
      case "copy" -> new CopyCommand();
      case "sync" -> new SyncCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
