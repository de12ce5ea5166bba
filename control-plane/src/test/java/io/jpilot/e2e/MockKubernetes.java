package io.jpilot.e2e;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.jpilot.k8s.NamespaceSelector;
import io.jpilot.k8s.WatchedKind;
import io.jpilot.server.JPilotServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.function.UnaryOperator;

/**
 * A Kubernetes API server for tests: fabric8's mock server in CRUD mode on 127.0.0.1 (plain HTTP),
 * plus a client that writes objects given as YAML the way {@code kubectl apply} does.
 */
final class MockKubernetes implements AutoCloseable {
  /** Held so the level sticks: the mock logs every request at INFO. */
  private static final java.util.logging.Logger MOCK_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  final KubernetesMockServer server;
  final KubernetesClient client;

  private MockKubernetes(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  static MockKubernetes start() {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server =
        new KubernetesMockServer(
            new Context(Serialization.jsonMapper()),
            new MockWebServer(),
            responses,
            new KubernetesMixedDispatcher(responses),
            false);
    try {
      server.init(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new MockKubernetes(server);
  }

  /** The API server's address as {@code http://127.0.0.1:<port>/}. */
  String url() {
    return "http://127.0.0.1:" + server.getPort() + "/";
  }

  java.net.InetSocketAddress address() {
    return new java.net.InetSocketAddress("127.0.0.1", server.getPort());
  }

  /**
   * A client config for jpilot pointing at {@code masterUrl} (this server, or a proxy in front of
   * it), retrying broken watches after 100ms instead of 1s.
   */
  Config clientConfig(String masterUrl) {
    return new ConfigBuilder(client.getConfiguration())
        .withMasterUrl(masterUrl)
        .withWatchReconnectInterval(100)
        .withRequestRetryBackoffInterval(100)
        .build();
  }

  /** jpilot test options watching this server (or {@code masterUrl}) in every namespace. */
  JPilotServer.Options jpilotOptions(String masterUrl, NamespaceSelector namespaces) {
    return JPilotServer.Options.forTest(
        new JPilotServer.KubernetesOptions(
            io.jpilot.k8s.KubernetesConnection.of(clientConfig(masterUrl)),
            "Kubernetes",
            namespaces,
            Optional.of(Duration.ofSeconds(20))));
  }

  /** Creates or replaces every object of a (multi-document) YAML text. */
  List<GenericKubernetesResource> apply(String yaml) {
    List<GenericKubernetesResource> out = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.isBlank()) {
        continue;
      }
      GenericKubernetesResource obj = Serialization.unmarshal(doc, GenericKubernetesResource.class);
      String ns = obj.getMetadata().getNamespace();
      out.add(
          resources(kindOf(obj), ns == null ? "default" : ns)
              .resource(obj)
              .createOr(NonDeletingOperation::update));
    }
    return out;
  }

  /** Applies every *.yaml file of a directory, in name order. */
  void applyDirectory(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        apply(Files.readString(f));
      }
    }
  }

  GenericKubernetesResource edit(
      String kind, String namespace, String name, UnaryOperator<GenericKubernetesResource> f) {
    return resources(kind(kind), namespace).withName(name).edit(f);
  }

  void delete(String kind, String namespace, String name) {
    resources(kind(kind), namespace).withName(name).withGracePeriod(0).delete();
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(WatchedKind kind, String namespace) {
    var all = client.genericKubernetesResources(kind.context());
    return kind.namespaced() ? all.inNamespace(requireNonNull(namespace, "namespace")) : all;
  }

  static WatchedKind kind(String kind) {
    for (WatchedKind k : WatchedKind.catalogue()) {
      if (k.kind().equals(kind)) {
        return k;
      }
    }
    throw new IllegalArgumentException("not in the catalogue: " + kind);
  }

  private static WatchedKind kindOf(GenericKubernetesResource obj) {
    WatchedKind k = kind(obj.getKind());
    if (!k.apiVersion().equals(obj.getApiVersion())) {
      throw new IllegalArgumentException(
          obj.getKind()
              + ": apiVersion "
              + obj.getApiVersion()
              + " (expected: "
              + k.apiVersion()
              + ")");
    }
    return k;
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
