// `aggregate:`, `count:` and `reduce:` steps: the aggregation (a built-in
// op, initial/add/merge expressions or a reduce expression), its window,
// emit mode, store and repartition serdes.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "yaml/parse_steps.h"
#include "yaml/suggest.h"

namespace streamapp::yaml {
namespace {

// Accepted keys come from the operators' declarations (operators/src/structural.cc).
// Keys of `aggregate` that `reduce` has no use for (it has `expr`).
const std::vector<std::string> kCustomOnlyKeys = {"op", "field", "initial", "add", "merge"};
const std::vector<std::string> kWindowKinds = {"tumbling", "hopping", "sliding", "session"};

constexpr std::string_view kDurationHelp =
    "expected milliseconds (an integer) or an integer with a unit ms, s, m, h or d (e.g. 500ms, 30s, 5m)";

std::string PosText(Pos p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

class AggregationParser {
 public:
  AggregationParser(Reader& r, StepSpec& step) : r_(r), step_(step), a_(step.agg) {}

  void Run(const Reader::Entry& op) {
    const bool count = step_.kind == StepKind::kCount;
    const bool reduce = step_.kind == StepKind::kReduce;
    if (count) {
      a_.op = {"count", op.key_pos};
      if (op.value.IsNull()) return;  // `count:` alone
      if (op.value.IsScalar()) {
        std::optional<bool> b = r_.ExpectBool(op.value, op.value_pos, "count");
        if (b && !*b) r_.Error(op.value_pos, "count: only 'true' is meaningful; remove the step instead");
        return;
      }
    }
    if (reduce && op.value.IsScalar()) {  // `reduce: EXPR`
      a_.reducer = r_.Expr(op.value, op.value_pos, "reduce");
      return;
    }
    if (!op.value.IsMap()) {
      std::string message;
      if (count) {
        message = "count: expected true or a mapping with " + JoinNames(DeclaredKeys("count"));
      } else if (reduce) {
        message = "reduce: expected an expression or a mapping with " + JoinNames(DeclaredKeys("reduce"));
      } else {
        message = "aggregate: expected a mapping with op, field, ... or initial, add, ...";
      }
      r_.Error(op.value_pos, message + ", found " + Reader::KindName(op.value));
      return;
    }
    const std::vector<std::string> allowed = DeclaredKeys(step_.op_name);
    bool has_op = false, op_ok = false, window_written = false;
    std::optional<Pos> op_at, field_at, final_at, initial_at, add_at, merge_at, expr_at;
    for (const Reader::Entry& e : r_.Entries(op.value, op.key)) {
      if (count && (e.key == "op" || e.key == "field")) {
        r_.Error(e.key_pos, "count takes no '" + e.key +
                                "' (it counts records); to aggregate a field write 'aggregate: {op: ..., field: ...}'");
        continue;
      }
      if (reduce && std::find(kCustomOnlyKeys.begin(), kCustomOnlyKeys.end(), e.key) != kCustomOnlyKeys.end()) {
        r_.Error(e.key_pos, "reduce takes no '" + e.key +
                                "'; its one expression is 'expr' (with agg, value and key); for built-in ops or "
                                "initial/add write 'aggregate: {...}'");
        continue;
      }
      if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
        r_.Error(e.key_pos, "unknown key '" + e.key + "' in " + op.key + "; expected one of " + JoinNames(allowed) +
                                DidYouMean(e.key, allowed));
        continue;
      }
      if (e.key == "op") {
        has_op = true;
        op_at = e.key_pos;
        if (auto c = r_.Choice(e.value, e.value_pos, "aggregate op", AggregationOps())) {
          a_.op = {*c, e.value_pos};
          op_ok = true;
        }
      } else if (e.key == "field") {
        field_at = e.key_pos;
        a_.field = r_.Expr(e.value, e.value_pos, "aggregate field");
      } else if (e.key == "initial") {
        initial_at = e.key_pos;
        a_.initial = r_.Expr(e.value, e.value_pos, "aggregate initial");
      } else if (e.key == "add") {
        add_at = e.key_pos;
        a_.add = r_.Expr(e.value, e.value_pos, "aggregate add");
      } else if (e.key == "merge") {
        merge_at = e.key_pos;
        a_.merge = r_.Expr(e.value, e.value_pos, "aggregate merge");
      } else if (e.key == "expr") {
        expr_at = e.key_pos;
        a_.reducer = r_.Expr(e.value, e.value_pos, "reduce expr");
      } else if (e.key == "window") {
        window_written = true;
        Window(e);
      } else if (e.key == "emit") {
        if (auto c = r_.Choice(e.value, e.value_pos, "emit", {"updates", "final"})) {
          a_.emit = *c == "final" ? EmitMode::kFinal : EmitMode::kUpdates;
          if (*c == "final") final_at = e.value_pos;
        }
      } else if (e.key == "store") {
        if (auto t = r_.ExpectScalar(e.value, e.value_pos, "store")) {
          if (IsValidName(t->value)) {
            a_.store = *t;
          } else {
            r_.Error(e.value_pos, "invalid store name '" + t->value +
                                      "': it becomes part of topic names, so use letters, digits, '_' and '-'");
          }
        }
      } else if (e.key == "in_memory") {
        if (auto b = r_.ExpectBool(e.value, e.value_pos, "in_memory")) a_.in_memory = *b;
      } else if (e.key == "cache") {
        if (auto b = r_.ExpectBool(e.value, e.value_pos, "cache")) a_.cached = *b;
      } else if (e.key == "repartition") {
        Repartition(e);
      }
    }
    if (reduce) {
      if (!expr_at) r_.Error(op.key_pos, "reduce needs 'expr: EXPR' (the new aggregate, from agg, value and key)");
    } else if (!count) {
      const bool custom = initial_at || add_at || merge_at;
      if (has_op && custom) {
        // Reported once, at the first of the custom keys.
        std::pair<Pos, const char*> first{Pos{}, ""};
        const std::pair<std::optional<Pos>, const char*> keys[] = {
            {initial_at, "initial"}, {add_at, "add"}, {merge_at, "merge"}};
        for (const auto& [at, key] : keys) {
          if (at && (first.first.line == 0 || Before(*at, first.first))) first = {*at, key};
        }
        r_.Error(first.first, "aggregate has both 'op' (at " + PosText(*op_at) + ") and '" + first.second +
                                  "'; use either 'op' (a built-in aggregation) or 'initial' and 'add' (expressions)");
      } else if (custom) {
        Custom(op, field_at, initial_at, add_at, merge_at, window_written);
      } else if (!has_op) {
        r_.Error(op.key_pos, "aggregate needs 'op' (one of " + JoinNames(AggregationOps()) +
                                 ") or 'initial' and 'add' (expressions)");
      } else if (op_ok) {
        if (a_.op.value == "count" && field_at) {
          r_.Error(*field_at, "aggregate op 'count' takes no 'field' (it counts records)");
          a_.field.reset();
        } else if (a_.op.value != "count" && !field_at) {
          r_.Error(op.key_pos,
                   "aggregate op '" + a_.op.value + "' needs 'field: <expression>' (the value to aggregate)");
        }
      }
    }
    if (final_at && !a_.window) {
      r_.Error(*final_at,
               "emit: 'final' needs a window (an aggregate without one never closes); add 'window' or use "
               "'updates'");
    }
  }

 private:
  static bool Before(Pos a, Pos b) { return a.line < b.line || (a.line == b.line && a.column < b.column); }

  // `initial` + `add` (+ `merge` for session windows), without `op`.
  void Custom(const Reader::Entry& op, std::optional<Pos> field_at, std::optional<Pos> initial_at,
              std::optional<Pos> add_at, std::optional<Pos> merge_at, bool window_written) {
    if (field_at) {
      r_.Error(*field_at,
               "aggregate 'field' goes with 'op'; with 'initial' and 'add' read the value in 'add' (e.g. 'agg + "
               "value.amount')");
    }
    if (initial_at && !add_at) {
      r_.Error(*initial_at, "aggregate 'initial' needs 'add: EXPR' (the new aggregate, from agg, value and key)");
    } else if (add_at && !initial_at) {
      r_.Error(*add_at, "aggregate 'add' needs 'initial: EXPR' (the aggregate a new key starts with, e.g. 0)");
    } else if (!initial_at && !add_at) {
      r_.Error(*merge_at,
               "aggregate 'merge' needs 'initial' and 'add' (it combines the aggregates they make of two sessions)");
      return;
    }
    // An invalid window is reported already; whether it is a session is unknown.
    if (window_written && !a_.window) return;
    const bool session = a_.window && a_.window->spec.type == WindowSpec::Type::kSession;
    if (session && !merge_at) {
      r_.Error(op.key_pos,
               "aggregate with a session window needs 'merge: EXPR' (the aggregate of two sessions that merge, "
               "from left and right)");
    } else if (!session && merge_at) {
      r_.Error(*merge_at, std::string("aggregate 'merge' is only for session windows (it combines the aggregates "
                                      "of two sessions) and this aggregate has ") +
                              (a_.window ? "a " + WindowKindName(a_.window->spec.type) + " window" : "no window") +
                              "; remove 'merge'");
    }
  }

  static std::string WindowKindName(WindowSpec::Type t) {
    switch (t) {
      case WindowSpec::Type::kTumbling: return "tumbling";
      case WindowSpec::Type::kHopping: return "hopping";
      case WindowSpec::Type::kSliding: return "sliding";
      case WindowSpec::Type::kSession: return "session";
    }
    return "?";
  }

  // A positive duration (or >= 0 for grace), reported at its position.
  std::optional<int64_t> Duration(const Reader::Entry& e, bool allow_zero) {
    const std::string what = "window " + e.key;
    if (!e.value.IsScalar()) {
      r_.Error(e.value_pos, what + ": expected a duration, found " + Reader::KindName(e.value));
      return std::nullopt;
    }
    std::optional<int64_t> ms = ParseDuration(e.value.Scalar());
    if (!ms) {
      r_.Error(e.value_pos, what + ": invalid duration '" + e.value.Scalar() + "'; " + std::string(kDurationHelp));
      return std::nullopt;
    }
    if (*ms == 0 && !allow_zero) {
      r_.Error(e.value_pos, what + ": the duration must be positive, found '" + e.value.Scalar() + "'");
      return std::nullopt;
    }
    return ms;
  }

  void Window(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "window")) return;
    const std::vector<Reader::Entry> entries =
        r_.KnownEntries(section.value, "window", DeclaredKeys(step_.op_name, "window"));
    const Reader::Entry* kind = nullptr;
    const Reader::Entry* advance_entry = nullptr;
    std::optional<int64_t> size, advance, grace = 0;
    bool ok = true;
    for (const Reader::Entry& e : entries) {
      if (std::find(kWindowKinds.begin(), kWindowKinds.end(), e.key) != kWindowKinds.end()) {
        if (kind != nullptr) {
          r_.Error(e.key_pos, "window has both '" + kind->key + "' (at " + PosText(kind->key_pos) + ") and '" + e.key +
                                  "'; use one kind of window");
          ok = false;
          continue;
        }
        kind = &e;
        size = Duration(e, false);
        ok = ok && size.has_value();
      } else if (e.key == "advance") {
        advance_entry = &e;
        advance = Duration(e, false);
        ok = ok && advance.has_value();
      } else if (e.key == "grace") {
        grace = Duration(e, true);
        ok = ok && grace.has_value();
      }
    }
    if (kind == nullptr) {
      if (ok) {
        r_.Error(section.key_pos,
                 "window needs one of " + JoinNames(kWindowKinds) + " with its duration (e.g. 'tumbling: 5m')");
      }
      return;
    }
    const bool hopping = kind->key == "hopping";
    if (hopping && advance_entry == nullptr) {
      r_.Error(kind->key_pos, "hopping window needs 'advance: DURATION' (how far each window starts after the last)");
      return;
    }
    if (!hopping && advance_entry != nullptr) {
      r_.Error(advance_entry->key_pos, "advance is only for hopping windows, this one is " + kind->key);
      return;
    }
    if (!ok) return;
    if (hopping && *advance > *size) {
      r_.Error(advance_entry->value_pos, "window advance (" + std::to_string(*advance) +
                                             "ms) must not exceed the window size (" + std::to_string(*size) + "ms)");
      return;
    }
    WindowText w;
    w.pos = section.key_pos;
    const std::chrono::milliseconds d(*size);
    if (kind->key == "tumbling") {
      w.spec.type = WindowSpec::Type::kTumbling;
      w.spec.size = w.spec.advance = d;
    } else if (hopping) {
      w.spec.type = WindowSpec::Type::kHopping;
      w.spec.size = d;
      w.spec.advance = std::chrono::milliseconds(*advance);
    } else if (kind->key == "sliding") {
      w.spec.type = WindowSpec::Type::kSliding;
      w.spec.size = d;
    } else {
      w.spec.type = WindowSpec::Type::kSession;
      w.spec.gap = d;
    }
    w.spec.grace = std::chrono::milliseconds(*grace);
    a_.window = w;
  }

