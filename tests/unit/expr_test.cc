#include "streamapp/expr.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "streamapp/record.h"
#include "streamapp/value.h"

// Counts heap allocations so the "evaluation does not allocate" promise is
// tested. Not under the sanitizers, which own operator new themselves.
#if !defined(__SANITIZE_ADDRESS__)
#define STREAMAPP_EXPR_COUNT_ALLOCS 1
// g++ 12 at -O3 mistakes this malloc/free pairing for a mismatch.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
thread_local long g_allocations = 0;
}  // namespace
void* operator new(std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace streamapp::expr {
namespace {

constexpr int64_t kTs = 1700000000000;  // 2023-11-14T22:13:20Z, a Tuesday

Record MakeRecord() {
  Record r;
  Value& v = r.value;
  v.Set("amount", 150);
  v.Set("price", 2.5);
  v.Set("quantity", 4);
  v.Set("name", "Widget");
  v.Set("country", "DE");
  v.Set("active", true);
  v.Set("discount", nullptr);
  v.Set("text", "  Hello World  ");
  v.Set("csv", "a,b,,c");
  v.Set("ts", kTs);
  v.Set("amount_str", "abc");
  v.Set("big", int64_t{9223372036854775807});
  v.Set("zero", 0);
  v.Set("neg", -7);
  Value user = Value::MakeObject();
  user.Set("id", "u1");
  user.Set("age", 30);
  user.Set("tags", Value::Array{"a", "b"});
  user.Set("weird key", 7);
  v.Set("user", user);
  Value item0 = Value::MakeObject();
  item0.Set("sku", "A1");
  item0.Set("qty", 2);
  Value item1 = Value::MakeObject();
  item1.Set("sku", "B2");
  item1.Set("qty", 3);
  v.Set("items", Value::Array{item0, item1});
  r.key.Set("id", 42);
  r.timestamp = Timestamp(kTs);
  r.headers = {{"trace", "t-1"}, {"trace", "t-2"}, {"content-type", "json"}};
  r.source.topic = "orders";
  r.source.partition = PartitionId(3);
  r.source.offset = Offset(99);
  return r;
}

const Record& TheRecord() {
  static const Record r = MakeRecord();
  return r;
}

// "int:3", "double:3.5", "string:\"x\"", or "error:<status>": type and value in one comparable string.
std::string Eval(std::string_view text, const Record& record = TheRecord()) {
  auto e = Expression::Compile(text);
  if (!e.ok()) return "compile error:" + e.status().ToString();
  auto v = e->Evaluate(record);
  if (!v.ok()) return "error:" + v.status().ToString();
  return std::string(TypeName(v->type())) + ":" + v->ToJson();
}

// The DataError of evaluating `text` (fails the test when there is none).
std::string RuntimeError(std::string_view text, const Record& record = TheRecord()) {
  auto e = Expression::Compile(text);
  if (!e.ok()) return "compile error:" + e.status().ToString();
  auto v = e->Evaluate(record);
  if (v.ok()) return "no error: " + v->ToJson();
  EXPECT_EQ(v.status().code(), StatusCode::kDataError) << text;
  return v.status().message();
}

struct CompileFailure {
  std::string message;  // without the " (at offset N)" suffix, which is checked here
  size_t offset = 0;
};

CompileFailure CompileError(std::string_view text) {
  size_t offset = 12345;
  auto r = Expression::Compile(text, &offset);
  if (r.ok()) {
    ADD_FAILURE() << "compiled but should not: " << text;
    return {};
  }
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  std::string m = r.status().message();
  const std::string suffix = " (at offset " + std::to_string(offset) + ")";
  EXPECT_TRUE(m.ends_with(suffix)) << m;
  if (m.ends_with(suffix)) m.resize(m.size() - suffix.size());
  return {m, offset};
}

#define EXPECT_COMPILE_ERROR(text, msg, off)        \
  do {                                              \
    SCOPED_TRACE(text);                             \
    CompileFailure f_ = CompileError(text);         \
    EXPECT_EQ(f_.message, msg);                     \
    EXPECT_EQ(f_.offset, static_cast<size_t>(off)); \
  } while (0)

TEST(ExprLiterals, NumbersStringsBoolsNullArrays) {
  EXPECT_EQ(Eval("42"), "int:42");
  EXPECT_EQ(Eval("-42"), "int:-42");
  EXPECT_EQ(Eval("1.5"), "double:1.5");
  EXPECT_EQ(Eval("1e3"), "double:1000");
  EXPECT_EQ(Eval("2.5E-1"), "double:0.25");
  EXPECT_EQ(Eval("-9223372036854775808"), "int:-9223372036854775808");
  EXPECT_EQ(Eval("9223372036854775807"), "int:9223372036854775807");
  EXPECT_EQ(Eval("'single'"), "string:\"single\"");
  EXPECT_EQ(Eval("\"double\""), "string:\"double\"");
  EXPECT_EQ(Eval(R"('it\'s' + "\"q\"")"), R"(string:"it's\"q\"")");
  EXPECT_EQ(Eval(R"('a\tb\nc\\')"), R"(string:"a\tb\nc\\")");
  EXPECT_EQ(Eval(R"('\u00e9')"), "string:\"\xC3\xA9\"");
  EXPECT_EQ(Eval("true"), "bool:true");
  EXPECT_EQ(Eval("false"), "bool:false");
  EXPECT_EQ(Eval("null"), "null:null");
  EXPECT_EQ(Eval("[1, 2, 'x']"), "array:[1,2,\"x\"]");
  EXPECT_EQ(Eval("[]"), "array:[]");
  EXPECT_EQ(Eval("[1, [2, 3], null,]"), "array:[1,[2,3],null]");
  EXPECT_EQ(Eval("[amount, name, 1 + 1]"), "array:[150,\"Widget\",2]");
}

TEST(ExprLiterals, Objects) {
  // Constant: folded at compile time; fields keep the order written.
  EXPECT_EQ(Eval("{b: 1, a: 'x', 'odd key': [1, 2], nested: {z: null}}"),
            R"(object:{"b":1,"a":"x","odd key":[1,2],"nested":{"z":null}})");
  EXPECT_EQ(Eval("{}"), "object:{}");
  // Computed from the record, and usable where any value is.
  EXPECT_EQ(Eval("{id: user.id, next_age: user.age + 1, first: items[0].sku}"),
            R"(object:{"id":"u1","next_age":31,"first":"A1"})");
  EXPECT_EQ(Eval("{total: items[0].qty + items[1].qty, user: user}.total"), "int:5");
  EXPECT_EQ(Eval("coalesce(discount, {none: true})"), R"(object:{"none":true})");
  EXPECT_EQ(Eval("if(active, {state: 'on'}, {state: 'off'})"), R"(object:{"state":"on"})");
  EXPECT_EQ(RuntimeError("{a: 1 / zero}"), "'1 / zero': division by zero (in '{a: 1 / zero}')");
  EXPECT_COMPILE_ERROR("{a: 1, a: 2}", "field 'a' appears twice in an object literal", 7);
  EXPECT_COMPILE_ERROR("{1: 2}", "expected a field name in an object literal but found '1'", 1);
  EXPECT_COMPILE_ERROR("{a 1}", "expected ':' after a field name but found '1'", 3);
  EXPECT_COMPILE_ERROR("{a: 1", "expected ',' or '}' in an object literal but found end of expression", 5);
}

TEST(ExprPrecedence, OperatorsBindAsDocumented) {
  EXPECT_EQ(Eval("1 + 2 * 3"), "int:7");
  EXPECT_EQ(Eval("(1 + 2) * 3"), "int:9");
  EXPECT_EQ(Eval("10 - 4 - 3"), "int:3");
  EXPECT_EQ(Eval("2 * 3 % 4"), "int:2");
  EXPECT_EQ(Eval("-2 * 3"), "int:-6");
  EXPECT_EQ(Eval("- (2 + 3)"), "int:-5");
  EXPECT_EQ(Eval("--2"), "int:2");
  EXPECT_EQ(Eval("1 + 2 > 2 and 3 < 4"), "bool:true");
  EXPECT_EQ(Eval("true or false and false"), "bool:true");
  EXPECT_EQ(Eval("(true or false) and false"), "bool:false");
  // `not` is below comparisons (SQL/Python), `!` binds tightly (C).
  EXPECT_EQ(Eval("not 1 == 2"), "bool:true");
  EXPECT_EQ(Eval("!true == false"), "bool:true");
  EXPECT_EQ(Eval("not not true"), "bool:true");
  EXPECT_EQ(Eval("1 < 2 == true"), "bool:true");
  // Ternary is lowest and right-associative.
  EXPECT_EQ(Eval("false ? 1 : true ? 2 : 3"), "int:2");
  EXPECT_EQ(Eval("amount > 100 ? 'big' : 'small'"), "string:\"big\"");
  // `??` sits between comparisons and + -, so `a ?? 0 > 5` means `(a ?? 0) > 5`.
  EXPECT_EQ(Eval("discount ?? 0 + 1"), "int:1");
  EXPECT_EQ(Eval("discount ?? 5 > 3"), "bool:true");
  EXPECT_EQ(Eval("discount ?? missing ?? 'x'"), "string:\"x\"");
  EXPECT_EQ(Eval("true && false || true"), "bool:true");
  EXPECT_EQ(Eval("amount in [150] and true"), "bool:true");
}

TEST(ExprPaths, FieldsNestedArraysAndMissing) {
  EXPECT_EQ(Eval("amount"), "int:150");
  EXPECT_EQ(Eval("user.id"), "string:\"u1\"");
  EXPECT_EQ(Eval("user.tags[1]"), "string:\"b\"");
  EXPECT_EQ(Eval("items[1].sku"), "string:\"B2\"");
  EXPECT_EQ(Eval("items[0]['qty']"), "int:2");
  EXPECT_EQ(Eval("user['weird key']"), "int:7");
  EXPECT_EQ(Eval("user.tags"), "array:[\"a\",\"b\"]");
  EXPECT_EQ(Eval("$value.amount"), "int:150");
  EXPECT_EQ(Eval("$value['name']"), "string:\"Widget\"");
  // Missing is null, never an error.
  EXPECT_EQ(Eval("missing"), "null:null");
  EXPECT_EQ(Eval("missing.deep[3].x"), "null:null");
  EXPECT_EQ(Eval("items[5].sku"), "null:null");
  EXPECT_EQ(Eval("user.id.x"), "null:null");
  EXPECT_EQ(Eval("amount[0]"), "null:null");
  // Keywords are fine as field names after '.'.
  EXPECT_EQ(Eval("$value.in"), "null:null");
  // Postfix on computed values.
  EXPECT_EQ(Eval("split(csv, ',')[1]"), "string:\"b\"");
  EXPECT_EQ(Eval("(user).tags[0]"), "string:\"a\"");
  EXPECT_EQ(Eval("[10, 20][1]"), "int:20");
  EXPECT_EQ(Eval("split(csv, ',')[9]"), "null:null");
}

TEST(ExprPaths, RecordFields) {
  EXPECT_EQ(Eval("$key"), "object:{\"id\":42}");
  EXPECT_EQ(Eval("$key.id"), "int:42");
  EXPECT_EQ(Eval("$timestamp"), "int:1700000000000");
  EXPECT_EQ(Eval("$topic"), "string:\"orders\"");
  EXPECT_EQ(Eval("$partition"), "int:3");
  EXPECT_EQ(Eval("$offset"), "int:99");
  EXPECT_EQ(Eval("$headers.trace"), "string:\"t-2\"");  // the last of repeated headers
  EXPECT_EQ(Eval("$headers['content-type']"), "string:\"json\"");
  EXPECT_EQ(Eval("$headers.content-type"), "string:\"json\"");
  EXPECT_EQ(Eval("$headers.content-type == 'json'"), "bool:true");
  EXPECT_EQ(Eval("$headers.missing"), "null:null");
  EXPECT_EQ(Eval("$value.user.age"), "int:30");

  Record empty;  // nothing known: all null
  EXPECT_EQ(Eval("$timestamp", empty), "null:null");
  EXPECT_EQ(Eval("$topic", empty), "null:null");
  EXPECT_EQ(Eval("$partition", empty), "null:null");
  EXPECT_EQ(Eval("$offset", empty), "null:null");
  EXPECT_EQ(Eval("$key.id", empty), "null:null");
  EXPECT_EQ(Eval("$value", empty), "null:null");

  Record scalar;
  scalar.key = Value("k1");
  scalar.value = Value(5);
  EXPECT_EQ(Eval("$key", scalar), "string:\"k1\"");
  EXPECT_EQ(Eval("$value * 2", scalar), "int:10");
}

TEST(ExprArithmetic, IntegersStayIntegers) {
  EXPECT_EQ(Eval("7 * 6"), "int:42");
  EXPECT_EQ(Eval("amount + 1"), "int:151");
  EXPECT_EQ(Eval("amount - neg"), "int:157");
  EXPECT_EQ(Eval("7 % 3"), "int:1");
  EXPECT_EQ(Eval("-7 % 3"), "int:-1");
  EXPECT_EQ(Eval("7.5 % 2"), "double:1.5");
  EXPECT_EQ(Eval("1 + 2.5"), "double:3.5");
  EXPECT_EQ(Eval("price * quantity"), "double:10");
  EXPECT_EQ(Eval("-price"), "double:-2.5");
}

TEST(ExprArithmetic, DivisionIsExactIntOrDouble) {
  EXPECT_EQ(Eval("6 / 3"), "int:2");
  EXPECT_EQ(Eval("7 / 2"), "double:3.5");
  EXPECT_EQ(Eval("-7 / 2"), "double:-3.5");
  EXPECT_EQ(Eval("-9 / 3"), "int:-3");
  EXPECT_EQ(Eval("7.0 / 2"), "double:3.5");
  EXPECT_EQ(Eval("amount / 4"), "double:37.5");
}

TEST(ExprArithmetic, DivisionByZeroAndOverflowAreDataErrors) {
  EXPECT_EQ(RuntimeError("1 / 0"), "'1 / 0': division by zero");
  EXPECT_EQ(RuntimeError("amount % zero > 1"), "'amount % zero': division by zero (in 'amount % zero > 1')");
  EXPECT_EQ(RuntimeError("1.5 / 0"), "'1.5 / 0': division by zero");
  EXPECT_EQ(RuntimeError("1.5 % 0.0"), "'1.5 % 0.0': division by zero");
  EXPECT_EQ(RuntimeError("big + 1"), "'big + 1': integer overflow in '+'");
  EXPECT_EQ(RuntimeError("big * 2"), "'big * 2': integer overflow in '*'");
  EXPECT_EQ(RuntimeError("-big - 2"), "'-big - 2': integer overflow in '-'");
  EXPECT_EQ(RuntimeError("-9223372036854775808 / -1"), "'-9223372036854775808 / -1': integer overflow in '/'");
  EXPECT_EQ(RuntimeError("-(-9223372036854775808)"), "'-(-9223372036854775808)': integer overflow in '-'");
  EXPECT_EQ(Eval("-9223372036854775808 % -1"), "int:0");
  EXPECT_EQ(Eval("big - 1 + 1"), "int:9223372036854775807");
}

TEST(ExprArithmetic, StringsConcatenateAndNullPropagates) {
  EXPECT_EQ(Eval("'a' + 'b'"), "string:\"ab\"");
  EXPECT_EQ(Eval("name + '!' + user.id"), "string:\"Widget!u1\"");
  EXPECT_EQ(Eval("discount + 1"), "null:null");
  EXPECT_EQ(Eval("1 * missing"), "null:null");
  EXPECT_EQ(Eval("-discount"), "null:null");
  EXPECT_EQ(Eval("name + missing"), "null:null");
}

TEST(ExprComparison, NumbersStringsNull) {
  EXPECT_EQ(Eval("1 < 2.5"), "bool:true");
  EXPECT_EQ(Eval("2 == 2.0"), "bool:true");
  EXPECT_EQ(Eval("3 != 3"), "bool:false");
  EXPECT_EQ(Eval("amount >= 150"), "bool:true");
  EXPECT_EQ(Eval("amount > 150"), "bool:false");
  EXPECT_EQ(Eval("price <= 2.5"), "bool:true");
  EXPECT_EQ(Eval("'abc' < 'abd'"), "bool:true");
  EXPECT_EQ(Eval("'b' > 'abc'"), "bool:true");
  EXPECT_EQ(Eval("name == 'Widget'"), "bool:true");
  EXPECT_EQ(Eval("name != 'widget'"), "bool:true");
  EXPECT_EQ(Eval("active == true"), "bool:true");
  EXPECT_EQ(Eval("user.tags == ['a', 'b']"), "bool:true");
  EXPECT_EQ(Eval("items[0] == items[1]"), "bool:false");
  // null: == and != work, ordering is false.
  EXPECT_EQ(Eval("null == null"), "bool:true");
  EXPECT_EQ(Eval("discount == null"), "bool:true");
  EXPECT_EQ(Eval("missing != null"), "bool:false");
  EXPECT_EQ(Eval("amount == null"), "bool:false");
  EXPECT_EQ(Eval("amount > null"), "bool:false");
  EXPECT_EQ(Eval("discount < 5"), "bool:false");
  EXPECT_EQ(Eval("discount >= 5"), "bool:false");
  // Different types at run time are unequal, not an error.
  EXPECT_EQ(Eval("amount_str == amount"), "bool:false");
}

TEST(ExprIn, ArrayLiteralsAndArrayValues) {
  EXPECT_EQ(Eval("country in ['DE', 'FR']"), "bool:true");
  EXPECT_EQ(Eval("country in ['US']"), "bool:false");
  EXPECT_EQ(Eval("country not in ['US']"), "bool:true");
  EXPECT_EQ(Eval("'a' in user.tags"), "bool:true");
  EXPECT_EQ(Eval("'x' in user.tags"), "bool:false");
  EXPECT_EQ(Eval("'x' not in user.tags"), "bool:true");
  EXPECT_EQ(Eval("amount in [1, 150.0]"), "bool:true");
  EXPECT_EQ(Eval("lower(country) in [name, 'de']"), "bool:true");  // computed elements
  EXPECT_EQ(Eval("discount in [null, 1]"), "bool:true");
  EXPECT_EQ(Eval("'b' in split(csv, ',')"), "bool:true");
  EXPECT_EQ(Eval("amount in missing"), "null:null");
  EXPECT_EQ(RuntimeError("amount in name"),
            "'amount in name': operator 'in' expects an array on the right but got a string");
}

TEST(ExprLogic, NullIsFalseAndShortCircuit) {
  EXPECT_EQ(Eval("discount and true"), "bool:false");
  EXPECT_EQ(Eval("discount or true"), "bool:true");
  EXPECT_EQ(Eval("true and discount"), "bool:false");
  EXPECT_EQ(Eval("not discount"), "bool:true");
  EXPECT_EQ(Eval("false and (1/0 > 1)"), "bool:false");
  EXPECT_EQ(Eval("true or (1/0 > 1)"), "bool:true");
  EXPECT_EQ(Eval("false && missing.x / 0 > 1"), "bool:false");
  EXPECT_EQ(RuntimeError("true and (1/0 > 1)"), "'1/0': division by zero (in 'true and (1/0 > 1)')");
  EXPECT_EQ(Eval("false ? 1/0 : 2"), "int:2");
  EXPECT_EQ(Eval("discount ? 1 : 2"), "int:2");
  EXPECT_EQ(Eval("amount ?? 1/0"), "int:150");
  EXPECT_EQ(Eval("if(true, 1, 1/0)"), "int:1");
  EXPECT_EQ(Eval("coalesce(amount, 1/0)"), "int:150");
  EXPECT_EQ(RuntimeError("amount and true"),
            "'amount and true': the left operand of 'and' must be a bool but is an int");
}

TEST(ExprTest, PredicatesGiveBool) {
  const Record& r = TheRecord();
  auto check = [&](std::string_view text) -> Result<bool> {
    auto e = Expression::Compile(text);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e->Test(r);
  };
  EXPECT_TRUE(*check("amount > 100"));
  EXPECT_FALSE(*check("amount > 1000"));
  EXPECT_FALSE(*check("discount"));  // null is false
  EXPECT_FALSE(*check("missing > 3"));
  EXPECT_TRUE(*check("active"));
  Result<bool> bad = check("amount");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataError);
  EXPECT_EQ(bad.status().message(), "'amount': expected true or false but got an int");
  Result<bool> mismatch = check("amount_str * 2 > 5");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), StatusCode::kDataError);
}

TEST(ExprStringFunctions, All) {
  EXPECT_EQ(Eval("lower(name)"), "string:\"widget\"");
  EXPECT_EQ(Eval("upper(name)"), "string:\"WIDGET\"");
  EXPECT_EQ(Eval("trim(text)"), "string:\"Hello World\"");
  EXPECT_EQ(Eval("trim('   ')"), "string:\"\"");
  EXPECT_EQ(Eval("length(name)"), "int:6");
  EXPECT_EQ(Eval("length(user.tags)"), "int:2");
  EXPECT_EQ(Eval("substr(name, 1, 3)"), "string:\"idg\"");
  EXPECT_EQ(Eval("substr(name, 2)"), "string:\"dget\"");
  EXPECT_EQ(Eval("substr(name, -3)"), "string:\"get\"");
  EXPECT_EQ(Eval("substr(name, -30, 2)"), "string:\"Wi\"");
  EXPECT_EQ(Eval("substr(name, 10)"), "string:\"\"");
  EXPECT_EQ(Eval("substr(name, 2, 100)"), "string:\"dget\"");
  EXPECT_EQ(Eval("substr(name, 2, -1)"), "string:\"\"");
  EXPECT_EQ(Eval("concat('a', 1, null, true, 2.5, user.tags)"), "string:\"a1true2.5[\\\"a\\\",\\\"b\\\"]\"");
  EXPECT_EQ(Eval("concat(discount)"), "string:\"\"");
  EXPECT_EQ(Eval("contains(name, 'dge')"), "bool:true");
  EXPECT_EQ(Eval("contains(name, 'x')"), "bool:false");
  EXPECT_EQ(Eval("starts_with(name, 'Wid')"), "bool:true");
  EXPECT_EQ(Eval("starts_with(name, 'get')"), "bool:false");
  EXPECT_EQ(Eval("ends_with(name, 'get')"), "bool:true");
  EXPECT_EQ(Eval("replace('a-b-c', '-', '+=')"), "string:\"a+=b+=c\"");
  EXPECT_EQ(Eval("replace('aaa', 'aa', 'b')"), "string:\"ba\"");
  EXPECT_EQ(Eval("replace('abc', '', 'x')"), "string:\"abc\"");
  EXPECT_EQ(Eval("split(csv, ',')"), "array:[\"a\",\"b\",\"\",\"c\"]");
  EXPECT_EQ(Eval("split('a::b', '::')"), "array:[\"a\",\"b\"]");
  EXPECT_EQ(Eval("split('', ',')"), "array:[\"\"]");
  EXPECT_EQ(RuntimeError("split(csv, '')"), "'split(csv, '')': function 'split' needs a non-empty separator");
  EXPECT_EQ(Eval("to_string(1.5)"), "string:\"1.5\"");
  EXPECT_EQ(Eval("string(42)"), "string:\"42\"");
  EXPECT_EQ(Eval("to_string(active)"), "string:\"true\"");
  EXPECT_EQ(Eval("to_string(name)"), "string:\"Widget\"");
  EXPECT_EQ(Eval("to_string(user.tags)"), "string:\"[\\\"a\\\",\\\"b\\\"]\"");
  EXPECT_EQ(Eval("to_string(discount)"), "null:null");
  EXPECT_EQ(Eval("regex_match(name, 'W.*t')"), "bool:true");
  EXPECT_EQ(Eval("regex_match(name, 'idg')"), "bool:false");  // the whole string must match
  EXPECT_EQ(Eval("regex_match(user.id, '[a-z][0-9]+')"), "bool:true");
  EXPECT_EQ(Eval("regex_match(name, concat('W', '.*'))"), "bool:true");  // pattern from data
  EXPECT_EQ(RuntimeError("regex_match(name, concat('(', ''))")
                .rfind("'regex_match(name, concat('(', ''))': invalid "
                       "regular expression '(':",
                       0),
            0u);
  // Null in, null out.
  EXPECT_EQ(Eval("lower(discount)"), "null:null");
  EXPECT_EQ(Eval("length(missing)"), "null:null");
  EXPECT_EQ(Eval("substr(name, missing)"), "null:null");
  // Data of the wrong type.
  EXPECT_EQ(RuntimeError("lower(amount)"),
            "'lower(amount)': function 'lower' expects a string as argument 1 but got an int");
  EXPECT_EQ(RuntimeError("length(amount)"),
            "'length(amount)': function 'length' expects a string or an array as argument 1 but got an int");
  EXPECT_EQ(RuntimeError("substr(name, price)"),
            "'substr(name, price)': function 'substr' expects an integer as argument 2 but got a double");
}

TEST(ExprMathFunctions, All) {
  EXPECT_EQ(Eval("abs(-5)"), "int:5");
  EXPECT_EQ(Eval("abs(neg)"), "int:7");
  EXPECT_EQ(Eval("abs(-2.5)"), "double:2.5");
  EXPECT_EQ(RuntimeError("abs(-9223372036854775808)"), "'abs(-9223372036854775808)': integer overflow in abs()");
  EXPECT_EQ(Eval("round(2.5)"), "int:3");
  EXPECT_EQ(Eval("round(-2.5)"), "int:-3");
  EXPECT_EQ(Eval("round(2.4)"), "int:2");
  EXPECT_EQ(Eval("round(7)"), "int:7");
  EXPECT_EQ(Eval("round(3.14159, 2)"), "double:3.14");
  EXPECT_EQ(Eval("round(1234, -2)"), "double:1200");
  EXPECT_EQ(Eval("floor(2.7)"), "int:2");
  EXPECT_EQ(Eval("floor(-2.1)"), "int:-3");
  EXPECT_EQ(Eval("ceil(2.1)"), "int:3");
  EXPECT_EQ(Eval("ceil(-2.1)"), "int:-2");
  EXPECT_EQ(RuntimeError("floor(1e300)"), "'floor(1e300)': function 'floor': result is out of the integer range");
  EXPECT_EQ(Eval("sqrt(16)"), "double:4");
  EXPECT_EQ(RuntimeError("sqrt(-1)"), "'sqrt(-1)': function 'sqrt' needs a number >= 0");
  EXPECT_EQ(Eval("pow(2, 10)"), "double:1024");
  EXPECT_EQ(Eval("pow(price, 2)"), "double:6.25");
  EXPECT_EQ(Eval("log(1)"), "double:0");
  EXPECT_EQ(Eval("round(log(exp(2)), 6)"), "double:2");
  EXPECT_EQ(Eval("exp(0)"), "double:1");
  EXPECT_EQ(RuntimeError("log(0)"), "'log(0)': function 'log' needs a number > 0");
  EXPECT_EQ(Eval("min(3, 1.5, 2)"), "double:1.5");
  EXPECT_EQ(Eval("max(1, 5, 3)"), "int:5");
  EXPECT_EQ(Eval("max(discount, 2)"), "int:2");
  EXPECT_EQ(Eval("min(discount, missing)"), "null:null");
  EXPECT_EQ(Eval("max(amount, price, quantity)"), "int:150");
  EXPECT_EQ(RuntimeError("max(1, name)"),
            "'max(1, name)': function 'max' expects a number as argument 2 but got a string");
  EXPECT_EQ(Eval("int('42')"), "int:42");
  EXPECT_EQ(Eval("int(' 7 ')"), "int:7");
  EXPECT_EQ(Eval("int('-3.9')"), "int:-3");
  EXPECT_EQ(Eval("int(3.9)"), "int:3");
  EXPECT_EQ(Eval("int(-3.9)"), "int:-3");
  EXPECT_EQ(Eval("int(true)"), "int:1");
  EXPECT_EQ(Eval("int(amount)"), "int:150");
  EXPECT_EQ(RuntimeError("int(amount_str)"), "'int(amount_str)': function 'int' cannot convert 'abc' to an integer");
  EXPECT_EQ(Eval("double('2.5')"), "double:2.5");
  EXPECT_EQ(Eval("double(3)"), "double:3");
  EXPECT_EQ(Eval("double(3) / 2"), "double:1.5");
  EXPECT_EQ(RuntimeError("double('x1')"), "'double('x1')': function 'double' cannot convert 'x1' to a number");
}

TEST(ExprTimeFunctions, FixedTimestamps) {
  EXPECT_EQ(Eval("hour($timestamp)"), "int:22");
  EXPECT_EQ(Eval("minute($timestamp)"), "int:13");
  EXPECT_EQ(Eval("day_of_week(ts)"), "int:2");                 // Tuesday
  EXPECT_EQ(Eval("day_of_week(ts + 5 * 86400000)"), "int:7");  // Sunday
  EXPECT_EQ(Eval("day_of_week(0)"), "int:4");                  // 1970-01-01 was a Thursday
  EXPECT_EQ(Eval("date(ts)"), "string:\"2023-11-14\"");
  EXPECT_EQ(Eval("date(-86400000)"), "string:\"1969-12-31\"");
  EXPECT_EQ(Eval("hour(-1)"), "int:23");
  EXPECT_EQ(Eval("format_time(ts, '%Y-%m-%dT%H:%M:%SZ')"), "string:\"2023-11-14T22:13:20Z\"");
  EXPECT_EQ(Eval("format_time(1700000000123, '%F %T.%f %a %A %b %B %j %y %u %w %z %Z %% %I%p %e %s')"),
            "string:\"2023-11-14 22:13:20.123 Tue Tuesday Nov November 318 23 2 2 +0000 UTC % 10PM 14 1700000000\"");
  EXPECT_EQ(Eval("parse_time('2023-11-14T22:13:20Z')"), "int:1700000000000");
  EXPECT_EQ(Eval("parse_time('2023-11-14T23:13:20.5+01:00')"), "int:1700000000500");
  EXPECT_EQ(Eval("parse_time('2023-11-14T20:13:20.123456-0200')"), "int:1700000000123");
  EXPECT_EQ(Eval("parse_time('2023-11-14 22:13:20')"), "int:1700000000000");  // no zone: UTC
  EXPECT_EQ(Eval("parse_time('2023-11-14')"), "int:1699920000000");
  EXPECT_EQ(Eval("parse_time('1969-12-31T23:59:59Z')"), "int:-1000");
  EXPECT_EQ(Eval("date(parse_time('2024-02-29T00:00:00Z'))"), "string:\"2024-02-29\"");
  EXPECT_EQ(Eval("parse_time(format_time(ts, '%Y-%m-%dT%H:%M:%SZ')) == ts"), "bool:true");
  EXPECT_EQ(RuntimeError("parse_time('2023-02-29')"),
            "'parse_time('2023-02-29')': expected an ISO 8601 time like 2024-01-02T03:04:05Z but got '2023-02-29'");
  EXPECT_EQ(RuntimeError("parse_time(name)"),
            "'parse_time(name)': expected an ISO 8601 time like 2024-01-02T03:04:05Z but got 'Widget'");
  EXPECT_EQ(RuntimeError("parse_time('2023-11-14T22:13:20Zjunk')"),
            "'parse_time('2023-11-14T22:13:20Zjunk')': expected an ISO 8601 time like 2024-01-02T03:04:05Z but got "
            "'2023-11-14T22:13:20Zjunk'");
  EXPECT_EQ(Eval("parse_time('2023-11-14T25:00:00Z')").rfind("error:DataError:", 0), 0u);
  EXPECT_EQ(Eval("parse_time('2023-13-01')").rfind("error:DataError:", 0), 0u);
  EXPECT_EQ(Eval("window_start(1700000000123, 60000)"), "int:1699999980000");
  EXPECT_EQ(Eval("window_start(ts, 3600000)"), "int:1699999200000");
  EXPECT_EQ(Eval("window_start(-1, 1000)"), "int:-1000");
  EXPECT_EQ(RuntimeError("window_start(ts, 0)"),
            "'window_start(ts, 0)': function 'window_start' needs a window size > 0");
  EXPECT_EQ(RuntimeError("hour(name)"),
            "'hour(name)': function 'hour' expects an integer as argument 1 but got a string");
  EXPECT_EQ(Eval("hour(discount)"), "null:null");

  const int64_t before =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto e = Expression::Compile("now()");
  ASSERT_TRUE(e.ok());
  auto v = e->Evaluate(TheRecord());
  const int64_t after =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->is_int());
  EXPECT_GE(v->as_int(), before);
  EXPECT_LE(v->as_int(), after);
}

