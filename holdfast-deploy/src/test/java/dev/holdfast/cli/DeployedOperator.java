package dev.holdfast.cli;

import dev.holdfast.operator.OperatorSettings;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The settings {@code holdfast operator} makes of a deployed container's arguments and environment,
 * as the container would start it: the chart's or kustomize's Deployment, run in the test's JVM. An
 * environment variable counts where the command reads it ({@code ${env:NAME}}) and no argument
 * gave the same option, as picocli does.
 */
public final class DeployedOperator {
  private DeployedOperator() {}

  /** {@code args} starts with {@code operator}; {@code env} holds the container's resolved variables. */
  public static OperatorSettings settings(List<String> args, Map<String, String> env) {
    if (args.isEmpty() || !args.get(0).equals("operator")) {
      throw new IllegalArgumentException("not an operator command: " + args);
    }
    List<String> all = new ArrayList<>(args.subList(1, args.size()));
    for (Field field : OperatorCommand.class.getDeclaredFields()) {
      Option option = field.getAnnotation(Option.class);
      if (option == null || !option.defaultValue().startsWith("${env:")) {
        continue;
      }
      String variable = option.defaultValue().substring("${env:".length(), option.defaultValue().length() - 1);
      String value = env.get(variable);
      boolean given = all.stream().anyMatch(a -> Arrays.stream(option.names()).anyMatch(n -> a.equals(n)
          || a.startsWith(n + "=")));
      if (value != null && !value.isEmpty() && !given) {
        all.add(option.names()[0] + "=" + value);
      }
    }
    OperatorCommand command = new OperatorCommand();
    new CommandLine(command).parseArgs(all.toArray(String[]::new));
    return command.settings(env);
  }
}