  void Repartition(const Reader::Entry& section) {
    if (!r_.ExpectMap(section.value, section.value_pos, "repartition")) return;
    for (const Reader::Entry& e :
         r_.KnownEntries(section.value, "repartition", DeclaredKeys(step_.op_name, "repartition"))) {
      if (auto t = r_.ExpectScalar(e.value, e.value_pos, "repartition " + e.key)) {
        (e.key == "key" ? a_.repartition_key : a_.repartition_value) = *t;
      }
    }
  }

  Reader& r_;
  StepSpec& step_;
  AggregationText& a_;
};

}  // namespace

void ParseAggregation(Reader& r, StepSpec& step, const Reader::Entry& op) {
  AggregationParser(r, step).Run(op);
}

const std::vector<std::string>& AggregationOps() {
  static const std::vector<std::string> kOps = BuiltinOperatorRegistry().Find("aggregate")->FindParam("op")->choices;
  return kOps;
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 18) return std::nullopt;
  int64_t n = 0;
  for (size_t i = 0; i < digits; ++i) n = n * 10 + (text[i] - '0');
  const std::string_view unit = text.substr(digits);
  int64_t factor = 0;
  if (unit.empty() || unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60 * 1000;
  } else if (unit == "h") {
    factor = 60 * 60 * 1000;
  } else if (unit == "d") {
    factor = 24 * 60 * 60 * 1000;
  } else {
    return std::nullopt;
  }
  if (n > std::numeric_limits<int64_t>::max() / factor) return std::nullopt;
  return n * factor;
}

std::string AggregationText::StoreName(const std::string& node_name) const {
  if (!store.value.empty()) return store.value;
  std::string out = node_name;
  std::replace(out.begin(), out.end(), '.', '-');
  return out;
}

}  // namespace streamapp::yaml
