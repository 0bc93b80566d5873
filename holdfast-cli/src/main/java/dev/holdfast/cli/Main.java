package dev.holdfast.cli;

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
    },
    subcommands = {CommandLine.HelpCommand.class, ResolveCommand.class, InspectCommand.class, CopyCommand.class,
      SyncCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /** Builds the command line with every subcommand; tests drive it the same way {@link #main} does. */
  public static CommandLine newCommandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
