package io.jpilot.model.config;

/**
 * Sidecar listener captureMode: how traffic reaches the listener. DEFAULT follows the proxy's
 * interception mode; IPTABLES relies on redirection; NONE binds a real port.
 */
public enum CaptureMode {
  DEFAULT,
  IPTABLES,
  NONE
}
