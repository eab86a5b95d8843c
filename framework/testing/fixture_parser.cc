// Fixture files -> Fixture, reporting every problem with file:line:column
// (the topology loader's Reader does the position bookkeeping).
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "expr/time_util.h"
#include "testing/fixture.h"
#include "yaml/parse_steps.h"
#include "yaml/reader.h"

namespace streamapp::testing {
namespace {

using yaml::Pos;
using yaml::Reader;

FixturePos ToFixturePos(Pos p) {
  return {p.line, p.column};
}

bool ReadsAsInt(const std::string& s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool ReadsAsDouble(const std::string& s, double* out) {
  if (s.find_first_of("0123456789") == std::string::npos) return false;  // not "inf", "nan"
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// YAML -> Value: maps and sequences as JSON; a plain scalar is null, a
// boolean or a number when it reads as one, else a string; a quoted scalar is
// always a string.
Value ToValue(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Value obj = Value::MakeObject();
      for (auto it = node.begin(); it != node.end(); ++it) obj.Set(it->first.Scalar(), ToValue(it->second));
      return obj;
    }
    case YAML::NodeType::Sequence: {
      Value arr = Value::MakeArray();
      for (const YAML::Node& item : node) arr.as_array().push_back(ToValue(item));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return Value(s);  // quoted
      if (s == "null" || s == "Null" || s == "NULL" || s == "~") return Value();
      if (s == "true" || s == "True" || s == "TRUE") return Value(true);
      if (s == "false" || s == "False" || s == "FALSE") return Value(false);
      int64_t i = 0;
      if (ReadsAsInt(s, &i)) return Value(i);
      double d = 0;
      if (ReadsAsDouble(s, &d)) return Value(d);
      return Value(s);
    }
    default: return Value();
  }
}

FixtureValue ToFixtureValue(const YAML::Node& node) {
  FixtureValue v;
  v.value = ToValue(node);
  if (node.IsScalar() && node.Tag() != "!") v.plain_text = node.Scalar();
  return v;
}

// "line 7: msg" or "line 7:9: msg" pins the position; anything else is a
// substring of the message.
ExpectedError ParseExpectedError(const std::string& text, Pos pos) {
  ExpectedError e;
  e.pos = ToFixturePos(pos);
  e.text = text;
  e.message = text;
  constexpr std::string_view kPrefix = "line ";
  if (text.rfind(kPrefix, 0) != 0) return e;
  const char* p = text.data() + kPrefix.size();
  const char* end = text.data() + text.size();
  int line = 0;
  auto [after_line, ec] = std::from_chars(p, end, line);
  if (ec != std::errc() || after_line == end || *after_line != ':') return e;
  const char* q = after_line + 1;
  std::optional<int> column;
  int col = 0;
  if (auto [after_col, ec2] = std::from_chars(q, end, col);
      ec2 == std::errc() && after_col != end && *after_col == ':') {
    column = col;
    q = after_col + 1;
  }
  while (q != end && *q == ' ') ++q;
  e.line = line;
  e.column = column;
  e.message = std::string(q, end);
  return e;
}

class FixtureParser {
 public:
  FixtureParser(Reader& r, std::string_view source, std::string base_dir)
      : r_(r), source_(source), base_dir_(std::move(base_dir)) {}

  void Root(const YAML::Node& root, Fixture& fixture) {
    if (!r_.ExpectMap(root, {1, 1}, "fixture file")) return;
    bool has_tests = false;
    TopologyParts topology;
    for (const Reader::Entry& e :
         r_.KnownEntries(root, "fixture file", {"topology", "topology_text", "cache_max_bytes", "tests"})) {
      if (e.key == "tests") {
        has_tests = true;
        Tests(e, fixture);
      } else if (e.key == "cache_max_bytes") {
        fixture.cache_max_bytes = CacheBytes(e);
      } else {
        topology.push_back(e);
      }
    }
    if (!has_tests) r_.Error({1, 1}, "fixture file: 'tests' is required (a list of tests)");
    fixture.topology = TopologyOf(topology);
    for (const FixtureTest& t : fixture.tests) {
      if (!t.topology && !fixture.topology) {
        r_.Error({t.pos.line, t.pos.column},
                 "test '" + t.name + "' has no topology: give 'topology' or 'topology_text' here or at the top");
      }
    }
  }

