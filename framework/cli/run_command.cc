// stream-app run: loads a topology and runs it as a worker until signalled.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "cli/embedded_run.h"
#include "streamapp/kafka_streams.h"
#include "streamapp/topology_file.h"

namespace po = boost::program_options;

namespace streamapp::cli {
namespace {

// A worker config file: a flat YAML mapping of the keys --set accepts.
Status ApplyConfigFile(const std::string& path, StreamsConfig& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  if (!root.IsMap()) return Status::InvalidArgument(path + ": expected a mapping of settings");
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (key == "kafka" && kv.second.IsMap()) {
      for (const auto& p : kv.second) config.kafka[p.first.as<std::string>()] = p.second.as<std::string>();
      continue;
    }
    if (!kv.second.IsScalar()) return Status::InvalidArgument(path + ": '" + key + "' must be a scalar");
    RETURN_IF_ERROR(config.Set(key, kv.second.as<std::string>()).WithContext(path));
  }
  return Status::Ok();
}

Status ApplyTopologySettings(const AppSettings& app, StreamsConfig& config) {
  config.application_id = app.application_id;
  if (app.processing_guarantee) RETURN_IF_ERROR(config.Set("processing.guarantee", *app.processing_guarantee));
  if (app.commit_interval_ms) config.commit_interval = std::chrono::milliseconds(*app.commit_interval_ms);
  if (app.threads) config.num_threads = *app.threads;
  config.dlq_topic = app.dlq_topic;
  for (const auto& [k, v] : app.kafka) config.kafka[k] = v;
  return Status::Ok();
}

int Fail(const Status& st) {
  spdlog::error("{}", st.message());
  return 1;
}

}  // namespace

