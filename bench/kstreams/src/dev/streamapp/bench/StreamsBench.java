package dev.streamapp.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;

/**
 * The Kafka Streams side of the benchmark in bench/: the three workloads of
 * bench/README.md (stateless, count, join) as Kafka Streams DSL topologies.
 *
 * <p>Keys are strings (the user id), values are raw JSON bytes
 * (Serdes.ByteArray) parsed and written with one shared Jackson ObjectMapper
 * inside the processors, so no JSON serde runs twice on a record.
 *
 * <pre>
 * java -cp CP dev.streamapp.bench.StreamsBench --workload stateless|count|join
 *     --bootstrap HOST:PORT --app-id ID --input TOPIC [--table TOPIC]
 *     --output TOPIC --guarantee alos|eos [--commit-interval-ms 100]
 *     [--state-dir DIR]
 * </pre>
 *
 * Runs until SIGTERM/SIGINT (closes the streams client, up to 30 s); exits 1
 * when the client fails (a stream thread dies) and 2 on bad flags.
 */
public final class StreamsBench {

  static {
    // slf4j-simple: WARN and above, to stderr (unless overridden with -D...).
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    setDefault("org.slf4j.simpleLogger.logFile", "System.err");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** Thread-safe once configured; shared by all processors. */
  static final ObjectMapper MAPPER = new ObjectMapper();

  private static final Serde<String> KEY = Serdes.String();
  private static final Serde<byte[]> VALUE = Serdes.ByteArray();

  // ---------------------------------------------------------------- values

  /**
   * The fields of an event the stateless workload keeps; binding skips the
   * others. Serialized, it is the projection {"id","user","kind","amount"}.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonPropertyOrder({"id", "user", "kind", "amount"})
  record Event(long id, String user, String kind, double amount) {}

  /** The value of one count output. */
  @JsonPropertyOrder({"user", "window_start", "count"})
  record WindowCount(
      String user, @JsonProperty("window_start") long windowStart, long count) {}

  static Event parseEvent(byte[] value) {
    if (value == null) {
      return null;
    }
    try {
      return MAPPER.readValue(value, Event.class);
    } catch (IOException e) {
      throw new UncheckedIOException("an event value is not valid JSON", e);
    }
  }

  static JsonNode parseTree(byte[] value) {
    try {
      return MAPPER.readTree(value);
    } catch (IOException e) {
      throw new UncheckedIOException("a value is not valid JSON", e);
    }
  }

  static byte[] toJson(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------ topologies

  static Topology build(Options o) {
    StreamsBuilder builder = new StreamsBuilder();
    KStream<String, byte[]> events = builder.stream(o.input, Consumed.with(KEY, VALUE));
    switch (o.workload) {
      case "stateless" -> {
        // Parse once into Event; filter and project on the parsed value.
        events
            .mapValues(StreamsBench::parseEvent)
            .filter((user, e) -> e != null && e.amount() >= 50.0)
            .mapValues(StreamsBench::toJson) // Event = the 4-field projection
            .to(o.output, Produced.with(KEY, VALUE));
      }
      case "count" -> {
        // The default windowed RocksDB store with the default record cache
        // (statestore.cache.max.bytes): updates are folded between commits.
        events
            .groupByKey(Grouped.with(KEY, VALUE))
            .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMinutes(1)))
            .count()
            .toStream()
            .map(
                (window, n) ->
                    KeyValue.pair(
                        window.key(),
                        toJson(new WindowCount(window.key(), window.window().start(), n))))
            .to(o.output, Produced.with(KEY, VALUE));
      }
      case "join" -> {
        KTable<String, byte[]> users = builder.table(o.table, Consumed.with(KEY, VALUE));
        events
            .join(
                users,
                (event, user) -> {
                  ObjectNode out = MAPPER.createObjectNode();
                  out.set("left", parseTree(event));
                  out.set("right", parseTree(user));
                  return out;
                },
                Joined.with(KEY, VALUE, VALUE))
            .filter((user, joined) -> "gold".equals(joined.path("right").path("tier").textValue()))
            .mapValues(StreamsBench::toJson)
            .to(o.output, Produced.with(KEY, VALUE));
      }
      default -> throw new IllegalStateException("unreachable: " + o.workload);
    }
    return builder.build();
  }

