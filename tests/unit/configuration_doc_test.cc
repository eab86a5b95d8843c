// docs/configuration.md is the one reference of worker settings: every
// setting the code accepts is documented there with a default the code
// accepts, the shipped configs/*.yaml use only documented settings, and the
// librdkafka properties the engine owns are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "streamapp/streams_config.h"
#include "support/files.h"

namespace streamapp {
namespace {

using testing::ReadFile;

using ::testing::HasSubstr;

// Setting name -> the default column, from the rows "| `name` | default | ...".
std::map<std::string, std::string> DocumentedSettings() {
  const std::string doc = ReadFile(std::string(STREAMAPP_SOURCE_DIR) + "/docs/configuration.md");
  std::map<std::string, std::string> out;
  const std::regex row(R"(\n\| `([a-z.<>]+)` \| ([^|]*) \|)");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it) {
    out[(*it)[1]] = (*it)[2];
  }
  return out;
}

// A concrete default: the first `code` span of the column, if any.
std::optional<std::string> ConcreteDefault(const std::string& column) {
  std::smatch m;
  if (std::regex_search(column, m, std::regex("^`([^`]*)`"))) return m[1].str();
  return std::nullopt;
}

TEST(ConfigurationDoc, EverySettingTheCodeAcceptsIsDocumented) {
  const auto documented = DocumentedSettings();
  ASSERT_GE(documented.size(), 10u);
  // The code lists what it accepts when it refuses an unknown name.
  StreamsConfig c;
  const std::string accepted = c.Set("no.such.setting", "1").message();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(accepted, m, std::regex("expected (.*)$")));
  const std::string list = m[1];
  const std::regex name(R"(([a-z]+(\.[a-z]+)+))");
  int checked = 0;
  for (auto it = std::sregex_iterator(list.begin(), list.end(), name); it != std::sregex_iterator(); ++it) {
    const std::string n = (*it)[1];
    if (n.rfind("kafka", 0) == 0) continue;
    EXPECT_EQ(documented.count(n), 1u) << n << " is accepted but not in docs/configuration.md";
    ++checked;
  }
  EXPECT_GE(checked, 10);
  EXPECT_EQ(documented.count("kafka.<property>"), 1u);
}

TEST(ConfigurationDoc, EveryDocumentedDefaultIsAccepted) {
  for (const auto& [name, column] : DocumentedSettings()) {
    if (name.rfind("kafka.", 0) == 0) continue;
    StreamsConfig c;
    const auto value = ConcreteDefault(column);
    if (!value) continue;  // "none (required)", "the topology's ...": no literal default
    EXPECT_TRUE(c.Set(name, *value).ok()) << name << " = " << *value;
  }
  // The defaults the doc states are the code's.
  StreamsConfig c;
  EXPECT_EQ(c.num_threads, 1);
  EXPECT_EQ(c.state_dir, "/tmp/streamapp");
  EXPECT_EQ(c.max_buffered_per_partition, 1000u);
  EXPECT_EQ(c.cache_max_bytes, 10485760u);
  EXPECT_EQ(c.state_memory_bytes, 268435456u);
  EXPECT_EQ(c.throughput_log_interval.count(), 10000);
  EXPECT_EQ(c.CommitInterval().count(), 30000);
  ASSERT_TRUE(c.Set("processing.guarantee", "exactly_once_v2").ok());
  EXPECT_EQ(c.CommitInterval().count(), 100);
}

TEST(ConfigurationDoc, ShippedConfigFilesUseOnlyDocumentedSettings) {
  const auto documented = DocumentedSettings();
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(STREAMAPP_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const YAML::Node root = YAML::LoadFile(entry.path().string());
    StreamsConfig c;
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      if (key == "kafka") {
        for (const auto& p : kv.second) c.kafka[p.first.as<std::string>()] = p.second.as<std::string>();
        continue;
      }
      EXPECT_EQ(documented.count(key), 1u) << entry.path() << ": " << key;
      EXPECT_TRUE(c.Set(key, kv.second.as<std::string>()).ok()) << entry.path() << ": " << key;
    }
    c.application_id = "app";
    c.bootstrap_servers = "127.0.0.1:9092";
    EXPECT_TRUE(c.Validate().ok()) << entry.path() << ": " << c.Validate().message();
  }
  EXPECT_GE(files, 2);
}

TEST(ConfigurationDoc, PropertiesTheEngineOwnsAreRefusedWithWhatToSetInstead) {
  for (const char* property : {"group.id", "enable.auto.commit", "isolation.level", "partition.assignment.strategy",
                               "transactional.id", "bootstrap.servers"}) {
    StreamsConfig c;
    c.application_id = "app";
    c.bootstrap_servers = "127.0.0.1:9092";
    ASSERT_TRUE(c.Set(std::string("kafka.") + property, "x").ok());
    const Status st = c.Validate();
    EXPECT_FALSE(st.ok()) << property;
    EXPECT_THAT(st.message(), HasSubstr(std::string("kafka.") + property + " cannot be set"));
  }
  StreamsConfig c;
  c.application_id = "app";
  c.bootstrap_servers = "127.0.0.1:9092";
  ASSERT_TRUE(c.Set("kafka.security.protocol", "SASL_SSL").ok());
  ASSERT_TRUE(c.Set("kafka.sasl.mechanisms", "SCRAM-SHA-512").ok());
  EXPECT_TRUE(c.Validate().ok());
  EXPECT_EQ(c.kafka["security.protocol"], "SASL_SSL");
}

}  // namespace
}  // namespace streamapp
