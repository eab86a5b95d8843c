// stream-app generate: sample data for the reference pipelines
// (docs/generators.md), produced to Kafka and/or dumped to a JSON-lines file;
// or the replay of such a file with its recorded timestamps.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "kafka/clients.h"
#include "streamapp/generators/generator.h"
#include "streamapp/generators/replay.h"

namespace po = boost::program_options;

namespace streamapp::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace gen = streamapp::generators;

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) {
  g_stop = 1;
}

int Fail(const std::string& message) {
  std::cerr << "stream-app generate: " << message << "\n";
  return 1;
}

void PrintParams(std::ostream& out, const std::string& name) {
  auto specs = gen::GeneratorParams(name);
  if (!specs.ok()) return;
  out << name << " parameters (--set NAME=VALUE):\n";
  for (const gen::ParamSpec& p : *specs) {
    out << "  " << p.name << " = " << p.default_value << "\n      " << p.doc << "\n";
  }
}

// An output file ("-": stdout) with a large buffer: one fwrite per record.
class OutFile {
 public:
  Status Open(const std::string& path) {
    if (path == "-") {
      file_ = stdout;
    } else {
      file_ = std::fopen(path.c_str(), "wb");
      if (file_ == nullptr) return Status::IoError("cannot write " + path);
      owned_ = true;
    }
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    return Status::Ok();
  }
  ~OutFile() {
    if (owned_) std::fclose(file_);
  }
  explicit operator bool() const { return file_ != nullptr; }
  void Write(std::string_view s) { std::fwrite(s.data(), 1, s.size(), file_); }
  bool Close() {
    bool ok = std::fflush(file_) == 0 && !std::ferror(file_);
    if (owned_) ok = std::fclose(file_) == 0 && ok;
    owned_ = false;
    return ok;
  }

 private:
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

// Creates the missing topics (tables compacted), so a fresh local broker
// with auto.create.topics.enable=false works out of the box.
Status EnsureTopics(const kafka::Config& base, const std::vector<std::string>& topics,
                    const std::vector<std::string>& tables, int partitions, bool create) {
  ASSIGN_OR_RETURN(std::unique_ptr<kafka::Admin> admin, kafka::MakeAdmin(base));
  for (const std::string& topic : topics) {
    auto count = admin->PartitionCount(topic, 30s);
    if (count.ok()) continue;
    if (count.status().code() != StatusCode::kNotFound) return count.status();
    if (!create) return Status::NotFound("topic " + topic + " does not exist (and --no-create-topics)");
    kafka::NewTopic t{topic, partitions, 1, {}};
    if (std::find(tables.begin(), tables.end(), topic) != tables.end()) t.configs["cleanup.policy"] = "compact";
    // Generated records carry event times that may be months old (the
    // default start time is fixed); time-based retention would delete them.
    t.configs["retention.ms"] = "-1";
    Status st = admin->CreateTopics({t}, 30s);
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) return st;
    std::cerr << "created topic " << topic << " (" << partitions << " partitions)\n";
  }
  return Status::Ok();
}

// Producer settings for throughput; --set kafka.X=Y overrides them.
kafka::Config ProducerConfig(const kafka::Config& base, const kafka::Config& user) {
  kafka::Config c = base;
  c["linger.ms"] = "50";
  c["batch.num.messages"] = "100000";
  c["batch.size"] = "4000000";
  c["compression.type"] = "lz4";
  c["queue.buffering.max.messages"] = "1000000";
  for (const auto& [k, v] : user) c[k] = v;
  return c;
}

// Sends and serves delivery reports now and then.
class Sink {
 public:
  explicit Sink(std::unique_ptr<kafka::Producer> producer) : producer_(std::move(producer)) {}
  Status Send(std::string_view topic, const std::optional<std::string_view>& key,
              const std::optional<std::string_view>& value, int64_t timestamp) {
    kafka::OutboundMessage m;
    m.topic = topic;
    m.key = key;
    m.value = value;
    m.timestamp = Timestamp(timestamp);
    RETURN_IF_ERROR(producer_->Send(m));
    if ((++sent_ & 1023) == 0) producer_->Poll();
    return Status::Ok();
  }
  void Poll() { producer_->Poll(); }
  Status Flush() { return producer_->Flush(120s); }

