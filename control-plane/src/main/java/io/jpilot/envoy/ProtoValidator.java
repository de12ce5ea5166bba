package io.jpilot.envoy;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import io.envoyproxy.pgv.validate.Validate;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks a protobuf message against the protoc-gen-validate ({@code validate.rules}) constraints
 * carried in its descriptors, the way Envoy validates config it receives. It walks the message
 * recursively, unpacking {@code google.protobuf.Any} values (typed_config and the like) through
 * {@link EnvoyTypeRegistry}.
 *
 * <p>Each error names the field path from the root message, e.g. {@code
 * ClusterLoadAssignment.endpoints[0].lb_endpoints[0].load_balancing_weight: value must be >= 1}.
 *
 * <p>Supported: message required/skip, oneof required, message disabled/ignored; string, bytes,
 * bool, every numeric kind (also through wrapper types), enum, repeated, map, duration and any
 * rules. Timestamp rules other than required are not checked.
 */
public final class ProtoValidator {
  private static final String ANY = Any.getDescriptor().getFullName();
  private static final String DURATION = Duration.getDescriptor().getFullName();
  private static final Set<String> WRAPPERS =
      Set.of(
          "google.protobuf.DoubleValue",
          "google.protobuf.FloatValue",
          "google.protobuf.Int64Value",
          "google.protobuf.UInt64Value",
          "google.protobuf.Int32Value",
          "google.protobuf.UInt32Value",
          "google.protobuf.BoolValue",
          "google.protobuf.StringValue",
          "google.protobuf.BytesValue");

  private static final Pattern HEADER_NAME_STRICT =
      Pattern.compile("^:?[0-9a-zA-Z!#$%&'*+\\-.^_|~`]+$");
  private static final Pattern HEADER_VALUE_STRICT =
      Pattern.compile("^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$");
  private static final Pattern HEADER_LOOSE = Pattern.compile("^[^\\u0000\\u000A\\u000D]*$");
  private static final Pattern UUID =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Pattern HOSTNAME_LABEL =
      Pattern.compile("^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$");

  private final EnvoyTypeRegistry types;
  private final Map<String, Pattern> patterns = new ConcurrentHashMap<>();

  public ProtoValidator() {
    this(EnvoyTypeRegistry.defaultRegistry());
  }

  public ProtoValidator(EnvoyTypeRegistry types) {
    this.types = requireNonNull(types, "types");
  }

  /** Every violation in {@code message}, in field order; empty when it is valid. */
  public List<String> validate(Message message) {
    requireNonNull(message, "message");
    List<String> errors = new ArrayList<>();
    validateMessage(message, message.getDescriptorForType().getName(), errors);
    return errors;
  }

  private void validateMessage(Message m, String path, List<String> errors) {
    Descriptor d = m.getDescriptorForType();
    if (d.getFullName().equals(ANY)) {
      validateAnyContent(EnvoyTypeRegistry.toAny(m), path, errors);
      return;
    }
    if (d.getOptions().getExtension(Validate.disabled)
        || d.getOptions().getExtension(Validate.ignored)) {
      return;
    }
    for (OneofDescriptor o : d.getRealOneofs()) {
      if (o.getOptions().getExtension(Validate.required) && !m.hasOneof(o)) {
        errors.add(
            path
                + "."
                + o.getName()
                + ": exactly one of "
                + o.getFields().stream().map(FieldDescriptor::getName).collect(Collectors.toList())
                + " is required");
      }
    }
    for (FieldDescriptor f : d.getFields()) {
      FieldRules rules =
          f.getOptions().hasExtension(Validate.rules)
              ? f.getOptions().getExtension(Validate.rules)
              : null;
      String fieldPath = path + "." + f.getName();
      if (f.isMapField()) {
        validateMap(m, f, rules, fieldPath, errors);
      } else if (f.isRepeated()) {
        validateRepeated(m, f, rules, fieldPath, errors);
      } else {
        validateSingular(m, f, rules, fieldPath, errors);
      }
    }
  }