 private:
  // The `topology` and `topology_text` entries of one level (at most one is allowed).
  using TopologyParts = std::vector<Reader::Entry>;

  std::optional<TopologySource> TopologyOf(const TopologyParts& parts) {
    if (parts.empty()) return std::nullopt;
    if (parts.size() > 1) {
      r_.Error(parts[1].key_pos, "give 'topology' (a file) or 'topology_text', not both");
      return std::nullopt;
    }
    const Reader::Entry& e = parts[0];
    std::optional<yaml::Text> t = r_.ExpectScalar(e.value, e.value_pos, e.key);
    if (!t) return std::nullopt;
    TopologySource src;
    src.pos = ToFixturePos(e.value_pos);
    if (e.key == "topology") {
      src.path = (std::filesystem::path(base_dir_) / t->value).lexically_normal().string();
      return src;
    }
    src.text = t->value;
    LocateBlock(e.value, src);
    return src;
  }

  // Where a block scalar's first line of text sits in the fixture.
  void LocateBlock(const YAML::Node& node, TopologySource& src) const {
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.pos < 0 || static_cast<size_t>(m.pos) >= source_.size()) return;
    const char indicator = source_[static_cast<size_t>(m.pos)];
    if (indicator != '|' && indicator != '>') return;
    const size_t eol = source_.find('\n', static_cast<size_t>(m.pos));
    if (eol == std::string_view::npos) return;
    size_t indent = 0;
    while (eol + 1 + indent < source_.size() && source_[eol + 1 + indent] == ' ') ++indent;
    src.text_first_line = m.line + 2;  // the mark's line is 0-based, and the text starts on the next one
    src.text_indent = static_cast<int>(indent);
  }

  std::optional<size_t> CacheBytes(const Reader::Entry& e) {
    std::optional<int64_t> n = r_.ExpectInt(e.value, e.value_pos, "cache_max_bytes");
    if (!n) return std::nullopt;
    if (*n < 0) {
      r_.Error(e.value_pos, "cache_max_bytes: must be >= 0 (0: no caching)");
      return std::nullopt;
    }
    return static_cast<size_t>(*n);
  }

  void Tests(const Reader::Entry& e, Fixture& fixture) {
    if (!r_.ExpectSeq(e.value, e.value_pos, "tests")) return;
    if (e.value.size() == 0) r_.Error(e.value_pos, "tests: the list is empty");
    std::set<std::string> names;
    for (const YAML::Node& item : e.value) {
      const Pos pos = Reader::ValuePos(item, e.value_pos);
      if (!r_.ExpectMap(item, pos, "a test")) continue;
      FixtureTest test = Test(item, pos);
      if (!test.name.empty() && !names.insert(test.name).second) {
        r_.Error(pos, "a second test named '" + test.name + "'");
      }
      fixture.tests.push_back(std::move(test));
    }
  }

