// YAML -> FileSpec: the top level, `application`, `streams`, `pipelines`.
// Steps are parsed in parse_steps.cc.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>

#include "registry/file_format.h"
#include "registry/plugin_loader.h"
#include "streamapp/value.h"
#include "yaml/parse_steps.h"
#include "yaml/reader.h"
#include "yaml/spec.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

// The keys of each section, from the declaration the JSON Schema is made of.
const std::vector<std::string> kTopKeys = registry::SectionKeys("");
const std::vector<std::string> kAppKeys = registry::SectionKeys("application");
const std::vector<std::string> kStreamKeys = registry::SectionKeys("streams");
const std::vector<std::string> kTableKeys = registry::SectionKeys("tables");
const std::vector<std::string> kGlobalTableKeys = registry::SectionKeys("global_tables");
const std::vector<std::string> kPipelineKeys = registry::SectionKeys("pipelines");
const std::vector<std::string> kStoreKeys = registry::SectionKeys("stores");

class FileParser {
 public:
  FileParser(Reader& r, FileSpec& spec) : r_(r), spec_(spec) {}

  void Root(const YAML::Node& root) {
    const Pos start{1, 1};
    if (!root.IsDefined() || root.IsNull()) {
      r_.Error(start, "the file is empty; expected a mapping with version, application, streams and pipelines");
      return;
    }
    if (!r_.ExpectMap(root, Reader::PosOf(root), "topology file")) return;
    bool has_version = false, has_app = false, has_streams = false, has_tables = false, has_pipelines = false;
    std::vector<Reader::Entry> entries = r_.KnownEntries(root, "the topology file", kTopKeys);
    // Plugins first, wherever they are written: steps may use their operators.
    for (Reader::Entry& e : entries) {
      if (e.key == "plugins") Plugins(e);
    }
    for (Reader::Entry& e : entries) {
      if (e.key == "plugins") {
        continue;
      } else if (e.key == "version") {
        has_version = true;
        Version(e);
      } else if (e.key == "application") {
        has_app = true;
        Application(e);
      } else if (e.key == "proto_paths") {
        ProtoPaths(e);
      } else if (e.key == "streams") {
        has_streams = true;
        Streams(e);
      } else if (e.key == "tables") {
        has_tables = true;
        Tables(e);
      } else if (e.key == "global_tables") {
        GlobalTables(e);
      } else if (e.key == "stores") {
        Stores(e);
      } else if (e.key == "pipelines") {
        has_pipelines = true;
        spec_.pipelines_pos = e.key_pos;
        Pipelines(e);
      }
    }
    // A misspelt section was already reported with a suggestion; saying it
    // is also missing would be noise.
    std::vector<std::string> suggested;
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      if (auto n = Nearest(it->first.Scalar(), kTopKeys)) suggested.push_back(*n);
    }
    auto missing = [&](bool has, const std::string& key, const std::string& message) {
      if (!has && std::find(suggested.begin(), suggested.end(), key) == suggested.end()) r_.Error(start, message);
    };
    missing(has_version, "version", "missing 'version: 1' (the format version of this file)");
    missing(has_app, "application", "missing 'application' section (it needs at least 'id')");
    // Tables alone are enough input.
    if (!has_streams && !has_tables) spec_.streams_valid = false;
    missing(has_streams || has_tables, "streams", "missing 'streams' section (the topics the pipelines read)");
    missing(has_pipelines, "pipelines", "missing 'pipelines' section");
  }

 private:
  void Version(const Reader::Entry& e) {
    if (e.value.IsScalar() && e.value.Scalar() == "1") return;
    r_.Error(e.value_pos, "unsupported version " +
                              (e.value.IsScalar() ? "'" + e.value.Scalar() + "'" : Reader::KindName(e.value)) +
                              "; this stream-app reads version 1");
  }

  void Application(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "application")) return;
    bool has_id = false;
    std::string dlq;
    for (Reader::Entry& e : r_.KnownEntries(section.value, "application", kAppKeys)) {
      if (e.key == "id") {
        std::optional<Text> id = r_.ExpectScalar(e.value, e.value_pos, "application.id");
        if (!id) continue;
        has_id = true;
        if (!IsValidTopic(id->value)) {
          r_.Error(e.value_pos, "invalid application id '" + id->value +
                                    "': it prefixes topic names, so use only letters, digits, '.', '_' and '-'");
        }
        spec_.app.application_id = id->value;
      } else if (e.key == "processing_guarantee") {
        spec_.app.processing_guarantee =
            r_.Choice(e.value, e.value_pos, "processing_guarantee", {"at_least_once", "exactly_once_v2"});
      } else if (e.key == "commit_interval_ms") {
        std::optional<int64_t> v = r_.ExpectInt(e.value, e.value_pos, "commit_interval_ms");
        if (v && *v <= 0) r_.Error(e.value_pos, "commit_interval_ms must be > 0, found " + std::to_string(*v));
        if (v && *v > 0) spec_.app.commit_interval_ms = *v;
      } else if (e.key == "threads") {
        std::optional<int64_t> v = r_.ExpectInt(e.value, e.value_pos, "threads");
        if (v && (*v < 1 || *v > 1024)) r_.Error(e.value_pos, "threads must be between 1 and 1024");
        if (v && *v >= 1 && *v <= 1024) spec_.app.threads = static_cast<int>(*v);
      } else if (e.key == "on_error") {
        if (auto h = r_.OnError(e.value, e.value_pos)) spec_.on_error = *h;
      } else if (e.key == "dlq_topic") {
        std::optional<Text> t = r_.ExpectScalar(e.value, e.value_pos, "dlq_topic");
        if (t && !IsValidTopic(t->value)) r_.Error(e.value_pos, "invalid topic name '" + t->value + "'");
        if (t) dlq = t->value;
      } else if (e.key == "kafka") {
        Kafka(e);
      }
    }
    if (!has_id) r_.Error(section.key_pos, "application needs 'id' (the Kafka group id and topic prefix)");
    spec_.app.dlq_topic = dlq.empty() && has_id ? spec_.app.application_id + "-dlq" : dlq;
  }

  void Kafka(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "application.kafka")) return;
    for (Reader::Entry& e : r_.Entries(section.value, "application.kafka")) {
      // Numbers and booleans are fine: librdkafka takes every value as text.
      if (!e.value.IsScalar()) {
        r_.Error(e.value_pos,
                 "kafka property '" + e.key + "': expected a scalar value, found " + Reader::KindName(e.value));
        continue;
      }
      spec_.app.kafka[e.key] = e.value.Scalar();
    }
  }

  void Plugins(const Reader::Entry& section) {
    for (Text& t : r_.ScalarOrList(section.value, section.value_pos, "plugins")) {
      std::filesystem::path p(t.value);
      if (p.is_relative() && !spec_.base_dir.empty()) p = std::filesystem::path(spec_.base_dir) / p;
      Status st = registry::LoadPlugin(p.lexically_normal().string(), *spec_.registry);
      if (!st.ok()) r_.Error(t.pos, st.message());
    }
  }

  void ProtoPaths(const Reader::Entry& section) {
    for (Text& t : r_.ScalarOrList(section.value, section.value_pos, "proto_paths")) {
      std::filesystem::path p(t.value);
      if (p.is_relative() && !spec_.base_dir.empty()) p = std::filesystem::path(spec_.base_dir) / p;
      std::error_code ec;
      if (!std::filesystem::is_directory(p, ec)) {
        r_.Error(t.pos, "proto path '" + t.value + "' is not a directory (resolved to '" + p.string() + "')");
        continue;
      }
      spec_.proto_paths.push_back(p.lexically_normal().string());
    }
  }

  void Streams(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "streams")) {
      spec_.streams_valid = false;
      return;
    }
    for (Reader::Entry& e : r_.Entries(section.value, "streams")) {
      if (!IsValidName(e.key)) {
        r_.Error(e.key_pos, "invalid stream name '" + e.key + "': use letters, digits, '_' and '-'");
      }
      StreamSpec s;
      s.name = {e.key, e.key_pos};
      const std::string what = "stream '" + e.key + "'";
      if (!r_.ExpectMap(e.value, e.value_pos, what)) continue;
      bool has_topic = false;
      for (Reader::Entry& f : r_.KnownEntries(e.value, what, kStreamKeys)) {
        if (f.key == "topic" || f.key == "topics") {
          Topics(f, what, has_topic, s.topics);
        } else if (f.key == "key" || f.key == "value") {
          if (auto t = r_.ExpectScalar(f.value, f.value_pos, what + " " + f.key))
            (f.key == "key" ? s.key : s.value) = *t;
        } else if (f.key == "timestamp") {
          Timestamp(f, what, s);
        } else if (f.key == "partitions") {
          Partitions(f, what, s.partitions);
        }
      }
      if (!has_topic) r_.Error(e.key_pos, what + " needs 'topic' or 'topics'");
      spec_.streams.push_back(std::move(s));
    }
  }

  // `topic: T` or `topics: [a, b]` of a stream or table.
  void Topics(const Reader::Entry& f, const std::string& what, bool& has_topic, std::vector<Text>& topics) {
    if (has_topic) {
      r_.Error(f.key_pos, what + " has both 'topic' and 'topics'; use one");
      return;
    }
    has_topic = true;
    if (f.key == "topic") {
      if (auto t = r_.ExpectScalar(f.value, f.value_pos, what + " topic")) topics.push_back(*t);
    } else {
      topics = r_.ScalarOrList(f.value, f.value_pos, what + " topics");
      if (f.value.IsSequence() && f.value.size() == 0) r_.Error(f.value_pos, what + " topics: the list is empty");
    }
    for (const Text& t : topics) {
      if (!IsValidTopic(t.value)) {
        r_.Error(t.pos, "invalid topic name '" + t.value + "': use letters, digits, '.', '_' and '-'");
      }
    }
  }

  void Tables(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "tables")) {
      spec_.streams_valid = false;
      return;
    }
    for (Reader::Entry& e : r_.Entries(section.value, "tables")) {
      if (!IsValidName(e.key)) {
        r_.Error(e.key_pos, "invalid table name '" + e.key + "': use letters, digits, '_' and '-'");
      }
      TableSpec t;
      t.name = {e.key, e.key_pos};
      const std::string what = "table '" + e.key + "'";
      if (!r_.ExpectMap(e.value, e.value_pos, what)) continue;
      bool has_topic = false;
      for (Reader::Entry& f : r_.KnownEntries(e.value, what, kTableKeys)) {
        if (f.key == "topic" || f.key == "topics") {
          Topics(f, what, has_topic, t.topics);
        } else if (f.key == "key" || f.key == "value") {
          if (auto v = r_.ExpectScalar(f.value, f.value_pos, what + " " + f.key))
            (f.key == "key" ? t.key : t.value) = *v;
        } else if (f.key == "store") {
          if (auto v = StoreName(f, what)) t.store = *v;
        } else if (f.key == "in_memory") {
          if (auto b = r_.ExpectBool(f.value, f.value_pos, what + " in_memory")) t.in_memory = *b;
        } else if (f.key == "partitions") {
          Partitions(f, what, t.partitions);
        }
      }
      if (!has_topic) r_.Error(e.key_pos, what + " needs 'topic' or 'topics'");
      spec_.tables.push_back(std::move(t));
    }
  }

  void Partitions(const Reader::Entry& f, const std::string& what, PartitionsText& out) {
    std::optional<int64_t> v = r_.ExpectInt(f.value, f.value_pos, what + " partitions");
    if (!v) return;
    if (*v < 1 || *v > 100000) {
      r_.Error(f.value_pos, what + " partitions must be between 1 and 100000, found " + std::to_string(*v));
      return;
    }
    out = {static_cast<int>(*v), f.value_pos};
  }

  void Stores(const Reader::Entry& section) {
    if (section.value.IsNull()) return;  // `stores:` with nothing
    if (!r_.ExpectMap(section.value, section.value_pos, "stores")) return;
    for (Reader::Entry& e : r_.Entries(section.value, "stores")) {
      // Topic characters: derived names keep the node's '.' (join stores).
      if (!IsValidTopic(e.key) || e.key == "." || e.key == "..") {
        r_.Error(e.key_pos, "invalid store name '" + e.key +
                                "': it becomes part of topic names, so use letters, digits, '.', '_' and '-'");
        continue;
      }
      StoreSettingsSpec store;
      store.name = {e.key, e.key_pos};
      const std::string what = "store '" + e.key + "'";
      if (!r_.ExpectMap(e.value, e.value_pos, what)) continue;
      for (Reader::Entry& f : r_.KnownEntries(e.value, what, kStoreKeys)) {
        if (f.key == "backend") {
          if (auto backend = r_.Choice(f.value, f.value_pos, what + " backend", {"rocksdb", "memory"})) {
            store.options.in_memory = *backend == "memory";
          }
        } else if (f.key == "cache") {
          if (auto b = r_.ExpectBool(f.value, f.value_pos, what + " cache")) store.options.cached = *b;
        } else if (f.key == "changelog") {
          if (auto b = r_.ExpectBool(f.value, f.value_pos, what + " changelog")) store.options.logged = *b;
        }
      }
      spec_.stores.push_back(std::move(store));
    }
  }

  // A store name for `store:` of a table or global table; nothing (reported)
  // when it cannot be one.
  std::optional<Text> StoreName(const Reader::Entry& f, const std::string& what) {
    std::optional<Text> v = r_.ExpectScalar(f.value, f.value_pos, what + " store");
    if (v && !IsValidName(v->value)) {
      r_.Error(f.value_pos, "invalid store name '" + v->value +
                                "': it becomes part of topic names, so use letters, digits, '_' and '-'");
      return std::nullopt;
    }
    return v;
  }

  void GlobalTables(const Reader::Entry& section) {
    if (section.value.IsNull()) return;  // `global_tables:` with nothing
    if (!r_.ExpectMap(section.value, section.value_pos, "global_tables")) return;
    for (Reader::Entry& e : r_.Entries(section.value, "global_tables")) {
      if (!IsValidName(e.key)) {
        r_.Error(e.key_pos, "invalid global table name '" + e.key + "': use letters, digits, '_' and '-'");
      }
      GlobalTableSpec g;
      g.name = {e.key, e.key_pos};
      const std::string what = "global table '" + e.key + "'";
      if (!r_.ExpectMap(e.value, e.value_pos, what)) continue;
      bool has_topic = false;
      for (Reader::Entry& f : r_.Entries(e.value, what)) {
        if (f.key == "topic") {
          has_topic = true;
          if (auto t = r_.ExpectScalar(f.value, f.value_pos, what + " topic")) {
            if (IsValidTopic(t->value)) {
              g.topic = *t;
            } else {
              r_.Error(t->pos, "invalid topic name '" + t->value + "': use letters, digits, '.', '_' and '-'");
            }
          }
        } else if (f.key == "topics") {
          has_topic = true;
          r_.Error(f.key_pos, what + " reads exactly one topic: write 'topic: T', not 'topics'");
        } else if (f.key == "key" || f.key == "value") {
          if (auto v = r_.ExpectScalar(f.value, f.value_pos, what + " " + f.key))
            (f.key == "key" ? g.key : g.value) = *v;
        } else if (f.key == "store") {
          if (auto v = StoreName(f, what)) g.store = *v;
        } else {
          std::string hint = DidYouMean(f.key, kGlobalTableKeys);
          if (f.key == "in_memory") hint = " (a global table is always kept in RocksDB)";
          r_.Error(f.key_pos, "unknown key '" + f.key + "' in " + what + "; expected one of " +
                                  JoinNames(kGlobalTableKeys) + hint);
        }
      }
      if (!has_topic) r_.Error(e.key_pos, what + " needs 'topic' (the one topic it reads)");
      spec_.global_tables.push_back(std::move(g));
    }
  }

  void Timestamp(const Reader::Entry& f, const std::string& what, StreamSpec& s) {
    if (f.value.IsScalar()) {
      if (f.value.Scalar() != "record") {
        r_.Error(f.value_pos,
                 what + " timestamp: expected 'record' or {field: <path>}, found '" + f.value.Scalar() + "'");
      }
      return;
    }
    if (!r_.ExpectMap(f.value, f.value_pos, what + " timestamp")) return;
    bool has_field = false;
    for (Reader::Entry& g : r_.KnownEntries(f.value, what + " timestamp", {"field", "max_future"})) {
      if (g.key == "max_future") {
        std::optional<int64_t> ms = g.value.IsScalar() ? ParseDuration(g.value.Scalar()) : std::optional<int64_t>();
        if (!ms || *ms <= 0) {
          r_.Error(g.value_pos, what +
                                    " timestamp max_future: expected a positive duration: milliseconds, "
                                    "or an integer with a unit (500ms, 30s, 5m, 2h, 1d)");
        } else {
          s.max_future_ms = *ms;
        }
        continue;
      }
      std::optional<Text> t = r_.ExpectScalar(g.value, g.value_pos, "timestamp field");
      if (!t) continue;
      has_field = true;
      Result<FieldPath> path = FieldPath::Parse(t->value);
      if (!path.ok()) r_.Error(g.value_pos, "timestamp field: " + path.status().message());
      s.timestamp_field = *t;
    }
    if (!has_field) r_.Error(f.key_pos, what + " timestamp needs 'field'");
  }

  void Pipelines(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "pipelines")) return;
    if (section.value.size() == 0) r_.Error(section.key_pos, "pipelines: there are none; define at least one");
    for (Reader::Entry& e : r_.Entries(section.value, "pipelines")) {
      if (!IsValidName(e.key)) {
        r_.Error(e.key_pos, "invalid pipeline name '" + e.key + "': use letters, digits, '_' and '-'");
      }
      PipelineSpec p;
      p.name = {e.key, e.key_pos};
      const std::string what = "pipeline '" + e.key + "'";
      if (!r_.ExpectMap(e.value, e.value_pos, what)) continue;
      bool has_from = false;
      for (Reader::Entry& f : r_.KnownEntries(e.value, what, kPipelineKeys)) {
        if (f.key == "from") {
          has_from = true;
          p.from = r_.ScalarOrList(f.value, f.value_pos, what + " from");
          if (f.value.IsSequence() && f.value.size() == 0) r_.Error(f.value_pos, what + " from: the list is empty");
        } else if (f.key == "on_error") {
          p.on_error = r_.OnError(f.value, f.value_pos);
        } else if (f.key == "steps") {
          if (f.value.IsNull()) continue;  // `steps:` with nothing: a pass-through
          if (!r_.ExpectSeq(f.value, f.value_pos, what + " steps")) continue;
          p.steps = ParseSteps(r_, f.value, e.key);
        }
      }
      if (!has_from) r_.Error(e.key_pos, what + " needs 'from' (a stream or pipeline name, or a list of them)");
      if (p.from.size() > 1) p.merge_node = e.key + ".merge";
      spec_.pipelines.push_back(std::move(p));
    }
  }

  Reader& r_;
  FileSpec& spec_;
};

}  // namespace