 private:
  std::unique_ptr<kafka::Producer> producer_;
  uint64_t sent_ = 0;
};

// Sleeps until `due`, serving delivery reports meanwhile; false if signalled.
bool WaitUntil(Clock::time_point due, Sink* sink) {
  while (Clock::now() < due) {
    if (g_stop) return false;
    if (sink != nullptr) sink->Poll();
    std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), 50ms));
  }
  return !g_stop;
}

struct Common {
  std::string bootstrap;
  std::string topic;
  kafka::Config kafka;
  int partitions = 3;
  bool create_topics = true;
};

int Replay(const std::string& path, double speed, const Common& c) {
  if (c.bootstrap.empty()) return Fail("--replay needs --bootstrap-servers");
  // First pass: check every line, so a bad line stops the replay before
  // anything was produced.
  std::ifstream in(path);
  if (!in) return Fail("cannot read " + path);
  std::string line;
  gen::ReplayRecord rec;
  std::set<std::string> topics;
  if (!c.topic.empty()) topics.insert(c.topic);
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Status st = gen::ParseReplayLine(line, &rec);
    if (st.ok() && rec.topic.empty() && c.topic.empty()) st = Status::InvalidArgument("no topic (or give --topic)");
    if (!st.ok()) return Fail(path + ":" + std::to_string(n) + ": " + st.message());
    if (c.topic.empty()) topics.insert(rec.topic);
  }
  const kafka::Config base = {{"bootstrap.servers", c.bootstrap}};
  auto producer = kafka::MakeProducer(ProducerConfig(base, c.kafka));  // first: checks --set kafka.*
  if (!producer.ok()) return Fail(producer.status().message());
  Status st = EnsureTopics(base, {topics.begin(), topics.end()}, {}, c.partitions, c.create_topics);
  if (!st.ok()) return Fail(st.message());
  Sink sink(std::move(*producer));

  in.clear();
  in.seekg(0);
  const auto t0 = Clock::now();
  std::optional<int64_t> first_ts;
  uint64_t count = 0;
  while (!g_stop && std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (!gen::ParseReplayLine(line, &rec).ok()) continue;  // checked above
    const int64_t ts = rec.timestamp.value_or(Timestamp::kUnknown);
    if (speed > 0 && rec.timestamp) {
      // Follow the recorded gaps, `speed` times faster.
      if (!first_ts) first_ts = ts;
      const auto offset = std::chrono::duration<double, std::milli>(static_cast<double>(ts - *first_ts) / speed);
      if (!WaitUntil(t0 + std::chrono::duration_cast<Clock::duration>(offset), &sink)) break;
    }
    std::optional<std::string_view> key, value;
    if (rec.key) key = *rec.key;
    if (rec.value) value = *rec.value;
    st = sink.Send(c.topic.empty() ? rec.topic : c.topic, key, value, ts);
    if (!st.ok()) return Fail(st.message());
    ++count;
  }
  st = sink.Flush();
  if (!st.ok()) return Fail(st.message());
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::cout << "stream-app generate: replayed " << count << " records from " << path << " in "
            << fmt::format("{:.3f} s, {:.0f} records/s", secs, secs > 0 ? static_cast<double>(count) / secs : 0.0)
            << "\n";
  return 0;
}

struct GenerateArgs {
  std::string name;
  gen::GeneratorOptions options;
  std::optional<uint64_t> count;
  double rate = 0;
  std::string dump;
  std::string truth;
};