  FixtureTest Test(const YAML::Node& node, Pos pos) {
    FixtureTest test;
    test.pos = ToFixturePos(pos);
    TopologyParts topology;
    bool has_steps = false;
    for (const Reader::Entry& e : r_.KnownEntries(
             node, "a test",
             {"name", "topology", "topology_text", "cache_max_bytes", "steps", "expect_errors", "known_failure"})) {
      if (e.key == "name") {
        if (auto t = r_.ExpectScalar(e.value, e.value_pos, "name")) test.name = t->value;
      } else if (e.key == "known_failure") {
        if (auto t = r_.ExpectScalar(e.value, e.value_pos, "known_failure")) test.known_failure = t->value;
      } else if (e.key == "cache_max_bytes") {
        test.cache_max_bytes = CacheBytes(e);
      } else if (e.key == "steps") {
        has_steps = true;
        if (!r_.ExpectSeq(e.value, e.value_pos, "steps")) continue;
        for (const YAML::Node& step : e.value) {
          if (auto s = Step(step, Reader::ValuePos(step, e.value_pos))) test.steps.push_back(std::move(*s));
        }
      } else if (e.key == "expect_errors") {
        test.expects_errors = true;
        for (const yaml::Text& t : r_.ScalarOrList(e.value, e.value_pos, "expect_errors")) {
          test.expect_errors.push_back(ParseExpectedError(t.value, t.pos));
        }
      } else {
        topology.push_back(e);
      }
    }
    if (test.name.empty()) r_.Error(pos, "a test needs a 'name'");
    if (has_steps && test.expects_errors) {
      r_.Error(pos, "test '" + test.name + "': a test either runs 'steps' or checks 'expect_errors', not both");
    } else if (!has_steps && !test.expects_errors) {
      r_.Error(pos, "test '" + test.name + "' needs 'steps' (or 'expect_errors' for a topology that must not load)");
    }
    test.topology = TopologyOf(topology);
    return test;
  }

  std::optional<FixtureStep> Step(const YAML::Node& node, Pos pos) {
    static const std::vector<std::string> kKinds = {
        "input", "expect", "expect_dlq", "expect_empty", "restart", "advance_wall_clock", "commit", "expect_counters"};
    if (!r_.ExpectMap(node, pos, "a step")) return std::nullopt;
    std::vector<Reader::Entry> entries = r_.KnownEntries(node, "a step", kKinds);
    if (entries.size() != 1) {
      if (node.size() == entries.size()) r_.Error(pos, "a step has exactly one of " + Join(kKinds));
      return std::nullopt;
    }
    const Reader::Entry& e = entries[0];
    FixtureStep step;
    step.pos = ToFixturePos(e.key_pos);
    if (e.key == "input") {
      step.kind = FixtureStep::Kind::kInput;
      Input(e, step);
    } else if (e.key == "expect" || e.key == "expect_dlq") {
      step.kind = FixtureStep::Kind::kExpect;
      step.dlq = e.key == "expect_dlq";
      Expect(e, step);
    } else if (e.key == "expect_empty") {
      step.kind = FixtureStep::Kind::kExpectEmpty;
      for (yaml::Text& t : r_.ScalarOrList(e.value, e.value_pos, "expect_empty")) {
        step.empty_topics.push_back(std::move(t.value));
      }
    } else if (e.key == "expect_counters") {
      step.kind = FixtureStep::Kind::kExpectCounters;
      if (r_.ExpectMap(e.value, e.value_pos, "expect_counters")) {
        for (const Reader::Entry& c : r_.Entries(e.value, "expect_counters")) {
          if (auto n = r_.ExpectInt(c.value, c.value_pos, "counter '" + c.key + "'"))
            step.counters.push_back({c.key, *n});
        }
      }
    } else if (e.key == "restart") {
      step.kind = FixtureStep::Kind::kRestart;
      Restart(e, step);
    } else if (e.key == "advance_wall_clock") {
      step.kind = FixtureStep::Kind::kAdvanceWallClock;
      if (auto t = r_.ExpectScalar(e.value, e.value_pos, "advance_wall_clock")) {
        std::optional<int64_t> ms = yaml::ParseDuration(t->value);
        if (!ms) {
          r_.Error(e.value_pos,
                   "advance_wall_clock: '" + t->value + "' is not a duration (250, 500ms, 30s, 5m, 2h, 1d)");
        } else {
          step.advance_ms = *ms;
        }
      }
    } else {
      step.kind = FixtureStep::Kind::kCommit;
      std::optional<bool> b = r_.ExpectBool(e.value, e.value_pos, "commit");
      if (b && !*b) r_.Error(e.value_pos, "commit: false does nothing; remove the step");
    }
    return step;
  }

