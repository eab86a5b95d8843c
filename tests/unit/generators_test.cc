// The sample-data generators (generators/, docs/generators.md): determinism,
// record shapes, the malformed-record mix, fraud ground truth, protobuf
// through the framework's serde, and the dump/replay line format.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "streamapp/generators/generator.h"
#include "streamapp/generators/replay.h"
#include "streamapp/serde.h"
#include "support/child_process.h"
#include "support/files.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

using testing::ReadFile;

using generators::Defect;
using generators::Format;
using generators::GeneratedRecord;
using generators::GeneratorOptions;
using generators::ReplayRecord;

std::vector<GeneratedRecord> Generate(const std::string& name, const GeneratorOptions& options, size_t primary) {
  auto g = generators::MakeGenerator(name, options);
  EXPECT_TRUE(g.ok()) << g.status().message();
  std::vector<GeneratedRecord> out;
  if (!g.ok()) return out;
  // Records name their topic by a view into the generator: keep it alive.
  static std::vector<std::unique_ptr<generators::Generator>> keep_alive;
  size_t n = 0;
  while (n < primary) {
    GeneratedRecord r;
    (*g)->Next(r);
    if (r.primary) ++n;
    out.push_back(std::move(r));
  }
  keep_alive.push_back(std::move(*g));
  return out;
}

GeneratorOptions Options(uint64_t seed, double bad_ratio = 0, Format format = Format::kJson) {
  GeneratorOptions o;
  o.seed = seed;
  o.bad_ratio = bad_ratio;
  o.format = format;
  return o;
}

bool SameRecords(const std::vector<GeneratedRecord>& a, const std::vector<GeneratedRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].topic != b[i].topic || a[i].key != b[i].key || a[i].value != b[i].value ||
        a[i].timestamp != b[i].timestamp || a[i].truth != b[i].truth) {
      return false;
    }
  }
  return true;
}

Value ParseJson(const std::string& text) {
  static auto serde = *MakeSerde("json", {});
  Value v;
  Status st = serde->Deserialize(text, &v);
  EXPECT_TRUE(st.ok()) << st.message() << ": " << text;
  return v;
}

// ---- determinism ----

TEST(GeneratorDeterminism, SameSeedSameRecordsOtherSeedOthers) {
  for (const std::string& name : generators::GeneratorNames()) {
    for (Format format : {Format::kJson, Format::kProtobuf}) {
      SCOPED_TRACE(name);
      auto a = Generate(name, Options(42, 0.1, format), 3000);
      auto b = Generate(name, Options(42, 0.1, format), 3000);
      auto c = Generate(name, Options(43, 0.1, format), 3000);
      EXPECT_TRUE(SameRecords(a, b));
      EXPECT_FALSE(SameRecords(a, c));
    }
  }
}

TEST(GeneratorDeterminism, TimestampsStartAtTheStartTimeAndEqualTheValueTime) {
  GeneratorOptions o = Options(1);
  o.start_time_ms = 1'000'000;
  for (const std::string& name : generators::GeneratorNames()) {
    SCOPED_TRACE(name);
    for (const GeneratedRecord& r : Generate(name, o, 500)) {
      ASSERT_GE(r.timestamp, name == "sales" ? 1'000'000 - 900'000 : 1'000'000);  // sales: late orders
      if (!r.primary) continue;
      Value v = ParseJson(r.value);
      const char* field = name == "crypto" || name == "sales" ? "event_time" : name == "fraud" ? "timestamp" : "ts";
      ASSERT_NE(v.Find(field), nullptr);
      EXPECT_EQ(v.Find(field)->as_int(), r.timestamp);
    }
  }
}

TEST(GeneratorDeterminism, BadRecordsReplaceGoodOnesWithoutShiftingTheSequence) {
  auto clean = Generate("sales", Options(5), 2000);
  auto dirty = Generate("sales", Options(5, 0.3), 2000);
  ASSERT_EQ(clean.size(), dirty.size());
  size_t bad = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    if (dirty[i].defect != Defect::kNone) {
      ++bad;
      continue;
    }
    EXPECT_EQ(clean[i].value, dirty[i].value) << i;
  }
  EXPECT_GT(bad, 400u);
}

