// stream-app run --embedded: cluster, topics, generator, application and
// summary, in one process (docs/embedded.md).
#include "cli/embedded_run.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "dsl/graph.h"
#include "kafka/embedded_cluster.h"
#include "streamapp/generators/generator.h"
#include "streamapp/kafka_streams.h"

namespace streamapp::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
namespace gen = streamapp::generators;

int Fail(const Status& st) {
  std::cerr << "stream-app run --embedded: " << st.message() << "\n";
  return 1;
}

// The topics to create: every source and sink of the topology, the
// generator's, and the dead-letter topic; declared partition counts win.
Status CreateTopics(kafka::EmbeddedCluster& cluster, const Topology& topology, const std::vector<std::string>& extra,
                    int partitions) {
  const dsl::TopologyData& data = topology.data();
  std::map<std::string, int> wanted;
  for (const std::string& t : topology.SourceTopics()) {
    if (!data.repartition_topics.count(t)) wanted[t] = partitions;
  }
  for (const std::string& t : topology.SinkTopics()) {
    if (!data.repartition_topics.count(t)) wanted[t] = partitions;
  }
  for (const std::string& t : extra) wanted.emplace(t, partitions);
  for (const auto& [topic, node] : data.source_node_of_topic) {
    const int declared = data.nodes[static_cast<size_t>(node)].consumed.partitions;
    if (declared > 0 && wanted.count(topic)) wanted[topic] = declared;
  }
  for (const auto& [topic, count] : wanted) {
    RETURN_IF_ERROR(cluster.CreateTopic({topic, count, 1, {}}));
    std::cout << "embedded: created topic " << topic << " (" << count << " partition" << (count == 1 ? "" : "s")
              << ")\n";
  }
  return Status::Ok();
}

// Runs a generator into the cluster on its own thread.
class GeneratorRun {
 public:
  GeneratorRun(std::unique_ptr<gen::Generator> generator, std::unique_ptr<kafka::Producer> producer,
               const EmbeddedOptions& options)
      : generator_(std::move(generator)), producer_(std::move(producer)), options_(options) {}
  ~GeneratorRun() { Join(); }

  void Start() {
    thread_ = std::thread([this] {
      result_ = Run();
      done_.store(true);
    });
  }
  void Stop() { stop_.store(true); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }
  bool done() const { return done_.load(); }
  uint64_t produced() const { return produced_.load(); }
  const Status& result() const { return result_; }  // after done()

 private:
  Status Run() {
    gen::GeneratedRecord rec;
    const auto t0 = Clock::now();
    const double period_ns = options_.rate > 0 ? 1e9 / options_.rate : 0;
    uint64_t primary = 0;
    while (!stop_.load() && (!options_.count || primary < *options_.count)) {
      generator_->Next(rec);
      if (rec.primary) {
        if (period_ns > 0) {
          const auto due =
              t0 + std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(primary) * period_ns));
          while (Clock::now() < due && !stop_.load()) {
            producer_->Poll();
            std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), 50ms));
          }
          if (stop_.load()) break;
        }
        ++primary;
      }
      kafka::OutboundMessage m;
      m.topic = rec.topic;
      m.key = std::string_view(rec.key);
      m.value = std::string_view(rec.value);
      m.timestamp = Timestamp(rec.timestamp);
      RETURN_IF_ERROR(producer_->Send(m));
      if ((produced_.fetch_add(1) & 1023) == 0) producer_->Poll();
    }
    return producer_->Flush(120s);
  }

  std::unique_ptr<gen::Generator> generator_;
  std::unique_ptr<kafka::Producer> producer_;
  EmbeddedOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> produced_{0};
  Status result_;
  std::thread thread_;
};

// True when the group has committed every record of every topic it reads
// (external sources first, then repartition topics, which only fill up
// before their writer commits).
bool CaughtUp(kafka::Admin& admin, kafka::Consumer& group, const std::vector<std::string>& sources) {
  for (const std::string& topic : sources) {
    auto partitions = admin.PartitionCount(topic, 10s);
    if (!partitions.ok()) return false;
    std::vector<kafka::TopicPartition> tps;
    for (int p = 0; p < *partitions; ++p) tps.push_back({topic, PartitionId(p)});
    auto committed = group.Committed(tps, 10s);
    if (!committed.ok()) return false;
    for (const kafka::PartitionOffset& po : *committed) {
      auto marks = admin.QueryWatermarks(po.tp, 10s);
      if (!marks.ok()) return false;
      if (marks->high.value() > marks->low.value() && po.offset.value() < marks->high.value()) return false;
    }
  }
  return true;
}

std::vector<std::string> ReadTopics(const Topology& topology, const std::string& application_id) {
  auto resolved = dsl::ResolveInternalTopics(topology.data(), application_id);
  std::vector<std::string> external, internal;
  for (const auto& [topic, node] : resolved->source_node_of_topic) {
    (resolved->repartition_topics.count(topic) ? internal : external).push_back(topic);
  }
  external.insert(external.end(), internal.begin(), internal.end());
  return external;
}

struct Running {
  KafkaStreams* app;
  GeneratorRun* generator;  // may be null
  kafka::Admin* admin;
  kafka::Consumer* group;
  std::vector<std::string> sources;
  std::vector<std::string> sinks;
};

