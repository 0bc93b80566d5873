package dev.holdfast.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The samples of one metric in a Prometheus text exposition, by their labels: enough to compare
 * the API server's {@code /metrics} before and after a run.
 */
record PrometheusText(Map<Map<String, String>, Double> samples) {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** The samples of {@code metric} (exactly that name) in {@code text}. */
  static PrometheusText of(String text, String metric) {
    Map<Map<String, String>, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (!line.startsWith(metric) || line.length() == metric.length()) {
        continue;
      }
      char next = line.charAt(metric.length());
      if (next != '{' && next != ' ') {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      int valueAt = metric.length();
      if (next == '{') {
        int close = line.lastIndexOf('}');
        Matcher m = LABEL.matcher(line.substring(metric.length() + 1, close));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
        valueAt = close + 1;
      }
      String[] rest = line.substring(valueAt).trim().split(" ");
      samples.put(labels, Double.parseDouble(rest[0]));
    }
    return new PrometheusText(samples);
  }

  /** This minus {@code before}, sample by sample (a sample missing before counts from 0). */
  PrometheusText minus(PrometheusText before) {
    Map<Map<String, String>, Double> diff = new LinkedHashMap<>();
    samples.forEach((labels, value) -> {
      double d = value - before.samples.getOrDefault(labels, 0.0);
      if (d != 0) {
        diff.put(labels, d);
      }
    });
    return new PrometheusText(diff);
  }

  /** Sums of the samples grouped by a key made of their labels. */
  Map<String, Double> sumBy(Function<Map<String, String>, String> key) {
    Map<String, Double> sums = new TreeMap<>();
    samples.forEach((labels, value) -> sums.merge(key.apply(labels), value, Double::sum));
    return sums;
  }

  /** The sum of the samples whose labels include all of {@code match}. */
  double sum(Map<String, String> match) {
    return samples.entrySet().stream().filter(e -> e.getKey().entrySet().containsAll(match.entrySet()))
        .mapToDouble(Map.Entry::getValue).sum();
  }
}
