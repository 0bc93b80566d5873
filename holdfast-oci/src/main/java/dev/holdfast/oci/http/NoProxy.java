package dev.holdfast.oci.http;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hosts {@code NO_PROXY} exempts from the proxy, matched as curl and Go match them: entries
 * separated by commas (or spaces); {@code *} alone exempts every host; an IP address matches that
 * address; a CIDR block ({@code 10.0.0.0/8}, {@code fd00::/8}) matches the IP addresses in it; any
 * other entry is a domain that matches itself and its subdomains ({@code example.com}, {@code
 * .example.com} and {@code *.example.com} all match {@code registry.example.com}). An entry may
 * end in {@code :PORT}, and then matches that port only. Host names are compared as written, never
 * resolved.
 */
final class NoProxy {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

  private sealed interface Rule {
    boolean matches(String host, InetAddress address, int port);
  }

  private record Everything() implements Rule {
    @Override
    public boolean matches(String host, InetAddress address, int port) {
      return true;
    }
  }

  private record Block(BigInteger network, int prefix, int bits) implements Rule {
    @Override
    public boolean matches(String host, InetAddress address, int port) {
      if (address == null || address.getAddress().length * 8 != bits) {
        return false;
      }
      BigInteger candidate = new BigInteger(1, address.getAddress());
      return candidate.shiftRight(bits - prefix).equals(network.shiftRight(bits - prefix));
    }
  }

  private record Address(InetAddress address, int port) implements Rule {
    @Override
    public boolean matches(String host, InetAddress candidate, int candidatePort) {
      return address.equals(candidate) && (port < 0 || port == candidatePort);
    }
  }

  private record Domain(String domain, int port) implements Rule {
    @Override
    public boolean matches(String host, InetAddress address, int candidatePort) {
      return (host.equals(domain) || host.endsWith("." + domain)) && (port < 0 || port == candidatePort);
    }
  }

  private final List<Rule> rules;
  private final String text;

  private NoProxy(List<Rule> rules, String text) {
    this.rules = rules;
    this.text = text;
  }

  /** The rules of a {@code NO_PROXY} value; entries that cannot match anything are ignored, as curl does. */
  static NoProxy parse(String value) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : value.split("[,\\s]+")) {
      String entry = raw.strip().toLowerCase(Locale.ROOT);
      if (!entry.isEmpty()) {
        Rule rule = rule(entry);
        if (rule != null) {
          rules.add(rule);
        }
      }
    }
    return new NoProxy(List.copyOf(rules), value.strip());
  }

  private static Rule rule(String entry) {
    if (entry.equals("*")) {
      return new Everything();
    }
    int slash = entry.indexOf('/');
    if (slash > 0) {
      InetAddress network = literal(entry.substring(0, slash));
      if (network == null) {
        return null;
      }
      int bits = network.getAddress().length * 8;
      int prefix;
      try {
        prefix = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        return null;
      }
      return prefix < 0 || prefix > bits ? null : new Block(new BigInteger(1, network.getAddress()), prefix, bits);
    }
    String host = entry;
    int port = -1;
    int colon = entry.lastIndexOf(':');
    if (entry.startsWith("[")) { // [v6] or [v6]:port
      int close = entry.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = entry.substring(1, close);
      if (close + 1 < entry.length()) {
        port = port(entry.substring(close + 1));
      }
    } else if (colon > 0 && entry.indexOf(':') == colon) { // host:port, not a bare v6 address
      host = entry.substring(0, colon);
      port = port(entry.substring(colon));
    }
    if (port == -2) {
      return null;
    }
    InetAddress address = literal(host);
    if (address != null) {
      return new Address(address, port);
    }
    if (host.startsWith("*.")) {
      host = host.substring(2);
    } else if (host.startsWith(".")) {
      host = host.substring(1);
    }
    return host.isEmpty() ? null : new Domain(host, port);
  }

  /** {@code :PORT} as a number; -2 when it is not one. */
  private static int port(String colonAndPort) {
    if (colonAndPort.length() < 2 || colonAndPort.charAt(0) != ':') {
      return -2;
    }
    try {
      int port = Integer.parseInt(colonAndPort.substring(1));
      return port >= 0 && port <= 65535 ? port : -2;
    } catch (NumberFormatException e) {
      return -2;
    }
  }

  /** The address an IP literal names, without a DNS lookup; null for a host name. */
  static InetAddress literal(String host) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    String literal;
    if (IPV4.matcher(bare).matches()) {
      for (String octet : bare.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return null;
        }
      }
      literal = bare;
    } else if (IPV6.matcher(bare).matches()) {
      literal = "[" + bare + "]"; // in brackets the JDK parses it as an address or refuses it, never looks it up
    } else {
      return null;
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * Whether a request to {@code host} (a name, or an IP address, IPv6 with or without brackets) on
   * {@code port} goes direct.
   */
  boolean bypasses(String host, int port) {
    if (rules.isEmpty()) {
      return false;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    InetAddress address = literal(name);
    for (Rule rule : rules) {
      if (rule.matches(name, address, port)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return text;
  }
}
