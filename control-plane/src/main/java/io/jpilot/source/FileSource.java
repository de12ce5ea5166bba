package io.jpilot.source;

import static java.util.Objects.requireNonNull;

import io.jpilot.model.ConfigStore;
import io.jpilot.model.Diagnostic;
import io.jpilot.model.Diagnostic.Severity;
import io.jpilot.model.MeshObject;
import io.jpilot.model.config.ConfigKey;
import io.jpilot.model.config.DestinationRule;
import io.jpilot.model.config.VirtualService;
import io.jpilot.model.parse.ConfigFileParser;
import io.jpilot.model.parse.ParseResult;
import io.jpilot.model.parse.ParsedFile;
import io.jpilot.model.registry.EndpointSlice;
import io.jpilot.model.registry.Namespace;
import io.jpilot.model.registry.Pod;
import io.jpilot.model.registry.Service;
import io.jpilot.push.PushRequest;
import io.jpilot.push.PushRequest.Reason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the config files of one directory: every {@code *.yaml}, {@code *.yml} and {@code *.json}
 * below it (recursively; hidden files and directories are ignored). Objects go into the {@link
 * ConfigStore}; real changes are announced as {@link PushRequest}s.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Bad input never removes good config: a file that becomes malformed keeps its previous
 *       objects, and an object that becomes invalid keeps its last valid version. Its error line
 *       says so; there is no second line.
 *   <li>The same object defined in two files: the first file in sorted (relative path) order wins;
 *       if it goes away, the next definition takes over.
 *   <li>Re-saving an unchanged file causes no push, because the store reports equal records as
 *       unchanged. Bytes equal to the last read are not parsed again, so a change reported by both
 *       the watch and the rescan is logged and counted once.
 *   <li>A change that touches only EndpointSlices is an incremental ENDPOINT push; anything else is
 *       a full push with CONFIG, SERVICE, NAMESPACE or ENDPOINT (Pods) as reasons.
 * </ul>
 *
 * <p>Changes are noticed through a {@link WatchService} on every directory, plus a slow rescan that
 * compares modification times and sizes (it catches what a watch can miss, e.g. a changed symlink
 * target). Every diagnostic is logged as one line; objects skipped because of errors are counted in
 * {@code jpilot_config_invalid_total{kind}}.
 */
