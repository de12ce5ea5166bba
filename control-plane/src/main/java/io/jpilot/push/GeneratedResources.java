package io.jpilot.push;

import static java.util.Objects.requireNonNull;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.protobuf.Message;
import io.jpilot.translate.XdsType;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The resources of one type generated for one proxy view from one snapshot, sorted by name. Shared
 * (with their serialized bytes) by every proxy with the same view.
 */
public final class GeneratedResources {
  private final XdsType type;
  private final long snapshotVersion;
  private final SortedMap<String, XdsResource> resources;
  private final Map<String, String> versions;
  private final long bytes;
  private final long digest;
  private volatile Object wireForm;

  GeneratedResources(XdsType type, long snapshotVersion, SortedMap<String, Message> generated) {
    this(type, snapshotVersion, generated, UnaryOperator.identity(), XdsResource::of);
  }

  /**
   * @param interner returns an equal resource already held elsewhere (so equal resources generated
   *     for different views share one copy of their bytes), or its argument
   * @param packer packs a resource under its name as {@link XdsResource#of(String, Message)}
   *     does, to the same bytes and version (it may reuse bytes and digests shared with other
   *     resources)
   */
  GeneratedResources(
      XdsType type,
      long snapshotVersion,
      SortedMap<String, Message> generated,
      UnaryOperator<XdsResource> interner,
      BiFunction<String, Message, XdsResource> packer) {
    this.type = requireNonNull(type, "type");
    this.snapshotVersion = snapshotVersion;
    SortedMap<String, XdsResource> out = new TreeMap<>();
    Map<String, String> v = new TreeMap<>();
    long size = 0;
    Hasher hasher = Hashing.murmur3_128().newHasher();
    for (Map.Entry<String, Message> e : generated.entrySet()) {
      XdsResource r = interner.apply(packer.apply(e.getKey(), e.getValue()));
      out.put(e.getKey(), r);
      v.put(e.getKey(), r.version());
      size += r.size();
      hasher.putUnencodedChars(e.getKey()).putByte((byte) 0).putUnencodedChars(r.version());
    }
    this.digest = hasher.hash().asLong();
    this.resources = Collections.unmodifiableSortedMap(out);
    this.versions = Collections.unmodifiableMap(v);
    this.bytes = size;
  }

  /** Nothing, e.g. for a type subscribed to no names. */
  public static GeneratedResources none(XdsType type, long snapshotVersion) {
    return new GeneratedResources(type, snapshotVersion, Collections.emptySortedMap());
  }

  public XdsType type() {
    return type;
  }

  /** The version of the snapshot the resources were generated from. */
  public long snapshotVersion() {
    return snapshotVersion;
  }

  /** Resources by name, sorted. */
  public SortedMap<String, XdsResource> resources() {
    return resources;
  }

  /** Resource name → resource version. Two results with equal maps carry equal bytes. */
  public Map<String, String> versions() {
    return versions;
  }

  /** The resources themselves, by name. */
  public SortedMap<String, Message> messages() {
    SortedMap<String, Message> out = new TreeMap<>();
    resources.forEach((name, r) -> out.put(name, r.message()));
    return Collections.unmodifiableSortedMap(out);
  }

  /** Total serialized size of the resources. */
  public long bytes() {
    return bytes;
  }

  /**
   * Same resource names with the same bytes (the snapshot version aside), told by a 64-bit digest
   * of the (name, version) pairs, so an unchanged type costs no comparison of resources.
   */
  public boolean sameResources(GeneratedResources other) {
    return other != null
        && (other == this
            || (other.resources.size() == resources.size() && other.digest == digest));
  }

  public int size() {
    return resources.size();
  }

  /**
   * The resources in the serving code's wire form, computed by {@code encoder} on first use and
   * then shared by every response that carries this result. One form per result: the serving code
   * always asks with the same encoder.
   */
  public <T> T wireForm(Class<T> type, Function<GeneratedResources, T> encoder) {
    Object form = wireForm;
    if (form == null) {
      form = encoder.apply(this);
      wireForm = form;
    }
    return type.cast(form);
  }
}
