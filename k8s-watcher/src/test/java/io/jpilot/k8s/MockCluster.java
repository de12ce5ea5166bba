package io.jpilot.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.function.UnaryOperator;

/**
 * fabric8's Kubernetes mock API server in CRUD mode on 127.0.0.1 (plain HTTP), with helpers that
 * write objects given as YAML, as {@code kubectl apply} would.
 */
final class MockCluster implements AutoCloseable {
  final KubernetesMockServer server;
  final KubernetesClient client;

  private MockCluster(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  static MockCluster start() {
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
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    return new MockCluster(server);
  }

  /** Creates the object, or replaces it when it exists. */
  GenericKubernetesResource apply(String yaml) {
    GenericKubernetesResource obj = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    String ns = obj.getMetadata().getNamespace();
    return resources(kindOf(obj), ns == null ? "default" : ns)
        .resource(obj)
        .createOr(NonDeletingOperation::update);
  }

  /** Reads the object, changes it and writes it back (with its resourceVersion). */
  GenericKubernetesResource edit(
      WatchedKind kind, String namespace, String name, UnaryOperator<GenericKubernetesResource> f) {
    return resources(kind, namespace).withName(name).edit(f);
  }

  void delete(WatchedKind kind, String namespace, String name) {
    resources(kind, namespace).withName(name).withGracePeriod(0).delete();
  }

  NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      resources(WatchedKind kind, String namespace) {
    var all = client.genericKubernetesResources(kind.context());
    return kind.namespaced() ? all.inNamespace(namespace) : all;
  }

  static WatchedKind kindOf(GenericKubernetesResource obj) {
    for (WatchedKind k : WatchedKind.catalogue()) {
      if (k.apiVersion().equals(obj.getApiVersion()) && k.kind().equals(obj.getKind())) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "not in the catalogue: " + obj.getApiVersion() + " " + obj.getKind());
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