TEST(GeneratorDeterminism, StartTimeParsing) {
  EXPECT_EQ(*generators::ParseStartTime("2026-01-01T00:00:00Z"), 1767225600000);
  EXPECT_EQ(*generators::ParseStartTime("2026-01-01"), 1767225600000);
  EXPECT_EQ(*generators::ParseStartTime("2024-02-29T12:34:56.789Z"), 1709210096789);
  EXPECT_EQ(*generators::ParseStartTime("1700000000000"), 1700000000000);
  EXPECT_FALSE(generators::ParseStartTime("2026-13-01").ok());
  EXPECT_FALSE(generators::ParseStartTime("yesterday").ok());
  EXPECT_FALSE(generators::ParseStartTime("2026-01-01T00:00Z").ok());
}

TEST(GeneratorDeterminism, UnknownGeneratorOrParameterIsAnError) {
  EXPECT_EQ(generators::MakeGenerator("bitcoin", {}).status().code(), StatusCode::kInvalidArgument);
  GeneratorOptions o;
  o.params["coinz"] = "x";
  auto g = generators::MakeGenerator("crypto", o);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("unknown parameter 'coinz'"), std::string::npos) << g.status().message();
  o.params = {{"volatility", "high"}};
  EXPECT_FALSE(generators::MakeGenerator("crypto", o).ok());
}

// ---- record shapes ----

// Field name -> type letter: s string, i integer, d double, b bool.
using Shape = std::vector<std::pair<std::string, char>>;

const std::map<std::string, Shape>& Shapes() {
  static const std::map<std::string, Shape> kShapes = {
      {"crypto.trades",
       {{"symbol", 's'},
        {"trade_id", 'i'},
        {"price", 'd'},
        {"quantity", 'd'},
        {"is_buyer_maker", 'b'},
        {"event_time", 'i'}}},
      {"crypto.tickers",
       {{"id", 's'},
        {"symbol", 's'},
        {"price", 'd'},
        {"market_cap", 'd'},
        {"volume_24h", 'd'},
        {"price_change_24h", 'd'},
        {"last_updated", 'i'},
        {"source", 's'}}},
      {"sales.orders",
       {{"order_id", 's'},
        {"client_id", 's'},
        {"client_name", 's'},
        {"country", 's'},
        {"product", 's'},
        {"category", 's'},
        {"quantity", 'i'},
        {"unit_price", 'd'},
        {"amount", 'd'},
        {"payment_method", 's'},
        {"event_time", 'i'}}},
      {"clickstream", {{"event_id", 's'}, {"user_id", 's'}, {"url", 's'}, {"referrer", 's'}, {"ua", 's'}, {"ts", 'i'}}},
      {"iot",
       {{"device_id", 's'},
        {"site", 's'},
        {"temp_c", 'd'},
        {"humidity", 'd'},
        {"battery", 'd'},
        {"signal_strength", 'i'},
        {"ts", 'i'}}},
      {"transactions-raw-v1",
       {{"transaction_id", 's'},
        {"customer_id", 's'},
        {"merchant_id", 's'},
        {"amount", 'd'},
        {"currency", 's'},
        {"timestamp", 'i'},
        {"country", 's'},
        {"channel", 's'},
        {"card_present", 'b'}}},
      {"customers-v1",
       {{"customer_id", 's'},
        {"home_country", 's'},
        {"account_age_days", 'i'},
        {"avg_amount", 'd'},
        {"risk_tier", 's'}}},
      {"merchants-v1", {{"merchant_id", 's'}, {"category", 's'}, {"risk_score", 'd'}}},
  };
  return kShapes;
}

char TypeLetter(const Value& v) {
  if (v.is_string()) return 's';
  if (v.is_int()) return 'i';
  if (v.is_double()) return 'd';
  if (v.is_bool()) return 'b';
  return '?';
}

