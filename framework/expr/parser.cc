// Grammar, lowest precedence first:
//   ternary     := or ('?' ternary ':' ternary)?
//   or          := and (('or' | '||') and)*
//   and         := not (('and' | '&&') not)*
//   not         := 'not' not | comparison          (SQL/Python: `not a == b` is `not (a == b)`)
//   comparison  := coalesce (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in') coalesce)*
//   coalesce    := additive ('??' coalesce)?       (Swift: `a ?? 0 > 5` is `(a ?? 0) > 5`)
//   additive    := multiplicative (('+' | '-') multiplicative)*
//   multiplicative := unary (('*' | '/' | '%') unary)*
//   unary       := ('-' | '!') unary | postfix      (`!` binds tightly, as in C)
//   postfix     := primary ('.' name | '[' int ']' | '[' string ']')*
//   primary     := literal | '[' items ']' | '(' ternary ')' | $root | name '(' args ')' | name
// Each node is type-checked as soon as it is built.
#include "expr/parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "expr/functions.h"
#include "expr/lexer.h"

namespace streamapp::expr {
namespace {

constexpr int kMaxNesting = 100;  // parser recursion: parentheses, arguments, unary chains, ...
constexpr int kMaxDepth = 256;    // tree height, which bounds evaluator recursion

using NodePtr = std::unique_ptr<Node>;
using NodeResult = Result<NodePtr>;

bool IsNumeric(StaticType t) {
  return t == StaticType::kInt || t == StaticType::kDouble || t == StaticType::kNumber;
}
// Known: the value's type is fixed at compile time (null aside).
bool Known(StaticType t) {
  return t != StaticType::kAny && t != StaticType::kNull;
}
bool MaybeNumber(StaticType t) {
  return !Known(t) || IsNumeric(t);
}
bool MaybeBool(StaticType t) {
  return !Known(t) || t == StaticType::kBool;
}
bool MaybeArray(StaticType t) {
  return !Known(t) || t == StaticType::kArray;
}
bool MaybeOrdered(StaticType t) {
  return MaybeNumber(t) || t == StaticType::kString;
}

StaticType TypeOf(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: return StaticType::kNull;
    case Value::Type::kBool: return StaticType::kBool;
    case Value::Type::kInt: return StaticType::kInt;
    case Value::Type::kDouble: return StaticType::kDouble;
    case Value::Type::kString: return StaticType::kString;
    case Value::Type::kArray: return StaticType::kArray;
    case Value::Type::kObject: return StaticType::kObject;
    case Value::Type::kBytes: break;
  }
  return StaticType::kAny;
}

// The result type of - * / % (and + on numbers).
StaticType NumericResult(Op op, StaticType l, StaticType r) {
  if (l == StaticType::kNull || r == StaticType::kNull) return StaticType::kNull;
  if (l == StaticType::kDouble || r == StaticType::kDouble) return StaticType::kDouble;
  if (l == StaticType::kInt && r == StaticType::kInt) return op == Op::kDiv ? StaticType::kNumber : StaticType::kInt;
  return StaticType::kNumber;
}

std::string Str(std::string_view s) {
  return std::string(s);
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, size_t* error_offset) : tokens_(std::move(tokens)), error_offset_(error_offset) {}

  NodeResult Run() {
    ASSIGN_OR_RETURN(NodePtr root, ParseTernary());
    if (Peek().kind != Tok::kEnd) {
      return Fail(Peek().offset, "unexpected " + DescribeToken(Peek()) + "; expected an operator or end of expression");
    }
    return root;
  }

 private:
  // Counts recursion so that hostile input cannot overflow the stack.
  class Nesting {
   public:
    explicit Nesting(int* depth) : depth_(depth) { ++*depth_; }
    ~Nesting() { --*depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    bool too_deep() const { return *depth_ > kMaxNesting; }

   private:
    int* depth_;
  };

  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    prev_end_ = t.end;
    return t;
  }
  bool PeekKeyword(std::string_view word, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == Tok::kIdent && t.text == word;
  }