TEST(ExprMiscFunctions, All) {
  EXPECT_EQ(Eval("if(amount > 100, 'big', 'small')"), "string:\"big\"");
  EXPECT_EQ(Eval("if(discount, 'yes', 'no')"), "string:\"no\"");
  EXPECT_EQ(Eval("is_null(discount)"), "bool:true");
  EXPECT_EQ(Eval("is_null(missing.x)"), "bool:true");
  EXPECT_EQ(Eval("is_null(amount)"), "bool:false");
  EXPECT_EQ(Eval("coalesce(discount, missing, 3, 4)"), "int:3");
  EXPECT_EQ(Eval("coalesce(discount)"), "null:null");
  EXPECT_EQ(Eval("coalesce(name, 'x')"), "string:\"Widget\"");
  EXPECT_EQ(Eval("type_of(amount)"), "string:\"int\"");
  EXPECT_EQ(Eval("type_of(price)"), "string:\"double\"");
  EXPECT_EQ(Eval("type_of(name)"), "string:\"string\"");
  EXPECT_EQ(Eval("type_of(active)"), "string:\"bool\"");
  EXPECT_EQ(Eval("type_of(user)"), "string:\"object\"");
  EXPECT_EQ(Eval("type_of(user.tags)"), "string:\"array\"");
  EXPECT_EQ(Eval("type_of(discount)"), "string:\"null\"");
  EXPECT_EQ(Eval("type_of(7 / 2)"), "string:\"double\"");
  EXPECT_EQ(RuntimeError("if(amount, 1, 2)"), "'if(amount, 1, 2)': the condition of if() must be a bool but is an int");
  EXPECT_EQ(Eval("required(amount) * 2"), "int:" + std::to_string(2 * 150));
  EXPECT_EQ(Eval("required(name)"), "string:\"Widget\"");
  EXPECT_EQ(RuntimeError("required(missing.x)"), "'required(missing.x)': a required value is missing");
  EXPECT_EQ(RuntimeError("required(discount) + 1"),
            "'required(discount)': a required value is missing (in 'required(discount) + 1')");
}