TEST(GeneratorShapes, EveryRecordHasExactlyTheDocumentedFieldsAndTypes) {
  for (const std::string& name : generators::GeneratorNames()) {
    SCOPED_TRACE(name);
    std::map<std::string, size_t> per_topic;
    for (const GeneratedRecord& r : Generate(name, Options(3), 5000)) {
      auto shape = Shapes().find(std::string(r.topic));
      ASSERT_NE(shape, Shapes().end()) << r.topic;
      ++per_topic[std::string(r.topic)];
      Value v = ParseJson(r.value);
      ASSERT_TRUE(v.is_object());
      ASSERT_EQ(v.as_object().size(), shape->second.size()) << r.value;
      for (size_t i = 0; i < shape->second.size(); ++i) {
        EXPECT_EQ(v.as_object()[i].name, shape->second[i].first) << r.value;
        EXPECT_EQ(TypeLetter(v.as_object()[i].value), shape->second[i].second) << r.value;
      }
      // The key is the record's id field.
      const bool second = r.topic == "transactions-raw-v1" || r.topic == "clickstream";
      EXPECT_EQ(v.as_object()[second ? 1 : 0].value.as_string(), r.key) << r.value;
    }
    if (name == "crypto") {
      EXPECT_GT(per_topic["crypto.tickers"], 0u);
    }
    if (name == "fraud") {
      EXPECT_EQ(per_topic["customers-v1"], 1000u);
      EXPECT_EQ(per_topic["merchants-v1"], 200u);
    }
  }
}

TEST(GeneratorShapes, SalesAmountIsQuantityTimesUnitPriceToTheCent) {
  size_t heavy = 0, orders = 0;
  for (const GeneratedRecord& r : Generate("sales", Options(9), 5000)) {
    Value v = ParseJson(r.value);
    const int64_t q = v.Find("quantity")->as_int();
    const int64_t unit_cents = std::llround(v.Find("unit_price")->as_double() * 100);
    EXPECT_GT(q, 0);
    EXPECT_EQ(std::llround(v.Find("amount")->as_double() * 100), q * unit_cents) << r.value;
    EXPECT_NEAR(v.Find("amount")->as_double(), q * v.Find("unit_price")->as_double(), 0.005);
    const std::string& client = v.Find("client_id")->as_string();
    if (client <= "c-00005") ++heavy;
    ++orders;
  }
  // 5 of 500 clients place about 30 % of the orders.
  EXPECT_GT(heavy, orders / 5);
}

TEST(GeneratorShapes, CryptoPricesMoveAndTickersComeOncePerMinutePerCoin) {
  auto records = Generate("crypto", Options(7), 20000);
  std::map<std::string, std::pair<double, double>> range;  // symbol -> min, max price
  std::map<int64_t, int> tickers_at;
  for (const GeneratedRecord& r : records) {
    Value v = ParseJson(r.value);
    if (r.topic == "crypto.tickers") {
      ++tickers_at[r.timestamp];
      EXPECT_EQ(r.timestamp % 60000, 0);
      continue;
    }
    const double p = v.Find("price")->as_double();
    EXPECT_GT(p, 0);
    EXPECT_GT(v.Find("quantity")->as_double(), 0);
    auto [it, fresh] = range.try_emplace(v.Find("symbol")->as_string(), p, p);
    it->second.first = std::min(it->second.first, p);
    it->second.second = std::max(it->second.second, p);
  }
  EXPECT_EQ(range.size(), 10u);
  for (const auto& [symbol, mm] : range) EXPECT_LT(mm.first, mm.second) << symbol;
  ASSERT_FALSE(tickers_at.empty());
  for (const auto& [t, n] : tickers_at) EXPECT_EQ(n, 10) << t;
}

TEST(GeneratorShapes, ClickstreamSessionsHaveShortGapsInsideAndLongBetween) {
  std::map<std::string, int64_t> last;
  size_t short_gaps = 0, long_gaps = 0, middle = 0;
  std::map<std::string, size_t> per_url;
  for (const GeneratedRecord& r : Generate("clickstream", Options(2), 20000)) {
    Value v = ParseJson(r.value);
    ++per_url[v.Find("url")->as_string()];
    auto it = last.find(r.key);
    if (it != last.end()) {
      const int64_t gap = r.timestamp - it->second;
      if (gap <= 20 * 60000) {
        ++short_gaps;
      } else if (gap > 30 * 60000) {
        ++long_gaps;
      } else {
        ++middle;
      }
    }
    last[r.key] = r.timestamp;
  }
  EXPECT_GT(short_gaps, 10000u);
  EXPECT_GT(long_gaps, 500u);
  EXPECT_EQ(middle, 0u);
  EXPECT_GT(per_url["/"], per_url["/products/50"] * 5);  // Zipf: the home page is popular
}