// Waits for the end: generator finished and everything processed, --seconds,
// a signal, or the application failing. Reports progress every 5 s.
Status WaitForEnd(const Running& r, const EmbeddedOptions& options, const sigset_t& signals,
                  std::atomic<bool>& app_finished) {
  const auto t0 = Clock::now();
  auto next_report = t0 + 5s;
  int caught_up_rounds = 0;
  while (!app_finished.load()) {
    timespec tick{0, 500 * 1000 * 1000};
    if (sigtimedwait(&signals, nullptr, &tick) > 0) {
      std::cout << "embedded: signalled; stopping\n";
      return Status::Ok();
    }
    const auto now = Clock::now();
    if (options.seconds && now - t0 >= std::chrono::duration<double>(*options.seconds)) {
      std::cout << "embedded: " << *options.seconds << " s elapsed; stopping\n";
      return Status::Ok();
    }
    if (now >= next_report) {
      next_report = now + 5s;
      std::cout << "embedded: " << (r.generator ? std::to_string(r.generator->produced()) : std::string("no"))
                << " records generated, " << CountRecords(*r.admin, r.sinks) << " written to the output topics\n";
    }
    if (r.generator == nullptr || !r.generator->done()) continue;
    if (!r.generator->result().ok()) return r.generator->result().WithContext("generator");
    // Twice in a row, a commit interval apart, so late commits are seen.
    caught_up_rounds = CaughtUp(*r.admin, *r.group, r.sources) ? caught_up_rounds + 1 : 0;
    if (caught_up_rounds >= 2) {
      std::cout << "embedded: the generator finished and the application processed every record; stopping\n";
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

int RunEmbedded(Topology topology, StreamsConfig config, const EmbeddedOptions& options) {
  // Signals are taken by this thread; every thread started below inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::cout << kEmbeddedWarning << "\n";
  config.guarantee = ProcessingGuarantee::kAtLeastOnce;
  if (!config.commit_interval) config.commit_interval = 1000ms;  // results show up quickly
  std::string temp_state;
  if (!options.state_dir_given) {
    std::string pattern = (std::filesystem::temp_directory_path() / "streamapp-embedded-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return Fail(Status::IoError("cannot create a temporary state directory"));
    temp_state = config.state_dir = pattern;
  }
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ec;
      if (!path.empty()) std::filesystem::remove_all(path, ec);
    }
  } remove_state{temp_state};

  // Declared first: destroyed last, after every client of it.
  auto cluster = kafka::EmbeddedCluster::Start(1);
  if (!cluster.ok()) return Fail(cluster.status());
  kafka::EmbeddedCluster& mock = **cluster;
  config.bootstrap_servers = mock.bootstrap_servers();
  std::cout << "embedded: in-process cluster at " << config.bootstrap_servers << "\n";
  const kafka::Config base = {{"bootstrap.servers", config.bootstrap_servers}};

  std::unique_ptr<GeneratorRun> generator;
  std::vector<std::string> generator_topics;
  if (!options.generator.empty()) {
    gen::GeneratorOptions go;
    go.seed = options.seed;
    if (!options.count) {
      go.start_time_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    }
    auto made = gen::MakeGenerator(options.generator, go);
    if (!made.ok()) return Fail(made.status());
    generator_topics = (*made)->Topics();
    kafka::Config pc = base;
    pc["linger.ms"] = "20";
    auto producer = kafka::MakeProducer(pc);
    if (!producer.ok()) return Fail(producer.status());
    generator = std::make_unique<GeneratorRun>(std::move(*made), std::move(*producer), options);
  }
  std::vector<std::string> extra = generator_topics;
  extra.push_back(config.EffectiveDlqTopic());
  if (Status st = CreateTopics(mock, topology, extra, options.partitions); !st.ok()) return Fail(st);
  auto admin = mock.NewAdmin(base);
  if (!admin.ok()) return Fail(admin.status());
  kafka::Config gc = base;
  gc["group.id"] = config.application_id;
  gc["enable.auto.commit"] = "false";
  auto group = kafka::MakeConsumer(gc, nullptr);  // reads the app's committed offsets; never joins
  if (!group.ok()) return Fail(group.status());

  std::vector<std::string> sinks = topology.SinkTopics();
  if (std::find(sinks.begin(), sinks.end(), config.EffectiveDlqTopic()) == sinks.end()) {
    sinks.push_back(config.EffectiveDlqTopic());
  }
  const std::vector<std::string> sources = ReadTopics(topology, config.application_id);

  KafkaStreams app(std::move(topology), config);
  app.SetClientFactory(mock.Clients());
  if (Status st = app.Start(); !st.ok()) return Fail(st);
  if (generator) {
    std::cout << "embedded: generating " << options.generator << " data"
              << (options.count ? " (" + std::to_string(*options.count) + " records)" : std::string()) << "\n";
    generator->Start();
  }
  std::atomic<bool> app_finished{false};
  Status app_result;
  std::thread waiter([&] {
    app_result = app.Wait();
    app_finished.store(true);
  });
  Running running{&app, generator.get(), admin->get(), group->get(), sources, sinks};
  Status end = WaitForEnd(running, options, signals, app_finished);
  if (generator) {
    generator->Stop();
    generator->Join();
  }
  app.RequestStop();
  waiter.join();
  (void)(*group)->Close();
  if (!end.ok()) return Fail(end);
  if (!app_result.ok()) return Fail(app_result);

  auto summaries = ReadSummaries(**admin, base, sinks, options.show);
  if (!summaries.ok()) return Fail(summaries.status());
  PrintSummaries(std::cout, *summaries);
  std::cout << "embedded: exactly-once was not honoured (at-least-once run on the in-process cluster)\n";
  return 0;
}

}  // namespace streamapp::cli