public final class FileSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);
  static final String INVALID_METRIC = "jpilot.config.invalid";
  private static final Duration DEFAULT_POLL = Duration.ofSeconds(1);
  private static final String KEPT_NOTE = " (its last valid version stays in use)";

  /** How long the watch must stay quiet before a burst of events is processed. */
  private static final long SETTLE_MILLIS = 25;

  /** The longest a burst of events is held back. */
  private static final long MAX_SETTLE_MILLIS = 100;

  private final Path dir;
  private final ConfigStore store;
  private final String domainSuffix;
  private final Consumer<PushRequest> onChange;
  private final MeterRegistry meters;
  private final Duration pollInterval;

  private final Object lock = new Object();

  /** Every known config file by relative path (with '/'), in the order that decides duplicates. */
  private final TreeMap<String, FileState> files = new TreeMap<>();

  /** Which file each stored object is served from. */
  private final Map<ConfigKey, String> owners = new HashMap<>();

  private final Map<WatchKey, Path> watchedDirs = new HashMap<>();
  private boolean loaded;
  private WatchService watcher;
  private Thread thread;
  private volatile boolean closed;

  /**
   * One file's last good parse: what it serves, when it was read and the SHA-256 of the bytes read
   * (null when they could not be read).
   */
  private record FileState(
      String source, Map<ConfigKey, MeshObject> objects, Stamp stamp, String digest) {}

  /** One read of a file: its parse and the SHA-256 of the bytes parsed (null if unknown). */
  private record FileRead(ParsedFile parsed, String digest) {}

  /**
   * Enough of a file's attributes to notice that it changed. The file key (device and inode) tells
   * a replaced file or a swapped symlink target even when time and size match.
   */
  private record Stamp(Object fileKey, long modifiedNanos, long size) {
    static final Stamp MISSING = new Stamp(null, -1, -1);
  }

  public FileSource(
      Path dir,
      ConfigStore store,
      String domainSuffix,
      Consumer<PushRequest> onChange,
      MeterRegistry meters) {
    this(dir, store, domainSuffix, onChange, meters, DEFAULT_POLL);
  }

  FileSource(
      Path dir,
      ConfigStore store,
      String domainSuffix,
      Consumer<PushRequest> onChange,
      MeterRegistry meters,
      Duration pollInterval) {
    this.dir = requireNonNull(dir, "dir");
    this.store = requireNonNull(store, "store");
    this.domainSuffix = requireNonNull(domainSuffix, "domainSuffix");
    this.onChange = requireNonNull(onChange, "onChange");
    this.meters = requireNonNull(meters, "meters");
    this.pollInterval = requireNonNull(pollInterval, "pollInterval");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval: " + pollInterval + " (expected: > 0)");
    }
  }

  /**
   * Reads every config file below the directory into the store. Announces nothing: the caller
   * builds its first snapshot from the store afterwards.
   *
   * @throws IllegalStateException if called twice
   */
  public LoadReport loadInitial() {
    synchronized (lock) {
      if (loaded) {
        throw new IllegalStateException("loadInitial() was already called");
      }
      loaded = true;
      List<Diagnostic> diagnostics = new ArrayList<>();
      List<String> found = scan();
      for (String rel : found) {
        Path path = resolve(rel);
        Stamp stamp = stamp(path);
        FileRead read = read(path);
        countInvalid(read.parsed());
        for (Diagnostic d : read.parsed().diagnostics()) {
          report(d, diagnostics);
        }
        files.put(
            rel, new FileState(path.toString(), objectsOf(read.parsed()), stamp, read.digest()));
      }
      for (Map.Entry<String, FileState> f : files.entrySet()) {
        for (MeshObject o : f.getValue().objects().values()) {
          String owner = owners.get(o.key());
          if (owner != null) {
            report(duplicate(o.key(), f.getKey(), owner), diagnostics);
            continue;
          }
          owners.put(o.key(), f.getKey());
          store.put(o);
        }
      }
      log.debug(
          "loaded {} objects from {} config files in {} ({} errors)",
          owners.size(),
          found.size(),
          dir,
          diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count());
      return new LoadReport(found.size(), owners.size(), diagnostics);
    }
  }

  /**
   * Starts watching the directory (loading it first if {@link #loadInitial()} was not called).
   *
   * @throws IOException when the directory cannot be watched
   */
  public void start() throws IOException {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("closed");
      }
      if (thread != null) {
        throw new IllegalStateException("already started");
      }
      if (!loaded) {
        loadInitial();
      }
      watcher = dir.getFileSystem().newWatchService();
      registerTree(dir);
      thread = new Thread(this::run, "jpilot-file-source");
      thread.setDaemon(true);
      thread.start();
    }
    // Catch anything that changed between the initial load and the watch registration.
    process(Set.of(), true);
  }

  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (lock) {
      t = thread;
      if (watcher != null) {
        try {
          watcher.close();
        } catch (IOException e) {
          log.debug("closing watch service", e);
        }
      }
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- watching -----------------------------------------------------------------------------

  private void run() {
    long nextPoll = System.nanoTime() + pollInterval.toNanos();
    while (!closed) {
      try {
        long waitNanos = Math.max(0, nextPoll - System.nanoTime());
        WatchKey key = watcher.poll(waitNanos, TimeUnit.NANOSECONDS);
        if (key != null) {
          Set<Path> touched = new TreeSet<>();
          boolean rescan = drain(key, touched);
          long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_SETTLE_MILLIS);
          WatchKey more;
          while (System.nanoTime() < deadline
              && (more = watcher.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
            rescan |= drain(more, touched);
          }
          process(touched, rescan);
        }
        if (System.nanoTime() - nextPoll >= 0) {
          process(Set.of(), true);
          nextPoll = System.nanoTime() + pollInterval.toNanos();
        }
      } catch (ClosedWatchServiceException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        log.error("config watch of {} failed; retrying", dir, e);
      }
    }
  }

  /**
   * Collects the files named by one key's events. Returns true when the tree itself changed (new or
   * removed directories, lost events, hidden entries such as ConfigMap {@code ..data} links) and
   * needs a rescan.
   */
  private boolean drain(WatchKey key, Set<Path> touched) {
    boolean rescan = false;
    Path parent;
    synchronized (lock) {
      parent = watchedDirs.get(key);
    }
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == StandardWatchEventKinds.OVERFLOW || parent == null) {
        rescan = true;
        continue;
      }
      Path child = parent.resolve((Path) event.context());
      if (isConfigFileName(child) && !Files.isDirectory(child)) {
        touched.add(child);
      } else {
        rescan = true;
        if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
            && Files.isDirectory(child)
            && !isHidden(child)) {
          synchronized (lock) {
            registerTree(child);
          }
        }
      }
    }
    if (!key.reset()) {
      synchronized (lock) {
        watchedDirs.remove(key);
      }
      rescan = true;
    }
    return rescan;
  }

  private void registerTree(Path root) {
    try {
      Files.walkFileTree(
          root,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
                throws IOException {
              if (!d.equals(dir) && isHidden(d)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              if (!isWatched(d)) {
                watchedDirs.put(
                    d.register(
                        watcher,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY),
                    d);
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("cannot watch {}: {}", root, e.toString());
    }
  }

  private boolean isWatched(Path d) {
    for (Map.Entry<WatchKey, Path> e : watchedDirs.entrySet()) {
      if (e.getValue().equals(d) && e.getKey().isValid()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Re-reads the touched files, and with {@code rescan} every file whose stamp changed, appeared or
   * disappeared; then announces what really changed.
   */
  private void process(Set<Path> touched, boolean rescan) {
    PushRequest request;
    synchronized (lock) {
      if (closed) {
        return;
      }
      long startNanos = System.nanoTime();
      TreeSet<String> candidates = new TreeSet<>();
      for (Path p : touched) {
        candidates.add(relative(p));
      }
      if (rescan) {
        List<String> current = scan();
        for (String rel : current) {
          FileState known = files.get(rel);
          if (known == null || !known.stamp().equals(stamp(resolve(rel)))) {
            candidates.add(rel);
          }
        }
        for (String rel : files.keySet()) {
          if (!current.contains(rel)) {
            candidates.add(rel);
          }
        }
      }
      Set<ConfigKey> changed = new TreeSet<>();
      for (String rel : candidates) {
        reconcile(rel, changed);
      }
      if (changed.isEmpty()) {
        return;
      }
      request = pushRequest(changed, startNanos);
      log.info(
          "config changed: {} objects ({}){}",
          changed.size(),
          request.reasons(),
          request.full() ? "" : ", endpoints only");
    }
    onChange.accept(request);
  }

  /** Brings the store in line with one file's current content. Must hold the lock. */
  private void reconcile(String rel, Set<ConfigKey> changed) {
    Path path = resolve(rel);
    FileState old = files.get(rel);
    Map<ConfigKey, MeshObject> previous = old == null ? Map.of() : old.objects();
    Map<ConfigKey, MeshObject> current;
    if (!Files.isRegularFile(path) || !isConfigFileName(path)) {
      if (old == null) {
        return;
      }
      files.remove(rel);
      current = Map.of();
      log.info("config file {} removed", path);
    } else {
      Stamp stamp = stamp(path);
      FileRead read = read(path);
      if (old != null && read.digest() != null && read.digest().equals(old.digest())) {
        // The bytes last read: a re-save, or a change the rescan and the watch both reported.
        files.put(rel, new FileState(old.source(), previous, stamp, old.digest()));
        return;
      }
      ParsedFile parsed = read.parsed();
      countInvalid(parsed);
      if (!parsed.readable()) {
        String note =
            previous.isEmpty()
                ? ""
                : " (the "
                    + previous.size()
                    + " objects last read from this file stay in use until it is valid again)";
        for (Diagnostic d : parsed.diagnostics()) {
          report(d.severity() == Severity.ERROR ? withNote(d, note) : d, null);
        }
        files.put(rel, new FileState(path.toString(), previous, stamp, read.digest()));
        return;
      }
      current = objectsOf(parsed);
      // An object that became invalid keeps its last valid version; its error line says so.
      Set<Diagnostic> keptErrors = new HashSet<>();
      for (ParseResult r : parsed.results()) {
        ConfigKey key = r.key();
        if (r.hasErrors()
            && !key.name().isEmpty()
            && !current.containsKey(key)
            && previous.containsKey(key)) {
          current.put(key, previous.get(key));
          for (Diagnostic d : r.diagnostics()) {
            if (d.severity() == Severity.ERROR) {
              keptErrors.add(d);
            }
          }
        }
      }
      for (Diagnostic d : parsed.diagnostics()) {
        report(keptErrors.contains(d) ? withNote(d, KEPT_NOTE) : d, null);
      }
      files.put(rel, new FileState(path.toString(), current, stamp, read.digest()));
    }

    for (ConfigKey key : previous.keySet()) {
      if (current.containsKey(key) || !rel.equals(owners.get(key))) {
        continue;
      }
      owners.remove(key);
      String next = firstFileDefining(key);
      if (next != null) {
        owners.put(key, next);
        if (store.put(files.get(next).objects().get(key))) {
          changed.add(key);
        }
      } else if (store.remove(key)) {
        changed.add(key);
      }
    }
    for (MeshObject o : current.values()) {
      ConfigKey key = o.key();
      String owner = owners.get(key);
      if (owner != null && !owner.equals(rel)) {
        if (owner.compareTo(rel) < 0) {
          report(duplicate(key, rel, owner), null);
          continue;
        }
        report(duplicate(key, owner, rel), null);
      }
      owners.put(key, rel);
      if (store.put(o)) {
        changed.add(key);
      }
    }
  }

  private String firstFileDefining(ConfigKey key) {
    for (Map.Entry<String, FileState> f : files.entrySet()) {
      if (f.getValue().objects().containsKey(key)) {
        return f.getKey();
      }
    }
    return null;
  }

  /**
   * The push request for a set of changed objects: endpoint-only (incremental) when only
   * EndpointSlices changed, else full, with one reason per kind of change. Every source uses it.
   */
  public static PushRequest pushRequest(Set<ConfigKey> changed, long startNanos) {
    EnumSet<Reason> reasons = EnumSet.noneOf(Reason.class);
    boolean endpointsOnly = true;
    for (ConfigKey key : changed) {
      switch (key.kind()) {
        case EndpointSlice.KIND:
          reasons.add(Reason.ENDPOINT);
          break;
        case Pod.KIND:
          reasons.add(Reason.ENDPOINT);
          endpointsOnly = false;
          break;
        case Service.KIND:
          reasons.add(Reason.SERVICE);
          endpointsOnly = false;
          break;
        case Namespace.KIND:
          reasons.add(Reason.NAMESPACE);
          endpointsOnly = false;
          break;
        case VirtualService.KIND:
        case DestinationRule.KIND:
        default:
          reasons.add(Reason.CONFIG);
          endpointsOnly = false;
          break;
      }
    }
    return new PushRequest(!endpointsOnly, changed, reasons, startNanos);
  }

  // ---- reading ------------------------------------------------------------------------------

  /**
   * Reads and parses one file, logging nothing. The bytes are read once, so the digest is of
   * exactly what was parsed; when they cannot be read or are not UTF-8 the parser reads the file
   * itself and says why.
   */
  private FileRead read(Path path) {
    byte[] bytes;
    String text;
    try {
      bytes = Files.readAllBytes(path);
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (IOException e) { // unreadable, or not UTF-8 (MalformedInputException)
      return new FileRead(ConfigFileParser.parse(path, path.toString(), domainSuffix), null);
    }
    return new FileRead(ConfigFileParser.parse(path.toString(), text, domainSuffix), sha256(bytes));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Counts the objects a parse skipped in {@code jpilot_config_invalid_total{kind}}. */
  private void countInvalid(ParsedFile parsed) {
    if (!parsed.readable()) {
      countInvalid("unknown");
    }
    for (ParseResult r : parsed.results()) {
      if (r.object().isEmpty()) {
        countInvalid(r.key().kind().isEmpty() ? "unknown" : r.key().kind());
      }
    }
  }

  private void countInvalid(String kind) {
    Counter.builder(INVALID_METRIC)
        .description("Config objects skipped because they are invalid or unsupported")
        .tag("kind", kind)
        .register(meters)
        .increment();
  }

  private static Diagnostic withNote(Diagnostic d, String note) {
    return note.isEmpty()
        ? d
        : new Diagnostic(d.severity(), d.source(), d.object(), d.path(), d.message() + note);
  }

  private static void report(Diagnostic d, List<Diagnostic> sink) {
    switch (d.severity()) {
      case ERROR:
        log.error("{}", d);
        break;
      case WARNING:
        log.warn("{}", d);
        break;
      default:
        log.info("{}", d);
        break;
    }
    if (sink != null) {
      sink.add(d);
    }
  }

  private Diagnostic duplicate(ConfigKey key, String ignoredRel, String usedRel) {
    return new Diagnostic(
        Severity.WARNING,
        resolve(ignoredRel).toString(),
        key.toString(),
        "",
        "also defined in "
            + resolve(usedRel)
            + ", which is used (the first file in sorted order"
            + " wins); this definition is ignored");
  }

  private static Map<ConfigKey, MeshObject> objectsOf(ParsedFile parsed) {
    Map<ConfigKey, MeshObject> objects = new LinkedHashMap<>();
    for (MeshObject o : parsed.objects()) {
      objects.put(o.key(), o);
    }
    return objects;
  }

  /** Every config file below the directory, as sorted relative paths. */
  private List<String> scan() {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try {
      Files.walkFileTree(
          dir,
          EnumSet.of(FileVisitOption.FOLLOW_LINKS),
          Integer.MAX_VALUE,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
              return !d.equals(dir) && isHidden(d)
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile() && isConfigFileName(file)) {
                found.add(relative(file));
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              log.debug("cannot visit {}: {}", file, e.toString());
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("cannot list {}: {}", dir, e.toString());
    }
    Collections.sort(found);
    return found;
  }

  private String relative(Path p) {
    return dir.relativize(p).toString().replace(File.separatorChar, '/');
  }

  private Path resolve(String rel) {
    return dir.resolve(rel.replace('/', File.separatorChar));
  }

  private static Stamp stamp(Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
      return new Stamp(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
    } catch (IOException e) {
      return Stamp.MISSING;
    }
  }

  static boolean isConfigFileName(Path p) {
    Path name = p.getFileName();
    if (name == null || isHidden(p)) {
      return false;
    }
    String n = name.toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }

  private static boolean isHidden(Path p) {
    Path name = p.getFileName();
    return name != null && name.toString().startsWith(".");
  }
}
