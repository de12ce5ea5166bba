package io.jpilot.k8s;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Where the API server is and how to authenticate: a kubeconfig file, or the pod's own account. */
public final class KubernetesClients {
  /** The service account files every pod gets. */
  static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private KubernetesClients() {}

  /**
   * The current context of a kubeconfig file.
   *
   * @throws IOException when the file cannot be read or has no usable context
   */
  public static Config fromKubeconfig(Path file) throws IOException {
    requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IOException("--kubeconfig " + file + ": no such file");
    }
    try {
      return Config.fromKubeconfig(file.toFile());
    } catch (RuntimeException e) {
      throw new IOException("--kubeconfig " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * True when running in a pod: {@code KUBERNETES_SERVICE_HOST} is set and the service account
   * token is mounted.
   */
  public static boolean inCluster(Map<String, String> env) {
    requireNonNull(env, "env");
    String host = env.get("KUBERNETES_SERVICE_HOST");
    return host != null
        && !host.isEmpty()
        && Files.isReadable(SERVICE_ACCOUNT_DIR.resolve("token"));
  }

  /**
   * The pod's in-cluster config: the API server from {@code KUBERNETES_SERVICE_HOST}/{@code _PORT},
   * the service account token (re-read as it rotates) and CA. No kubeconfig is consulted.
   */
  public static Config inClusterConfig() {
    System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
    return new ConfigBuilder(Config.autoConfigure(null)).build();
  }

  /** A client for {@code config}; the caller closes it. */
  public static KubernetesClient client(Config config) {
    return new KubernetesClientBuilder().withConfig(requireNonNull(config, "config")).build();
  }
}
