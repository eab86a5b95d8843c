// Operator plugins: the sample dedupe plugin (examples/plugins) loaded from
// a topology's `plugins:` and run in-process; a plugin built for another ABI
// refused with a clear message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "registry/plugin_loader.h"
#include "streamapp/topology_file.h"
#include "support/inprocess_driver.h"

namespace streamapp {
namespace {

using ::testing::HasSubstr;

const std::string kPlugin = DEDUPE_PLUGIN_PATH;
const std::string kForeignAbiPlugin = DEDUPE_PLUGIN_ABI999_PATH;

// Written beside the plugin so that `plugins:` resolves relative to the file.
std::string WriteTopology(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::path(kPlugin).parent_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

const char* kDedupeTopology = R"(version: 1
application: {id: dedupe-app}
plugins: [dedupe_plugin.so]
streams:
  events: {topic: events}
pipelines:
  unique:
    from: events
    steps:
      - dedupe: {key: id, window: 10s}
        name: dedupe
      - to: unique-events
)";

TEST(PluginTest, LoadsFromTheTopologyAndRuns) {
  LoadResult r = LoadTopologyFile(WriteTopology("plugin_test_dedupe.yaml", kDedupeTopology));
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().ToString();
  ASSERT_TRUE(r.loaded);
  EXPECT_THAT(r.loaded->topology.Describe(), HasSubstr("unique.dedupe"));
  EXPECT_THAT(r.loaded->topology.Describe(), HasSubstr("unique-dedupe-store"));

  testing::InProcessDriver driver(r.loaded->topology, "dedupe-app-dlq");
  auto pipe = [&](const char* key, int id, int64_t ts) {
    ASSERT_TRUE(driver.Pipe("events", key, "{\"id\": " + std::to_string(id) + "}", ts).ok());
  };
  pipe("a", 1, 1000);
  pipe("b", 1, 2000);  // the same id: a duplicate within 10s
  pipe("c", 2, 3000);
  pipe("d", 1, 10999);  // 9999ms after the first: still a duplicate
  pipe("e", 1, 11000);  // a window later: new again
  pipe("f", 2, 30000);  // stream time passes: the punctuator evicts old ids
  std::vector<std::string> keys;
  for (const auto& out : driver.outputs()) {
    EXPECT_EQ(out.topic, "unique-events");
    keys.push_back(out.key.value_or("null"));
  }
  EXPECT_THAT(keys, ::testing::ElementsAre("a", "c", "e", "f"));
  EXPECT_GT(driver.Counter("dedupe-evicted"), 0);
}

TEST(PluginTest, LoadsFromTheCommandLineAndReportsItsParameters) {
  const std::string text = R"(version: 1
application: {id: dedupe-app}
streams:
  events: {topic: events}
pipelines:
  unique:
    from: events
    steps:
      - deduplicate: {windw: 10s}
      - to: out
)";
  LoadOptions options;
  options.plugins = {kPlugin};
  LoadResult r = LoadTopologyText(text, "t.yaml", ".", options);
  std::vector<std::string> errors;
  for (const Diagnostic& d : r.errors) errors.push_back(d.ToString());
  EXPECT_THAT(errors, ::testing::ElementsAre(
                          "t.yaml:9:23: unknown parameter 'windw' of 'deduplicate'; expected one of key, window, "
                          "evict_every, store; did you mean 'window'?"));
  // Without the plugin the operator is unknown.
  LoadResult without = LoadTopologyText(text, "t.yaml", ".");
  ASSERT_FALSE(without.errors.empty());
  EXPECT_THAT(without.errors.front().message, HasSubstr("unknown step 'deduplicate'"));
}

TEST(PluginTest, RefusesAPluginBuiltForAnotherAbi) {
  OperatorRegistry registry = BuiltinOperatorRegistry();
  Status st = registry::LoadPlugin(kForeignAbiPlugin, registry);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "plugin " + kForeignAbiPlugin +
                              " was built for streamapp plugin ABI 999; this stream-app supports 1 (rebuild the "
                              "plugin against this stream-app's headers)");
  EXPECT_EQ(registry.Find("dedupe"), nullptr);

  // From a topology: reported at the entry of `plugins:`.
  const std::string path = WriteTopology("plugin_test_abi.yaml", R"(version: 1
application: {id: x}
plugins:
  - dedupe_plugin_abi999.so
streams:
  events: {topic: events}
pipelines:
  p: {from: events, steps: [{to: out}]}
)");
  LoadResult r = LoadTopologyFile(path);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_EQ(r.errors[0].column, 5);
  EXPECT_THAT(r.errors[0].message, HasSubstr("was built for streamapp plugin ABI 999; this stream-app supports 1"));
}

TEST(PluginTest, ReportsAMissingLibraryOrEntryPoint) {
  OperatorRegistry registry;
  Status missing = registry::LoadPlugin("/nonexistent/plugin.so", registry);
  EXPECT_THAT(missing.message(), HasSubstr("cannot load plugin /nonexistent/plugin.so"));
}

}  // namespace
}  // namespace streamapp
