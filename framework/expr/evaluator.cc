// Tree-walking evaluation. Works on Datum so that the common predicates
// (`field op literal`, boolean logic, arithmetic on numbers) read the record
// in place and never allocate.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "expr/ast.h"
#include "expr/functions.h"

namespace streamapp::expr {

Datum Datum::Borrow(const Value* v) {
  if (v == nullptr) return Null();
  switch (v->type()) {
    case Value::Type::kNull: return Null();
    case Value::Type::kBool: return Bool(v->as_bool());
    case Value::Type::kInt: return Int(v->as_int());
    case Value::Type::kDouble: return Double(v->as_double());
    case Value::Type::kString: return String(v->as_string());
    default: break;
  }
  Datum x;
  x.kind = Kind::kRef;
  x.ref = v;
  return x;
}

Datum Datum::Own(Value v) {
  switch (v.type()) {
    case Value::Type::kNull: return Null();
    case Value::Type::kBool: return Bool(v.as_bool());
    case Value::Type::kInt: return Int(v.as_int());
    case Value::Type::kDouble: return Double(v.as_double());
    default: break;
  }
  Datum x;
  x.kind = Kind::kOwned;
  x.owned = std::move(v);
  return x;
}

Value::Type Datum::type() const {
  switch (kind) {
    case Kind::kNull: return Value::Type::kNull;
    case Kind::kBool: return Value::Type::kBool;
    case Kind::kInt: return Value::Type::kInt;
    case Kind::kDouble: return Value::Type::kDouble;
    case Kind::kString: return Value::Type::kString;
    case Kind::kRef: return ref->type();
    case Kind::kOwned: return owned.type();
  }
  return Value::Type::kNull;
}

Value Datum::ToValue() && {
  switch (kind) {
    case Kind::kNull: return Value();
    case Kind::kBool: return Value(b);
    case Kind::kInt: return Value(i);
    case Kind::kDouble: return Value(d);
    case Kind::kString: return Value(s);
    case Kind::kRef: return *ref;
    case Kind::kOwned: return std::move(owned);
  }
  return Value();
}

std::string_view Describe(Value::Type type) {
  switch (type) {
    case Value::Type::kNull: return "null";
    case Value::Type::kBool: return "a bool";
    case Value::Type::kInt: return "an int";
    case Value::Type::kDouble: return "a double";
    case Value::Type::kString: return "a string";
    case Value::Type::kBytes: return "bytes";
    case Value::Type::kArray: return "an array";
    case Value::Type::kObject: return "an object";
  }
  return "a value";
}

std::string_view Describe(StaticType type) {
  switch (type) {
    case StaticType::kAny: return "any value";
    case StaticType::kNull: return "null";
    case StaticType::kBool: return "a bool";
    case StaticType::kInt: return "an int";
    case StaticType::kDouble: return "a double";
    case StaticType::kNumber: return "a number";
    case StaticType::kString: return "a string";
    case StaticType::kArray: return "an array";
    case StaticType::kObject: return "an object";
  }
  return "a value";
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kNone: return "?";
    case Op::kNeg: return "-";
    case Op::kNot: return "not";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kIn: return "in";
    case Op::kNotIn: return "not in";
  }
  return "?";
}

StaticType Unify(StaticType a, StaticType b) {
  auto numeric = [](StaticType t) {
    return t == StaticType::kInt || t == StaticType::kDouble || t == StaticType::kNumber;
  };
  if (a == b) return a;
  if (a == StaticType::kNull) return b;
  if (b == StaticType::kNull) return a;
  if (numeric(a) && numeric(b)) return StaticType::kNumber;
  return StaticType::kAny;
}

Status RuntimeError(const Node& node, const EvalContext& ctx, std::string_view what) {
  const std::string_view sub = ctx.text.substr(node.begin, node.end - node.begin);
  std::string message = "'" + std::string(sub) + "': " + std::string(what);
  if (sub.size() != ctx.text.size()) message += " (in '" + std::string(ctx.text) + "')";
  return Status::DataError(std::move(message));
}

namespace {

// `==` semantics: numbers by value across int/double, null equals only null,
// different types are unequal (never an error).
bool Equals(const Datum& a, const Datum& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) return a.i == b.i;
    return a.number() == b.number();
  }
  if (a.is_bool() || b.is_bool()) return a.is_bool() && b.is_bool() && a.b == b.b;
  if (a.is_string() || b.is_string()) return a.is_string() && b.is_string() && a.str() == b.str();
  const Value* va = a.value_ptr();
  const Value* vb = b.value_ptr();
  return va != nullptr && vb != nullptr && *va == *vb;
}