TEST(GeneratorShapes, IotHasDyingBatteriesAndSilentDevices) {
  GeneratorOptions o = Options(4);
  std::map<std::string, int64_t> last;
  bool low_battery = false, silent = false;
  for (const GeneratedRecord& r : Generate("iot", o, 60000)) {
    Value v = ParseJson(r.value);
    if (v.Find("battery")->as_double() < 15) low_battery = true;
    auto it = last.find(r.key);
    if (it != last.end() && r.timestamp - it->second > 5 * 60000) silent = true;
    last[r.key] = r.timestamp;
    const double h = v.Find("humidity")->as_double();
    EXPECT_TRUE(h >= 0 && h <= 100) << r.value;
  }
  EXPECT_EQ(last.size(), 100u);
  EXPECT_TRUE(low_battery);
  EXPECT_TRUE(silent);
}

// ---- malformed records ----

TEST(GeneratorBadRecords, RatioIsMetDeterministicallyWithTheDocumentedMix) {
  constexpr size_t kN = 10000;
  constexpr double kRatio = 0.1;
  for (const std::string& name : generators::GeneratorNames()) {
    SCOPED_TRACE(name);
    auto a = Generate(name, Options(11, kRatio), kN);
    auto b = Generate(name, Options(11, kRatio), kN);
    std::map<Defect, size_t> kinds;
    size_t bad_a = 0, bad_b = 0;
    for (const auto& r : a) {
      if (r.defect == Defect::kNone) continue;
      ++bad_a;
      ++kinds[r.defect];
      EXPECT_TRUE(r.primary);
    }
    for (const auto& r : b) bad_b += r.defect != Defect::kNone;
    EXPECT_EQ(bad_a, bad_b);
    EXPECT_GE(bad_a, kN * kRatio * 0.8);
    EXPECT_LE(bad_a, kN * kRatio * 1.2);
    EXPECT_EQ(kinds.size(), 5u);  // every kind occurs
  }
}

TEST(GeneratorBadRecords, EachKindIsReallyMalformed) {
  static auto json = *MakeSerde("json", {});
  const Shape& shape = Shapes().at("crypto.trades");
  for (const GeneratedRecord& r : Generate("crypto", Options(12, 0.5), 2000)) {
    if (!r.primary || r.defect == Defect::kNone) continue;
    Value v;
    Status st = json->Deserialize(r.value, &v);
    if (r.defect == Defect::kInvalidEncoding) {
      EXPECT_FALSE(st.ok()) << r.value;
      EXPECT_EQ(r.value_kind, generators::ValueKind::kText);
      continue;
    }
    ASSERT_TRUE(st.ok()) << r.value;
    switch (r.defect) {
      case Defect::kMissingField: EXPECT_EQ(v.as_object().size(), shape.size() - 1) << r.value; break;
      case Defect::kWrongType: {
        size_t mistyped = 0;
        for (size_t i = 0; i < shape.size(); ++i) mistyped += TypeLetter(v.as_object()[i].value) != shape[i].second;
        EXPECT_EQ(mistyped, 1u) << r.value;
        break;
      }
      case Defect::kNegativeNumber: EXPECT_LT(v.Find("price")->as_double(), 0) << r.value; break;
      case Defect::kDomainViolation: EXPECT_EQ(v.Find("symbol")->as_string(), "UNKNOWNUSDT"); break;
      default: break;
    }
  }
}

// ---- fraud ground truth ----