int RunCommand(int argc, char** argv) {
  po::options_description opts("stream-app run: run a topology as a worker of its application");
  po::options_description embedded(std::string("Embedded mode (docs/embedded.md): no broker needed\n  ") +
                                   kEmbeddedWarning);
  embedded.add_options()("embedded", "run on an in-process Kafka-protocol cluster; creates the topics")              //
      ("generate", po::value<std::string>(), "embedded: feed it from this generator (crypto, sales, ...)")           //
      ("count,n", po::value<uint64_t>(), "embedded: main-topic records to generate (default: until stopped)")        //
      ("seed", po::value<uint64_t>()->default_value(1), "embedded: generator seed")                                  //
      ("rate", po::value<double>()->default_value(0), "embedded: generated records per second (0: fastest)")         //
      ("seconds", po::value<double>(), "embedded: stop after this many seconds")                                     //
      ("partitions", po::value<int>()->default_value(3), "embedded: partitions of topics without a declared count")  //
      ("show", po::value<int>()->default_value(5), "embedded: records of each output topic in the summary");
  opts.add_options()("help,h", "show this help")                                               //
      ("topology,t", po::value<std::string>()->required(), "topology YAML file")               //
      ("bootstrap-servers,b", po::value<std::string>(), "Kafka bootstrap servers")             //
      ("application-id", po::value<std::string>(), "override the topology's application id")   //
      ("config,c", po::value<std::string>(), "worker config file (YAML mapping of settings)")  //
      ("set", po::value<std::vector<std::string>>()->composing(),
       "KEY=VALUE setting; repeatable (kafka.X=Y passes X to librdkafka)")                                   //
      ("threads", po::value<int>(), "number of stream threads")                                              //
      ("state-dir", po::value<std::string>(), "directory for local state")                                   //
      ("proto-path", po::value<std::vector<std::string>>()->composing(), "extra directory of .proto files")  //
      ("plugin", po::value<std::vector<std::string>>()->composing(),
       "load an operator plugin (shared library) before the topology's own plugins (repeatable)")  //
      ("log-level", po::value<std::string>()->default_value("info"), "trace|debug|info|warn|error");
  opts.add(embedded);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).run(), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "stream-app run: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(vm["log-level"].as<std::string>()));

  LoadOptions load_options;
  if (vm.count("proto-path")) load_options.proto_paths = vm["proto-path"].as<std::vector<std::string>>();
  if (vm.count("plugin")) load_options.plugins = vm["plugin"].as<std::vector<std::string>>();
  LoadResult loaded = LoadTopologyFile(vm["topology"].as<std::string>(), load_options);
  if (!loaded.loaded) {
    for (const Diagnostic& d : loaded.errors) std::cerr << d.ToString() << "\n";
    return 1;
  }

  StreamsConfig config;
  if (Status st = ApplyTopologySettings(loaded.loaded->app, config); !st.ok()) return Fail(st);
  if (vm.count("config")) {
    if (Status st = ApplyConfigFile(vm["config"].as<std::string>(), config); !st.ok()) return Fail(st);
  }
  if (vm.count("set")) {
    for (const std::string& kv : vm["set"].as<std::vector<std::string>>()) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) return Fail(Status::InvalidArgument("--set " + kv + ": expected KEY=VALUE"));
      if (Status st = config.Set(kv.substr(0, eq), kv.substr(eq + 1)); !st.ok()) return Fail(st);
    }
  }
  if (vm.count("bootstrap-servers")) config.bootstrap_servers = vm["bootstrap-servers"].as<std::string>();
  if (vm.count("application-id")) config.application_id = vm["application-id"].as<std::string>();
  if (vm.count("threads")) config.num_threads = vm["threads"].as<int>();
  if (vm.count("state-dir")) config.state_dir = vm["state-dir"].as<std::string>();
  if (vm.count("embedded")) {
    if (vm.count("bootstrap-servers"))
      return Fail(Status::InvalidArgument("--embedded runs its own cluster: drop --bootstrap-servers"));
    EmbeddedOptions e;
    if (vm.count("generate")) e.generator = vm["generate"].as<std::string>();
    if (vm.count("count")) e.count = vm["count"].as<uint64_t>();
    e.seed = vm["seed"].as<uint64_t>();
    e.rate = vm["rate"].as<double>();
    if (vm.count("seconds")) e.seconds = vm["seconds"].as<double>();
    e.partitions = vm["partitions"].as<int>();
    e.show = vm["show"].as<int>();
    e.state_dir_given = vm.count("state-dir") > 0;
    if (e.rate < 0 || e.partitions < 1 || e.show < 0) {
      return Fail(Status::InvalidArgument("--rate, --partitions and --show must not be negative (--partitions >= 1)"));
    }
    if (config.bootstrap_servers.empty()) config.bootstrap_servers = "embedded";  // replaced by the cluster's
    if (Status st = config.Validate(); !st.ok()) return Fail(st);
    return RunEmbedded(std::move(loaded.loaded->topology), config, e);
  }
  if (vm.count("generate") || vm.count("count") || vm.count("seconds")) {
    return Fail(Status::InvalidArgument("--generate, --count and --seconds need --embedded"));
  }
  if (Status st = config.Validate(); !st.ok()) return Fail(st);

  // Signals are taken synchronously by this thread; every other thread
  // (ours and librdkafka's) inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  KafkaStreams app(std::move(loaded.loaded->topology), config);
  if (Status st = app.Start(); !st.ok()) return Fail(st);
  std::atomic<bool> finished{false};
  Status result;
  std::thread waiter([&] {
    result = app.Wait();
    finished.store(true);
  });
  bool stopping = false;
  while (!finished.load()) {
    timespec tick{0, 200 * 1000 * 1000};
    int sig = sigtimedwait(&signals, nullptr, &tick);
    if (sig > 0 && !stopping) {
      spdlog::info("received {}; committing and leaving the group", sig == SIGINT ? "SIGINT" : "SIGTERM");
      stopping = true;
      app.RequestStop();
    }
  }
  waiter.join();
  if (!result.ok()) return Fail(result);
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace streamapp::cli
