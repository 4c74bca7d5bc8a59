package io.stockroom.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Set;

/**
 * Strict JSON in, compact JSON out. Requests are parsed into a tree and read field by field, so
 * every type error names its field; unknown fields are refused (a typo must not be silently
 * ignored); nesting depth and string length are bounded by the parser.
 */
public final class Json {

  /** Deep enough for every request shape, shallow enough that nesting is never an attack. */
  static final int DEPTH_MAX = 16;
  static final int STRING_LENGTH_MAX = 64 * 1024;

  static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(DEPTH_MAX)
          .maxStringLength(STRING_LENGTH_MAX)
          .maxNumberLength(40)
          .build())
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

  private Json() {}

  /** A writer for one response body. */
  public interface Body {
    void write(JsonGenerator json) throws IOException;
  }

  public static byte[] render(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator json = FACTORY.createGenerator(bytes)) {
      body.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Parses a request body that must be one JSON object with only {@code allowed} fields. */
  static ObjectNode object(byte[] body, Set<String> allowed) {
    JsonNode node;
    try (JsonParser parser = FACTORY.createParser(body)) {
      node = tree(parser);
    } catch (IOException e) {
      throw ProblemException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (node == null || !node.isObject()) {
      throw ProblemException.badRequest("the body must be a JSON object");
    }
    ObjectNode object = (ObjectNode) node;
    checkFields(object, allowed, "");
    return object;
  }

  /**
   * The parser's one JSON value as a tree (null when there is none), refusing anything after
   * it: what {@code MAPPER.readTree} gave (integers as BigIntegerNode, as with
   * USE_BIG_INTEGER_FOR_INTS), without the deserialization context it sets up for every call,
   * which was most of the cost of reading a reservation. The parser refuses duplicate fields and
   * nesting beyond {@link #DEPTH_MAX}, so the stack of open containers is bounded by it too.
   */
  static JsonNode tree(JsonParser parser) throws IOException {
    JsonNodeFactory nodes = MAPPER.getNodeFactory();
    ArrayDeque<ContainerNode<?>> open = new ArrayDeque<>(DEPTH_MAX);
    JsonNode root = null;
    for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
      if (token == JsonToken.FIELD_NAME) {
        continue;
      }
      if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
        open.pop();
        if (open.isEmpty()) {
          break;
        }
        continue;
      }
      JsonNode value = switch (token) {
        case START_OBJECT -> nodes.objectNode();
        case START_ARRAY -> nodes.arrayNode();
        case VALUE_STRING -> nodes.textNode(parser.getText());
        case VALUE_NUMBER_INT -> nodes.numberNode(parser.getBigIntegerValue());
        case VALUE_NUMBER_FLOAT -> nodes.numberNode(parser.getDoubleValue());
        case VALUE_TRUE -> nodes.booleanNode(true);
        case VALUE_FALSE -> nodes.booleanNode(false);
        case VALUE_NULL -> nodes.nullNode();
        default -> throw new JsonParseException(parser, "unexpected token " + token);
      };
      ContainerNode<?> parent = open.peek();
      if (parent instanceof ObjectNode object) {
        object.set(parser.currentName(), value);
      } else if (parent instanceof ArrayNode array) {
        array.add(value);
      } else {
        root = value;
      }
      if (value instanceof ContainerNode<?> container) {
        open.push(container);
      } else if (parent == null) {
        break; // a lone scalar
      }
    }
    if (root != null && parser.nextToken() != null) {
      throw new JsonParseException(parser, "trailing token (" + parser.currentToken()
          + ") after the JSON value");
    }
    return root;
  }

  static void checkFields(ObjectNode object, Set<String> allowed, String prefix) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw ProblemException.badRequest("unknown field " + prefix + name + "; allowed: "
            + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }

  static String string(ObjectNode object, String field, boolean required) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw ProblemException.badRequest(field + " is required");
      }
      return null;
    }
    if (!node.isTextual()) {
      throw ProblemException.badRequest(field + " must be a string");
    }
    return node.textValue();
  }

  /** An integer field in {@code min..max}; floats, strings and out-of-range numbers refused. */
  static long integer(ObjectNode object, String field, boolean required, long fallback, long min,
      long max) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw ProblemException.badRequest(field + " is required");
      }
      return fallback;
    }
    if (!node.isIntegralNumber()) {
      throw ProblemException.badRequest(field + " must be an integer");
    }
    if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
      throw ProblemException.badRequest(field + " must be between " + min + " and " + max
          + ", was " + node.asText());
    }
    return node.longValue();
  }
}
