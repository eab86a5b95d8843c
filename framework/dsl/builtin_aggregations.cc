// The built-in aggregations (count, sum, min, max, avg, first, last,
// count_distinct): initializer, aggregator, session merger, finisher.
//
// Aggregate states (what the store holds):
//   count          int: records seen (with a field: records whose field is not null)
//   sum            int while every input is an int (overflow turns it into a
//                  double), else double; starts at 0
//   min, max       the extreme value so far (numbers with numbers, strings
//                  with strings; anything else is a DataError); null until the
//                  first non-null input
//   avg            {"sum": int|double, "count": int}; finished to sum/count as
//                  a double (null while count is 0)
//   first, last    the first / latest non-null input (in processing order)
//   count_distinct sorted array of the canonical JSON of every distinct
//                  non-null input (object fields sorted by name; 1 and 1.0
//                  are the same); finished to its length
// Session merges: count/sum/avg add, min/max keep the extreme, first keeps
// the left (earlier) session's value unless null, last the right one's,
// count_distinct takes the union.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "dsl/aggregate_ops.h"
#include "serde/edit_distance.h"

namespace streamapp::dsl {
namespace {

const std::vector<std::string>& Names() {
  static const std::vector<std::string> kNames = {"count", "sum",   "min",  "max",
                                                  "avg",   "first", "last", "count_distinct"};
  return kNames;
}

std::string NameList() {
  std::string out;
  for (const std::string& n : Names()) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

using FieldFn = std::function<Result<Value>(const Record&)>;

Result<Value> AddNumbers(const Value& a, const Value& b) {
  if (a.is_int() && b.is_int()) {
    int64_t out;
    if (!__builtin_add_overflow(a.as_int(), b.as_int(), &out)) return Value(out);
  }
  return Value(a.as_number() + b.as_number());
}

Status NotANumber(std::string_view agg, const Value& v) {
  return Status::DataError(std::string(agg) + ": expected a number, got " + std::string(TypeName(v.type())) + " " +
                           v.ToJson());
}

// <0, 0, >0; DataError unless both are numbers or both strings.
Result<int> Compare(std::string_view agg, const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.as_int() < b.as_int() ? -1 : (a.as_int() > b.as_int() ? 1 : 0);
    double x = a.as_number();
    double y = b.as_number();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return Status::DataError(std::string(agg) + ": cannot compare " + std::string(TypeName(a.type())) + " " + a.ToJson() +
                           " with " + std::string(TypeName(b.type())) + " " + b.ToJson() +
                           " (min/max need numbers or strings)");
}

// The extreme of two values; null is "no value".
Result<Value> Extreme(std::string_view agg, bool want_max, Value a, Value b) {
  if (a.is_null()) return b;
  if (b.is_null()) return a;
  ASSIGN_OR_RETURN(int c, Compare(agg, a, b));
  return (want_max ? c >= 0 : c <= 0) ? a : b;
}

void AppendCanonical(const Value& v, std::string* out) {
  switch (v.type()) {
    case Value::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const Value& e : v.as_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(e, out);
      }
      out->push_back(']');
      break;
    }
    case Value::Type::kObject: {
      std::vector<const Field*> fields;
      for (const Field& f : v.as_object()) fields.push_back(&f);
      std::sort(fields.begin(), fields.end(), [](const Field* a, const Field* b) { return a->name < b->name; });
      out->push_back('{');
      bool first = true;
      for (const Field* f : fields) {
        if (!first) out->push_back(',');
        first = false;
        Value(f->name).AppendJson(out);
        out->push_back(':');
        AppendCanonical(f->value, out);
      }
      out->push_back('}');
      break;
    }
    default: v.AppendJson(out);
  }
}

Result<Value::Array> DistinctSet(const Value& aggregate) {
  if (aggregate.is_null()) return Value::Array{};
  if (!aggregate.is_array()) {
    return Status::DataError("count_distinct: aggregate state is " + std::string(TypeName(aggregate.type())) +
                             ", expected an array");
  }
  return aggregate.as_array();
}

Result<int64_t> CountState(std::string_view agg, const Value& v) {
  if (v.is_null()) return int64_t{0};
  if (!v.is_int()) return Status::DataError(std::string(agg) + ": aggregate state is not an int: " + v.ToJson());
  return v.as_int();
}

struct AvgState {
  Value sum{int64_t{0}};
  int64_t count = 0;
};

Result<AvgState> ReadAvg(const Value& v) {
  AvgState out;
  if (v.is_null()) return out;
  const Value* sum = v.Find("sum");
  const Value* count = v.Find("count");
  if (!sum || !count || !sum->is_number() || !count->is_int()) {
    return Status::DataError("avg: aggregate state is not {\"sum\": number, \"count\": int}: " + v.ToJson());
  }
  out.sum = *sum;
  out.count = count->as_int();
  return out;
}

Value WriteAvg(const AvgState& s) {
  Value out = Value::MakeObject();
  out.Set("sum", s.sum);
  out.Set("count", s.count);
  return out;
}

AggregationFns MakeFns(std::string_view name, FieldFn field) {
  AggregationFns fns;
  if (name == "count") {
    fns.init = []() -> Result<Value> { return Value(int64_t{0}); };
    fns.add = [field](const Record& r, Value agg) -> Result<Value> {
      if (field) {
        ASSIGN_OR_RETURN(Value v, field(r));
        if (v.is_null()) return agg;
      }
      ASSIGN_OR_RETURN(int64_t n, CountState("count", agg));
      return Value(n + 1);
    };
    fns.merge = [](Value a, Value b) -> Result<Value> {
      ASSIGN_OR_RETURN(int64_t x, CountState("count", a));
      ASSIGN_OR_RETURN(int64_t y, CountState("count", b));
      return Value(x + y);
    };
  } else if (name == "sum") {
    fns.init = []() -> Result<Value> { return Value(int64_t{0}); };
    fns.add = [field](const Record& r, Value agg) -> Result<Value> {
      ASSIGN_OR_RETURN(Value v, field(r));
      if (v.is_null()) return agg;
      if (!v.is_number()) return NotANumber("sum", v);
      if (agg.is_null()) return v;
      if (!agg.is_number()) return NotANumber("sum (aggregate state)", agg);
      return AddNumbers(agg, v);
    };
    fns.merge = [](Value a, Value b) -> Result<Value> {
      if (a.is_null()) return b;
      if (b.is_null()) return a;
      if (!a.is_number()) return NotANumber("sum (aggregate state)", a);
      if (!b.is_number()) return NotANumber("sum (aggregate state)", b);
      return AddNumbers(a, b);
    };
  } else if (name == "min" || name == "max") {
    const bool want_max = name == "max";
    const std::string agg_name(name);
    fns.init = []() -> Result<Value> { return Value(); };
    fns.add = [field, want_max, agg_name](const Record& r, Value agg) -> Result<Value> {
      ASSIGN_OR_RETURN(Value v, field(r));
      if (v.is_null()) return agg;
      if (!v.is_number() && !v.is_string()) {
        return Status::DataError(agg_name + ": expected a number or a string, got " + std::string(TypeName(v.type())) +
                                 " " + v.ToJson());
      }
      return Extreme(agg_name, want_max, std::move(agg), std::move(v));
    };
    fns.merge = [want_max, agg_name](Value a, Value b) -> Result<Value> {
      return Extreme(agg_name, want_max, std::move(a), std::move(b));
    };
  } else if (name == "avg") {
    fns.init = []() -> Result<Value> { return WriteAvg(AvgState{}); };
    fns.add = [field](const Record& r, Value agg) -> Result<Value> {
      ASSIGN_OR_RETURN(Value v, field(r));
      if (v.is_null()) return agg;
      if (!v.is_number()) return NotANumber("avg", v);
      ASSIGN_OR_RETURN(AvgState s, ReadAvg(agg));
      ASSIGN_OR_RETURN(s.sum, AddNumbers(s.sum, v));
      s.count += 1;
      return WriteAvg(s);
    };
    fns.merge = [](Value a, Value b) -> Result<Value> {
      ASSIGN_OR_RETURN(AvgState x, ReadAvg(a));
      ASSIGN_OR_RETURN(AvgState y, ReadAvg(b));
      ASSIGN_OR_RETURN(x.sum, AddNumbers(x.sum, y.sum));
      x.count += y.count;
      return WriteAvg(x);
    };
  } else if (name == "first") {
    fns.init = []() -> Result<Value> { return Value(); };
    fns.add = [field](const Record& r, Value agg) -> Result<Value> {
      if (!agg.is_null()) return agg;
      return field(r);
    };
    fns.merge = [](Value a, Value b) -> Result<Value> { return a.is_null() ? b : a; };
  } else if (name == "last") {
    fns.init = []() -> Result<Value> { return Value(); };
    fns.add = [field](const Record& r, Value agg) -> Result<Value> {
      ASSIGN_OR_RETURN(Value v, field(r));
      return v.is_null() ? agg : v;
    };
    fns.merge = [](Value a, Value b) -> Result<Value> { return b.is_null() ? a : b; };
  } else {  // count_distinct
    fns.init = []() -> Result<Value> { return Value::MakeArray(); };
    fns.add = [field](const Record& r, Value agg) -> Result<Value> {
      ASSIGN_OR_RETURN(Value v, field(r));
      if (v.is_null()) return agg;
      ASSIGN_OR_RETURN(Value::Array seen, DistinctSet(agg));
      std::string canonical;
      AppendCanonical(v, &canonical);
      auto less = [](const Value& e, const std::string& s) { return e.is_string() && e.as_string() < s; };
      auto it = std::lower_bound(seen.begin(), seen.end(), canonical, less);
      if (it == seen.end() || !it->is_string() || it->as_string() != canonical) seen.insert(it, Value(canonical));
      return Value(std::move(seen));
    };
    fns.merge = [](Value a, Value b) -> Result<Value> {
      ASSIGN_OR_RETURN(Value::Array x, DistinctSet(a));
      ASSIGN_OR_RETURN(Value::Array y, DistinctSet(b));
      std::vector<std::string> all;
      for (const Value& e : x) all.push_back(e.is_string() ? e.as_string() : e.ToJson());
      for (const Value& e : y) all.push_back(e.is_string() ? e.as_string() : e.ToJson());
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      Value::Array out;
      out.reserve(all.size());
      for (std::string& s : all) out.emplace_back(std::move(s));
      return Value(std::move(out));
    };
  }
  return fns;
}

}  // namespace