TEST(ExprStaticTypes, KnownWhereTheTextDecides) {
  auto type = [](std::string_view text) {
    auto e = Expression::Compile(text);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
    return e.ok() ? e->static_type() : StaticType::kAny;
  };
  EXPECT_EQ(type("amount > 1"), StaticType::kBool);
  EXPECT_EQ(type("1 + 2"), StaticType::kInt);
  EXPECT_EQ(type("7 / 2"), StaticType::kNumber);
  EXPECT_EQ(type("1.5 * 2"), StaticType::kDouble);
  EXPECT_EQ(type("amount * 2"), StaticType::kNumber);
  EXPECT_EQ(type("amount"), StaticType::kAny);
  EXPECT_EQ(type("amount + other"), StaticType::kAny);
  EXPECT_EQ(type("'a' + name"), StaticType::kString);
  EXPECT_EQ(type("lower(name)"), StaticType::kString);
  EXPECT_EQ(type("$timestamp"), StaticType::kInt);
  EXPECT_EQ(type("$topic"), StaticType::kString);
  EXPECT_EQ(type("$headers.x"), StaticType::kString);
  EXPECT_EQ(type("split(csv, ',')"), StaticType::kArray);
  EXPECT_EQ(type("split(csv, ',')[0]"), StaticType::kAny);
  EXPECT_EQ(type("if(active, 1, 2.5)"), StaticType::kNumber);
  EXPECT_EQ(type("coalesce(null, 'x')"), StaticType::kString);
  EXPECT_EQ(type("discount ?? 0"), StaticType::kAny);
  EXPECT_EQ(type("round(price)"), StaticType::kInt);
  EXPECT_EQ(type("round(price, 1)"), StaticType::kDouble);
  EXPECT_EQ(type("abs(-1)"), StaticType::kInt);
  EXPECT_EQ(type("[1, 2]"), StaticType::kArray);
  EXPECT_EQ(type("{a: 1}"), StaticType::kObject);
  EXPECT_EQ(type("{a: amount}"), StaticType::kObject);
  EXPECT_EQ(type("null"), StaticType::kNull);
  EXPECT_EQ(type("null + 1"), StaticType::kNull);
  EXPECT_EQ(type("not active"), StaticType::kBool);
  EXPECT_EQ(type("-amount"), StaticType::kNumber);
}

