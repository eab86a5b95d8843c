#include "yaml/reader.h"

#include <algorithm>
#include <map>

#include "yaml/suggest.h"

namespace streamapp::yaml {

Pos Reader::PosOf(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

Pos Reader::ValuePos(const YAML::Node& value, Pos key_pos) {
  // An empty value (`key:`) has no text of its own; yaml-cpp gives it the
  // position of whatever follows, often on the next line.
  if (!value.IsDefined() || (value.IsNull() && value.Tag().empty())) return key_pos;
  return PosOf(value);
}

std::string Reader::KindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
  }
}

bool Reader::ExpectMap(const YAML::Node& node, Pos pos, std::string_view what) {
  if (node.IsMap()) return true;
  Error(pos, std::string(what) + ": expected a mapping, found " + KindName(node));
  return false;
}

bool Reader::ExpectSeq(const YAML::Node& node, Pos pos, std::string_view what) {
  if (node.IsSequence()) return true;
  Error(pos, std::string(what) + ": expected a sequence, found " + KindName(node));
  return false;
}

std::optional<Text> Reader::ExpectScalar(const YAML::Node& node, Pos pos, std::string_view what) {
  if (node.IsScalar()) return Text{node.Scalar(), pos};
  Error(pos, std::string(what) + ": expected a scalar, found " + KindName(node));
  return std::nullopt;
}

std::optional<int64_t> Reader::ExpectInt(const YAML::Node& node, Pos pos, std::string_view what) {
  if (node.IsScalar()) {
    try {
      return node.as<int64_t>();
    } catch (const YAML::BadConversion&) {
    }
  }
  Error(pos, std::string(what) + ": expected an integer, found " +
                 (node.IsScalar() ? "'" + node.Scalar() + "'" : KindName(node)));
  return std::nullopt;
}

std::optional<bool> Reader::ExpectBool(const YAML::Node& node, Pos pos, std::string_view what) {
  if (node.IsScalar()) {
    try {
      return node.as<bool>();
    } catch (const YAML::BadConversion&) {
    }
  }
  Error(pos, std::string(what) + ": expected true or false, found " +
                 (node.IsScalar() ? "'" + node.Scalar() + "'" : KindName(node)));
  return std::nullopt;
}

std::vector<Text> Reader::ScalarOrList(const YAML::Node& node, Pos pos, std::string_view what) {
  std::vector<Text> out;
  if (node.IsScalar()) {
    out.push_back({node.Scalar(), pos});
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (auto t = ExpectScalar(item, ValuePos(item, pos), what)) out.push_back(std::move(*t));
    }
  } else {
    Error(pos, std::string(what) + ": expected a name or a list of names, found " + KindName(node));
  }
  return out;
}

std::vector<int> Reader::ScalarColumns(const YAML::Node& node, const std::string& value) const {
  const YAML::Mark m = node.Mark();
  if (m.is_null() || m.pos < 0 || static_cast<size_t>(m.pos) >= source_.size()) return {};
  std::string_view raw = source_.substr(static_cast<size_t>(m.pos));
  const size_t eol = raw.find('\n');
  if (eol != std::string_view::npos) raw = raw.substr(0, eol);
  std::vector<int> cols;
  cols.reserve(value.size() + 1);
  const int base = m.column + 1;
  const char quote = raw.empty() ? '\0' : raw[0];
  if (quote != '\'' && quote != '"') {
    // Plain scalar: the text is the source when it fits on this line.
    if (raw.substr(0, value.size()) != value) return {};
    for (size_t i = 0; i <= value.size(); ++i) cols.push_back(base + static_cast<int>(i));
    return cols;
  }
  // Quoted: walk the raw text and the value together, so escapes ('' and
  // \x) do not shift the columns after them.
  size_t r = 1;
  for (size_t v = 0; v < value.size(); ++v) {
    if (r >= raw.size()) return {};  // continues on the next line
    cols.push_back(base + static_cast<int>(r));
    if (quote == '\'' && raw[r] == '\'') {
      r += 2;
    } else if (quote == '"' && raw[r] == '\\' && r + 1 < raw.size()) {
      const char e = raw[r + 1];
      r += e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
    } else {
      r += 1;
    }
  }
  cols.push_back(base + static_cast<int>(r));
  return cols;
}

std::optional<ExprText> Reader::Expr(const YAML::Node& node, Pos pos, std::string_view what) {
  if (!node.IsScalar()) {
    Error(pos, std::string(what) + ": expected an expression (a string), found " + KindName(node));
    return std::nullopt;
  }
  ExprText e{node.Scalar(), pos, {}};
  if (e.text.empty()) {
    Error(pos, std::string(what) + ": expected an expression, found an empty string");
    return std::nullopt;
  }
  e.columns = ScalarColumns(node, e.text);
  return e;
}

std::optional<std::string> Reader::Choice(const YAML::Node& node, Pos pos, std::string_view what,
                                          const std::vector<std::string>& allowed) {
  std::optional<Text> t = ExpectScalar(node, pos, what);
  if (!t) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), t->value) != allowed.end()) return t->value;
  Error(pos, std::string(what) + ": unknown value '" + t->value + "'; expected one of " + JoinNames(allowed) +
                 DidYouMean(t->value, allowed));
  return std::nullopt;
}

std::optional<ErrorHandling> Reader::OnError(const YAML::Node& node, Pos pos) {
  std::optional<std::string> c = Choice(node, pos, "on_error", {"dlq", "skip", "fail"});
  if (!c) return std::nullopt;
  if (*c == "skip") return ErrorHandling::kSkip;
  if (*c == "fail") return ErrorHandling::kFail;
  return ErrorHandling::kDlq;
}

std::vector<Reader::Entry> Reader::Entries(const YAML::Node& map, std::string_view what) {
  std::vector<Entry> out;
  std::map<std::string, Pos> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const Pos key_pos = PosOf(it->first);
    if (!it->first.IsScalar()) {
      Error(key_pos, std::string(what) + ": keys must be names, found " + KindName(it->first));
      continue;
    }
    std::string key = it->first.Scalar();
    auto [at, inserted] = seen.emplace(key, key_pos);
    if (!inserted) {
      Error(key_pos, "duplicate key '" + key + "' in " + std::string(what) + " (first at " +
                         std::to_string(at->second.line) + ":" + std::to_string(at->second.column) + ")");
      continue;
    }
    out.push_back({std::move(key), key_pos, it->second, ValuePos(it->second, key_pos)});
  }
  return out;
}

std::vector<Reader::Entry> Reader::KnownEntries(const YAML::Node& map, std::string_view what,
                                                const std::vector<std::string>& allowed) {
  std::vector<Entry> out;
  for (Entry& e : Entries(map, what)) {
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      Error(e.key_pos, "unknown key '" + e.key + "' in " + std::string(what) + "; expected one of " +
                           JoinNames(allowed) + DidYouMean(e.key, allowed));
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool IsValidTopic(std::string_view name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

}  // namespace streamapp::yaml