  Status Fail(size_t offset, std::string message) {
    *error_offset_ = offset;
    return Status::InvalidArgument(std::move(message));
  }
  Status TooDeep() { return Fail(Peek().offset, "expression is nested too deeply"); }

  Status Expect(Tok kind, std::string_view spelled) {
    if (Peek().kind != kind)
      return Fail(Peek().offset, "expected " + Str(spelled) + " but found " + DescribeToken(Peek()));
    Next();
    return Status::Ok();
  }

  NodeResult Make(NodeKind kind, Op op, size_t op_offset, std::vector<NodePtr> children) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->op = op;
    n->op_offset = op_offset;
    n->begin = children.empty() ? op_offset : std::min(op_offset, children.front()->begin);
    n->end = children.empty() ? prev_end_ : children.back()->end;
    int depth = 0;
    for (const NodePtr& c : children) depth = std::max(depth, c->depth);
    n->depth = depth + 1;
    if (n->depth > kMaxDepth) return Fail(op_offset, "expression is nested too deeply");
    n->children = std::move(children);
    return n;
  }
  NodeResult Make(NodeKind kind, Op op, size_t op_offset, NodePtr a, NodePtr b = nullptr, NodePtr c = nullptr) {
    std::vector<NodePtr> children;
    children.push_back(std::move(a));
    if (b) children.push_back(std::move(b));
    if (c) children.push_back(std::move(c));
    return Make(kind, op, op_offset, std::move(children));
  }
  NodePtr Literal(Value v, size_t begin) {
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kLiteral;
    n->type = TypeOf(v);
    n->literal = std::move(v);
    n->begin = begin;
    n->op_offset = begin;
    n->end = prev_end_;
    return n;
  }

  // --- type checks. Offsets: an operand that is wrong whatever the other side
  // is points at the operand; a mismatch between two operands points at the operator.

  Status CheckBool(const Node& operand, std::string_view op_text, std::string_view side) {
    if (MaybeBool(operand.type)) return Status::Ok();
    return Fail(operand.begin, "operator '" + Str(op_text) + "' expects bools but " + Str(side) + " is " +
                                   Str(Describe(operand.type)));
  }

  Status CheckArithmetic(Node& n, std::string_view op_text) {
    const StaticType l = n.children[0]->type, r = n.children[1]->type;
    if (n.op == Op::kAdd) {
      auto fits = [](StaticType t) { return MaybeNumber(t) || t == StaticType::kString; };
      if (!fits(l)) {
        return Fail(n.children[0]->begin,
                    "operator '+' expects numbers or strings but the left operand is " + Str(Describe(l)));
      }
      if (!fits(r)) {
        return Fail(n.children[1]->begin,
                    "operator '+' expects numbers or strings but the right operand is " + Str(Describe(r)));
      }
      if (Known(l) && Known(r) && (l == StaticType::kString) != (r == StaticType::kString)) {
        return Fail(n.op_offset, "operator '+' cannot add " + Str(Describe(l)) + " and " + Str(Describe(r)) +
                                     "; use concat() to build strings");
      }
      if (l == StaticType::kNull || r == StaticType::kNull) {
        n.type = StaticType::kNull;
      } else if (l == StaticType::kString || r == StaticType::kString) {
        n.type = StaticType::kString;
      } else if (l == StaticType::kAny && r == StaticType::kAny) {
        n.type = StaticType::kAny;
      } else {
        n.type = NumericResult(n.op, l, r);
      }
      return Status::Ok();
    }
    if (!MaybeNumber(l)) {
      return Fail(n.children[0]->begin,
                  "operator '" + Str(op_text) + "' expects numbers but the left operand is " + Str(Describe(l)));
    }
    if (!MaybeNumber(r)) {
      return Fail(n.children[1]->begin,
                  "operator '" + Str(op_text) + "' expects numbers but the right operand is " + Str(Describe(r)));
    }
    n.type = NumericResult(n.op, l, r);
    return Status::Ok();
  }

  Status CheckComparison(Node& n, std::string_view op_text) {
    const Node& left = *n.children[0];
    const Node& right = *n.children[1];
    const StaticType l = left.type, r = right.type;
    n.type = StaticType::kBool;
    switch (n.op) {
      case Op::kEq:
      case Op::kNe:
        if (Known(l) && Known(r) && l != r && !(IsNumeric(l) && IsNumeric(r))) {
          return Fail(n.op_offset, "operator '" + Str(op_text) + "' compares " + Str(Describe(l)) + " with " +
                                       Str(Describe(r)) + ", which are never equal");
        }
        return Status::Ok();
      case Op::kIn:
      case Op::kNotIn:
        if (!MaybeArray(r)) {
          return Fail(right.begin,
                      "operator '" + Str(op_text) + "' expects an array on the right but got " + Str(Describe(r)));
        }
        return Status::Ok();
      default: break;
    }
    if (!MaybeOrdered(l)) {
      return Fail(left.begin, "operator '" + Str(op_text) + "' expects numbers or strings but the left operand is " +
                                  Str(Describe(l)));
    }
    if (!MaybeOrdered(r)) {
      return Fail(right.begin, "operator '" + Str(op_text) + "' expects numbers or strings but the right operand is " +
                                   Str(Describe(r)));
    }
    if (Known(l) && Known(r) && (l == StaticType::kString) != (r == StaticType::kString)) {
      return Fail(n.op_offset,
                  "operator '" + Str(op_text) + "' cannot order " + Str(Describe(l)) + " and " + Str(Describe(r)));
    }
    return Status::Ok();
  }

  // --- grammar

  NodeResult ParseTernary() {
    Nesting nesting(&nesting_);
    if (nesting.too_deep()) return TooDeep();
    ASSIGN_OR_RETURN(NodePtr cond, ParseOr());
    if (Peek().kind != Tok::kQuestion) return cond;
    const size_t q = Next().offset;
    if (!MaybeBool(cond->type)) {
      return Fail(cond->begin, "the condition before '?' must be a bool but is " + Str(Describe(cond->type)));
    }
    ASSIGN_OR_RETURN(NodePtr yes, ParseTernary());
    RETURN_IF_ERROR(Expect(Tok::kColon, "':' after the '?' branch"));
    ASSIGN_OR_RETURN(NodePtr no, ParseTernary());
    const StaticType type = Unify(yes->type, no->type);
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kTernary, Op::kNone, q, std::move(cond), std::move(yes), std::move(no)));
    n->type = type;
    return n;
  }

  // and / or share the shape; `word` and `symbol` are the two spellings.
  NodeResult ParseLogic(NodeKind kind, std::string_view word, Tok symbol) {
    ASSIGN_OR_RETURN(NodePtr left,
                     kind == NodeKind::kOr ? ParseLogic(NodeKind::kAnd, "and", Tok::kAndAnd) : ParseNot());
    while (PeekKeyword(word) || Peek().kind == symbol) {
      const Token& op = Next();
      ASSIGN_OR_RETURN(NodePtr right,
                       kind == NodeKind::kOr ? ParseLogic(NodeKind::kAnd, "and", Tok::kAndAnd) : ParseNot());
      RETURN_IF_ERROR(CheckBool(*left, op.text, "the left operand"));
      RETURN_IF_ERROR(CheckBool(*right, op.text, "the right operand"));
      ASSIGN_OR_RETURN(left, Make(kind, Op::kNone, op.offset, std::move(left), std::move(right)));
      left->type = StaticType::kBool;
    }
    return left;
  }
  NodeResult ParseOr() { return ParseLogic(NodeKind::kOr, "or", Tok::kOrOr); }

  NodeResult ParseNot() {
    if (!PeekKeyword("not")) return ParseComparison();
    Nesting nesting(&nesting_);
    if (nesting.too_deep()) return TooDeep();
    const Token& op = Next();
    ASSIGN_OR_RETURN(NodePtr operand, ParseNot());
    return MakeNot(op, std::move(operand));
  }

  NodeResult MakeNot(const Token& op, NodePtr operand) {
    if (!MaybeBool(operand->type)) {
      return Fail(operand->begin,
                  "operator '" + Str(op.text) + "' expects a bool but got " + Str(Describe(operand->type)));
    }
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kUnary, Op::kNot, op.offset, std::move(operand)));
    n->type = StaticType::kBool;
    return n;
  }

  NodeResult ParseComparison() {
    ASSIGN_OR_RETURN(NodePtr left, ParseCoalesce());
    while (true) {
      const Token& t = Peek();
      Op op = Op::kNone;
      switch (t.kind) {
        case Tok::kEqEq: op = Op::kEq; break;
        case Tok::kNotEq: op = Op::kNe; break;
        case Tok::kLess: op = Op::kLt; break;
        case Tok::kLessEq: op = Op::kLe; break;
        case Tok::kGreater: op = Op::kGt; break;
        case Tok::kGreaterEq: op = Op::kGe; break;
        default:
          if (PeekKeyword("in")) {
            op = Op::kIn;
          } else if (PeekKeyword("not") && PeekKeyword("in", 1)) {
            op = Op::kNotIn;
            Next();
          } else {
            return left;
          }
      }
      Next();
      const std::string op_text = op == Op::kNotIn ? "not in" : Str(t.text);
      ASSIGN_OR_RETURN(NodePtr right, ParseCoalesce());
      ASSIGN_OR_RETURN(left, Make(NodeKind::kBinary, op, t.offset, std::move(left), std::move(right)));
      RETURN_IF_ERROR(CheckComparison(*left, op_text));
    }
  }

  NodeResult ParseCoalesce() {
    ASSIGN_OR_RETURN(NodePtr left, ParseAdditive());
    if (Peek().kind != Tok::kQuestionQuestion) return left;
    Nesting nesting(&nesting_);
    if (nesting.too_deep()) return TooDeep();
    const size_t at = Next().offset;
    ASSIGN_OR_RETURN(NodePtr right, ParseCoalesce());
    const StaticType type = Unify(left->type, right->type);
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kCoalesce, Op::kNone, at, std::move(left), std::move(right)));
    n->type = type;
    return n;
  }

  NodeResult ParseAdditive() {
    ASSIGN_OR_RETURN(NodePtr left, ParseMultiplicative());
    while (Peek().kind == Tok::kPlus || Peek().kind == Tok::kMinus) {
      const Token& op = Next();
      ASSIGN_OR_RETURN(NodePtr right, ParseMultiplicative());
      ASSIGN_OR_RETURN(left, Make(NodeKind::kBinary, op.kind == Tok::kPlus ? Op::kAdd : Op::kSub, op.offset,
                                  std::move(left), std::move(right)));
      RETURN_IF_ERROR(CheckArithmetic(*left, op.text));
    }
    return left;
  }

  NodeResult ParseMultiplicative() {
    ASSIGN_OR_RETURN(NodePtr left, ParseUnary());
    while (Peek().kind == Tok::kStar || Peek().kind == Tok::kSlash || Peek().kind == Tok::kPercent) {
      const Token& op = Next();
      const Op code = op.kind == Tok::kStar ? Op::kMul : op.kind == Tok::kSlash ? Op::kDiv : Op::kMod;
      ASSIGN_OR_RETURN(NodePtr right, ParseUnary());
      ASSIGN_OR_RETURN(left, Make(NodeKind::kBinary, code, op.offset, std::move(left), std::move(right)));
      RETURN_IF_ERROR(CheckArithmetic(*left, op.text));
    }
    return left;
  }

  NodeResult ParseUnary() {
    if (Peek().kind != Tok::kBang && Peek().kind != Tok::kMinus) return ParsePostfix();
    Nesting nesting(&nesting_);
    if (nesting.too_deep()) return TooDeep();
    if (Peek().kind == Tok::kBang) {
      const Token& op = Next();
      ASSIGN_OR_RETURN(NodePtr operand, ParseUnary());
      return MakeNot(op, std::move(operand));
    }
    const Token& op = Next();
    // Fold `-<number>` into a literal, which also makes INT64_MIN writable.
    if (Peek().kind == Tok::kInt) {
      const uint64_t v = Next().uint_value;
      const int64_t neg = v == (uint64_t{1} << 63) ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(v);
      return Literal(Value(neg), op.offset);
    }
    if (Peek().kind == Tok::kDouble) return Literal(Value(-Next().double_value), op.offset);
    ASSIGN_OR_RETURN(NodePtr operand, ParseUnary());
    const StaticType t = operand->type;
    if (!MaybeNumber(t)) {
      return Fail(operand->begin, "operator '-' expects a number but got " + Str(Describe(t)));
    }
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kUnary, Op::kNeg, op.offset, std::move(operand)));
    n->type = t == StaticType::kAny ? StaticType::kNumber : t;
    return n;
  }

  NodeResult ParsePostfix() {
    ASSIGN_OR_RETURN(NodePtr n, ParsePrimary());
    while (Peek().kind == Tok::kDot || Peek().kind == Tok::kLBracket) {
      const Token& at = Next();
      FieldPath::Segment seg;
      RETURN_IF_ERROR(at.kind == Tok::kDot ? ParseDotName(&seg.name) : ParseBracket(&seg));
      if (Known(n->type) && n->type != StaticType::kArray && n->type != StaticType::kObject) {
        const std::string what = seg.index >= 0 ? "element " + std::to_string(seg.index) : "field '" + seg.name + "'";
        return Fail(at.offset, "cannot look up " + what + " in " + Str(Describe(n->type)));
      }
      if (n->kind != NodeKind::kPath) {  // a computed array/object: `split(s, ',')[0]`
        const size_t begin = n->begin;
        ASSIGN_OR_RETURN(n, Make(NodeKind::kPath, Op::kNone, at.offset, std::move(n)));
        n->root = PathRoot::kExpr;
        n->begin = begin;
      }
      n->segments.push_back(std::move(seg));
      n->end = prev_end_;
      n->type = StaticType::kAny;
    }
    return n;
  }

  Status ParseDotName(std::string* name) {
    if (Peek().kind != Tok::kIdent) {
      return Fail(Peek().offset, "expected a field name after '.' but found " + DescribeToken(Peek()));
    }
    *name = Str(Next().text);
    return Status::Ok();
  }

  Status ParseBracket(FieldPath::Segment* seg) {
    const Token& t = Peek();
    if (t.kind == Tok::kInt && t.uint_value <= uint64_t{std::numeric_limits<int64_t>::max()}) {
      seg->index = static_cast<int64_t>(t.uint_value);
    } else if (t.kind == Tok::kString) {
      seg->name = t.str;
    } else {
      return Fail(t.offset, "expected an array index (an integer >= 0) or a quoted field name in '[ ]' but found " +
                                DescribeToken(t));
    }
    Next();
    return Expect(Tok::kRBracket, "']'");
  }

  NodeResult ParsePrimary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Tok::kInt:
        if (t.uint_value > uint64_t{std::numeric_limits<int64_t>::max()}) {
          return Fail(t.offset, "integer literal " + Str(t.text) + " is out of range for a 64-bit integer");
        }
        Next();
        return Literal(Value(static_cast<int64_t>(t.uint_value)), t.offset);
      case Tok::kDouble: Next(); return Literal(Value(t.double_value), t.offset);
      case Tok::kString: Next(); return Literal(Value(t.str), t.offset);
      case Tok::kLParen: {
        Next();
        ASSIGN_OR_RETURN(NodePtr inner, ParseTernary());
        RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
        inner->begin = t.offset;
        inner->end = prev_end_;
        return inner;
      }
      case Tok::kLBracket: return ParseArray();
      case Tok::kLBrace: return ParseObject();
      case Tok::kDollar: return ParseDollar();
      case Tok::kIdent: break;
      default: return Fail(t.offset, "expected an expression but found " + DescribeToken(t));
    }
    if (t.text == "true" || t.text == "false") {
      Next();
      return Literal(Value(t.text == "true"), t.offset);
    }
    if (t.text == "null") {
      Next();
      return Literal(Value(), t.offset);
    }
    if (t.text == "and" || t.text == "or" || t.text == "not" || t.text == "in") {
      return Fail(t.offset, "expected an expression but found " + DescribeToken(t));
    }
    if (Peek(1).kind == Tok::kLParen) return ParseCall();
    Next();
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kPath;
    n->root = PathRoot::kValue;
    n->segments.push_back(FieldPath::Segment{Str(t.text), -1});
    n->begin = n->op_offset = t.offset;
    n->end = t.end;
    return n;
  }

  NodeResult ParseCall() {
    const Token& name = Next();
    Next();  // '('
    if (FindFunction(name.text) == nullptr) {
      std::string message = "unknown function '" + Str(name.text) + "'";
      const std::string_view suggestion = SuggestFunction(name.text);
      if (!suggestion.empty()) message += "; did you mean '" + Str(suggestion) + "'?";
      return Fail(name.offset, std::move(message));
    }
    std::vector<NodePtr> args;
    while (Peek().kind != Tok::kRParen) {
      ASSIGN_OR_RETURN(NodePtr arg, ParseTernary());
      args.push_back(std::move(arg));
      if (Peek().kind == Tok::kComma) {
        Next();
        if (Peek().kind == Tok::kRParen) return Fail(Peek().offset, "expected an argument after ','");
        continue;
      }
      if (Peek().kind != Tok::kRParen) {
        return Fail(Peek().offset, "expected ',' or ')' after an argument of " + Str(name.text) + "() but found " +
                                       DescribeToken(Peek()));
      }
    }
    Next();  // ')'
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kCall, Op::kNone, name.offset, std::move(args)));
    n->begin = name.offset;
    n->end = prev_end_;
    n->name = Str(name.text);
    RETURN_IF_ERROR(CheckCall(*n, error_offset_));
    return n;
  }

  // `{name: expr, 'any key': expr}`: an object with fields in the order
  // written. Folded into a literal when every value is constant.
  NodeResult ParseObject() {
    const size_t open = Next().offset;
    std::vector<NodePtr> values;
    std::vector<std::string> keys;
    bool constant = true;
    while (Peek().kind != Tok::kRBrace) {
      const Token& key = Next();
      if (key.kind != Tok::kIdent && key.kind != Tok::kString) {
        return Fail(key.offset, "expected a field name in an object literal but found " + DescribeToken(key));
      }
      std::string name = key.kind == Tok::kString ? key.str : std::string(key.text);
      if (std::find(keys.begin(), keys.end(), name) != keys.end()) {
        return Fail(key.offset, "field '" + name + "' appears twice in an object literal");
      }
      RETURN_IF_ERROR(Expect(Tok::kColon, "':' after a field name"));
      ASSIGN_OR_RETURN(NodePtr value, ParseTernary());
      constant = constant && value->kind == NodeKind::kLiteral;
      keys.push_back(std::move(name));
      values.push_back(std::move(value));
      if (Peek().kind == Tok::kComma) {
        Next();
      } else if (Peek().kind != Tok::kRBrace) {
        return Fail(Peek().offset, "expected ',' or '}' in an object literal but found " + DescribeToken(Peek()));
      }
    }
    Next();  // '}'
    if (constant) {
      Value object = Value::MakeObject();
      for (size_t i = 0; i < keys.size(); ++i) object.Set(keys[i], std::move(values[i]->literal));
      return Literal(std::move(object), open);
    }
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kObject, Op::kNone, open, std::move(values)));
    n->keys = std::move(keys);
    n->begin = open;
    n->end = prev_end_;
    n->type = StaticType::kObject;
    return n;
  }

  NodeResult ParseArray() {
    const size_t open = Next().offset;
    std::vector<NodePtr> items;
    bool constant = true;
    while (Peek().kind != Tok::kRBracket) {
      ASSIGN_OR_RETURN(NodePtr item, ParseTernary());
      constant = constant && item->kind == NodeKind::kLiteral;
      items.push_back(std::move(item));
      if (Peek().kind == Tok::kComma) {
        Next();
      } else if (Peek().kind != Tok::kRBracket) {
        return Fail(Peek().offset, "expected ',' or ']' in an array literal but found " + DescribeToken(Peek()));
      }
    }
    Next();          // ']'
    if (constant) {  // folded once here, so `x in [1, 2]` reads a ready array
      Value::Array values;
      for (NodePtr& item : items) values.push_back(std::move(item->literal));
      NodePtr n = Literal(Value(std::move(values)), open);
      return n;
    }
    ASSIGN_OR_RETURN(NodePtr n, Make(NodeKind::kArray, Op::kNone, open, std::move(items)));
    n->begin = open;
    n->end = prev_end_;
    n->type = StaticType::kArray;
    return n;
  }

  NodeResult ParseDollar() {
    const Token& t = Next();
    const std::string_view name = t.text.substr(1);
    auto n = std::make_unique<Node>();
    n->kind = NodeKind::kPath;
    n->begin = n->op_offset = t.offset;
    if (name == "value" || name == "key") {
      n->root = name == "value" ? PathRoot::kValue : PathRoot::kKey;
    } else if (name == "timestamp" || name == "partition" || name == "offset") {
      n->root = name == "timestamp"   ? PathRoot::kTimestamp
                : name == "partition" ? PathRoot::kPartition
                                      : PathRoot::kOffset;
      n->type = StaticType::kInt;
    } else if (name == "topic") {
      n->root = PathRoot::kTopic;
      n->type = StaticType::kString;
    } else if (name == "headers") {
      n->root = PathRoot::kHeader;
      n->type = StaticType::kString;
      if (Peek().kind == Tok::kDot && Peek(1).kind == Tok::kIdent) {
        Next();
        n->name = Str(Next().text);
        // Header names often have dashes: `$headers.content-type` reads as one
        // name when nothing separates the parts.
        while (Peek().kind == Tok::kMinus && Peek().offset == prev_end_ && Peek(1).kind == Tok::kIdent &&
               Peek(1).offset == Peek().end) {
          Next();
          n->name += "-" + Str(Next().text);
        }
      } else if (Peek().kind == Tok::kLBracket && Peek(1).kind == Tok::kString && Peek(2).kind == Tok::kRBracket) {
        Next();
        n->name = Next().str;
        Next();
      } else {
        return Fail(Peek().offset,
                    "expected '.<name>' or ['<name>'] after $headers but found " + DescribeToken(Peek()));
      }
    } else {
      return Fail(t.offset, "unknown record field '" + Str(t.text) +
                                "'; expected $key, $value, $timestamp, $topic, $partition, $offset or $headers.<name>");
    }
    n->end = prev_end_;
    return n;
  }

  std::vector<Token> tokens_;
  size_t* error_offset_;
  size_t pos_ = 0;
  size_t prev_end_ = 0;
  int nesting_ = 0;
};

}  // namespace

Result<std::unique_ptr<Node>> Parse(std::string_view text, size_t* error_offset) {
  std::vector<Token> tokens;
  RETURN_IF_ERROR(Lex(text, &tokens, error_offset));
  return Parser(std::move(tokens), error_offset).Run();
}

}  // namespace streamapp::expr