int Generate(const GenerateArgs& a, const Common& c) {
  if (c.bootstrap.empty() && a.dump.empty()) return Fail("give --bootstrap-servers, --dump FILE, or both");
  auto made = gen::MakeGenerator(a.name, a.options);
  if (!made.ok()) return Fail(made.status().message());
  gen::Generator& g = **made;

  std::unique_ptr<Sink> sink;
  if (!c.bootstrap.empty()) {
    const kafka::Config base = {{"bootstrap.servers", c.bootstrap}};
    auto producer = kafka::MakeProducer(ProducerConfig(base, c.kafka));  // first: checks --set kafka.*
    if (!producer.ok()) return Fail(producer.status().message());
    Status st = EnsureTopics(base, g.Topics(), g.TableTopics(), c.partitions, c.create_topics);
    if (!st.ok()) return Fail(st.message());
    sink = std::make_unique<Sink>(std::move(*producer));
  }
  OutFile dump, truth;
  if (!a.dump.empty()) {
    if (Status st = dump.Open(a.dump); !st.ok()) return Fail(st.message());
  }
  if (!a.truth.empty()) {
    if (Status st = truth.Open(a.truth); !st.ok()) return Fail(st.message());
  }

  gen::GeneratedRecord rec;
  std::string line;
  uint64_t primary = 0, secondary = 0, bad = 0;
  const auto t0 = Clock::now();
  const double period_ns = a.rate > 0 ? 1e9 / a.rate : 0;
  while (!g_stop && (!a.count || primary < *a.count)) {
    g.Next(rec);
    if (rec.primary) {
      if (period_ns > 0) {
        const auto due = t0 + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(primary) * period_ns));
        if (!WaitUntil(due, sink.get())) break;
      }
      ++primary;
      if (rec.defect != gen::Defect::kNone) ++bad;
    } else {
      ++secondary;
    }
    if (dump) {
      line.clear();
      gen::AppendDumpLine(rec, &line);
      dump.Write(line);
    }
    if (truth && !rec.truth.empty()) {
      rec.truth.push_back('\n');
      truth.Write(rec.truth);
    }
    if (sink) {
      Status st = sink->Send(rec.topic, std::string_view(rec.key), std::string_view(rec.value), rec.timestamp);
      if (!st.ok()) return Fail(st.message());
    }
  }
  if (sink) {
    Status st = sink->Flush();
    if (!st.ok()) return Fail(st.message());
  }
  if (dump && !dump.Close()) return Fail("cannot write " + a.dump);
  if (truth && !truth.Close()) return Fail("cannot write " + a.truth);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  const uint64_t total = primary + secondary;
  (a.dump == "-" ? std::cerr : std::cout)
      << fmt::format(
             "stream-app generate: {} records ({} to {}, {} to other topics), {} bad, {:.3f} s, {:.0f} records/s",
             total, primary, g.Topics().front(), secondary, bad, secs,
             secs > 0 ? static_cast<double>(total) / secs : 0.0)
      << "\n";
  return 0;
}

}  // namespace