  private void validateSingular(
      Message m, FieldDescriptor f, FieldRules rules, String path, List<String> errors) {
    if (f.getRealContainingOneof() != null && !m.hasField(f)) {
      // rules of a oneof member apply only to the member that is set
      return;
    }
    boolean present = !f.hasPresence() || m.hasField(f);
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      present = m.hasField(f);
      if (!present) {
        if (rules != null && isRequired(rules)) {
          errors.add(path + ": value is required");
        }
        return;
      }
    } else if (!present) {
      // proto3 optional or an unset oneof member: rules apply only when set
      return;
    }
    checkValue(f, m.getField(f), rules, path, errors);
  }

  private static boolean isRequired(FieldRules rules) {
    return (rules.hasMessage() && rules.getMessage().getRequired())
        || (rules.hasDuration() && rules.getDuration().getRequired())
        || (rules.hasAny() && rules.getAny().getRequired())
        || (rules.hasTimestamp() && rules.getTimestamp().getRequired());
  }

  private void validateRepeated(
      Message m, FieldDescriptor f, FieldRules rules, String path, List<String> errors) {
    int n = m.getRepeatedFieldCount(f);
    FieldRules items = null;
    if (rules != null && rules.hasRepeated()) {
      Validate.RepeatedRules r = rules.getRepeated();
      if (r.getIgnoreEmpty() && n == 0) {
        return;
      }
      if (r.hasMinItems() && n < r.getMinItems()) {
        errors.add(path + ": value must contain at least " + r.getMinItems() + " item(s)");
      }
      if (r.hasMaxItems() && n > r.getMaxItems()) {
        errors.add(path + ": value must contain no more than " + r.getMaxItems() + " item(s)");
      }
      if (r.getUnique()) {
        Set<Object> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
          if (!seen.add(m.getRepeatedField(f, i))) {
            errors.add(path + "[" + i + "]: repeated value must contain unique items");
          }
        }
      }
      items = r.hasItems() ? r.getItems() : null;
    }
    for (int i = 0; i < n; i++) {
      checkValue(f, m.getRepeatedField(f, i), items, path + "[" + i + "]", errors);
    }
  }

  private void validateMap(
      Message m, FieldDescriptor f, FieldRules rules, String path, List<String> errors) {
    int n = m.getRepeatedFieldCount(f);
    Validate.MapRules r = rules != null && rules.hasMap() ? rules.getMap() : null;
    if (r != null) {
      if (r.getIgnoreEmpty() && n == 0) {
        return;
      }
      if (r.hasMinPairs() && n < r.getMinPairs()) {
        errors.add(path + ": value must contain at least " + r.getMinPairs() + " pair(s)");
      }
      if (r.hasMaxPairs() && n > r.getMaxPairs()) {
        errors.add(path + ": value must contain no more than " + r.getMaxPairs() + " pair(s)");
      }
    }
    Descriptor entry = f.getMessageType();
    FieldDescriptor keyField = entry.findFieldByName("key");
    FieldDescriptor valueField = entry.findFieldByName("value");
    for (int i = 0; i < n; i++) {
      Message e = (Message) m.getRepeatedField(f, i);
      Object key = e.getField(keyField);
      String entryPath = path + "[" + quoteKey(key) + "]";
      if (r != null && r.hasKeys()) {
        checkValue(keyField, key, r.getKeys(), entryPath + "<key>", errors);
      }
      if (valueField.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !e.hasField(valueField)) {
        if (r != null && r.getNoSparse()) {
          errors.add(entryPath + ": map values cannot be unset");
        }
        continue;
      }
      checkValue(
          valueField,
          e.getField(valueField),
          r != null && r.hasValues() ? r.getValues() : null,
          entryPath,
          errors);
    }
  }

  private static String quoteKey(Object key) {
    return key instanceof String s ? "\"" + s + "\"" : String.valueOf(key);
  }

  /** Checks one value (a singular field, a list item or a map value) against its rules. */
  private void checkValue(
      FieldDescriptor f, Object value, FieldRules rules, String path, List<String> errors) {
    if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      Message msg = (Message) value;
      String type = msg.getDescriptorForType().getFullName();
      if (rules != null) {
        if (WRAPPERS.contains(type) && isScalarRule(rules)) {
          FieldDescriptor inner = msg.getDescriptorForType().findFieldByName("value");
          checkScalar(inner, msg.getField(inner), rules, path, errors);
        } else if (type.equals(DURATION) && rules.hasDuration()) {
          checkDuration(toDuration(msg), rules.getDuration(), path, errors);
        } else if (type.equals(ANY) && rules.hasAny()) {
          checkAnyType(EnvoyTypeRegistry.toAny(msg), rules.getAny(), path, errors);
        }
        if (rules.hasMessage() && rules.getMessage().getSkip()) {
          return;
        }
      }
      validateMessage(msg, path, errors);
      return;
    }
    if (rules != null) {
      checkScalar(f, value, rules, path, errors);
    }
  }

  private static boolean isScalarRule(FieldRules r) {
    switch (r.getTypeCase()) {
      case FLOAT:
      case DOUBLE:
      case INT32:
      case INT64:
      case UINT32:
      case UINT64:
      case SINT32:
      case SINT64:
      case FIXED32:
      case FIXED64:
      case SFIXED32:
      case SFIXED64:
      case BOOL:
      case STRING:
      case BYTES:
        return true;
      default:
        return false;
    }
  }

  private void checkScalar(
      FieldDescriptor f, Object value, FieldRules rules, String path, List<String> errors) {
    try {
      checkScalarOfType(f, value, rules, path, errors);
    } catch (ClassCastException e) {
      errors.add(
          path + ": " + rules.getTypeCase() + " rules do not fit a " + f.getType() + " field");
    }
  }

  private void checkScalarOfType(
      FieldDescriptor f, Object value, FieldRules rules, String path, List<String> errors) {
    switch (rules.getTypeCase()) {
      case STRING:
        checkString((String) value, rules.getString(), path, errors);
        break;
      case BYTES:
        checkBytes((ByteString) value, rules.getBytes(), path, errors);
        break;
      case BOOL:
        if (rules.getBool().hasConst() && rules.getBool().getConst() != (Boolean) value) {
          errors.add(path + ": value must equal " + rules.getBool().getConst());
        }
        break;
      case ENUM:
        checkEnum(f, (EnumValueDescriptor) value, rules.getEnum(), path, errors);
        break;
      case FLOAT:
      case DOUBLE:
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          errors.add(path + ": value must be a finite number");
        } else if (rules.getTypeCase() == FieldRules.TypeCase.FLOAT) {
          checkNumber(new BigDecimal(value.toString()), rules.getFloat(), path, errors);
        } else {
          checkNumber(BigDecimal.valueOf(d), rules.getDouble(), path, errors);
        }
        break;
      case INT32:
        checkNumber(toDecimal(f, value), rules.getInt32(), path, errors);
        break;
      case INT64:
        checkNumber(toDecimal(f, value), rules.getInt64(), path, errors);
        break;
      case UINT32:
        checkNumber(toDecimal(f, value), rules.getUint32(), path, errors);
        break;
      case UINT64:
        checkNumber(toDecimal(f, value), rules.getUint64(), path, errors);
        break;
      case SINT32:
        checkNumber(toDecimal(f, value), rules.getSint32(), path, errors);
        break;
      case SINT64:
        checkNumber(toDecimal(f, value), rules.getSint64(), path, errors);
        break;
      case FIXED32:
        checkNumber(toDecimal(f, value), rules.getFixed32(), path, errors);
        break;
      case FIXED64:
        checkNumber(toDecimal(f, value), rules.getFixed64(), path, errors);
        break;
      case SFIXED32:
        checkNumber(toDecimal(f, value), rules.getSfixed32(), path, errors);
        break;
      case SFIXED64:
        checkNumber(toDecimal(f, value), rules.getSfixed64(), path, errors);
        break;
      default:
        break;
    }
  }

  // ---- numbers -------------------------------------------------------------------------------

  private static BigDecimal toDecimal(FieldDescriptor f, Object value) {
    switch (f.getType()) {
      case UINT32:
      case FIXED32:
        return BigDecimal.valueOf(Integer.toUnsignedLong((Integer) value));
      case UINT64:
      case FIXED64:
        return new BigDecimal(new BigInteger(Long.toUnsignedString((Long) value)));
      case FLOAT:
        return new BigDecimal(value.toString());
      case DOUBLE:
        return BigDecimal.valueOf((Double) value);
      default:
        return BigDecimal.valueOf(((Number) value).longValue());
    }
  }

  /**
   * The numeric rule messages all have the same shape (const, lt, lte, gt, gte, in, not_in,
   * ignore_empty), with the rule values typed like the field; read them through the descriptor.
   */
  private static void checkNumber(BigDecimal v, Message rules, String path, List<String> errors) {
    Descriptor d = rules.getDescriptorForType();
    FieldDescriptor ignoreEmpty = d.findFieldByName("ignore_empty");
    if (ignoreEmpty != null && (Boolean) rules.getField(ignoreEmpty) && v.signum() == 0) {
      return;
    }
    BigDecimal constant = ruleNumber(rules, "const");
    if (constant != null && v.compareTo(constant) != 0) {
      errors.add(path + ": value must equal " + plain(constant));
    }
    BigDecimal lt = ruleNumber(rules, "lt");
    BigDecimal lte = ruleNumber(rules, "lte");
    BigDecimal gt = ruleNumber(rules, "gt");
    BigDecimal gte = ruleNumber(rules, "gte");
    String range = checkRange(v, lt, lte, gt, gte, ProtoValidator::plain);
    if (range != null) {
      errors.add(path + ": " + range);
    }
    List<BigDecimal> in = ruleNumbers(rules, "in");
    if (!in.isEmpty() && in.stream().noneMatch(x -> x.compareTo(v) == 0)) {
      errors.add(path + ": value must be in list " + plainList(in));
    }
    List<BigDecimal> notIn = ruleNumbers(rules, "not_in");
    if (notIn.stream().anyMatch(x -> x.compareTo(v) == 0)) {
      errors.add(path + ": value must not be in list " + plainList(notIn));
    }
  }

  private interface Formatter<T> {
    String format(T t);
  }

  /**
   * PGV range semantics: a lower and an upper bound together mean "inside" when lower < upper and
   * "outside" when upper < lower.
   */
  private static <T extends Comparable<T>> String checkRange(
      T v, T lt, T lte, T gt, T gte, Formatter<T> fmt) {
    T upper = lt != null ? lt : lte;
    boolean upperInclusive = lt == null;
    T lower = gt != null ? gt : gte;
    boolean lowerInclusive = gt == null;
    boolean aboveLower =
        lower == null || (lowerInclusive ? v.compareTo(lower) >= 0 : v.compareTo(lower) > 0);
    boolean belowUpper =
        upper == null || (upperInclusive ? v.compareTo(upper) <= 0 : v.compareTo(upper) < 0);
    String lowerText = lower == null ? "" : (lowerInclusive ? ">= " : "> ") + fmt.format(lower);
    String upperText = upper == null ? "" : (upperInclusive ? "<= " : "< ") + fmt.format(upper);
    if (lower != null && upper != null) {
      if (upper.compareTo(lower) >= 0) {
        return aboveLower && belowUpper ? null : "value must be " + lowerText + " and " + upperText;
      }
      // exclusive range: the value must lie outside (upper, lower)
      return aboveLower || belowUpper ? null : "value must be " + upperText + " or " + lowerText;
    }
    if (!aboveLower) {
      return "value must be " + lowerText;
    }
    if (!belowUpper) {
      return "value must be " + upperText;
    }
    return null;
  }

  private static BigDecimal ruleNumber(Message rules, String name) {
    FieldDescriptor f = rules.getDescriptorForType().findFieldByName(name);
    if (f == null || !rules.hasField(f)) {
      return null;
    }
    return toDecimal(f, rules.getField(f));
  }

  private static List<BigDecimal> ruleNumbers(Message rules, String name) {
    FieldDescriptor f = rules.getDescriptorForType().findFieldByName(name);
    List<BigDecimal> out = new ArrayList<>();
    if (f == null) {
      return out;
    }
    for (int i = 0; i < rules.getRepeatedFieldCount(f); i++) {
      out.add(toDecimal(f, rules.getRepeatedField(f, i)));
    }
    return out;
  }

  private static String plain(BigDecimal d) {
    return d.stripTrailingZeros().toPlainString();
  }

  private static String plainList(List<BigDecimal> l) {
    return l.stream().map(ProtoValidator::plain).collect(Collectors.joining(", ", "[", "]"));
  }

  // ---- strings and bytes -----------------------------------------------------------------------

  private void checkString(String s, Validate.StringRules r, String path, List<String> errors) {
    if (r.getIgnoreEmpty() && s.isEmpty()) {
      return;
    }
    long runes = s.codePointCount(0, s.length());
    long bytes = s.getBytes(StandardCharsets.UTF_8).length;
    if (r.hasConst() && !s.equals(r.getConst())) {
      errors.add(path + ": value must equal \"" + r.getConst() + "\"");
    }
    if (r.hasLen() && runes != r.getLen()) {
      errors.add(path + ": value length must be " + r.getLen() + " runes");
    }
    if (r.hasMinLen() && runes < r.getMinLen()) {
      errors.add(path + ": value length must be at least " + r.getMinLen() + " runes");
    }
    if (r.hasMaxLen() && runes > r.getMaxLen()) {
      errors.add(path + ": value length must be at most " + r.getMaxLen() + " runes");
    }
    if (r.hasLenBytes() && bytes != r.getLenBytes()) {
      errors.add(path + ": value length must be " + r.getLenBytes() + " bytes");
    }
    if (r.hasMinBytes() && bytes < r.getMinBytes()) {
      errors.add(path + ": value length must be at least " + r.getMinBytes() + " bytes");
    }
    if (r.hasMaxBytes() && bytes > r.getMaxBytes()) {
      errors.add(path + ": value length must be at most " + r.getMaxBytes() + " bytes");
    }
    if (r.hasPattern() && !pattern(r.getPattern()).matcher(s).find()) {
      errors.add(path + ": value does not match regex pattern \"" + r.getPattern() + "\"");
    }
    if (r.hasPrefix() && !s.startsWith(r.getPrefix())) {
      errors.add(path + ": value does not have prefix \"" + r.getPrefix() + "\"");
    }
    if (r.hasSuffix() && !s.endsWith(r.getSuffix())) {
      errors.add(path + ": value does not have suffix \"" + r.getSuffix() + "\"");
    }
    if (r.hasContains() && !s.contains(r.getContains())) {
      errors.add(path + ": value does not contain substring \"" + r.getContains() + "\"");
    }
    if (r.hasNotContains() && s.contains(r.getNotContains())) {
      errors.add(path + ": value contains substring \"" + r.getNotContains() + "\"");
    }
    if (r.getInCount() > 0 && !r.getInList().contains(s)) {
      errors.add(path + ": value must be in list " + r.getInList());
    }
    if (r.getNotInList().contains(s)) {
      errors.add(path + ": value must not be in list " + r.getNotInList());
    }
    String wellKnown = checkWellKnown(s, r);
    if (wellKnown != null) {
      errors.add(path + ": " + wellKnown);
    }
  }

  private static String checkWellKnown(String s, Validate.StringRules r) {
    switch (r.getWellKnownCase()) {
      case EMAIL:
        return r.getEmail() && !isEmail(s) ? "value must be a valid email address" : null;
      case HOSTNAME:
        return r.getHostname() && !isHostname(s) ? "value must be a valid hostname" : null;
      case IP:
        return r.getIp() && !isIp(s, true, true) ? "value must be a valid IP address" : null;
      case IPV4:
        return r.getIpv4() && !isIp(s, true, false) ? "value must be a valid IPv4 address" : null;
      case IPV6:
        return r.getIpv6() && !isIp(s, false, true) ? "value must be a valid IPv6 address" : null;
      case ADDRESS:
        return r.getAddress() && !isIp(s, true, true) && !isHostname(s)
            ? "value must be a valid hostname, or ip address"
            : null;
      case URI:
        return r.getUri() && !isAbsoluteUri(s) ? "value must be a valid URI" : null;
      case URI_REF:
        return r.getUriRef() && !isUriRef(s) ? "value must be a valid URI reference" : null;
      case UUID:
        return r.getUuid() && !UUID.matcher(s).matches() ? "value must be a valid UUID" : null;
      case WELL_KNOWN_REGEX:
        switch (r.getWellKnownRegex()) {
          case HTTP_HEADER_NAME:
            return (r.getStrict() ? HEADER_NAME_STRICT : HEADER_LOOSE).matcher(s).matches()
                ? null
                : "value must be a valid HTTP header name";
          case HTTP_HEADER_VALUE:
            return (r.getStrict() ? HEADER_VALUE_STRICT : HEADER_LOOSE).matcher(s).matches()
                ? null
                : "value must be a valid HTTP header value";
          default:
            return null;
        }
      default:
        return null;
    }
  }

  private static boolean isHostname(String s) {
    String h = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    if (h.isEmpty() || h.length() > 253) {
      return false;
    }
    for (String label : h.split("\\.", -1)) {
      if (label.length() > 63 || !HOSTNAME_LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isEmail(String s) {
    int at = s.lastIndexOf('@');
    return at > 0 && at < s.length() - 1 && isHostname(s.substring(at + 1));
  }

  private static boolean isIp(String s, boolean v4, boolean v6) {
    // Guava parses literals only; it never resolves names
    if (!InetAddresses.isInetAddress(s)) {
      return false;
    }
    boolean isV6 = s.contains(":");
    return isV6 ? v6 : v4;
  }

  private static boolean isAbsoluteUri(String s) {
    try {
      return new URI(s).isAbsolute();
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean isUriRef(String s) {
    try {
      new URI(s);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private Pattern pattern(String regex) {
    return patterns.computeIfAbsent(regex, Pattern::compile);
  }

  private void checkBytes(ByteString b, Validate.BytesRules r, String path, List<String> errors) {
    if (r.getIgnoreEmpty() && b.isEmpty()) {
      return;
    }
    if (r.hasConst() && !b.equals(r.getConst())) {
      errors.add(path + ": value must equal the constant bytes");
    }
    if (r.hasLen() && b.size() != r.getLen()) {
      errors.add(path + ": value length must be " + r.getLen() + " bytes");
    }
    if (r.hasMinLen() && b.size() < r.getMinLen()) {
      errors.add(path + ": value length must be at least " + r.getMinLen() + " bytes");
    }
    if (r.hasMaxLen() && b.size() > r.getMaxLen()) {
      errors.add(path + ": value length must be at most " + r.getMaxLen() + " bytes");
    }
    if (r.hasPrefix() && !b.startsWith(r.getPrefix())) {
      errors.add(path + ": value does not have the required prefix");
    }
    if (r.hasSuffix() && !b.endsWith(r.getSuffix())) {
      errors.add(path + ": value does not have the required suffix");
    }
    if (r.getInCount() > 0 && !r.getInList().contains(b)) {
      errors.add(path + ": value must be in the allowed list");
    }
    if (r.getNotInList().contains(b)) {
      errors.add(path + ": value must not be in the forbidden list");
    }
  }

  // ---- enums ---------------------------------------------------------------------------------

  private static void checkEnum(
      FieldDescriptor f,
      EnumValueDescriptor v,
      Validate.EnumRules r,
      String path,
      List<String> errors) {
    int n = v.getNumber();
    if (r.hasConst() && n != r.getConst()) {
      errors.add(path + ": value must equal " + r.getConst());
    }
    if (r.getDefinedOnly() && f.getEnumType().findValueByNumber(n) == null) {
      errors.add(path + ": value " + n + " must be one of the defined enum values");
    }
    if (r.getInCount() > 0 && !r.getInList().contains(n)) {
      errors.add(path + ": value must be in list " + r.getInList());
    }
    if (r.getNotInList().contains(n)) {
      errors.add(path + ": value must not be in list " + r.getNotInList());
    }
  }

  // ---- durations -----------------------------------------------------------------------------

  private static Duration toDuration(Message m) {
    if (m instanceof Duration d) {
      return d;
    }
    try {
      return Duration.parseFrom(m.toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a Duration: " + m, e);
    }
  }

  private static void checkDuration(
      Duration v, Validate.DurationRules r, String path, List<String> errors) {
    if (!Durations.isValid(v)) {
      errors.add(path + ": value is not a valid duration");
      return;
    }
    BigInteger n = nanos(v);
    if (r.hasConst() && n.compareTo(nanos(r.getConst())) != 0) {
      errors.add(path + ": value must equal " + Durations.toString(r.getConst()));
    }
    String range =
        checkRange(
            n,
            r.hasLt() ? nanos(r.getLt()) : null,
            r.hasLte() ? nanos(r.getLte()) : null,
            r.hasGt() ? nanos(r.getGt()) : null,
            r.hasGte() ? nanos(r.getGte()) : null,
            ProtoValidator::durationText);
    if (range != null) {
      errors.add(path + ": " + range);
    }
    if (r.getInCount() > 0 && r.getInList().stream().noneMatch(x -> nanos(x).compareTo(n) == 0)) {
      errors.add(path + ": value must be in the allowed durations");
    }
    if (r.getNotInList().stream().anyMatch(x -> nanos(x).compareTo(n) == 0)) {
      errors.add(path + ": value must not be in the forbidden durations");
    }
  }

  private static BigInteger nanos(Duration d) {
    return BigInteger.valueOf(d.getSeconds())
        .multiply(BigInteger.valueOf(1_000_000_000L))
        .add(BigInteger.valueOf(d.getNanos()));
  }

  private static String durationText(BigInteger nanos) {
    BigInteger[] qr = nanos.divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
    return Durations.toString(
        Duration.newBuilder().setSeconds(qr[0].longValue()).setNanos(qr[1].intValue()).build());
  }

  // ---- Any -----------------------------------------------------------------------------------

  private static void checkAnyType(Any any, Validate.AnyRules r, String path, List<String> errors) {
    if (r.getInCount() > 0 && !r.getInList().contains(any.getTypeUrl())) {
      errors.add(path + ": type URL " + any.getTypeUrl() + " must be in list " + r.getInList());
    }
    if (r.getNotInList().contains(any.getTypeUrl())) {
      errors.add(
          path + ": type URL " + any.getTypeUrl() + " must not be in list " + r.getNotInList());
    }
  }

  private void validateAnyContent(Any any, String path, List<String> errors) {
    Optional<Descriptor> d = types.descriptorForTypeUrl(any.getTypeUrl());
    if (d.isEmpty()) {
      errors.add(path + ": unknown type " + any.getTypeUrl());
      return;
    }
    Message inner;
    try {
      inner = DynamicMessage.parseFrom(d.get(), any.getValue());
    } catch (InvalidProtocolBufferException e) {
      errors.add(
          path + ": value of type " + any.getTypeUrl() + " does not parse: " + e.getMessage());
      return;
    }
    validateMessage(inner, path, errors);
  }
}