FileSpec ParseSpec(std::string_view text, const std::string& base_dir, Diagnostics& diags,
                   const std::vector<std::string>& plugins) {
  FileSpec spec;
  spec.base_dir = base_dir;
  spec.registry = std::make_shared<OperatorRegistry>(BuiltinOperatorRegistry());
  for (const std::string& path : plugins) {
    Status st = registry::LoadPlugin(path, *spec.registry);
    if (!st.ok()) diags.Add({}, st.message());
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    diags.Add({e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    return spec;
  } catch (const YAML::Exception& e) {
    diags.Add({1, 1}, std::string("YAML error: ") + e.what());
    return spec;
  }
  Reader reader(text, diags);
  reader.set_registry(spec.registry.get());
  FileParser(reader, spec).Root(root);
  return spec;
}

const StreamSpec* FileSpec::FindStream(std::string_view name) const {
  auto it = std::find_if(streams.begin(), streams.end(), [&](const StreamSpec& s) { return s.name.value == name; });
  return it == streams.end() ? nullptr : &*it;
}

const TableSpec* FileSpec::FindTable(std::string_view name) const {
  auto it = std::find_if(tables.begin(), tables.end(), [&](const TableSpec& t) { return t.name.value == name; });
  return it == tables.end() ? nullptr : &*it;
}

const GlobalTableSpec* FileSpec::FindGlobalTable(std::string_view name) const {
  auto it = std::find_if(global_tables.begin(), global_tables.end(),
                         [&](const GlobalTableSpec& g) { return g.name.value == name; });
  return it == global_tables.end() ? nullptr : &*it;
}

const PipelineSpec* FileSpec::FindPipeline(std::string_view name) const {
  auto it =
      std::find_if(pipelines.begin(), pipelines.end(), [&](const PipelineSpec& p) { return p.name.value == name; });
  return it == pipelines.end() ? nullptr : &*it;
}

bool FileSpec::JoinsTables(const PipelineSpec& p, const StepSpec& step) const {
  return step.kind == StepKind::kJoin && FindTable(step.join.with.value) != nullptr && !p.steps.empty() &&
         &p.steps.front() == &step && p.from.size() == 1 && FindTable(p.from.front().value) != nullptr;
}

}  // namespace streamapp::yaml