// <, <=, >, >=: numbers with numbers, strings with strings (bytewise); any
// comparison with null is false, as in SQL.
Status Order(const Node& n, const EvalContext& ctx, const Datum& a, const Datum& b, bool* out) {
  if (a.is_null() || b.is_null()) {
    *out = false;
    return Status::Ok();
  }
  int cmp = 0;
  if (a.is_number() && b.is_number()) {
    if (a.is_int() && b.is_int()) {
      cmp = a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
    } else {
      const double x = a.number(), y = b.number();
      if (std::isnan(x) || std::isnan(y)) {
        *out = false;
        return Status::Ok();
      }
      cmp = x < y ? -1 : x > y ? 1 : 0;
    }
  } else if (a.is_string() && b.is_string()) {
    const int c = a.str().compare(b.str());
    cmp = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else {
    return RuntimeError(n, ctx,
                        "operator '" + std::string(OpName(n.op)) + "' cannot order " + std::string(Describe(a)) +
                            " and " + std::string(Describe(b)));
  }
  switch (n.op) {
    case Op::kLt: *out = cmp < 0; break;
    case Op::kLe: *out = cmp <= 0; break;
    case Op::kGt: *out = cmp > 0; break;
    default: *out = cmp >= 0; break;
  }
  return Status::Ok();
}

// Arithmetic. Rules (also in the report and tests):
//  - null in, null out;
//  - int op int stays int64 and overflow is a DataError (never wraps);
//  - `/` on two ints is an int when the division is exact (6 / 3 == 2),
//    else a double (7 / 2 == 3.5); `%` on ints is the C++ remainder;
//  - any double operand makes the operation double;
//  - `/` and `%` by zero (int or double) are DataErrors;
//  - `+` on two strings concatenates.
Status Arith(const Node& n, const EvalContext& ctx, const Datum& a, const Datum& b, Datum* out) {
  if (a.is_null() || b.is_null()) {
    *out = Datum::Null();
    return Status::Ok();
  }
  if (n.op == Op::kAdd && a.is_string() && b.is_string()) {
    std::string s;
    s.reserve(a.str().size() + b.str().size());
    s.append(a.str());
    s.append(b.str());
    *out = Datum::Own(Value(std::move(s)));
    return Status::Ok();
  }
  if (!a.is_number() || !b.is_number()) {
    const std::string wanted = n.op == Op::kAdd ? "two numbers or two strings" : "numbers";
    return RuntimeError(n, ctx,
                        "operator '" + std::string(OpName(n.op)) + "' expects " + wanted + " but got " +
                            std::string(Describe(a)) + " and " + std::string(Describe(b)));
  }
  if (a.is_int() && b.is_int()) {
    int64_t r = 0;
    bool overflow = false;
    switch (n.op) {
      case Op::kAdd: overflow = __builtin_add_overflow(a.i, b.i, &r); break;
      case Op::kSub: overflow = __builtin_sub_overflow(a.i, b.i, &r); break;
      case Op::kMul: overflow = __builtin_mul_overflow(a.i, b.i, &r); break;
      case Op::kDiv:
        if (b.i == 0) return RuntimeError(n, ctx, "division by zero");
        if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1) {
          overflow = true;
        } else if (a.i % b.i != 0) {
          *out = Datum::Double(static_cast<double>(a.i) / static_cast<double>(b.i));
          return Status::Ok();
        } else {
          r = a.i / b.i;
        }
        break;
      default:  // kMod
        if (b.i == 0) return RuntimeError(n, ctx, "division by zero");
        r = b.i == -1 ? 0 : a.i % b.i;  // INT64_MIN % -1 is undefined in C++
        break;
    }
    if (overflow) return RuntimeError(n, ctx, "integer overflow in '" + std::string(OpName(n.op)) + "'");
    *out = Datum::Int(r);
    return Status::Ok();
  }
  const double x = a.number(), y = b.number();
  switch (n.op) {
    case Op::kAdd: *out = Datum::Double(x + y); break;
    case Op::kSub: *out = Datum::Double(x - y); break;
    case Op::kMul: *out = Datum::Double(x * y); break;
    case Op::kDiv:
      if (y == 0) return RuntimeError(n, ctx, "division by zero");
      *out = Datum::Double(x / y);
      break;
    default:
      if (y == 0) return RuntimeError(n, ctx, "division by zero");
      *out = Datum::Double(std::fmod(x, y));
      break;
  }
  return Status::Ok();
}

// Boolean operands: null counts as false; anything else but a bool is an error.
Status ToBool(const Node& n, const EvalContext& ctx, const Datum& d, std::string_view role, bool* out) {
  if (d.is_bool()) {
    *out = d.b;
    return Status::Ok();
  }
  if (d.is_null()) {
    *out = false;
    return Status::Ok();
  }
  return RuntimeError(n, ctx, std::string(role) + " must be a bool but is " + std::string(Describe(d)));
}

