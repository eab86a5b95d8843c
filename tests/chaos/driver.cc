// chaos-driver: writes keyed integers to a topic at a steady rate, the input
// of the chaos test. Key "k<n>" (one of --keys), value a JSON integer in
// [-1000, 1000]; the sequence depends on --seed only. The producer is
// idempotent (kafka::MakeProducer's default), so a broker restart neither
// loses nor duplicates input records.
#include <boost/program_options.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "kafka/clients.h"

namespace po = boost::program_options;
using namespace streamapp;
using Clock = std::chrono::steady_clock;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) {
  g_stop = 1;
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description opts("chaos-driver: write keyed integers at a steady rate");
  opts.add_options()("help,h", "show this help")                                              //
      ("bootstrap-servers", po::value<std::string>()->required(), "Kafka bootstrap servers")  //
      ("topic", po::value<std::string>()->required(), "topic to write")                       //
      ("rate", po::value<double>()->default_value(1000), "records per second")                //
      ("keys", po::value<int>()->default_value(1000), "number of distinct keys")              //
      ("seed", po::value<uint64_t>()->default_value(1), "seed of the key/value sequence")     //
      ("max-records", po::value<int64_t>()->default_value(0), "stop after N records (0: until signalled)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "chaos-driver: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  const std::string topic = vm["topic"].as<std::string>();
  const double rate = vm["rate"].as<double>();
  const int keys = vm["keys"].as<int>();
  const int64_t max_records = vm["max-records"].as<int64_t>();
  if (rate <= 0 || keys < 1) {
    std::cerr << "chaos-driver: --rate and --keys must be positive\n";
    return 2;
  }

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);

  auto producer = kafka::MakeProducer({{"bootstrap.servers", vm["bootstrap-servers"].as<std::string>()},
                                       // Ride out a broker restart rather than drop records.
                                       {"message.timeout.ms", "300000"}});
  if (!producer.ok()) {
    std::cerr << "chaos-driver: " << producer.status().ToString() << "\n";
    return 1;
  }

  std::mt19937_64 rng(vm["seed"].as<uint64_t>());
  std::uniform_int_distribution<int> key_dist(0, keys - 1);
  std::uniform_int_distribution<int> value_dist(-1000, 1000);

  // Paced in 10 ms ticks: each tick sends what the rate allows by then.
  const auto start = Clock::now();
  auto next_tick = start;
  auto last_report = start;
  int64_t sent = 0;
  while (!g_stop && (max_records == 0 || sent < max_records)) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    int64_t due = static_cast<int64_t>(elapsed * rate) + 1;
    if (max_records > 0) due = std::min(due, max_records);
    for (; sent < due && !g_stop; ++sent) {
      const std::string key = "k" + std::to_string(key_dist(rng));
      const std::string value = std::to_string(value_dist(rng));
      kafka::OutboundMessage m;
      m.topic = topic;
      m.key = key;
      m.value = value;
      if (Status st = (*producer)->Send(m); !st.ok()) {
        std::cerr << "chaos-driver: " << st.ToString() << "\n";
        return 1;
      }
    }
    (*producer)->Poll();
    if (Clock::now() - last_report >= std::chrono::seconds(10)) {
      last_report = Clock::now();
      std::fprintf(stderr, "chaos-driver: %lld records queued\n", static_cast<long long>(sent));
    }
    next_tick += std::chrono::milliseconds(10);
    std::this_thread::sleep_until(next_tick);
  }

  if (Status st = (*producer)->Flush(std::chrono::minutes(5)); !st.ok()) {
    std::cerr << "chaos-driver: flush failed after " << sent << " records: " << st.ToString() << "\n";
    return 1;
  }
  std::printf("chaos-driver: sent %lld records\n", static_cast<long long>(sent));
  return 0;
}
