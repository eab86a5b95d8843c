// The compiled form of an expression (a tree of Node) and the small value
// (Datum) the evaluator passes around instead of Value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "streamapp/expr.h"
#include "streamapp/record.h"
#include "streamapp/status.h"
#include "streamapp/value.h"

namespace streamapp::expr {

struct FunctionDef;

enum class NodeKind : uint8_t {
  kLiteral,   // `literal` (also array literals whose elements are all constants)
  kArray,     // array literal with computed elements
  kObject,    // object literal with computed values; `keys` names the children
  kPath,      // `root`, then `segments`
  kUnary,     // op: kNeg, kNot
  kBinary,    // arithmetic, comparisons, in / not in
  kAnd,       // short-circuit
  kOr,        // short-circuit
  kCoalesce,  // a ?? b
  kTernary,   // c ? a : b
  kCall,      // function(children...)
};

enum class Op : uint8_t { kNone, kNeg, kNot, kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };

// Where a kPath starts.
enum class PathRoot : uint8_t { kValue, kKey, kTimestamp, kTopic, kPartition, kOffset, kHeader, kExpr };

// One node of the tree. Built once by the parser and read-only afterwards, so
// a compiled Expression can be shared between threads.
class Node {
 public:
  NodeKind kind = NodeKind::kLiteral;
  Op op = Op::kNone;
  PathRoot root = PathRoot::kValue;
  StaticType type = StaticType::kAny;
  size_t begin = 0;  // byte range of the node's text, for error messages
  size_t end = 0;
  size_t op_offset = 0;  // the operator / function name token
  int depth = 1;         // height of the subtree; bounded so evaluation cannot overflow the stack
  std::vector<std::unique_ptr<Node>> children;
  Value literal;
  std::vector<FieldPath::Segment> segments;  // kPath: steps after the root
  std::string name;                          // kPath kHeader: header key; kCall: function name
  std::vector<std::string> keys;             // kObject: the field name of each child
  const FunctionDef* function = nullptr;
  std::unique_ptr<const std::regex> regex;  // regex_match with a literal pattern, compiled once
};

// An intermediate result. Scalars are held inline and record data is
// borrowed, so field lookups, comparisons, arithmetic and logic never
// allocate; only new strings/arrays are held as an owned Value.
struct Datum {
  enum class Kind : uint8_t { kNull, kBool, kInt, kDouble, kString, kRef, kOwned };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;          // kString: borrowed from the record or a literal
  const Value* ref = nullptr;  // kRef: a borrowed array/object/bytes
  Value owned;                 // kOwned: a string/array/object made during evaluation

  static Datum Null() { return Datum(); }
  static Datum Bool(bool v) {
    Datum x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Datum Int(int64_t v) {
    Datum x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Datum Double(double v) {
    Datum x;
    x.kind = Kind::kDouble;
    x.d = v;
    return x;
  }
  static Datum String(std::string_view v) {
    Datum x;
    x.kind = Kind::kString;
    x.s = v;
    return x;
  }
  // Borrows `v` (which must outlive the Datum); scalars are copied inline.
  static Datum Borrow(const Value* v);
  // Takes a new value; scalars are stored inline.
  static Datum Own(Value v);

  bool is_null() const { return kind == Kind::kNull; }
  bool is_bool() const { return kind == Kind::kBool; }
  bool is_int() const { return kind == Kind::kInt; }
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kDouble; }
  double number() const { return kind == Kind::kInt ? static_cast<double>(i) : d; }
  bool is_string() const { return kind == Kind::kString || (kind == Kind::kOwned && owned.is_string()); }
  std::string_view str() const { return kind == Kind::kString ? s : std::string_view(owned.as_string()); }
  // The Value behind a kRef/kOwned datum, else nullptr.
  const Value* value_ptr() const { return kind == Kind::kRef ? ref : kind == Kind::kOwned ? &owned : nullptr; }
  bool is_array() const {
    const Value* v = value_ptr();
    return v != nullptr && v->is_array();
  }
  Value::Type type() const;
  Value ToValue() &&;
};

// "a string", "an int", ...: for messages.
std::string_view Describe(Value::Type type);
std::string_view Describe(StaticType type);
inline std::string_view Describe(const Datum& d) {
  return Describe(d.type());
}

// The record and the expression text an evaluation works on.
struct EvalContext {
  const Record& record;
  std::string_view text;
};

// Evaluates `node` into *out. *out may borrow from the record or the tree.
Status EvalNode(const Node& node, const EvalContext& ctx, Datum* out);

// The operator as written in messages: "+", "not", "in", ...
std::string_view OpName(Op op);

// The narrowest static type covering both: kInt and kDouble give kNumber,
// null gives the other side, anything else mixed gives kAny.
StaticType Unify(StaticType a, StaticType b);

// A DataError naming the sub-expression `node` and the whole expression.
Status RuntimeError(const Node& node, const EvalContext& ctx, std::string_view what);

}  // namespace streamapp::expr