TEST(ExprCompileErrors, UnknownFunctionsAndArity) {
  EXPECT_COMPILE_ERROR("lowr(name)", "unknown function 'lowr'; did you mean 'lower'?", 0);
  EXPECT_COMPILE_ERROR("amount > 1 and substring(name, 1) == 'x'",
                       "unknown function 'substring'; did you mean 'substr'?", 15);
  EXPECT_COMPILE_ERROR("frobnicate(x)", "unknown function 'frobnicate'", 0);
  EXPECT_COMPILE_ERROR("substr(name)", "function 'substr' takes 2 or 3 arguments but got 1", 0);
  EXPECT_COMPILE_ERROR("1 + lower(name, 1)", "function 'lower' takes 1 argument but got 2", 4);
  EXPECT_COMPILE_ERROR("now(1)", "function 'now' takes no arguments but got 1", 0);
  EXPECT_COMPILE_ERROR("coalesce()", "function 'coalesce' takes at least 1 argument but got 0", 0);
  EXPECT_COMPILE_ERROR("window_start(ts)", "function 'window_start' takes 2 arguments but got 1", 0);
}

TEST(ExprCompileErrors, StaticTypeErrors) {
  EXPECT_COMPILE_ERROR("'abc' * 2", "operator '*' expects numbers but the left operand is a string", 0);
  EXPECT_COMPILE_ERROR("2 * 'abc'", "operator '*' expects numbers but the right operand is a string", 4);
  EXPECT_COMPILE_ERROR("amount - [1]", "operator '-' expects numbers but the right operand is an array", 9);
  EXPECT_COMPILE_ERROR("lower(5)", "function 'lower' expects a string as argument 1 but got an int", 6);
  EXPECT_COMPILE_ERROR("not 'x'", "operator 'not' expects a bool but got a string", 4);
  EXPECT_COMPILE_ERROR("!5", "operator '!' expects a bool but got an int", 1);
  EXPECT_COMPILE_ERROR("1 in 5", "operator 'in' expects an array on the right but got an int", 5);
  EXPECT_COMPILE_ERROR("name not in 'abc'", "operator 'not in' expects an array on the right but got a string", 12);
  EXPECT_COMPILE_ERROR("length(true)", "function 'length' expects a string or an array as argument 1 but got a bool",
                       7);
  EXPECT_COMPILE_ERROR("'a' + 1", "operator '+' cannot add a string and an int; use concat() to build strings", 4);
  EXPECT_COMPILE_ERROR("true + 1", "operator '+' expects numbers or strings but the left operand is a bool", 0);
  EXPECT_COMPILE_ERROR("1 == 'a'", "operator '==' compares an int with a string, which are never equal", 2);
  EXPECT_COMPILE_ERROR("'a' < 1", "operator '<' cannot order a string and an int", 4);
  EXPECT_COMPILE_ERROR("active > [1]", "operator '>' expects numbers or strings but the right operand is an array", 9);
  EXPECT_COMPILE_ERROR("amount > 1 and 5", "operator 'and' expects bools but the right operand is an int", 15);
  EXPECT_COMPILE_ERROR("'x' || active", "operator '||' expects bools but the left operand is a string", 0);
  EXPECT_COMPILE_ERROR("-'x'", "operator '-' expects a number but got a string", 1);
  EXPECT_COMPILE_ERROR("'x' ? 1 : 2", "the condition before '?' must be a bool but is a string", 0);
  EXPECT_COMPILE_ERROR("$timestamp.x", "cannot look up field 'x' in an int", 10);
  EXPECT_COMPILE_ERROR("lower(name)[0]", "cannot look up element 0 in a string", 11);
  EXPECT_COMPILE_ERROR("substr(name, 1.5)", "function 'substr' expects an integer as argument 2 but got a double", 13);
  EXPECT_COMPILE_ERROR("if(1, 2, 3)", "function 'if' expects a bool as argument 1 but got an int", 3);
  EXPECT_COMPILE_ERROR("int([1])", "function 'int' expects a number, a string or a bool as argument 1 but got an array",
                       4);
  EXPECT_COMPILE_ERROR("hour('x')", "function 'hour' expects an integer as argument 1 but got a string", 5);
  EXPECT_COMPILE_ERROR("(1 + 2) * 'x'", "operator '*' expects numbers but the right operand is a string", 10);
  EXPECT_COMPILE_ERROR("('a' + 'b') * 2", "operator '*' expects numbers but the left operand is a string", 0);
  EXPECT_COMPILE_ERROR("format_time(ts, '%Y %q')", "unsupported conversion '%q' in time format", 16);
  CompileFailure re = CompileError("regex_match(name, '(')");
  EXPECT_EQ(re.offset, 18u);
  EXPECT_EQ(re.message.rfind("invalid regular expression '(': ", 0), 0u) << re.message;
}