  static Properties config(Options o) {
    // Only what the benchmark fixes for every system; everything else is
    // Kafka Streams' default (caching, buffering, producer/consumer settings,
    // replication factor of internal topics, ...).
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, o.appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, o.bootstrap);
    p.put(
        StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        o.guarantee.equals("eos") ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, o.commitIntervalMs);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    if (o.stateDir != null) {
      p.put(StreamsConfig.STATE_DIR_CONFIG, o.stateDir);
    }
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return p;
  }

  // ------------------------------------------------------------------ main

  public static void main(String[] args) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("kstreams-bench: error: " + e.getMessage());
      System.err.println(Options.USAGE);
      System.exit(2);
      return;
    }
    if (o == null) { // --help
      System.out.println(Options.USAGE);
      return;
    }

    Topology topology = build(o);
    KafkaStreams streams = new KafkaStreams(topology, config(o));
    CountDownLatch done = new CountDownLatch(1);
    AtomicBoolean failed = new AtomicBoolean(false);

    streams.setUncaughtExceptionHandler(
        e -> {
          System.err.println("kstreams-bench: error: a stream thread failed: " + e);
          e.printStackTrace(System.err);
          failed.set(true);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    streams.setStateListener(
        (now, before) -> {
          System.err.println("kstreams-bench: state " + before + " -> " + now);
          if (now == KafkaStreams.State.ERROR) {
            failed.set(true);
            done.countDown();
          } else if (now == KafkaStreams.State.NOT_RUNNING) {
            done.countDown();
          }
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (!streams.close(Duration.ofSeconds(30))) {
                    System.err.println("kstreams-bench: warning: close did not finish within 30 s");
                  }
                  done.countDown();
                },
                "kstreams-bench-shutdown"));

    System.err.println(
        "kstreams-bench: workload "
            + o.workload
            + ", guarantee "
            + o.guarantee
            + ", app "
            + o.appId
            + "\n"
            + topology.describe());
    try {
      streams.start();
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      System.err.println("kstreams-bench: error: the streams client did not start: " + e);
      failed.set(true);
    }
    if (failed.get()) {
      streams.close(Duration.ofSeconds(30));
      System.err.println("kstreams-bench: error: the streams client failed; exiting 1");
      System.exit(1);
    }
  }

  // --------------------------------------------------------------- options

  static final class Options {
    static final String USAGE =
        "usage: java -cp CP dev.streamapp.bench.StreamsBench --workload stateless|count|join\n"
            + "         --bootstrap HOST:PORT --app-id ID --input TOPIC [--table TOPIC (join)]\n"
            + "         --output TOPIC --guarantee alos|eos [--commit-interval-ms N (100)]\n"
            + "         [--state-dir DIR (Kafka Streams' default)]";

    String workload;
    String bootstrap;
    String appId;
    String input;
    String table;
    String output;
    String guarantee;
    long commitIntervalMs = 100;
    String stateDir;

    /** Returns null for --help; throws IllegalArgumentException on bad flags. */
    static Options parse(String[] args) {
      Map<String, String> flags = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--help") || a.equals("-h")) {
          return null;
        }
        if (!a.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument '" + a + "'");
        }
        String name = a;
        String value;
        int eq = a.indexOf('=');
        if (eq > 0) {
          name = a.substring(0, eq);
          value = a.substring(eq + 1);
        } else {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          value = args[++i];
        }
        if (flags.put(name, value) != null) {
          throw new IllegalArgumentException(name + " given twice");
        }
      }
      Options o = new Options();
      o.workload = required(flags, "--workload");
      o.bootstrap = required(flags, "--bootstrap");
      o.appId = required(flags, "--app-id");
      o.input = required(flags, "--input");
      o.output = required(flags, "--output");
      o.guarantee = required(flags, "--guarantee");
      o.table = flags.remove("--table");
      String commit = flags.remove("--commit-interval-ms");
      o.stateDir = flags.remove("--state-dir");
      if (!flags.isEmpty()) {
        throw new IllegalArgumentException("unknown flag(s) " + flags.keySet());
      }
      if (!o.workload.matches("stateless|count|join")) {
        throw new IllegalArgumentException(
            "--workload must be stateless, count or join, not '" + o.workload + "'");
      }
      if (!o.guarantee.matches("alos|eos")) {
        throw new IllegalArgumentException(
            "--guarantee must be alos or eos, not '" + o.guarantee + "'");
      }
      if (o.workload.equals("join") && o.table == null) {
        throw new IllegalArgumentException("--workload join needs --table TOPIC");
      }
      if (!o.workload.equals("join") && o.table != null) {
        throw new IllegalArgumentException("--table is only for --workload join");
      }
      if (commit != null) {
        try {
          o.commitIntervalMs = Long.parseLong(commit);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--commit-interval-ms must be an integer, not '" + commit + "'");
        }
        if (o.commitIntervalMs < 0) {
          throw new IllegalArgumentException("--commit-interval-ms must be >= 0");
        }
      }
      for (String[] f :
          new String[][] {
            {"--bootstrap", o.bootstrap}, {"--app-id", o.appId}, {"--input", o.input},
            {"--output", o.output}, {"--table", o.table}, {"--state-dir", o.stateDir}
          }) {
        if (f[1] != null && f[1].isEmpty()) {
          throw new IllegalArgumentException(f[0] + " must not be empty");
        }
      }
      return o;
    }

    private static String required(Map<String, String> flags, String name) {
      String v = flags.remove(name);
      if (v == null) {
        throw new IllegalArgumentException("missing " + name);
      }
      return v;
    }
  }
}
