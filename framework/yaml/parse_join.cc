// `join:` steps: the other side, the lookup key of a global table join, the
// join type, the window of a stream-stream join and the names of the two
// sides in the output object. What `with` names (table, global table,
// stream, pipeline), and so which options fit, is checked when resolving.
#include <algorithm>

#include "yaml/parse_steps.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

constexpr std::string_view kDurationHelp =
    "expected milliseconds (an integer) or an integer with a unit ms, s, m, h or d (e.g. 500ms, 30s, 5m)";

class JoinParser {
 public:
  JoinParser(Reader& r, JoinText& j) : r_(r), j_(j) {}

  void Run(const Reader::Entry& op) {
    if (!op.value.IsMap()) {
      std::string hint;
      if (op.value.IsScalar()) hint = " (write 'join: {with: " + op.value.Scalar() + "}')";
      r_.Error(op.value_pos, "join: expected a mapping with " + JoinNames(DeclaredKeys("join")) + ", found " +
                                 Reader::KindName(op.value) + hint);
      return;
    }
    const Reader::Entry* window = nullptr;
    for (const Reader::Entry& e : r_.KnownEntries(op.value, "join", DeclaredKeys("join"))) {
      if (e.key == "with") {
        if (auto t = r_.ExpectScalar(e.value, e.value_pos, "join with")) j_.with = *t;
      } else if (e.key == "key") {
        j_.key_pos = e.key_pos;
        j_.key = r_.Expr(e.value, e.value_pos, "join key");
      } else if (e.key == "type") {
        if (auto c = r_.Choice(e.value, e.value_pos, "join type",
                               BuiltinOperatorRegistry().Find("join")->FindParam("type")->choices)) {
          j_.type = *c == "outer" ? JoinType::kOuter : *c == "left" ? JoinType::kLeft : JoinType::kInner;
          j_.type_pos = e.value_pos;
        }
      } else if (e.key == "window" || e.key == "within") {
        if (window != nullptr) {
          r_.Error(e.key_pos, "join has both '" + window->key + "' and '" + e.key +
                                  "'; use one ('within: D' is 'window: {before: D, after: D}')");
          continue;
        }
        window = &e;
        j_.window_pos = e.key_pos;
        j_.window_key = e.key;
        if (e.key == "window") {
          Window(e);
        } else if (auto d = Duration(e, "join within")) {
          j_.window = JoinWindows{std::chrono::milliseconds(*d), std::chrono::milliseconds(*d), {}};
        }
      } else if (e.key == "as") {
        As(e);
      }
    }
    if (j_.with.value.empty())
      r_.Error(op.key_pos, "join needs 'with' (the table, global table, stream or pipeline to join with)");
  }

 private:
  // A duration >= 0, reported at its position.
  std::optional<int64_t> Duration(const Reader::Entry& e, const std::string& what) {
    if (!e.value.IsScalar()) {
      r_.Error(e.value_pos, what + ": expected a duration, found " + Reader::KindName(e.value));
      return std::nullopt;
    }
    std::optional<int64_t> ms = ParseDuration(e.value.Scalar());
    if (!ms) {
      r_.Error(e.value_pos, what + ": invalid duration '" + e.value.Scalar() + "'; " + std::string(kDurationHelp));
    }
    return ms;
  }

  void Window(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "join window")) return;
    std::optional<int64_t> before, after, grace = 0;
    bool has_before = false, has_after = false, ok = true;
    for (const Reader::Entry& e : r_.KnownEntries(section.value, "join window", DeclaredKeys("join", "window"))) {
      std::optional<int64_t> d = Duration(e, "join window " + e.key);
      ok = ok && d.has_value();
      if (e.key == "before") {
        has_before = true;
        before = d;
      } else if (e.key == "after") {
        has_after = true;
        after = d;
      } else {
        grace = d;
      }
    }
    if (!has_before || !has_after) {
      r_.Error(section.key_pos, std::string("join window needs ") +
                                    (!has_before && !has_after ? "'before' and 'after'"
                                     : !has_before             ? "'before'"
                                                               : "'after'") +
                                    " (how much earlier / later the other side's records may be; or write "
                                    "'within: D' for both)");
      return;
    }
    if (!ok) return;
    j_.window = JoinWindows{std::chrono::milliseconds(*before), std::chrono::milliseconds(*after),
                            std::chrono::milliseconds(*grace)};
  }

  void As(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "join as")) return;
    for (const Reader::Entry& e : r_.KnownEntries(section.value, "join as", DeclaredKeys("join", "as"))) {
      std::optional<Text> t = r_.ExpectScalar(e.value, e.value_pos, "join as." + e.key);
      if (!t) continue;
      if (t->value.empty()) {
        r_.Error(e.value_pos, "join as." + e.key + ": the field name is empty");
        continue;
      }
      (e.key == "left" ? j_.left_name : j_.right_name) = *t;
    }
  }

  Reader& r_;
  JoinText& j_;
};

}  // namespace

void ParseJoin(Reader& r, StepSpec& step, const Reader::Entry& op) {
  JoinParser(r, step.join).Run(op);
}

}  // namespace streamapp::yaml