Result<AggregationFns> BuiltinAggregation(std::string_view name, std::optional<expr::Expression> field) {
  const auto& names = Names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    std::string message = "unknown aggregation '" + std::string(name) + "'; expected one of " + NameList();
    if (auto near = serde::NearestName(name, names)) message += "; did you mean '" + *near + "'?";
    return Status::InvalidArgument(std::move(message));
  }
  if (name != "count" && !field) {
    return Status::InvalidArgument("aggregation '" + std::string(name) + "' needs a field");
  }
  FieldFn fn;
  if (field) {
    fn = [expression = std::move(*field)](const Record& r) -> Result<Value> { return expression.Evaluate(r); };
  }
  return MakeFns(name, std::move(fn));
}

Finisher BuiltinFinisher(std::string_view name) {
  if (name == "avg") {
    return [](const Value& aggregate) -> Value {
      auto s = ReadAvg(aggregate);
      if (!s.ok() || s->count == 0) return Value();
      return Value(s->sum.as_number() / static_cast<double>(s->count));
    };
  }
  if (name == "count_distinct") {
    return [](const Value& aggregate) -> Value {
      if (aggregate.is_null()) return Value(int64_t{0});
      if (!aggregate.is_array()) return aggregate;
      return Value(static_cast<int64_t>(aggregate.as_array().size()));
    };
  }
  return [](const Value& aggregate) -> Value { return aggregate; };
}

}  // namespace streamapp::dsl
