#include "streamapp/serde.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "streamapp/examples/order.pb.h"

namespace streamapp {
namespace {

using namespace std::string_literals;

std::shared_ptr<const Serde> Make(std::string_view spec, const SerdeOptions& options = {}) {
  auto serde = MakeSerde(spec, options);
  EXPECT_TRUE(serde.ok()) << serde.status().ToString();
  return serde.ok() ? *serde : nullptr;
}

std::string Encode(const Serde& serde, const Value& v) {
  std::string out;
  Status st = serde.Serialize(v, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

Value Decode(const Serde& serde, std::string_view bytes) {
  Value v;
  Status st = serde.Deserialize(bytes, &v);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return v;
}

Value Obj(std::initializer_list<std::pair<const char*, Value>> fields) {
  Value v = Value::MakeObject();
  for (const auto& [name, value] : fields) v.Set(name, value);
  return v;
}

Value Arr(std::initializer_list<Value> elements) {
  return Value(Value::Array(elements));
}

SerdeOptions ExampleProtos() {
  return SerdeOptions{{STREAMAPP_SOURCE_DIR "/proto"}};
}
SerdeOptions TestProtos() {
  return SerdeOptions{{STREAMAPP_SOURCE_DIR "/tests/data/proto/serde"}};
}

// A fresh directory for .proto files written by a test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("serde_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  void Write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name) << text;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// ---- factory ----

TEST(SerdeFactory, SpecNames) {
  EXPECT_EQ(SerdeSpecNames(),
            (std::vector<std::string>{"string", "bytes", "json", "int64", "double", "protobuf:<Message>"}));
  for (const char* spec : {"string", "bytes", "json", "int64", "double"}) {
    auto serde = Make(spec);
    ASSERT_NE(serde, nullptr);
    EXPECT_EQ(serde->spec(), spec);
  }
}

TEST(SerdeFactory, UnknownSpecSuggestsNearest) {
  auto serde = MakeSerde("jsn", {});
  ASSERT_FALSE(serde.ok());
  EXPECT_EQ(serde.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(serde.status().message(),
            "unknown serde 'jsn'; expected one of string, bytes, json, int64, double, protobuf:<Message>; "
            "did you mean 'json'?");

  EXPECT_NE(MakeSerde("in64", {}).status().message().find("did you mean 'int64'?"), std::string::npos);
  EXPECT_NE(MakeSerde("protobf:shop.Order", {}).status().message().find("did you mean 'protobuf:shop.Order'?"),
            std::string::npos);
  // Nothing close: no suggestion.
  auto far = MakeSerde("avro", {});
  EXPECT_EQ(far.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(far.status().message().find("did you mean"), std::string::npos);
}

TEST(SerdeFactory, ProtobufNeedsMessageName) {
  EXPECT_EQ(MakeSerde("protobuf:", ExampleProtos()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeSerde("protobuf", ExampleProtos()).status().code(), StatusCode::kInvalidArgument);
}

// ---- string / bytes ----

TEST(SerdeString, RoundTripAndConversions) {
  auto serde = Make("string");
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(Decode(*serde, "héllo ☃"), Value("héllo ☃"));
  EXPECT_EQ(Encode(*serde, Value("héllo ☃")), "héllo ☃");
  EXPECT_EQ(Decode(*serde, ""), Value(""));
  EXPECT_EQ(Encode(*serde, Value(42)), "42");
  EXPECT_EQ(Encode(*serde, Value(-1.5)), "-1.5");
  EXPECT_EQ(Encode(*serde, Value(true)), "true");
  EXPECT_EQ(Encode(*serde, Obj({{"a", 1}, {"b", Arr({"x", nullptr})}})), R"({"a":1,"b":["x",null]})");
}

TEST(SerdeString, RejectsInvalidUtf8) {
  auto serde = Make("string");
  ASSERT_NE(serde, nullptr);
  Value v;
  Status st = serde->Deserialize("ab\xff", &v);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("byte 2"), std::string::npos) << st.message();
}

TEST(SerdeBytes, RoundTrip) {
  auto serde = Make("bytes");
  ASSERT_NE(serde, nullptr);
  const std::string raw = "\0\x01\xff\x7f"s;
  Value v = Decode(*serde, raw);
  ASSERT_TRUE(v.is_bytes());
  EXPECT_EQ(v.as_bytes().data, raw);
  EXPECT_EQ(Encode(*serde, v), raw);
  EXPECT_EQ(Encode(*serde, Value("text")), "text");
  std::string out;
  EXPECT_EQ(serde->Serialize(Value(1), &out).code(), StatusCode::kDataError);
}

// ---- int64 / double ----

TEST(SerdeInt64, BigEndianLayout) {
  auto serde = Make("int64");
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(Encode(*serde, Value(1)), "\0\0\0\0\0\0\0\1"s);
  EXPECT_EQ(Encode(*serde, Value(int64_t{0x0102030405060708})), "\1\2\3\4\5\6\7\x08"s);
  EXPECT_EQ(Encode(*serde, Value(-1)), std::string(8, '\xff'));
  EXPECT_EQ(Encode(*serde, Value(int64_t{INT64_MIN})), "\x80\0\0\0\0\0\0\0"s);
  EXPECT_EQ(Decode(*serde, "\0\0\0\0\0\0\1\0"s), Value(256));
  EXPECT_EQ(Decode(*serde, "\xff\xff\xff\xff\xff\xff\xff\xfe"s), Value(-2));
  for (int64_t x : {int64_t{0}, int64_t{42}, INT64_MAX, INT64_MIN}) {
    Value v = Decode(*serde, Encode(*serde, Value(x)));
    ASSERT_TRUE(v.is_int());
    EXPECT_EQ(v.as_int(), x);
  }
}

TEST(SerdeInt64, AcceptsIntegralDoublesAndNumericStrings) {
  auto serde = Make("int64");
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(Encode(*serde, Value(3.0)), Encode(*serde, Value(3)));
  EXPECT_EQ(Encode(*serde, Value("-7")), Encode(*serde, Value(-7)));
  std::string out;
  EXPECT_EQ(serde->Serialize(Value(3.5), &out).code(), StatusCode::kDataError);
  EXPECT_EQ(serde->Serialize(Value(1e300), &out).code(), StatusCode::kDataError);
  EXPECT_EQ(serde->Serialize(Value("12x"), &out).code(), StatusCode::kDataError);
  EXPECT_EQ(serde->Serialize(Value(true), &out).code(), StatusCode::kDataError);
  Value v;
  EXPECT_EQ(serde->Deserialize("\0\0\0\0\0\0\1"s, &v).code(), StatusCode::kDataError);
  EXPECT_EQ(serde->Deserialize("\0\0\0\0\0\0\0\0\1"s, &v).code(), StatusCode::kDataError);
}

TEST(SerdeDouble, BigEndianLayout) {
  auto serde = Make("double");
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(Encode(*serde, Value(1.0)), "\x3f\xf0\0\0\0\0\0\0"s);
  EXPECT_EQ(Encode(*serde, Value(-2.5)), "\xc0\x04\0\0\0\0\0\0"s);
  EXPECT_EQ(Encode(*serde, Value(2)), "\x40\0\0\0\0\0\0\0"s);  // ints are accepted
  Value v = Decode(*serde, "\x40\x09\x21\xfb\x54\x44\x2d\x18"s);
  ASSERT_TRUE(v.is_double());
  EXPECT_EQ(v.as_double(), 3.141592653589793);
  for (double x : {0.0, -0.0, 0.1, 1e-300, 1.7976931348623157e308}) {
    Value back = Decode(*serde, Encode(*serde, Value(x)));
    ASSERT_TRUE(back.is_double());
    EXPECT_EQ(std::bit_cast<uint64_t>(back.as_double()), std::bit_cast<uint64_t>(x));
  }
  std::string out;
  EXPECT_EQ(serde->Serialize(Value("1.0"), &out).code(), StatusCode::kDataError);
  EXPECT_EQ(serde->Deserialize("1234", &v).code(), StatusCode::kDataError);
}

// ---- json ----

TEST(SerdeJson, NestedRoundTrip) {
  auto serde = Make("json");
  ASSERT_NE(serde, nullptr);
  const std::string text = R"({"id":"o-1","n":3,"x":2.5,"ok":true,"none":null,"items":[{"sku":"a","q":1},[]],"o":{}})";
  Value v = Decode(*serde, text);
  Value expected = Obj({{"id", "o-1"},
                        {"n", 3},
                        {"x", 2.5},
                        {"ok", true},
                        {"none", nullptr},
                        {"items", Arr({Obj({{"sku", "a"}, {"q", 1}}), Value::MakeArray()})},
                        {"o", Value::MakeObject()}});
  EXPECT_EQ(v, expected);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.as_object()[0].name, "id");  // field order kept
  EXPECT_EQ(v.as_object()[6].name, "o");
  EXPECT_EQ(Encode(*serde, v), text);
}

TEST(SerdeJson, UnicodeEscapes) {
  auto serde = Make("json");
  ASSERT_NE(serde, nullptr);
  Value v = Decode(*serde, R"({"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \n","k\u00e9y":1})");
  EXPECT_EQ(*v.Find("s"), Value("café 😀 \"q\" \\ \n"));
  EXPECT_NE(v.Find("kéy"), nullptr);
  EXPECT_EQ(Decode(*serde, Encode(*serde, v)), v);
}

TEST(SerdeJson, NumbersIntsAndDoubles) {
  auto serde = Make("json");
  ASSERT_NE(serde, nullptr);
  Value v = Decode(
      *serde,
      R"([9223372036854775807,-9223372036854775808,9223372036854775808,18446744073709551615,123456789012345678901234567890,0.1,-0.0,1e-7,5e300,1.0])");
  ASSERT_TRUE(v.is_array());
  const Value::Array& a = v.as_array();
  ASSERT_EQ(a.size(), 10u);
  ASSERT_TRUE(a[0].is_int());
  EXPECT_EQ(a[0].as_int(), INT64_MAX);
  ASSERT_TRUE(a[1].is_int());
  EXPECT_EQ(a[1].as_int(), INT64_MIN);
  ASSERT_TRUE(a[2].is_double());  // beyond int64
  EXPECT_EQ(a[2].as_double(), 9223372036854775808.0);
  ASSERT_TRUE(a[3].is_double());
  EXPECT_EQ(a[3].as_double(), 18446744073709551615.0);
  ASSERT_TRUE(a[4].is_double());  // beyond 64 bits
  EXPECT_DOUBLE_EQ(a[4].as_double(), 1.2345678901234568e29);
  EXPECT_EQ(a[5].as_double(), 0.1);
  EXPECT_TRUE(std::signbit(a[6].as_double()));
  EXPECT_EQ(a[7].as_double(), 1e-7);
  EXPECT_EQ(a[8].as_double(), 5e300);
  ASSERT_TRUE(a[9].is_double());  // "1.0" stays a double
}

TEST(SerdeJson, TopLevelScalars) {
  auto serde = Make("json");
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(Decode(*serde, "42"), Value(42));
  EXPECT_EQ(Decode(*serde, " \"hi\" "), Value("hi"));
  EXPECT_EQ(Decode(*serde, "null"), Value());
  EXPECT_EQ(Decode(*serde, "false"), Value(false));
  EXPECT_EQ(Encode(*serde, Value("x")), "\"x\"");
}

TEST(SerdeJson, MalformedIsDataError) {
  auto serde = Make("json");
  ASSERT_NE(serde, nullptr);
  for (const char* text : {"", "{", "{\"a\":1,}", "{\"a\" 1}", "[1,2", "[1 2]", "tru", "{\"a\":1} x", "[1]]",
                           "\"unterminated", "{\"a\":nul}", "01", "[1.]", "{\"a\":\"\xff\"}"}) {
    Value v = Value("untouched");
    Status st = serde->Deserialize(text, &v);
    EXPECT_EQ(st.code(), StatusCode::kDataError) << "input: " << text;
    EXPECT_NE(st.message().find("malformed JSON"), std::string::npos) << st.message();
    EXPECT_EQ(v, Value("untouched")) << "input: " << text;
  }
  Value v;
  Status st = serde->Deserialize(R"({"a":1,"b":[1,2,tru]})", &v);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("at byte 16"), std::string::npos) << st.message();
}

TEST(SerdeJson, SharedBetweenThreads) {
  auto serde = Make("json");
  ASSERT_NE(serde, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::string text = "{\"t\":" + std::to_string(t) + ",\"i\":" + std::to_string(i) + "}";
        Value v;
        if (!serde->Deserialize(text, &v).ok() || v != Obj({{"t", t}, {"i", i}})) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- protobuf: the repository's Order schema ----

Value ExampleOrderValue() {
  return Obj({{"order_id", "o-17"},
              {"customer", Obj({{"id", "c-9"}, {"country", "NO"}})},
              {"amount", 99.5},
              {"quantity", 3},
              {"tags", Arr({"gift", "express"})},
              {"event_time_ms", int64_t{1700000000123}}});
}

TEST(SerdeProtobuf, OrderRoundTrip) {
  auto serde = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(serde->spec(), "protobuf:streamapp.examples.Order");
  Value decoded = Decode(*serde, Encode(*serde, ExampleOrderValue()));
  EXPECT_EQ(decoded, ExampleOrderValue());
  // Fields come out in .proto order.
  ASSERT_TRUE(decoded.is_object());
  EXPECT_EQ(decoded.as_object()[0].name, "order_id");
  EXPECT_EQ(decoded.as_object()[5].name, "event_time_ms");
}

TEST(SerdeProtobuf, OrderGeneratedClassToDynamic) {
  streamapp::examples::Order order;
  order.set_order_id("o-17");
  order.mutable_customer()->set_id("c-9");
  order.mutable_customer()->set_country("NO");
  order.set_amount(99.5);
  order.set_quantity(3);
  order.add_tags("gift");
  order.add_tags("express");
  order.set_event_time_ms(1700000000123);

  auto serde = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  ASSERT_NE(serde, nullptr);
  EXPECT_EQ(Decode(*serde, order.SerializeAsString()), ExampleOrderValue());
  // Same bytes both ways (fields are written in number order by both).
  EXPECT_EQ(Encode(*serde, ExampleOrderValue()), order.SerializeAsString());
}

TEST(SerdeProtobuf, OrderDynamicToGeneratedClass) {
  auto serde = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  ASSERT_NE(serde, nullptr);
  // Ints for double fields and integral doubles for int fields are accepted.
  Value v = Obj({{"order_id", "o-2"}, {"amount", 10}, {"quantity", 4.0}, {"tags", Arr({"a"})}, {"customer", nullptr}});
  streamapp::examples::Order order;
  ASSERT_TRUE(order.ParseFromString(Encode(*serde, v)));
  EXPECT_EQ(order.order_id(), "o-2");
  EXPECT_EQ(order.amount(), 10.0);
  EXPECT_EQ(order.quantity(), 4);
  ASSERT_EQ(order.tags_size(), 1);
  EXPECT_EQ(order.tags(0), "a");
  EXPECT_FALSE(order.has_customer());
}

TEST(SerdeProtobuf, UnsetFieldsHaveDefaults) {
  auto serde = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  ASSERT_NE(serde, nullptr);
  Value v = Decode(*serde, "");
  // Scalars with their defaults, repeated empty, the unset message left out.
  EXPECT_EQ(
      v, Obj({{"order_id", ""}, {"amount", 0.0}, {"quantity", 0}, {"tags", Value::MakeArray()}, {"event_time_ms", 0}}));
  EXPECT_EQ(v.Find("customer"), nullptr);
}

TEST(SerdeProtobuf, SerializeErrorsNameTheField) {
  auto serde = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  ASSERT_NE(serde, nullptr);
  std::string out;
  Status st = serde->Serialize(Obj({{"order_id", "x"}, {"quantty", 1}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'quantty'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("streamapp.examples.Order"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("did you mean 'quantity'?"), std::string::npos) << st.message();

  st = serde->Serialize(Obj({{"customer", Obj({{"idd", "c"}})}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'customer.idd'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("streamapp.examples.Customer"), std::string::npos) << st.message();

  st = serde->Serialize(Obj({{"quantity", "three"}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'quantity'"), std::string::npos) << st.message();

  st = serde->Serialize(Obj({{"quantity", 1.5}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  st = serde->Serialize(Obj({{"tags", "not-an-array"}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  st = serde->Serialize(Obj({{"tags", Arr({"a", 1})}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'tags[1]'"), std::string::npos) << st.message();
  st = serde->Serialize(Value("not an object"), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
}

TEST(SerdeProtobuf, MalformedBytesIsDataError) {
  auto serde = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  ASSERT_NE(serde, nullptr);
  Value v;
  // Field 1 (string) claims 100 bytes but has 2.
  EXPECT_EQ(serde->Deserialize("\x0a\x64hi", &v).code(), StatusCode::kDataError);
  // A truncated varint.
  EXPECT_EQ(serde->Deserialize("\x20\xff", &v).code(), StatusCode::kDataError);
}

TEST(SerdeProtobuf, UnknownMessageSuggestsNearest) {
  auto serde = MakeSerde("protobuf:streamapp.examples.Ordr", ExampleProtos());
  ASSERT_FALSE(serde.ok());
  EXPECT_EQ(serde.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = serde.status().message();
  EXPECT_NE(message.find("'streamapp.examples.Ordr'"), std::string::npos) << message;
  EXPECT_NE(message.find(STREAMAPP_SOURCE_DIR "/proto"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'streamapp.examples.Order'?"), std::string::npos) << message;

  // Without its package.
  auto bare = MakeSerde("protobuf:Customer", ExampleProtos());
  EXPECT_NE(bare.status().message().find("did you mean 'streamapp.examples.Customer'?"), std::string::npos)
      << bare.status().message();
}

TEST(SerdeProtobuf, BadProtoFileReportsFileAndLine) {
  TempDir dir;
  dir.Write("good.proto", "syntax = \"proto3\";\nmessage Fine { string a = 1; }\n");
  dir.Write("sub/bad.proto",
            "syntax = \"proto3\";\n"
            "package bad;\n"
            "message Broken {\n"
            "  string name = 1\n"
            "  int32 id = 2;\n"
            "}\n");
  auto serde = MakeSerde("protobuf:Fine", SerdeOptions{{dir.path()}});
  ASSERT_FALSE(serde.ok());
  EXPECT_EQ(serde.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(serde.status().message().find("sub/bad.proto:5:3:"), std::string::npos) << serde.status().message();

  // Once fixed, the same paths load (failures are not cached).
  dir.Write("sub/bad.proto", "syntax = \"proto3\";\npackage bad;\nmessage Broken { string name = 1; }\n");
  EXPECT_TRUE(MakeSerde("protobuf:bad.Broken", SerdeOptions{{dir.path()}}).ok());
}

TEST(SerdeProtobuf, MissingProtoPath) {
  auto serde = MakeSerde("protobuf:a.B", SerdeOptions{{"/nonexistent/serde/protos"}});
  EXPECT_EQ(serde.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(serde.status().message().find("/nonexistent/serde/protos"), std::string::npos);
  EXPECT_EQ(MakeSerde("protobuf:a.B", SerdeOptions{}).status().code(), StatusCode::kInvalidArgument);
}

TEST(SerdeProtobuf, WellKnownTypeImports) {
  TempDir dir;
  dir.Write("event.proto",
            "syntax = \"proto3\";\n"
            "import \"google/protobuf/timestamp.proto\";\n"
            "message Event { google.protobuf.Timestamp at = 1; }\n");
  auto serde = Make("protobuf:Event", SerdeOptions{{dir.path()}});
  ASSERT_NE(serde, nullptr);
  Value v = Obj({{"at", Obj({{"seconds", 5}, {"nanos", 7}})}});
  EXPECT_EQ(Decode(*serde, Encode(*serde, v)), v);
}

// ---- protobuf: the test schema (enums, maps, oneofs, ...) ----

TEST(SerdeProtobuf, EnumsMapsAndMoreRoundTrip) {
  auto serde = Make("protobuf:streamapp.serdetest.Account", TestProtos());
  ASSERT_NE(serde, nullptr);
  Value v = Obj({{"id", "acc-1"},
                 {"status", "SUSPENDED"},
                 {"balances", Obj({{"eur", 5}, {"usd", -3}})},
                 {"addresses", Obj({{"2", Obj({{"city", "Oslo"}, {"zip", 150}})}, {"10", Obj({{"city", "Bergen"}})}})},
                 {"history", Arr({"ACTIVE", 2})},
                 {"avatar", Value::Bytes{"\0\xff"s}},
                 {"big", 18446744073709549568.0},
                 {"ratio", 0.5},
                 {"active", true},
                 {"maybe", 0},
                 {"phone", "+47"},
                 {"home", Obj({{"city", "Oslo"}})},
                 {"previous", Arr({Obj({{"zip", 1}})})},
                 {"delta", -5},
                 {"checksum", 7},
                 {"notes", Arr({Obj({{"text", "hi"}})})},
                 {"labels", Obj({{"18446744073709551615", "max"}, {"3", "three"}})}});
  Value back = Decode(*serde, Encode(*serde, v));

  EXPECT_EQ(*back.Find("status"), Value("SUSPENDED"));
  EXPECT_EQ(*back.Find("history"), Arr({"ACTIVE", "SUSPENDED"}));  // enum numbers come back as names
  EXPECT_EQ(*back.Find("balances"), Obj({{"eur", 5}, {"usd", -3}}));
  // Integer map keys are strings, in numeric order; defaults filled in.
  EXPECT_EQ(*back.Find("addresses"),
            Obj({{"2", Obj({{"city", "Oslo"}, {"zip", 150}})}, {"10", Obj({{"city", "Bergen"}, {"zip", 0}})}}));
  ASSERT_TRUE(back.Find("avatar")->is_bytes());
  EXPECT_EQ(back.Find("avatar")->as_bytes().data, "\0\xff"s);
  ASSERT_TRUE(back.Find("big")->is_double());  // uint64 beyond int64 max
  EXPECT_EQ(back.Find("big")->as_double(), 18446744073709549568.0);
  EXPECT_EQ(*back.Find("ratio"), Value(0.5));
  EXPECT_EQ(*back.Find("maybe"), Value(0));  // `optional`, set to 0: present
  EXPECT_EQ(*back.Find("phone"), Value("+47"));
  EXPECT_EQ(back.Find("email"), nullptr);  // the other oneof member
  EXPECT_EQ(*back.Find("home"), Obj({{"city", "Oslo"}, {"zip", 0}}));
  EXPECT_EQ(*back.Find("previous"), Arr({Obj({{"city", ""}, {"zip", 1}})}));
  EXPECT_EQ(*back.Find("delta"), Value(-5));
  EXPECT_EQ(*back.Find("checksum"), Value(7));
  EXPECT_EQ(*back.Find("notes"), Arr({Obj({{"text", "hi"}})}));
  EXPECT_EQ(*back.Find("score"), Value(0.0));
  // uint64 keys stay exact (not via double), sorted numerically.
  EXPECT_EQ(*back.Find("labels"), Obj({{"3", "three"}, {"18446744073709551615", "max"}}));
}

TEST(SerdeProtobuf, DefaultsAndPresence) {
  auto serde = Make("protobuf:streamapp.serdetest.Account", TestProtos());
  ASSERT_NE(serde, nullptr);
  Value v = Decode(*serde, "");
  EXPECT_EQ(*v.Find("status"), Value("ACCOUNT_STATUS_UNKNOWN"));
  EXPECT_EQ(*v.Find("balances"), Value::MakeObject());
  EXPECT_EQ(*v.Find("big"), Value(0));
  EXPECT_EQ(v.Find("maybe"), nullptr);  // `optional` and unset
  EXPECT_EQ(v.Find("email"), nullptr);
  EXPECT_EQ(v.Find("home"), nullptr);
}

TEST(SerdeProtobuf, WireFormatMatchesHandEncoding) {
  auto serde = Make("protobuf:streamapp.serdetest.Address", TestProtos());
  ASSERT_NE(serde, nullptr);
  // field 1, length-delimited "Oslo"; field 2, varint 150.
  const std::string wire = "\x0a\x04Oslo\x10\x96\x01"s;
  EXPECT_EQ(Encode(*serde, Obj({{"city", "Oslo"}, {"zip", 150}})), wire);
  EXPECT_EQ(Decode(*serde, wire), Obj({{"city", "Oslo"}, {"zip", 150}}));
}

TEST(SerdeProtobuf, EnumAndMapErrors) {
  auto serde = Make("protobuf:streamapp.serdetest.Account", TestProtos());
  ASSERT_NE(serde, nullptr);
  std::string out;
  Status st = serde->Serialize(Obj({{"status", "DELETED"}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'status'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("DELETED"), std::string::npos) << st.message();

  st = serde->Serialize(Obj({{"addresses", Obj({{"two", Value::MakeObject()}})}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'two'"), std::string::npos) << st.message();

  st = serde->Serialize(Obj({{"balances", Arr({1})}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  EXPECT_NE(st.message().find("'balances'"), std::string::npos) << st.message();

  st = serde->Serialize(Obj({{"delta", int64_t{1} << 40}}), &out);  // sint32 out of range
  EXPECT_EQ(st.code(), StatusCode::kDataError);
  st = serde->Serialize(Obj({{"big", -1}}), &out);
  EXPECT_EQ(st.code(), StatusCode::kDataError);
}

TEST(SerdeProtobuf, SharedBetweenThreadsAndSerdes) {
  // Two serdes of the same paths share one schema; each thread alternates.
  auto order = Make("protobuf:streamapp.examples.Order", ExampleProtos());
  auto customer = Make("protobuf:streamapp.examples.Customer", ExampleProtos());
  ASSERT_NE(order, nullptr);
  ASSERT_NE(customer, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Value o = ExampleOrderValue();
        o.Set("quantity", t * 1000 + i);
        Value c = Obj({{"id", std::to_string(i)}, {"country", "SE"}});
        std::string ob, cb;
        Value o2, c2;
        if (!order->Serialize(o, &ob).ok() || !customer->Serialize(c, &cb).ok() || !order->Deserialize(ob, &o2).ok() ||
            !customer->Deserialize(cb, &c2).ok() || o2 != o || c2 != c) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace streamapp