TEST(GeneratorFraud, TruthCoversEveryTransactionAtTheConfiguredRate) {
  for (double rate : {0.02, 0.1}) {
    GeneratorOptions o = Options(21);
    o.params["fraud_rate"] = std::to_string(rate);
    auto records = Generate("fraud", o, 50000);
    size_t transactions = 0, fraud = 0;
    std::map<std::string, size_t> patterns;
    for (const GeneratedRecord& r : records) {
      if (!r.primary) {
        EXPECT_TRUE(r.truth.empty());
        continue;
      }
      ++transactions;
      Value truth = ParseJson(r.truth);
      Value tx = ParseJson(r.value);
      ASSERT_EQ(truth.as_object().size(), 3u) << r.truth;
      EXPECT_EQ(truth.Find("transaction_id")->as_string(), tx.Find("transaction_id")->as_string());
      // The records themselves carry no hint of the truth.
      EXPECT_EQ(tx.Find("fraud"), nullptr);
      if (truth.Find("fraud")->as_bool()) {
        ++fraud;
        ++patterns[truth.Find("pattern")->as_string()];
      } else {
        EXPECT_EQ(truth.Find("pattern")->as_string(), "none");
      }
    }
    EXPECT_EQ(transactions, 50000u);
    EXPECT_NEAR(static_cast<double>(fraud) / transactions, rate, rate * 0.15) << rate;
    EXPECT_EQ(patterns.size(), 4u);
  }
}

TEST(GeneratorFraud, TablesComeFirstKeyedById) {
  auto records = Generate("fraud", Options(1), 1);
  ASSERT_EQ(records.size(), 1201u);
  for (size_t i = 0; i < 1000; ++i) EXPECT_EQ(records[i].topic, "customers-v1");
  for (size_t i = 1000; i < 1200; ++i) EXPECT_EQ(records[i].topic, "merchants-v1");
  EXPECT_EQ(records[0].key, "cust-000001");
  EXPECT_EQ(records[1000].key, "m-0001");
  EXPECT_EQ(records[1200].topic, "transactions-raw-v1");
}

// ---- protobuf through the framework's serde ----

const std::map<std::string, std::string>& MessageOfTopic() {
  static const std::map<std::string, std::string> kMessages = {
      {"crypto.trades", "Trade"},   {"crypto.tickers", "Ticker"}, {"sales.orders", "Order"},
      {"clickstream", "Click"},     {"iot", "Reading"},           {"transactions-raw-v1", "Transaction"},
      {"customers-v1", "Customer"}, {"merchants-v1", "Merchant"},
  };
  return kMessages;
}

TEST(GeneratorProtobuf, DecodesWithTheFrameworkSerdeToTheJsonRecord) {
  SerdeOptions protos{{STREAMAPP_SOURCE_DIR "/proto"}};
  for (const std::string& name : generators::GeneratorNames()) {
    SCOPED_TRACE(name);
    auto as_json = Generate(name, Options(8), 3000);
    auto as_proto = Generate(name, Options(8, 0, Format::kProtobuf), 3000);
    ASSERT_EQ(as_json.size(), as_proto.size());
    for (size_t i = 0; i < as_json.size(); ++i) {
      const std::string spec = "protobuf:streamapp.pipelines." + MessageOfTopic().at(std::string(as_proto[i].topic));
      auto serde = MakeSerde(spec, protos);
      ASSERT_TRUE(serde.ok()) << serde.status().message();
      Value decoded;
      Status st = (*serde)->Deserialize(as_proto[i].value, &decoded);
      ASSERT_TRUE(st.ok()) << st.message();
      ASSERT_EQ(decoded, ParseJson(as_json[i].value)) << decoded.ToJson() << "\n" << as_json[i].value;
      EXPECT_EQ(as_proto[i].key, as_json[i].key);
      EXPECT_EQ(as_proto[i].timestamp, as_json[i].timestamp);
    }
  }
}

TEST(GeneratorProtobuf, BadRecordsDoNotDecodeOrLackTheField) {
  SerdeOptions protos{{STREAMAPP_SOURCE_DIR "/proto"}};
  auto serde = *MakeSerde("protobuf:streamapp.pipelines.Transaction", protos);
  size_t undecodable = 0;
  for (const GeneratedRecord& r : Generate("fraud", Options(3, 0.5, Format::kProtobuf), 2000)) {
    if (!r.primary || r.defect == Defect::kNone) continue;
    Value v;
    Status st = serde->Deserialize(r.value, &v);
    if (r.defect == Defect::kInvalidEncoding) {
      EXPECT_FALSE(st.ok());
      ++undecodable;
      continue;
    }
    ASSERT_TRUE(st.ok()) << st.message();
    if (r.defect == Defect::kNegativeNumber) {
      EXPECT_LT(v.Find("amount")->as_double(), 0);
    }
    if (r.defect == Defect::kDomainViolation) {
      EXPECT_EQ(v.Find("currency")->as_string(), "XXX");
    }
    if (r.defect == Defect::kMissingField || r.defect == Defect::kWrongType) {
      // proto3: an absent (or unreadable) field reads as its default.
      size_t defaults = 0;
      for (const Field& f : v.as_object()) {
        defaults +=
            (f.value.is_string() && f.value.as_string().empty()) || (f.value.is_number() && f.value.as_number() == 0);
      }
      EXPECT_EQ(defaults, 1u) << v.ToJson();
    }
  }
  EXPECT_GT(undecodable, 50u);
}

