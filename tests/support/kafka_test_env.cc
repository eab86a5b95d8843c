#include "support/kafka_test_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

namespace streamapp::testing {
namespace {

std::string RunAndTakeLastLine(const std::string& command) {
  std::array<char, 512> buf{};
  std::string last;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) {
    std::string line(buf.data());
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) last = line;
  }
  if (pclose(pipe) != 0) throw std::runtime_error(command + " failed");
  return last;
}

// Owns a broker this process started itself; stops it at exit.
class OwnBroker {
 public:
  OwnBroker() {
    char tmpl[] = "/tmp/streamapp-test-broker-XXXXXX";
    dir_ = mkdtemp(tmpl);
    address_ = RunAndTakeLastLine(std::string(STREAMAPP_SOURCE_DIR) +
                                  "/scripts/kafka-local.sh start --port auto --dir " + dir_);
  }
  ~OwnBroker() {
    std::string cmd =
        std::string(STREAMAPP_SOURCE_DIR) + "/scripts/kafka-local.sh stop --dir " + dir_ + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "could not stop the test broker in %s\n", dir_.c_str());
    std::system(("rm -rf " + dir_).c_str());
  }
  const std::string& address() const { return address_; }

 private:
  std::string dir_;
  std::string address_;
};

std::string Discover() {
  if (const char* env = std::getenv("STREAMAPP_BOOTSTRAP"); env && *env) return env;
  if (const char* file = std::getenv("STREAMAPP_BOOTSTRAP_FILE"); file && *file) {
    std::ifstream in(file);
    std::string address;
    if (in >> address && !address.empty()) return address;
  }
  static OwnBroker broker;
  return broker.address();
}

}  // namespace

const std::string& Bootstrap() {
  static const std::string address = Discover();
  return address;
}

std::string FreshName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const uint32_t salt = std::random_device{}();
  std::string test = "x";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    test = std::string(info->test_suite_name()) + "." + info->name();
  }
  for (char& c : test) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  }
  char suffix[64];
  std::snprintf(suffix, sizeof suffix, "-%d-%d-%08x", static_cast<int>(getpid()), counter++, salt);
  return prefix + "-" + test + suffix;
}

kafka::Config BaseConfig() {
  return {{"bootstrap.servers", Bootstrap()}};
}

std::unique_ptr<kafka::Admin> MakeTestAdmin() {
  auto admin = kafka::MakeAdmin(BaseConfig());
  if (!admin.ok()) throw std::runtime_error(admin.status().ToString());
  return std::move(admin).value();
}

std::string CreateFreshTopic(const std::string& prefix, int partitions) {
  std::string name = FreshName(prefix);
  Status st = MakeTestAdmin()->CreateTopics({{name, partitions, 1, {}}}, std::chrono::seconds(30));
  if (!st.ok()) throw std::runtime_error("create topic " + name + ": " + st.ToString());
  return name;
}

std::vector<kafka::Message> ReadAll(const std::vector<std::string>& topics, size_t count, const std::string& isolation,
                                    std::chrono::milliseconds idle) {
  kafka::Config config = BaseConfig();
  config["group.id"] = FreshName("reader");
  config["isolation.level"] = isolation;
  auto consumer = kafka::MakeConsumer(config, nullptr);
  if (!consumer.ok()) throw std::runtime_error(consumer.status().ToString());
  Status st = (*consumer)->Subscribe(topics);
  if (!st.ok()) throw std::runtime_error(st.ToString());
  std::vector<kafka::Message> out;
  auto last_progress = std::chrono::steady_clock::now();
  while (out.size() < count && std::chrono::steady_clock::now() - last_progress < idle) {
    auto m = (*consumer)->Poll(std::chrono::milliseconds(100));
    if (!m.ok()) throw std::runtime_error(m.status().ToString());
    if (m->has_value()) {
      out.push_back(std::move(**m));
      last_progress = std::chrono::steady_clock::now();
    }
  }
  (void)(*consumer)->Close();
  return out;
}

}  // namespace streamapp::testing