TEST(ExprCompileErrors, SyntaxErrors) {
  EXPECT_COMPILE_ERROR("(1 + 2", "expected ')' but found end of expression", 6);
  EXPECT_COMPILE_ERROR("(1 + 2 3", "expected ')' but found '3'", 7);
  EXPECT_COMPILE_ERROR("", "expected an expression but found end of expression", 0);
  EXPECT_COMPILE_ERROR("amount >", "expected an expression but found end of expression", 8);
  EXPECT_COMPILE_ERROR("1 +* 2", "expected an expression but found '*'", 3);
  EXPECT_COMPILE_ERROR("amount > and", "expected an expression but found 'and'", 9);
  EXPECT_COMPILE_ERROR("amount > 5 adn x", "unexpected 'adn'; expected an operator or end of expression", 11);
  EXPECT_COMPILE_ERROR("(1 + 2))", "unexpected ')'; expected an operator or end of expression", 7);
  EXPECT_COMPILE_ERROR("amount = 5", "unexpected '='; use '==' to compare", 7);
  EXPECT_COMPILE_ERROR("a & b", "unexpected '&'; use '&&' or 'and'", 2);
  EXPECT_COMPILE_ERROR("a # b", "unexpected character '#'", 2);
  EXPECT_COMPILE_ERROR("name == 'abc", "unterminated string literal; expected a closing '", 8);
  EXPECT_COMPILE_ERROR(R"('\q')", "unknown escape '\\q'; expected one of \\n \\t \\r \\0 \\\\ \\' \\\" \\/ \\uXXXX", 1);
  EXPECT_COMPILE_ERROR(R"('\u12')", "expected 4 hex digits after \\u", 1);
  EXPECT_COMPILE_ERROR("1e+", "expected digits in the exponent", 3);
  EXPECT_COMPILE_ERROR("12abc", "unexpected 'a' after a number", 2);
  EXPECT_COMPILE_ERROR("99999999999999999999",
                       "integer literal 99999999999999999999 is out of range for a 64-bit integer", 0);
  EXPECT_COMPILE_ERROR("9223372036854775808",
                       "integer literal 9223372036854775808 is out of range for a 64-bit integer", 0);
  EXPECT_COMPILE_ERROR("[1, 2", "expected ',' or ']' in an array literal but found end of expression", 5);
  EXPECT_COMPILE_ERROR("lower(name", "expected ',' or ')' after an argument of lower() but found end of expression",
                       10);
  EXPECT_COMPILE_ERROR("concat(name,)", "expected an argument after ','", 12);
  EXPECT_COMPILE_ERROR("active ? 1", "expected ':' after the '?' branch but found end of expression", 10);
  EXPECT_COMPILE_ERROR("items[-1]",
                       "expected an array index (an integer >= 0) or a quoted field name in '[ ]' but found '-'", 6);
  EXPECT_COMPILE_ERROR("items[0", "expected ']' but found end of expression", 7);
  EXPECT_COMPILE_ERROR("user.", "expected a field name after '.' but found end of expression", 5);
  EXPECT_COMPILE_ERROR("user.1", "expected a field name after '.' but found '1'", 5);
  EXPECT_COMPILE_ERROR("$", "expected a name after '$' such as $key or $timestamp", 0);
  EXPECT_COMPILE_ERROR("1 + $foo",
                       "unknown record field '$foo'; expected $key, $value, $timestamp, $topic, $partition, $offset "
                       "or $headers.<name>",
                       4);
  EXPECT_COMPILE_ERROR("$headers", "expected '.<name>' or ['<name>'] after $headers but found end of expression", 8);
}

