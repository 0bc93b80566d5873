package dev.holdfast.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A usage error in what the command line names (an image reference, the contents of a file, a
 * credentials or CA file, a mirror configuration) rather than in how it is written. {@link
 * UsageErrors} prints it as one line, {@code holdfast COMMAND: MESSAGE}, and the command exits
 * with 2: the one line that names the input is all the user needs.
 */
final class BadInput extends ParameterException {
  private static final long serialVersionUID = 1L;

  BadInput(CommandSpec spec, String message, Throwable cause) {
    super(spec.commandLine(), message, cause);
  }
}