// ---- dump / replay format ----

TEST(GeneratorReplay, ParsesGoodLines) {
  ReplayRecord r;
  ASSERT_TRUE(
      generators::ParseReplayLine(
          R"({"topic": "t", "key": "k\u00e9\n", "value": {"a": [1, 2.5e3, "x\"y"], "b": null}, "timestamp": 17})", &r)
          .ok());
  EXPECT_EQ(r.topic, "t");
  EXPECT_EQ(*r.key, "k\xc3\xa9\n");
  EXPECT_EQ(*r.value, R"({"a": [1, 2.5e3, "x\"y"], "b": null})");  // byte for byte
  EXPECT_EQ(*r.timestamp, 17);

  ASSERT_TRUE(generators::ParseReplayLine(R"({"value":"plain text","key":null})", &r).ok());
  EXPECT_EQ(r.topic, "");
  EXPECT_FALSE(r.key);
  EXPECT_EQ(*r.value, "plain text");
  EXPECT_FALSE(r.timestamp);

  ASSERT_TRUE(generators::ParseReplayLine(R"({"value":null,"key":"k"})", &r).ok());
  EXPECT_FALSE(r.value);  // a tombstone

  ASSERT_TRUE(generators::ParseReplayLine(R"({"value_base64":"AAEC/w==","topic":"b"})", &r).ok());
  EXPECT_EQ(*r.value, std::string("\x00\x01\x02\xff", 4));
  ASSERT_TRUE(generators::ParseReplayLine(R"({"value":-12.5})", &r).ok());
  EXPECT_EQ(*r.value, "-12.5");
}

TEST(GeneratorReplay, RejectsMalformedLinesWithAReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"topic":"t","key":"k","value":{"a":1},"timestamp":1)", "expected ',' or '}'"},
      {R"({"topic":"t","value":{"a":}})", "expected a value"},
      {R"({"topic":"t","value":1,"timestamp":"now"})", "expected a value"},
      {R"({"topic":"t","value":1,"timestamp":1.5})", "expected an integer"},
      {R"({"topic":"t","value":1,"timestamp":-3})", "negative timestamp"},
      {R"({"topic":"t","key":"k"})", "no value"},
      {R"({"topic":"t","value":1,"offset":3})", "unknown field 'offset'"},
      {R"({"topic":"t","value":1} trailing)", "text after the object"},
      {R"({"topic":"t","value_base64":"***"})", "not base64"},
      {R"([1,2])", "expected a JSON object"},
      {R"({"topic":"t","value":"unterminated})", "unterminated string"},
  };
  for (const auto& [line, reason] : cases) {
    ReplayRecord r;
    Status st = generators::ParseReplayLine(line, &r);
    ASSERT_FALSE(st.ok()) << line;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find(reason), std::string::npos) << line << " -> " << st.message();
  }
}

TEST(GeneratorReplay, DumpThenReplayGivesTheSameRecords) {
  for (const std::string& name : generators::GeneratorNames()) {
    for (Format format : {Format::kJson, Format::kProtobuf}) {
      SCOPED_TRACE(name);
      auto records = Generate(name, Options(6, 0.2, format), 2000);
      std::string dump;
      for (const auto& r : records) generators::AppendDumpLine(r, &dump);
      std::istringstream in(dump);
      std::string line;
      size_t i = 0;
      ReplayRecord back;
      while (std::getline(in, line)) {
        ASSERT_LT(i, records.size());
        Status st = generators::ParseReplayLine(line, &back);
        ASSERT_TRUE(st.ok()) << st.message() << ": " << line;
        EXPECT_EQ(back.topic, records[i].topic);
        EXPECT_EQ(back.key, records[i].key);
        EXPECT_EQ(back.value, records[i].value);
        EXPECT_EQ(back.timestamp, records[i].timestamp);
        ++i;
      }
      EXPECT_EQ(i, records.size());
    }
  }
}