int GenerateCommand(int argc, char** argv) {
  po::options_description opts(
      "stream-app generate <crypto|sales|clickstream|iot|fraud> [--bootstrap-servers HOST:PORT] [--dump FILE] "
      "[options]\nstream-app generate --replay FILE --bootstrap-servers HOST:PORT [--speed X] [--topic T]\n\n"
      "Writes deterministic sample data for a reference pipeline (docs/generators.md)");
  opts.add_options()("help,h", "show this help")                                    //
      ("bootstrap-servers,b", po::value<std::string>(), "Kafka bootstrap servers")  //
      ("topic,t", po::value<std::string>(),
       "main topic (default: the pipeline's; secondary topics: --set tickers_topic=, customers_topic=, "
       "merchants_topic=); with --replay: the topic of every record")                                              //
      ("count,n", po::value<uint64_t>(), "records of the main topic to write (default: until SIGINT/SIGTERM)")     //
      ("rate,r", po::value<double>()->default_value(0), "main-topic records per second (0: as fast as possible)")  //
      ("seed,s", po::value<uint64_t>()->default_value(1),
       "random seed: the same seed and options give the same records")  //
      ("start-time", po::value<std::string>(),
       "event time of the first record, ISO 8601 (UTC) or ms (default: 2026-01-01T00:00:00Z with --count, "
       "else now)")                                                                                              //
      ("format,f", po::value<std::string>()->default_value("json"), "json or protobuf (streamapp.pipelines.*)")  //
      ("bad-ratio", po::value<double>()->default_value(0), "share of malformed main-topic records, 0..1")        //
      ("set", po::value<std::vector<std::string>>()->composing(),
       "NAME=VALUE generator parameter (see --list-params); kafka.X=Y passes X to the producer; repeatable")  //
      ("list-params", "list the generators' parameters and defaults, then exit")                              //
      ("truth-file", po::value<std::string>(), "fraud: write the ground truth as JSON lines to this file")    //
      ("dump", po::value<std::string>(),
       "also write the records as replayable JSON lines to FILE ('-': stdout); without "
       "--bootstrap-servers only this")                                                                       //
      ("replay", po::value<std::string>(), "produce the records of a JSON-lines file instead of generating")  //
      ("speed", po::value<double>()->default_value(0),
       "replay: 0 as fast as possible, 1 real time following the timestamps, 10 ten times faster")       //
      ("partitions,p", po::value<int>()->default_value(3), "partitions of topics this command creates")  //
      ("no-create-topics", "fail instead of creating missing topics");
  po::options_description hidden;
  hidden.add_options()("generator", po::value<std::string>());
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description pos;
  pos.add("generator", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app generate: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts << "\nGenerators: crypto, sales, clickstream, iot, fraud. Their parameters: --list-params.\n";
    return 0;
  }
  if (vm.count("list-params")) {
    if (vm.count("generator")) {
      if (!gen::GeneratorParams(vm["generator"].as<std::string>()).ok()) {
        return Fail(gen::GeneratorParams(vm["generator"].as<std::string>()).status().message());
      }
      PrintParams(std::cout, vm["generator"].as<std::string>());
    } else {
      for (const std::string& name : gen::GeneratorNames()) PrintParams(std::cout, name);
    }
    return 0;
  }

  Common c;
  if (vm.count("bootstrap-servers")) c.bootstrap = vm["bootstrap-servers"].as<std::string>();
  if (vm.count("topic")) c.topic = vm["topic"].as<std::string>();
  c.partitions = vm["partitions"].as<int>();
  c.create_topics = vm.count("no-create-topics") == 0;
  GenerateArgs a;
  if (vm.count("set")) {
    for (const std::string& kv : vm["set"].as<std::vector<std::string>>()) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) return Fail("--set " + kv + ": expected NAME=VALUE");
      std::string name = kv.substr(0, eq);
      if (name.starts_with("kafka.")) {
        c.kafka[name.substr(6)] = kv.substr(eq + 1);
      } else {
        a.options.params[name] = kv.substr(eq + 1);
      }
    }
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  spdlog::set_level(spdlog::level::warn);

  if (vm.count("replay")) {
    if (vm.count("generator")) return Fail("give a generator or --replay, not both");
    return Replay(vm["replay"].as<std::string>(), vm["speed"].as<double>(), c);
  }
  if (!vm.count("generator")) {
    std::cerr << "stream-app generate: name a generator (crypto, sales, clickstream, iot, fraud) or --replay FILE\n"
              << opts << "\n";
    return 2;
  }
  a.name = vm["generator"].as<std::string>();
  a.options.seed = vm["seed"].as<uint64_t>();
  a.options.topic = c.topic;
  a.options.bad_ratio = vm["bad-ratio"].as<double>();
  const std::string format = vm["format"].as<std::string>();
  if (format == "json") {
    a.options.format = gen::Format::kJson;
  } else if (format == "protobuf") {
    a.options.format = gen::Format::kProtobuf;
  } else {
    return Fail("--format must be json or protobuf, not " + format);
  }
  if (vm.count("count")) a.count = vm["count"].as<uint64_t>();
  a.rate = vm["rate"].as<double>();
  if (a.rate < 0) return Fail("--rate must not be negative");
  if (vm.count("start-time")) {
    auto t = gen::ParseStartTime(vm["start-time"].as<std::string>());
    if (!t.ok()) return Fail(t.status().message());
    a.options.start_time_ms = *t;
  } else if (!a.count) {
    // A live, unbounded run starts now; a bounded one at the fixed default,
    // so it is reproducible without --start-time.
    a.options.start_time_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
  }
  if (vm.count("dump")) a.dump = vm["dump"].as<std::string>();
  if (vm.count("truth-file")) a.truth = vm["truth-file"].as<std::string>();
  return Generate(a, c);
}

}  // namespace streamapp::cli