  void Restart(const Reader::Entry& e, FixtureStep& step) {
    if (e.value.IsMap()) {
      for (const Reader::Entry& o : r_.KnownEntries(e.value, "restart", {"wipe_state"})) {
        std::optional<bool> wipe = r_.ExpectBool(o.value, o.value_pos, "wipe_state");
        if (wipe && *wipe) step.restart = RestartMode::kWipeState;
      }
      return;
    }
    std::optional<bool> b = r_.ExpectBool(e.value, e.value_pos, "restart");
    if (b && !*b) r_.Error(e.value_pos, "restart: false does nothing; remove the step");
  }

  void Input(const Reader::Entry& e, FixtureStep& step) {
    if (!r_.ExpectMap(e.value, e.value_pos, "input")) return;
    bool has_records = false;
    for (const Reader::Entry& f : r_.KnownEntries(e.value, "input", {"topic", "records"})) {
      if (f.key == "topic") {
        if (auto t = r_.ExpectScalar(f.value, f.value_pos, "topic")) step.topic = t->value;
      } else {
        has_records = true;
        if (!r_.ExpectSeq(f.value, f.value_pos, "records")) continue;
        for (const YAML::Node& item : f.value) {
          if (auto rec = InputRec(item, Reader::ValuePos(item, f.value_pos))) step.inputs.push_back(std::move(*rec));
        }
      }
    }
    if (step.topic.empty()) r_.Error(e.key_pos, "input: 'topic' is required");
    if (!has_records) r_.Error(e.key_pos, "input: 'records' is required (a list of {key, value, timestamp})");
  }

  std::optional<InputRecord> InputRec(const YAML::Node& node, Pos pos) {
    if (!r_.ExpectMap(node, pos, "an input record")) return std::nullopt;
    InputRecord rec;
    rec.pos = ToFixturePos(pos);
    bool has_value = false;
    for (const Reader::Entry& f :
         r_.KnownEntries(node, "an input record", {"key", "value", "raw", "timestamp", "headers"})) {
      if (f.key == "key") {
        rec.key = ToFixtureValue(f.value);
      } else if (f.key == "value") {
        has_value = true;
        rec.value = ToFixtureValue(f.value);
      } else if (f.key == "raw") {
        if (auto t = r_.ExpectScalar(f.value, f.value_pos, "raw")) rec.raw = t->value;
      } else if (f.key == "timestamp") {
        rec.timestamp = TimestampOf(f);
      } else {
        rec.headers = Headers(f);
      }
    }
    if (has_value && rec.raw) r_.Error(pos, "an input record has 'value' or 'raw', not both");
    if (!has_value && !rec.raw) r_.Error(pos, "an input record needs 'value' (null for a tombstone) or 'raw'");
    return rec;
  }

  void Expect(const Reader::Entry& e, FixtureStep& step) {
    if (!r_.ExpectMap(e.value, e.value_pos, e.key)) return;
    std::vector<std::string> keys = {"records", "order", "partial"};
    if (!step.dlq) keys.insert(keys.begin(), "topic");
    bool has_records = false;
    for (const Reader::Entry& f : r_.KnownEntries(e.value, e.key, keys)) {
      if (f.key == "topic") {
        if (auto t = r_.ExpectScalar(f.value, f.value_pos, "topic")) step.topic = t->value;
      } else if (f.key == "order") {
        if (auto c = r_.Choice(f.value, f.value_pos, "order", {"strict", "sequence", "set"})) {
          step.order = *c == "set" ? OrderMode::kSet : *c == "sequence" ? OrderMode::kSequence : OrderMode::kStrict;
        }
      } else if (f.key == "partial") {
        if (auto b = r_.ExpectBool(f.value, f.value_pos, "partial")) step.partial = *b;
      } else {
        has_records = true;
        if (!r_.ExpectSeq(f.value, f.value_pos, "records")) continue;
        for (const YAML::Node& item : f.value) {
          if (auto rec = ExpectedRec(item, Reader::ValuePos(item, f.value_pos))) {
            step.expected.push_back(std::move(*rec));
          }
        }
      }
    }
    if (!step.dlq && step.topic.empty())
      r_.Error(e.key_pos, "expect: 'topic' is required (expect_dlq reads the dead-letter topic)");
    if (!has_records) r_.Error(e.key_pos, e.key + ": 'records' is required (use expect_empty for none)");
  }

