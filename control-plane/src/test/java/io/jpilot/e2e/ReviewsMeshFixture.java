package io.jpilot.e2e;

import static java.util.Objects.requireNonNull;

import io.jpilot.server.JPilotServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The mesh the end-to-end tests run, as a user would write it: a {@code reviews} Service in {@code
 * default} with two pods (v1 on 127.0.0.2, v2 on 127.0.0.3, one port for both), a DestinationRule
 * with subsets v1 and v2, and a VirtualService that sends {@code x-env: staging} to v2 and splits
 * the rest 80/20 between v1 and v2. Also starts jpilot on such a directory.
 */
final class ReviewsMeshFixture {

  static final String HOST = "reviews.default.svc.cluster.local";
  static final String V1_IP = "127.0.0.2";
  static final String V2_IP = "127.0.0.3";
  static final String VIRTUAL_SERVICE_FILE = "reviews-virtual-service.yaml";

  private ReviewsMeshFixture() {}

  /** The pods' identities and addresses, v1 first: what the backends are started with. */
  static Map<String, String> ipByVersion() {
    Map<String, String> ips = new LinkedHashMap<>();
    ips.put("v1", V1_IP);
    ips.put("v2", V2_IP);
    return ips;
  }

  /** The {@code xds:///} target a client dials for the service on {@code port}. */
  static String xdsTarget(int port) {
    return "xds:///" + HOST + ":" + port;
  }

  /**
   * Writes the Service, EndpointSlice, Pods, DestinationRule and the 80/20 VirtualService, one file
   * each, into {@code configDir}; {@code port} is the port the backends listen on.
   */
  static void writeTo(Path configDir, int port) throws IOException {
    requireNonNull(configDir, "configDir");
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    write(configDir, "reviews-service.yaml", service(port));
    write(
        configDir, "reviews-pods.yaml", pod("v1", V1_IP, port) + "---\n" + pod("v2", V2_IP, port));
    write(configDir, "reviews-destination-rule.yaml", DESTINATION_RULE);
    write(configDir, VIRTUAL_SERVICE_FILE, VIRTUAL_SERVICE_SPLIT);
  }

  /** Starts jpilot on {@code configDir} with {@link JPilotServer.Options#forTest}. */
  static JPilotServer startJPilot(Path configDir) throws IOException {
    return JPilotServer.start(JPilotServer.Options.forTest(configDir));
  }

  // ---------------------------------------------------------------------------------------------

  private static String service(int port) {
    return """
           apiVersion: v1
           kind: Service
           metadata:
             name: reviews
             namespace: default
             labels:
               app: reviews
           spec:
             type: ClusterIP
             clusterIP: 10.96.10.20
             selector:
               app: reviews
             ports:
             - name: grpc
               port: %1$d
               targetPort: %1$d
               protocol: TCP
           ---
           apiVersion: discovery.k8s.io/v1
           kind: EndpointSlice
           metadata:
             name: reviews-7xk2p
             namespace: default
             labels:
               kubernetes.io/service-name: reviews
           addressType: IPv4
           ports:
           - name: grpc
             port: %1$d
             protocol: TCP
           endpoints:
           - addresses: ["%2$s"]
             conditions:
               ready: true
             nodeName: node-1
             targetRef:
               kind: Pod
               name: reviews-v1
               namespace: default
           - addresses: ["%3$s"]
             conditions:
               ready: true
             nodeName: node-1
             targetRef:
               kind: Pod
               name: reviews-v2
               namespace: default
           """
        .formatted(port, V1_IP, V2_IP);
  }

  private static String pod(String version, String ip, int port) {
    return """
           apiVersion: v1
           kind: Pod
           metadata:
             name: reviews-%1$s
             namespace: default
             labels:
               app: reviews
               version: %1$s
           spec:
             nodeName: node-1
             containers:
             - name: reviews
               image: example.com/reviews:%1$s
               ports:
               - name: grpc
                 containerPort: %3$d
           status:
             phase: Running
             podIP: %2$s
             podIPs:
             - ip: %2$s
           """
        .formatted(version, ip, port);
  }

  private static final String DESTINATION_RULE =
      """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata:
        name: reviews
        namespace: default
      spec:
        host: reviews
        subsets:
        - name: v1
          labels:
            version: v1
        - name: v2
          labels:
            version: v2
      """;

  private static final String VIRTUAL_SERVICE_SPLIT =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
        namespace: default
      spec:
        hosts:
        - reviews
        http:
        - name: staging
          match:
          - headers:
              x-env:
                exact: staging
          route:
          - destination:
              host: reviews
              subset: v2
        - name: canary
          route:
          - destination:
              host: reviews
              subset: v1
            weight: 80
          - destination:
              host: reviews
              subset: v2
            weight: 20
      """;

  /** The same VirtualService with the canary route sending everything to v1. */
  static final String VIRTUAL_SERVICE_ALL_V1 =
      """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: reviews
        namespace: default
      spec:
        hosts:
        - reviews
        http:
        - name: staging
          match:
          - headers:
              x-env:
                exact: staging
          route:
          - destination:
              host: reviews
              subset: v2
        - name: canary
          route:
          - destination:
              host: reviews
              subset: v1
      """;

  private static void write(Path dir, String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content);
  }
}
