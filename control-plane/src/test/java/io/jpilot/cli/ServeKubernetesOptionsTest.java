package io.jpilot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jpilot.cli.Args.UsageException;
import io.jpilot.server.JPilotServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s choice of source: --config, --kubeconfig, or the pod's own account. */
class ServeKubernetesOptionsTest {
  private static final Set<String> VALUED =
      Set.of("config", "kubeconfig", "cluster-id", "discovery-selector");

  @TempDir Path dir;

  @Test
  void kubeconfigGivesTheClusterItsCurrentContextNames() throws IOException {
    Path kubeconfig = writeKubeconfig("http://127.0.0.1:6443");
    Args args =
        Args.parse(
            new String[] {
              "--kubeconfig", kubeconfig.toString(),
              "--cluster-id", "east",
              "--discovery-selector", "istio-discovery=enabled",
              "--discovery-selector", "team in (a,b)"
            },
            VALUED,
            Set.of());

    JPilotServer.KubernetesOptions k8s =
        ServeCommand.kubernetesOptions(args, null, Map.of()).orElseThrow();

    assertThat(k8s.connection().config().getMasterUrl()).isEqualTo("http://127.0.0.1:6443/");
    assertThat(k8s.connection().config().getAutoOAuthToken()).isEqualTo("s3cret");
    assertThat(k8s.clusterId()).isEqualTo("east");
    assertThat(k8s.namespaces().matches(Map.of("team", "b"))).isTrue();
    assertThat(k8s.namespaces().matches(Map.of("istio-discovery", "enabled"))).isTrue();
    assertThat(k8s.namespaces().matches(Map.of("team", "c"))).isFalse();
    assertThat(k8s.syncTimeout()).isEmpty();
  }

  @Test
  void defaultsAreIstiodsAndConfigNeedsNoCluster() throws IOException {
    Path kubeconfig = writeKubeconfig("http://127.0.0.1:6443");
    Args args = Args.parse(new String[] {"--kubeconfig", kubeconfig.toString()}, VALUED, Set.of());
    JPilotServer.KubernetesOptions k8s =
        ServeCommand.kubernetesOptions(args, null, Map.of()).orElseThrow();
    assertThat(k8s.clusterId()).isEqualTo("Kubernetes");
    assertThat(k8s.namespaces().selectsAll()).isTrue();

    Args files = Args.parse(new String[] {"--config", "x"}, VALUED, Set.of());
    assertThat(ServeCommand.kubernetesOptions(files, "x", Map.of())).isEqualTo(Optional.empty());
  }

  @Test
  void mistakesAreUsageErrors() throws IOException {
    Path kubeconfig = writeKubeconfig("http://127.0.0.1:6443");
    assertThatThrownBy(
            () ->
                ServeCommand.kubernetesOptions(
                    Args.parse(
                        new String[] {"--config", "x", "--kubeconfig", kubeconfig.toString()},
                        VALUED,
                        Set.of()),
                    "x",
                    Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("exclusive");
    assertThatThrownBy(
            () ->
                ServeCommand.kubernetesOptions(
                    Args.parse(new String[] {"--cluster-id", "east"}, VALUED, Set.of()),
                    "x",
                    Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessage("--cluster-id applies to a cluster, not to --config");
    assertThatThrownBy(
            () ->
                ServeCommand.kubernetesOptions(
                    Args.parse(
                        new String[] {
                          "--kubeconfig", kubeconfig.toString(), "--discovery-selector", "a in b"
                        },
                        VALUED,
                        Set.of()),
                    null,
                    Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--discovery-selector: label selector \"a in b\"");
    // outside a pod, a source must be named
    assertThatThrownBy(
            () ->
                ServeCommand.kubernetesOptions(
                    Args.parse(new String[] {}, VALUED, Set.of()),
                    null,
                    Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1")))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("serve needs --config DIR or --kubeconfig FILE");
  }

  @Test
  void tlsFlagsGoTogether() {
    Set<String> tlsFlags = Set.of("tls-cert", "tls-key", "tls-client-ca", "xds-tls-port");
    assertThat(ServeCommand.xdsTls(Args.parse(new String[] {}, tlsFlags, Set.of()))).isEmpty();
    var tls =
        ServeCommand.xdsTls(
                Args.parse(
                    new String[] {"--tls-cert", "c.pem", "--tls-key", "k.pem"}, tlsFlags, Set.of()))
            .orElseThrow();
    assertThat(tls.port()).isEqualTo(15012);
    assertThat(tls.certChain()).isEqualTo(Path.of("c.pem"));
    assertThat(tls.clientCa()).isEmpty();
    assertThatThrownBy(
            () ->
                ServeCommand.xdsTls(
                    Args.parse(new String[] {"--tls-cert", "c.pem"}, tlsFlags, Set.of())))
        .isInstanceOf(UsageException.class)
        .hasMessage("--tls-cert and --tls-key go together");
    assertThatThrownBy(
            () ->
                ServeCommand.xdsTls(
                    Args.parse(new String[] {"--tls-client-ca", "ca.pem"}, tlsFlags, Set.of())))
        .isInstanceOf(UsageException.class)
        .hasMessage("--tls-client-ca needs --tls-cert and --tls-key");
  }

  @Test
  void aMissingKubeconfigFailsWithExitCodeOne() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            new String[] {"serve", "--kubeconfig", dir.resolve("nope").toString()},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("nope: no such file");
  }

  private Path writeKubeconfig(String server) throws IOException {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test
          cluster:
            server: %s
        users:
        - name: tester
          user:
            token: s3cret
        contexts:
        - name: test
          context:
            cluster: test
            user: tester
            namespace: default
        current-context: test
        """
            .formatted(server));
    return file;
  }
}
