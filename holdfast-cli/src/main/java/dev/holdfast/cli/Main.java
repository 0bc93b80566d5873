package dev.holdfast.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code holdfast} command: the root of every subcommand. */
@Command(name = "holdfast", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {"Keeps copies of the images your workloads run, in a registry you control,",
        "and points the workloads at the copies."},
    subcommands = {HelpCommand.class, ResolveCommand.class, InspectCommand.class, CopyCommand.class,
        SyncCommand.class, RelocateCommand.class, OperatorCommand.class, RestoreCommand.class, StatusCommand.class,
        NodeConfigCommand.class})
public final class Main implements Runnable {

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(newCommandLine().execute(args));
  }

  /**
   * The command line with every subcommand, its usage errors printed by {@link UsageErrors}; tests
   * drive it the same way {@link #main} does. The arguments are not needed to build it.
   */
  public static CommandLine newCommandLine(String... ignored) {
    CommandLine cli = new CommandLine(new Main());
    cli.setHelpFactory(SpaceWrappingHelp::new);
    cli.setParameterExceptionHandler(new UsageErrors());
    return cli;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
