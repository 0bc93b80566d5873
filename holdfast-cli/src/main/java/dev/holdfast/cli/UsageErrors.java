package dev.holdfast.cli;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Prints a usage error the way command-line tools do: the error first, on one line that starts
 * with the command's name, then (for a mistake in how the command line is written) a one-line
 * synopsis and where to find every option, not the whole help. {@code holdfast} itself, whose
 * help is the short list of commands, prints that list after a mistyped command name.
 */
final class UsageErrors implements IParameterExceptionHandler {

  @Override
  public int handleParseException(ParameterException error, String[] args) {
    CommandLine command = error.getCommandLine();
    CommandSpec spec = command.getCommandSpec();
    PrintWriter err = command.getErr();
    err.println(spec.qualifiedName() + ": " + error.getMessage());
    if (!(error instanceof BadInput)) {
      UnmatchedArgumentException.printSuggestions(error, err);
      if (spec.subcommands().isEmpty()) {
        err.println("Usage: " + synopsis(spec));
        err.println("'" + spec.qualifiedName() + " --help' lists every option.");
      } else {
        command.usage(err);
      }
    }
    err.flush();
    return spec.exitCodeOnInvalidInput();
  }

  /**
   * {@code holdfast sync --from=FILE|oci:DIR [OPTIONS]}: the required options (a required group of
   * options as picocli writes it, {@code (--to=REGISTRY[/PATH] | --from-sync=FILE)}), then the
   * positionals.
   */
  static String synopsis(CommandSpec spec) {
    StringBuilder line = new StringBuilder(spec.qualifiedName());
    Set<ArgGroupSpec> groups = new HashSet<>();
    for (OptionSpec option : spec.options()) {
      ArgGroupSpec group = option.group();
      while (group != null && group.parentGroup() != null) {
        group = group.parentGroup();
      }
      if (group != null) {
        if (group.multiplicity().min() > 0 && groups.add(group)) {
          line.append(' ').append(group.synopsis());
        }
      } else if (option.required()) {
        line.append(' ').append(option.longestName()).append('=').append(option.paramLabel());
      }
    }
    line.append(" [OPTIONS]");
    for (PositionalParamSpec positional : spec.positionalParameters()) {
      line.append(' ').append(positional.paramLabel());
      if (positional.arity().max() > 1) {
        line.append("...");
      }
    }
    return line.toString();
  }
}