  std::optional<ExpectedRecord> ExpectedRec(const YAML::Node& node, Pos pos) {
    if (!r_.ExpectMap(node, pos, "an expected record")) return std::nullopt;
    ExpectedRecord rec;
    rec.pos = ToFixturePos(pos);
    for (const Reader::Entry& f :
         r_.KnownEntries(node, "an expected record", {"key", "value", "raw", "timestamp", "headers"})) {
      if (f.key == "key") {
        rec.key = ToFixtureValue(f.value);
      } else if (f.key == "value") {
        rec.value = ToFixtureValue(f.value);
      } else if (f.key == "raw") {
        if (auto t = r_.ExpectScalar(f.value, f.value_pos, "raw")) rec.raw = t->value;
      } else if (f.key == "timestamp") {
        rec.timestamp = TimestampOf(f);
      } else {
        rec.headers = Headers(f);
      }
    }
    if (rec.value && rec.raw) r_.Error(pos, "an expected record has 'value' or 'raw', not both");
    return rec;
  }

  // Epoch milliseconds, or an ISO-8601 time ("2024-05-01T10:00:00Z").
  std::optional<int64_t> TimestampOf(const Reader::Entry& f) {
    if (!f.value.IsScalar()) {
      r_.Error(f.value_pos,
               "timestamp: expected epoch milliseconds or an ISO-8601 time, found " + Reader::KindName(f.value));
      return std::nullopt;
    }
    int64_t ms = 0;
    if (ReadsAsInt(f.value.Scalar(), &ms)) return ms;
    std::string error;
    if (expr::ParseTime(f.value.Scalar(), &ms, &error)) return ms;
    r_.Error(f.value_pos, "timestamp: '" + f.value.Scalar() + "' is neither epoch milliseconds nor an ISO-8601 time");
    return std::nullopt;
  }

  std::vector<Header> Headers(const Reader::Entry& f) {
    std::vector<Header> out;
    if (!r_.ExpectMap(f.value, f.value_pos, "headers")) return out;
    for (const Reader::Entry& h : r_.Entries(f.value, "headers")) {
      if (auto t = r_.ExpectScalar(h.value, h.value_pos, "header '" + h.key + "'")) out.push_back({h.key, t->value});
    }
    return out;
  }

  static std::string Join(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  Reader& r_;
  std::string_view source_;
  std::string base_dir_;
};

}  // namespace

FixtureParseResult ParseFixtureText(std::string_view text, const std::string& path) {
  yaml::Diagnostics diags(path);
  FixtureParseResult result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    diags.Add({e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    result.errors = diags.Take();
    return result;
  } catch (const YAML::Exception& e) {
    diags.Add({1, 1}, std::string("YAML error: ") + e.what());
    result.errors = diags.Take();
    return result;
  }
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  Reader reader(text, diags);
  Fixture fixture;
  fixture.path = path;
  FixtureParser(reader, text, base_dir).Root(root, fixture);
  if (diags.empty()) result.fixture = std::move(fixture);
  result.errors = diags.Take();
  return result;
}

FixtureParseResult ParseFixtureFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    FixtureParseResult result;
    result.errors.push_back({path, 0, 0, "cannot read the file: " + std::string(std::strerror(errno))});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseFixtureText(text.str(), path);
}

}  // namespace streamapp::testing
