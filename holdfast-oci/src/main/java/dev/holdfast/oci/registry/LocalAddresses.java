package dev.holdfast.oci.registry;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/** Whether a registry is on this machine: loopback, or an address of one of its interfaces. */
final class LocalAddresses {
  private LocalAddresses() {}

  /** Looks the host up (only when a connection was refused, so a lookup's cost does not matter). */
  static boolean isLocal(String registry) {
    if (RegistryEndpoints.isLoopback(registry)) {
      return true;
    }
    try {
      InetAddress address = InetAddress.getByName(RegistryEndpoints.hostOf(registry));
      return address.isLoopbackAddress() || address.isAnyLocalAddress()
          || NetworkInterface.getByInetAddress(address) != null;
    } catch (UnknownHostException | SocketException e) {
      return false;
    }
  }
}