// ---- the command line, without a broker ----

TEST(GeneratorCli, DumpIsReproducibleAndMatchesTheLibrary) {
  const std::string dir = testing::MakeTempDir("streamapp-gen");
  const std::string args = std::string(STREAM_APP_BINARY) +
                           " generate fraud --count 3000 --seed 5 --bad-ratio 0.05 --start-time 2026-03-01T00:00:00Z";
  auto a = testing::RunCommand(args + " --dump " + dir + "/a.jsonl --truth-file " + dir + "/truth.jsonl");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_NE(a.output.find("4200 records (3000 to transactions-raw-v1, 1200 to other topics)"), std::string::npos)
      << a.output;
  auto b = testing::RunCommand(args + " --dump " + dir + "/b.jsonl");
  ASSERT_EQ(b.exit_code, 0) << b.output;
  EXPECT_EQ(ReadFile(dir + "/a.jsonl"), ReadFile(dir + "/b.jsonl"));

  GeneratorOptions o = Options(5, 0.05);
  o.start_time_ms = *generators::ParseStartTime("2026-03-01T00:00:00Z");
  std::string expected, truth;
  for (const auto& r : Generate("fraud", o, 3000)) {
    generators::AppendDumpLine(r, &expected);
    if (!r.truth.empty()) truth += r.truth + "\n";
  }
  EXPECT_EQ(ReadFile(dir + "/a.jsonl"), expected);
  EXPECT_EQ(ReadFile(dir + "/truth.jsonl"), truth);
  std::system(("rm -rf " + dir).c_str());
}

TEST(GeneratorCli, ReplayReportsTheFileAndLineOfAMalformedLine) {
  const std::string dir = testing::MakeTempDir("streamapp-gen");
  testing::WriteFile(dir + "/in.jsonl",
                     "{\"topic\":\"t\",\"key\":\"a\",\"value\":{\"x\":1},\"timestamp\":1}\n\n"
                     "{\"topic\":\"t\",\"key\":\"b\",\"value\":{\"x\":},\"timestamp\":2}\n");
  // Lines are checked before any connection, so no broker is needed here.
  auto run = testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate --replay " + dir +
                                 "/in.jsonl --bootstrap-servers 127.0.0.1:1");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find(dir + "/in.jsonl:3: expected a value at column"), std::string::npos) << run.output;
  std::system(("rm -rf " + dir).c_str());
}

TEST(GeneratorCli, ListsParametersAndRejectsUnknownOnes) {
  auto list = testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate crypto --list-params");
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.output.find("tickers_topic = crypto.tickers"), std::string::npos) << list.output;
  auto bad = testing::RunCommand(std::string(STREAM_APP_BINARY) + " generate iot --count 1 --dump - --set sensors=3");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("unknown parameter 'sensors'"), std::string::npos) << bad.output;
}

// ---- speed (a figure, not an assertion) ----

TEST(GeneratorSpeed, PrintsRecordsPerSecond) {
  for (const std::string& name : generators::GeneratorNames()) {
    for (Format format : {Format::kJson, Format::kProtobuf}) {
      auto g = generators::MakeGenerator(name, Options(1, 0, format)).value();
      GeneratedRecord r;
      constexpr int kN = 300000;
      const auto t0 = std::chrono::steady_clock::now();
      size_t bytes = 0;
      for (int i = 0; i < kN; ++i) {
        g->Next(r);
        bytes += r.value.size();
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("[ speed    ] %-12s %-8s %9.0f records/s, %5.1f bytes/record\n", name.c_str(),
                  format == Format::kJson ? "json" : "protobuf", kN / secs, static_cast<double>(bytes) / kN);
    }
  }
}

}  // namespace
}  // namespace streamapp