const Value* Step(const Value* cur, const FieldPath::Segment& s) {
  if (s.index >= 0) {
    if (!cur->is_array() || s.index >= static_cast<int64_t>(cur->as_array().size())) return nullptr;
    return &cur->as_array()[static_cast<size_t>(s.index)];
  }
  return cur->Find(s.name);
}

Status EvalPath(const Node& n, const EvalContext& ctx, Datum* out) {
  const Record& rec = ctx.record;
  const Value* base = nullptr;
  switch (n.root) {
    case PathRoot::kValue: base = &rec.value; break;
    case PathRoot::kKey: base = &rec.key; break;
    // The scalar roots take no segments (the parser rejects them); unknown is null.
    case PathRoot::kTimestamp: {
      const int64_t ts = rec.timestamp.value();
      *out = ts < 0 ? Datum::Null() : Datum::Int(ts);
      return Status::Ok();
    }
    case PathRoot::kTopic:
      *out = rec.source.topic.empty() ? Datum::Null() : Datum::String(rec.source.topic);
      return Status::Ok();
    case PathRoot::kPartition: {
      const int32_t p = rec.source.partition.value();
      *out = p < 0 ? Datum::Null() : Datum::Int(p);
      return Status::Ok();
    }
    case PathRoot::kOffset:
      *out = rec.source.offset.valid() ? Datum::Int(rec.source.offset.value()) : Datum::Null();
      return Status::Ok();
    case PathRoot::kHeader: {
      // Kafka allows repeated header keys; the last one wins, as lastHeader() in Java.
      *out = Datum::Null();
      for (auto it = rec.headers.rbegin(); it != rec.headers.rend(); ++it) {
        if (it->key == n.name) {
          *out = Datum::String(it->value);
          break;
        }
      }
      return Status::Ok();
    }
    case PathRoot::kExpr: {
      Datum inner;
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &inner));
      if (inner.kind == Datum::Kind::kRef) {
        base = inner.ref;  // borrowed from the record or the tree: outlives `inner`
        break;
      }
      if (inner.kind != Datum::Kind::kOwned) {
        *out = Datum::Null();
        return Status::Ok();
      }
      // A computed array/object: move the element out before `inner` dies.
      Value* cur = &inner.owned;
      for (const FieldPath::Segment& s : n.segments) {
        cur = const_cast<Value*>(Step(cur, s));
        if (cur == nullptr) {
          *out = Datum::Null();
          return Status::Ok();
        }
      }
      *out = Datum::Own(std::move(*cur));
      return Status::Ok();
    }
  }
  for (const FieldPath::Segment& s : n.segments) {
    base = Step(base, s);
    if (base == nullptr) break;
  }
  *out = Datum::Borrow(base);
  return Status::Ok();
}

Status EvalIn(const Node& n, const EvalContext& ctx, Datum* out) {
  Datum needle;
  RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &needle));
  const Node& rhs = *n.children[1];
  bool found = false;
  if (rhs.kind == NodeKind::kArray) {
    // A literal list with computed elements: compare one by one, no array built.
    for (const auto& child : rhs.children) {
      Datum e;
      RETURN_IF_ERROR(EvalNode(*child, ctx, &e));
      if (Equals(needle, e)) {
        found = true;
        break;
      }
    }
  } else {
    Datum hay;
    RETURN_IF_ERROR(EvalNode(rhs, ctx, &hay));
    if (hay.is_null()) {  // like SQL: membership in an unknown list is unknown
      *out = Datum::Null();
      return Status::Ok();
    }
    if (!hay.is_array()) {
      return RuntimeError(n, ctx,
                          "operator '" + std::string(OpName(n.op)) + "' expects an array on the right but got " +
                              std::string(Describe(hay)));
    }
    for (const Value& v : hay.value_ptr()->as_array()) {
      if (Equals(needle, Datum::Borrow(&v))) {
        found = true;
        break;
      }
    }
  }
  *out = Datum::Bool(n.op == Op::kIn ? found : !found);
  return Status::Ok();
}

Status EvalCall(const Node& n, const EvalContext& ctx, Datum* out) {
  const FunctionDef& f = *n.function;
  switch (f.lazy) {
    case LazyKind::kIf: {
      Datum cond;
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &cond));
      bool yes = false;
      RETURN_IF_ERROR(ToBool(n, ctx, cond, "the condition of if()", &yes));
      return EvalNode(*n.children[yes ? 1 : 2], ctx, out);
    }
    case LazyKind::kCoalesce:
      for (const auto& child : n.children) {
        RETURN_IF_ERROR(EvalNode(*child, ctx, out));
        if (!out->is_null()) break;
      }
      return Status::Ok();
    case LazyKind::kNone: break;
  }
  // Arguments live on the stack for the usual small arities.
  const size_t count = n.children.size();
  std::array<Datum, 4> small;
  std::vector<Datum> large;
  std::span<Datum> args(small.data(), count <= small.size() ? count : 0);
  if (count > small.size()) {
    large.resize(count);
    args = std::span<Datum>(large);
  }
  for (size_t i = 0; i < count; ++i) {
    RETURN_IF_ERROR(EvalNode(*n.children[i], ctx, &args[i]));
    if (f.null_in_null_out && args[i].is_null()) {
      *out = Datum::Null();
      return Status::Ok();
    }
  }
  return f.impl(Call{n, ctx}, args, out);
}

}  // namespace

