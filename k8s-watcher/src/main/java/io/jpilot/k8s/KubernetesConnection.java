package io.jpilot.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the API server is and how to authenticate: from a kubeconfig file or from the pod's service
 * account. It keeps the fabric8 client types inside this module.
 */
public final class KubernetesConnection {
  private final Config config;

  private KubernetesConnection(Config config) {
    this.config = requireNonNull(config, "config");
  }

  /** A connection for an already-built fabric8 config (tests use the mock server's). */
  public static KubernetesConnection of(Config config) {
    return new KubernetesConnection(config);
  }

  /** The current context of a kubeconfig file. */
  public static KubernetesConnection fromKubeconfig(Path file) throws IOException {
    return new KubernetesConnection(KubernetesClients.fromKubeconfig(file));
  }

  /** True when running in a pod with a mounted service account. */
  public static boolean inCluster(Map<String, String> env) {
    return KubernetesClients.inCluster(env);
  }

  /** The pod's in-cluster config. */
  public static KubernetesConnection inCluster() {
    return new KubernetesConnection(KubernetesClients.inClusterConfig());
  }

  /** The API server URL, for logs. */
  public String apiServer() {
    return config.getMasterUrl();
  }

  /** The fabric8 config behind this connection; code outside this module uses it only in tests. */
  public Config config() {
    return config;
  }
}