TEST(ExprCompileErrors, NestingIsBounded) {
  const std::string parens = std::string(500, '(') + "1" + std::string(500, ')');
  EXPECT_EQ(CompileError(parens).message, "expression is nested too deeply");
  std::string sum = "1";
  for (int i = 0; i < 1000; ++i) sum += " + 1";
  EXPECT_EQ(CompileError(sum).message, "expression is nested too deeply");
  std::string nots;
  for (int i = 0; i < 500; ++i) nots += "not ";
  EXPECT_EQ(CompileError(nots + "true").message, "expression is nested too deeply");
  // Reasonable nesting is fine.
  EXPECT_EQ(Eval(std::string(90, '(') + "1" + std::string(90, ')')), "int:1");
  std::string sum100 = "1";
  for (int i = 0; i < 100; ++i) sum100 += " + 1";
  EXPECT_EQ(Eval(sum100), "int:101");
}

TEST(ExprCompileErrors, OffsetPointerIsOptional) {
  auto r = Expression::Compile("lowr(x)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "unknown function 'lowr'; did you mean 'lower'? (at offset 0)");
}

TEST(ExprRuntimeErrors, NameTheExpressionAndTypes) {
  EXPECT_EQ(RuntimeError("amount_str * 2"),
            "'amount_str * 2': operator '*' expects numbers but got a string and an int");
  EXPECT_EQ(RuntimeError("amount_str * 2 > 5"),
            "'amount_str * 2': operator '*' expects numbers but got a string and an int (in 'amount_str * 2 > 5')");
  EXPECT_EQ(RuntimeError("amount + name"),
            "'amount + name': operator '+' expects two numbers or two strings but got an int and a string");
  EXPECT_EQ(RuntimeError("user.tags > 1"), "'user.tags > 1': operator '>' cannot order an array and an int");
  EXPECT_EQ(RuntimeError("-name"), "'-name': operator '-' expects a number but got a string");
  EXPECT_EQ(RuntimeError("not amount"), "'not amount': the operand of 'not' must be a bool but is an int");
  EXPECT_EQ(RuntimeError("false or name"), "'false or name': the right operand of 'or' must be a bool but is a string");
  EXPECT_EQ(RuntimeError("amount ? 1 : 2"), "'amount ? 1 : 2': the condition before '?' must be a bool but is an int");
}

TEST(ExprEvaluate, ResultsOutliveTheRecordAndExpressionsCopy) {
  Value v;
  Expression copy;
  {
    auto e = Expression::Compile("user.tags");
    ASSERT_TRUE(e.ok());
    copy = *e;
    Record r = MakeRecord();
    auto got = e->Evaluate(r);
    ASSERT_TRUE(got.ok());
    v = *got;
  }
  EXPECT_EQ(v.ToJson(), "[\"a\",\"b\"]");
  EXPECT_EQ(copy.text(), "user.tags");
  auto again = copy.Evaluate(TheRecord());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ToJson(), "[\"a\",\"b\"]");
  Expression empty;
  EXPECT_FALSE(empty.Evaluate(TheRecord()).ok());
  EXPECT_EQ(empty.static_type(), StaticType::kAny);
}