Status EvalNode(const Node& n, const EvalContext& ctx, Datum* out) {
  switch (n.kind) {
    case NodeKind::kLiteral: *out = Datum::Borrow(&n.literal); return Status::Ok();
    case NodeKind::kPath: return EvalPath(n, ctx, out);
    case NodeKind::kArray: {
      Value::Array items;
      items.reserve(n.children.size());
      for (const auto& child : n.children) {
        Datum e;
        RETURN_IF_ERROR(EvalNode(*child, ctx, &e));
        items.push_back(std::move(e).ToValue());
      }
      *out = Datum::Own(Value(std::move(items)));
      return Status::Ok();
    }
    case NodeKind::kObject: {
      Value::Object fields;
      fields.reserve(n.children.size());
      for (size_t i = 0; i < n.children.size(); ++i) {
        Datum e;
        RETURN_IF_ERROR(EvalNode(*n.children[i], ctx, &e));
        fields.push_back(Field{n.keys[i], std::move(e).ToValue()});
      }
      *out = Datum::Own(Value(std::move(fields)));
      return Status::Ok();
    }
    case NodeKind::kUnary: {
      Datum a;
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &a));
      if (n.op == Op::kNot) {
        bool v = false;
        RETURN_IF_ERROR(ToBool(n, ctx, a, "the operand of 'not'", &v));
        *out = Datum::Bool(!v);
        return Status::Ok();
      }
      if (a.is_null()) {
        *out = Datum::Null();
      } else if (a.is_int()) {
        if (a.i == std::numeric_limits<int64_t>::min()) return RuntimeError(n, ctx, "integer overflow in '-'");
        *out = Datum::Int(-a.i);
      } else if (a.kind == Datum::Kind::kDouble) {
        *out = Datum::Double(-a.d);
      } else {
        return RuntimeError(n, ctx, "operator '-' expects a number but got " + std::string(Describe(a)));
      }
      return Status::Ok();
    }
    case NodeKind::kBinary: {
      if (n.op == Op::kIn || n.op == Op::kNotIn) return EvalIn(n, ctx, out);
      Datum a, b;
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &a));
      RETURN_IF_ERROR(EvalNode(*n.children[1], ctx, &b));
      switch (n.op) {
        case Op::kEq: *out = Datum::Bool(Equals(a, b)); return Status::Ok();
        case Op::kNe: *out = Datum::Bool(!Equals(a, b)); return Status::Ok();
        case Op::kLt:
        case Op::kLe:
        case Op::kGt:
        case Op::kGe: {
          bool v = false;
          RETURN_IF_ERROR(Order(n, ctx, a, b, &v));
          *out = Datum::Bool(v);
          return Status::Ok();
        }
        default: return Arith(n, ctx, a, b, out);
      }
    }
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      const bool is_and = n.kind == NodeKind::kAnd;
      const std::string_view side = is_and ? "the left operand of 'and'" : "the left operand of 'or'";
      Datum a;
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &a));
      bool left = false;
      RETURN_IF_ERROR(ToBool(n, ctx, a, side, &left));
      if (left != is_and) {  // false and ... / true or ...: decided without the right side
        *out = Datum::Bool(left);
        return Status::Ok();
      }
      Datum b;
      RETURN_IF_ERROR(EvalNode(*n.children[1], ctx, &b));
      bool right = false;
      RETURN_IF_ERROR(ToBool(n, ctx, b, is_and ? "the right operand of 'and'" : "the right operand of 'or'", &right));
      *out = Datum::Bool(right);
      return Status::Ok();
    }
    case NodeKind::kCoalesce:
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, out));
      if (!out->is_null()) return Status::Ok();
      return EvalNode(*n.children[1], ctx, out);
    case NodeKind::kTernary: {
      Datum cond;
      RETURN_IF_ERROR(EvalNode(*n.children[0], ctx, &cond));
      bool yes = false;
      RETURN_IF_ERROR(ToBool(n, ctx, cond, "the condition before '?'", &yes));
      return EvalNode(*n.children[yes ? 1 : 2], ctx, out);
    }
    case NodeKind::kCall: return EvalCall(n, ctx, out);
  }
  return Status::Internal("unknown expression node");
}

}  // namespace streamapp::expr
