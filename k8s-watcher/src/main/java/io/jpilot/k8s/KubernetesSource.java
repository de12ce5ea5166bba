package io.jpilot.k8s;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jpilot.model.ConfigStore;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.parse.ObjectParser;
import io.jpilot.model.parse.ParseResult;
import io.jpilot.model.registry.Locality;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the objects of a Kubernetes cluster: informers on Namespaces, Nodes, Services,
 * EndpointSlices, Pods and the Istio kinds the parser reads. Every object is turned into a JSON
 * tree and parsed by the same {@link ObjectParser} as config files; valid objects go into the
 * {@link ConfigStore}, and real changes are announced as {@link ModelChange}s.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Informer events carry no data here; they only mark an object as dirty. One worker thread
 *       reconciles dirty objects against the informer caches, which always hold the newest state,
 *       so a relist, a re-established watch or events delivered late never put an older version
 *       back, and never remove an object that still exists. A burst of events becomes one change.
 *   <li>Only real changes are announced: the store compares records by value, so updates to status,
 *       resourceVersion, managedFields or annotations the model does not read change nothing.
 *   <li>Ready ({@link #isReady()}) once every informer has listed its kind and the caches have been
 *       read into the store. Nothing is announced before that: the first snapshot is built from the
 *       store afterwards.
 *   <li>Bad input never removes good config: an object that becomes invalid keeps its last valid
 *       version until it is fixed or deleted. Its problems are logged once (not again until they
 *       change) and counted in {@code jpilot_config_invalid_total{kind}}.
 *   <li>Namespaces outside the {@link NamespaceSelector} are invisible: their objects are not
 *       stored, and they appear or disappear when the namespace's labels change.
 *   <li>A Pod's locality comes from its {@code istio-locality} label, else from its Node's {@code
 *       topology.kubernetes.io/region}, {@code topology.kubernetes.io/zone} and {@code
 *       topology.istio.io/subzone} labels; like istiod, the Pod's labels are augmented with them.
 * </ul>
 */
public final class KubernetesSource implements AutoCloseable {
  private volatile KubernetesClient ownedClient;

  private static final Logger log = LoggerFactory.getLogger(KubernetesSource.class);
  static final String INVALID_METRIC = "jpilot.config.invalid";
  static final String EVENTS_METRIC = "jpilot.k8s.events";
  static final String CHANGES_METRIC = "jpilot.k8s.changes";
  static final String REGION_LABEL = "topology.kubernetes.io/region";
  static final String ZONE_LABEL = "topology.kubernetes.io/zone";
  static final String SUBZONE_LABEL = "topology.istio.io/subzone";
  static final String LOCALITY_LABEL = "istio-locality";
  private static final String NODE_NAME_INDEX = "nodeName";

  /**
   * @param domainSuffix the cluster's DNS suffix ({@code --domain-suffix}, default cluster.local)
   * @param clusterId the cluster's name in the mesh ({@code --cluster-id}, istiod's default
   *     "Kubernetes")
   * @param namespaces which namespaces are part of the mesh
   */
  public record Settings(String domainSuffix, String clusterId, NamespaceSelector namespaces) {
    public static final String DEFAULT_CLUSTER_ID = "Kubernetes";

    public Settings {
      requireNonNull(domainSuffix, "domainSuffix");
      requireNonNull(clusterId, "clusterId");
      requireNonNull(namespaces, "namespaces");
      if (domainSuffix.isEmpty()) {
        throw new IllegalArgumentException("domainSuffix: \"\" (expected: e.g. cluster.local)");
      }
      if (clusterId.isEmpty()) {
        throw new IllegalArgumentException("clusterId: \"\" (expected: e.g. Kubernetes)");
      }
    }

    /** cluster.local, cluster id "Kubernetes", every namespace. */
    public static Settings defaults() {
      return new Settings("cluster.local", DEFAULT_CLUSTER_ID, NamespaceSelector.all());
    }
  }

  /** One API object, by kind and informer cache key. */
  private record Ref(WatchedKind kind, String namespace, String name) {
    String cacheKey() {
      return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    String source() {
      return "k8s:" + kind.kind() + "/" + cacheKey();
    }
  }

  private final KubernetesClient client;
  private final ConfigStore store;
  private final Settings settings;
  private final Consumer<ModelChange> onChange;
  private final MeterRegistry meters;
  private final Map<WatchedKind, SharedIndexInformer<GenericKubernetesResource>> informers =
      new LinkedHashMap<>();

  // Work handed to the worker; guarded by queueLock.
  private final Object queueLock = new Object();
  private LinkedHashSet<Ref> dirty = new LinkedHashSet<>();
  private long dirtySinceNanos;
  private boolean fullPassRequested;

  // Owned by the worker thread.
  private final Map<Ref, ConfigKey> served = new HashMap<>();
  private final Map<Ref, List<Diagnostic>> reported = new HashMap<>();
  private final Map<String, Locality> nodeLocalities = new HashMap<>();
  private final Set<String> selectedNamespaces = new HashSet<>();
  private boolean inFullPass;

  private final CompletableFuture<Void> readyFuture = new CompletableFuture<>();
  private volatile boolean ready;
  private volatile boolean closed;
  private Thread worker;

  /**
   * @param client a client for the cluster; the source does not close it
   * @param onChange called on the worker thread with every real change after the source is ready
   */
  /**
   * A source with its own client for {@code connection}; closing the source closes the client.
   */
  public static KubernetesSource connect(
      KubernetesConnection connection,
      ConfigStore store,
      Settings settings,
      Consumer<ModelChange> onChange,
      MeterRegistry meters) {
    KubernetesClient client = KubernetesClients.client(connection.config());
    KubernetesSource source = new KubernetesSource(client, store, settings, onChange, meters);
    source.ownedClient = client;
    return source;
  }

  public KubernetesSource(
      KubernetesClient client,
      ConfigStore store,
      Settings settings,
      Consumer<ModelChange> onChange,
      MeterRegistry meters) {
    this.client = requireNonNull(client, "client");
    this.store = requireNonNull(store, "store");
    this.settings = requireNonNull(settings, "settings");
    this.onChange = requireNonNull(onChange, "onChange");
    this.meters = requireNonNull(meters, "meters");
  }

  /** The kinds this source watches: the catalogue's kinds the parser reads, plus Node. */
  public static List<WatchedKind> watchedKinds() {
    List<WatchedKind> out = new ArrayList<>();
    for (WatchedKind k : WatchedKind.catalogue()) {
      if (k.equals(WatchedKind.NODE) || ObjectParser.supports(k.apiVersion(), k.kind())) {
        out.add(k);
      }
    }
    return List.copyOf(out);
  }

  /** The API verbs the source uses on every watched kind (it never writes). */
  public static Set<String> verbs() {
    return Set.of("list", "watch");
  }

  /**
   * Starts the informers and the worker. Returns at once; see {@link #isReady()} and {@link
   * #awaitReady(Duration)}. Lists that fail (API server down, forbidden) are retried with backoff
   * until they succeed or the source is closed.
   *
   * @throws IllegalStateException if called twice or after close
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (worker != null) {
      throw new IllegalStateException("already started");
    }
    List<CompletableFuture<Void>> synced = new ArrayList<>();
    for (WatchedKind kind : watchedKinds()) {
      SharedIndexInformer<GenericKubernetesResource> informer =
          kind.namespaced()
              ? client
                  .genericKubernetesResources(kind.context())
                  .inAnyNamespace()
                  .runnableInformer(0)
              : client.genericKubernetesResources(kind.context()).runnableInformer(0);
      if (kind.equals(WatchedKind.POD)) {
        informer.addIndexers(Map.of(NODE_NAME_INDEX, KubernetesSource::nodeNameIndex));
      }
      informer.exceptionHandler(
          (started, t) -> {
            if (!closed) {
              log.warn("watch of {} failed, retrying: {}", kind, t.toString());
            }
            return !closed;
          });
      informer.addEventHandler(new Handler(kind));
      informers.put(kind, informer);
    }
    worker = new Thread(this::work, "jpilot-k8s-source");
    worker.setDaemon(true);
    worker.start();
    for (SharedIndexInformer<GenericKubernetesResource> informer : informers.values()) {
      synced.add(informer.start().toCompletableFuture());
    }
    CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, t) -> {
              if (t == null) {
                synchronized (queueLock) {
                  fullPassRequested = true;
                  queueLock.notifyAll();
                }
              }
            });
    log.info(
        "watching {} in {} (cluster {}, domain {})",
        informers.keySet(),
        settings.namespaces(),
        settings.clusterId(),
        settings.domainSuffix());
  }

  /** True once every informer has synced and the store holds what they listed. */
  public boolean isReady() {
    return ready;
  }

  /**
   * Waits until {@link #isReady()}.
   *
   * @return false when {@code timeout} passed first
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    try {
      readyFuture.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The kinds whose informers have not finished their first list (for logs). */
  public List<String> unsyncedKinds() {
    List<String> out = new ArrayList<>();
    synchronized (this) {
      informers.forEach(
          (k, i) -> {
            if (!i.hasSynced()) {
              out.add(k.toString());
            }
          });
    }
    return out;
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = worker;
      for (SharedIndexInformer<GenericKubernetesResource> i : informers.values()) {
        try {
          i.stop();
        } catch (RuntimeException e) {
          log.debug("stopping informer", e);
        }
      }
    }
    synchronized (queueLock) {
      queueLock.notifyAll();
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    readyFuture.completeExceptionally(new IllegalStateException("closed"));
    KubernetesClient owned = ownedClient;
    if (owned != null) {
      owned.close();
    }
  }

  // ---- events -------------------------------------------------------------------------------

  private final class Handler implements ResourceEventHandler<GenericKubernetesResource> {
    private final WatchedKind kind;
    private final Counter adds;
    private final Counter updates;
    private final Counter unchanged;
    private final Counter deletes;

    Handler(WatchedKind kind) {
      this.kind = kind;
      adds = eventCounter(kind, "add");
      updates = eventCounter(kind, "update");
      unchanged = eventCounter(kind, "unchanged");
      deletes = eventCounter(kind, "delete");
    }

    @Override
    public void onAdd(GenericKubernetesResource obj) {
      adds.increment();
      markDirty(ref(kind, obj));
    }

    @Override
    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
      String before = oldObj.getMetadata().getResourceVersion();
      if (before != null && before.equals(newObj.getMetadata().getResourceVersion())) {
        // a relist or a re-established watch replaying what the cache already holds
        unchanged.increment();
        return;
      }
      updates.increment();
      markDirty(ref(kind, newObj));
    }

    @Override
    public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
      deletes.increment();
      markDirty(ref(kind, obj));
    }
  }

  private Counter eventCounter(WatchedKind kind, String event) {
    return Counter.builder(EVENTS_METRIC)
        .description("Kubernetes watch events received, by kind and event")
        .tag("kind", kind.kind())
        .tag("event", event)
        .register(meters);
  }

  private static Ref ref(WatchedKind kind, GenericKubernetesResource obj) {
    String ns = obj.getMetadata().getNamespace();
    return new Ref(kind, kind.namespaced() && ns != null ? ns : "", obj.getMetadata().getName());
  }

  private void markDirty(Ref ref) {
    synchronized (queueLock) {
      if (dirty.isEmpty()) {
        dirtySinceNanos = System.nanoTime();
      }
      dirty.add(ref);
      queueLock.notifyAll();
    }
  }

  // ---- reconciling --------------------------------------------------------------------------

  private void work() {
    while (!closed) {
      LinkedHashSet<Ref> batch;
      boolean fullPass;
      long sinceNanos;
      synchronized (queueLock) {
        while (!closed && dirty.isEmpty() && !fullPassRequested) {
          try {
            queueLock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (closed) {
          return;
        }
        batch = dirty;
        sinceNanos = batch.isEmpty() ? System.nanoTime() : dirtySinceNanos;
        dirty = new LinkedHashSet<>();
        fullPass = fullPassRequested;
        fullPassRequested = false;
      }
      try {
        Set<ConfigKey> changed = new TreeSet<>();
        if (fullPass) {
          fullPass(changed);
        }
        for (Ref r : batch) {
          reconcile(r, changed);
        }
        if (fullPass && !ready) {
          ready = true;
          readyFuture.complete(null);
          log.info("kubernetes synced: {} objects from {} kinds", served.size(), informers.size());
          continue;
        }
        if (ready && !changed.isEmpty()) {
          announce(changed, sinceNanos);
        }
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.error("reconciling kubernetes objects failed; resyncing", e);
        synchronized (queueLock) {
          dirty.addAll(batch);
          fullPassRequested = true;
        }
        sleepQuietly(Duration.ofSeconds(1));
      }
    }
  }

  private void announce(Set<ConfigKey> changed, long sinceNanos) {
    for (ConfigKey key : changed) {
      Counter.builder(CHANGES_METRIC)
          .description("Objects changed in the model by Kubernetes events, by kind")
          .tag("kind", key.kind())
          .register(meters)
          .increment();
    }
    log.debug("kubernetes changed {} objects: {}", changed.size(), changed);
    try {
      onChange.accept(new ModelChange(changed, sinceNanos));
    } catch (RuntimeException e) {
      log.error("change listener failed", e);
    }
  }

  /** Reconciles everything cached and everything served: namespaces first, then nodes. */
  private void fullPass(Set<ConfigKey> changed) {
    Set<Ref> refs = new LinkedHashSet<>();
    for (Map.Entry<WatchedKind, SharedIndexInformer<GenericKubernetesResource>> e :
        informers.entrySet()) {
      for (GenericKubernetesResource obj : e.getValue().getStore().list()) {
        refs.add(ref(e.getKey(), obj));
      }
    }
    refs.addAll(served.keySet());
    // In catalogue order (namespaces, nodes, then the rest), so nothing needs revisiting.
    inFullPass = true;
    try {
      for (Ref r : refs) {
        reconcile(r, changed);
      }
    } finally {
      inFullPass = false;
    }
  }

  private void reconcile(Ref ref, Set<ConfigKey> changed) {
    SharedIndexInformer<GenericKubernetesResource> informer = informers.get(ref.kind());
    GenericKubernetesResource obj = informer.getStore().getByKey(ref.cacheKey());
    if (ref.kind().equals(WatchedKind.NODE)) {
      reconcileNode(ref.name(), obj, changed);
      return;
    }
    if (ref.kind().equals(WatchedKind.NAMESPACE)) {
      reconcileNamespace(ref, obj, changed);
      return;
    }
    if (obj == null || !isSelected(ref.namespace())) {
      remove(ref, changed);
      return;
    }
    JsonNode json = toJson(ref, obj);
    apply(ref, json, changed);
  }

  private void apply(Ref ref, JsonNode json, Set<ConfigKey> changed) {
    ParseResult result = ObjectParser.parse(json, ref.source(), settings.domainSuffix());
    report(ref, result);
    if (result.object().isEmpty()) {
      Counter.builder(INVALID_METRIC)
          .description("Config objects skipped because they are invalid or unsupported")
          .tag("kind", ref.kind().kind())
          .register(meters)
          .increment();
      return;
    }
    MeshObject object = result.object().get();
    ConfigKey previous = served.put(ref, object.key());
    if (previous != null && !previous.equals(object.key()) && store.remove(previous)) {
      changed.add(previous);
    }
    if (store.put(object)) {
      changed.add(object.key());
    }
  }

  private void remove(Ref ref, Set<ConfigKey> changed) {
    reported.remove(ref);
    ConfigKey key = served.remove(ref);
    if (key != null && store.remove(key)) {
      changed.add(key);
    }
  }

  /** Logs an object's problems once: again only when they change. */
  private void report(Ref ref, ParseResult result) {
    List<Diagnostic> diagnostics = result.diagnostics();
    if (diagnostics.isEmpty()) {
      reported.remove(ref);
      return;
    }
    if (diagnostics.equals(reported.put(ref, diagnostics))) {
      return;
    }
    Diagnostic first = diagnostics.get(0);
    String more =
        diagnostics.size() > 1 ? " (and " + (diagnostics.size() - 1) + " more problems)" : "";
    if (result.hasErrors()) {
      log.error(
          "{}{}; {}",
          first,
          more,
          served.containsKey(ref) ? "keeping its last valid version" : "skipped");
    } else if (first.severity() == Severity.WARNING) {
      log.warn("{}{}", first, more);
    } else {
      log.info("{}{}", first, more);
    }
  }

  private void reconcileNamespace(Ref ref, GenericKubernetesResource obj, Set<ConfigKey> changed) {
    boolean wasSelected = isSelected(ref.name());
    boolean selected =
        obj != null && settings.namespaces().matches(labels(obj.getMetadata().getLabels()));
    if (selected) {
      selectedNamespaces.add(ref.name());
      apply(ref, Serialization.jsonMapper().valueToTree(obj), changed);
    } else {
      selectedNamespaces.remove(ref.name());
      remove(ref, changed);
    }
    if (settings.namespaces().selectsAll() || wasSelected == selected) {
      return;
    }
    log.info("namespace {} {} the mesh", ref.name(), selected ? "joined" : "left");
    if (inFullPass) {
      return;
    }
    for (Map.Entry<WatchedKind, SharedIndexInformer<GenericKubernetesResource>> e :
        informers.entrySet()) {
      if (!e.getKey().namespaced()) {
        continue;
      }
      for (GenericKubernetesResource o :
          e.getValue().getIndexer().byIndex(Cache.NAMESPACE_INDEX, ref.name())) {
        reconcile(ref(e.getKey(), o), changed);
      }
    }
    for (Ref r : new ArrayList<>(served.keySet())) {
      if (r.namespace().equals(ref.name())) {
        reconcile(r, changed);
      }
    }
  }

  private boolean isSelected(String namespace) {
    return settings.namespaces().selectsAll() || selectedNamespaces.contains(namespace);
  }

  private void reconcileNode(String name, GenericKubernetesResource obj, Set<ConfigKey> changed) {
    Locality locality = Locality.NONE;
    if (obj != null) {
      Map<String, String> labels = labels(obj.getMetadata().getLabels());
      locality =
          new Locality(
              labels.getOrDefault(REGION_LABEL, ""),
              labels.getOrDefault(ZONE_LABEL, ""),
              labels.getOrDefault(SUBZONE_LABEL, ""));
    }
    Locality previous =
        locality.isEmpty() ? nodeLocalities.remove(name) : nodeLocalities.put(name, locality);
    if (Objects.equals(previous == null ? Locality.NONE : previous, locality)) {
      return;
    }
    SharedIndexInformer<GenericKubernetesResource> pods = informers.get(WatchedKind.POD);
    if (pods == null || inFullPass) {
      return;
    }
    for (GenericKubernetesResource pod : pods.getIndexer().byIndex(NODE_NAME_INDEX, name)) {
      reconcile(ref(WatchedKind.POD, pod), changed);
    }
  }

  private JsonNode toJson(Ref ref, GenericKubernetesResource obj) {
    ObjectNode json = Serialization.jsonMapper().valueToTree(obj);
    JsonNode metadata = json.get("metadata");
    if (metadata instanceof ObjectNode m) {
      m.remove("managedFields");
    }
    if (ref.kind().equals(WatchedKind.POD)) {
      augmentPodLabels(json, obj);
    }
    return json;
  }

  /** istiod's AugmentLabels: the Pod's labels get its locality's topology labels. */
  private void augmentPodLabels(ObjectNode json, GenericKubernetesResource pod) {
    Map<String, String> labels = labels(pod.getMetadata().getLabels());
    String override = labels.get(LOCALITY_LABEL);
    Locality locality;
    if (override != null && !override.isEmpty()) {
      locality = Locality.parse(override.replace('.', '/'));
    } else {
      String node = nodeName(pod);
      locality = node.isEmpty() ? Locality.NONE : nodeLocalities.getOrDefault(node, Locality.NONE);
    }
    if (locality.isEmpty()) {
      return;
    }
    JsonNode metadata = json.get("metadata");
    if (!(metadata instanceof ObjectNode m)) {
      return;
    }
    JsonNode l = m.get("labels");
    ObjectNode out = l instanceof ObjectNode o ? o : m.putObject("labels");
    putIfNotEmpty(out, REGION_LABEL, locality.region());
    putIfNotEmpty(out, ZONE_LABEL, locality.zone());
    putIfNotEmpty(out, SUBZONE_LABEL, locality.subZone());
  }

  private static void putIfNotEmpty(ObjectNode labels, String key, String value) {
    if (!value.isEmpty()) {
      labels.put(key, value);
    }
  }

  private static List<String> nodeNameIndex(GenericKubernetesResource pod) {
    String node = nodeName(pod);
    return node.isEmpty() ? List.of() : List.of(node);
  }

  private static String nodeName(GenericKubernetesResource pod) {
    Object node = pod.get("spec", "nodeName");
    return node instanceof String s ? s : "";
  }

  private static Map<String, String> labels(Map<String, String> labels) {
    return labels == null ? Map.of() : labels;
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