#if defined(STREAMAPP_EXPR_COUNT_ALLOCS)
TEST(ExprEvaluate, PredicatesAndNumbersDoNotAllocate) {
  const Record& r = TheRecord();
  for (std::string_view text : {
           "amount > 100",
           "name == 'Widget'",
           "country in ['DE', 'FR']",
           "country not in [name, 'FR']",
           "price * quantity >= 10 and not (discount != null)",
           "user.tags[1] == 'b' || false",
           "$headers.trace == 't-2'",
           "$key.id == 42 and $timestamp > 5 and $topic == 'orders'",
           "(discount ?? 0) + amount / 3 > 5",
           "abs(neg) > 2 and is_null(missing) and hour($timestamp) == 22",
           "items[1].qty + 1 > 3 ? true : false",
           "user['weird key'] % 4 == 3",
       }) {
    SCOPED_TRACE(text);
    auto e = Expression::Compile(text);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    const long before = g_allocations;
    Result<bool> got = e->Test(r);
    const long allocated = g_allocations - before;
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got);
    EXPECT_EQ(allocated, 0);
  }
  auto e = Expression::Compile("price * quantity + amount");
  ASSERT_TRUE(e.ok());
  const long before = g_allocations;
  Result<Value> v = e->Evaluate(r);
  EXPECT_EQ(g_allocations - before, 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->ToJson(), "160");
}
#endif

}  // namespace
}  // namespace streamapp::expr
