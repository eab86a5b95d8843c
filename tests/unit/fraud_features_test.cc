// customer_features' state (operators/src/fraud/customer_state.h): sliding
// windows, z-score, previous transaction, merchants, out-of-order records,
// caps, and the stored encoding.
#include <gtest/gtest.h>

#include <cmath>

#include "fraud/customer_state.h"

namespace streamapp::operators::fraud {
namespace {

constexpr int64_t kMinute = 60 * 1000;

FeatureConfig Config() {
  FeatureConfig c;
  c.windows = {{"2m", 2 * kMinute}, {"1h", 60 * kMinute}};
  c.max_history = 100;
  c.max_merchants = 2;
  c.min_history = 3;
  return c;
}

Transaction Tx(int64_t ts, double amount, std::string merchant = "m1") {
  Transaction t;
  t.timestamp = ts;
  t.amount = amount;
  t.merchant = std::move(merchant);
  t.country = "ES";
  t.home_country = "ES";
  t.reference_amount = 50.0;
  return t;
}

double Num(const Value& f, const char* name) {
  return f.Find(name)->as_number();
}

TEST(FraudFeatures, FirstTransactionHasNoHistory) {
  CustomerState s;
  Value f = UpdateFeatures(Config(), Tx(1000, 25), s);
  EXPECT_EQ(f.Find("count_2m")->as_int(), 1);
  EXPECT_DOUBLE_EQ(Num(f, "sum_2m"), 25);
  EXPECT_TRUE(f.Find("seconds_since_previous")->is_null());
  EXPECT_TRUE(f.Find("amount_zscore")->is_null());
  EXPECT_EQ(f.Find("history_count")->as_int(), 0);
  EXPECT_DOUBLE_EQ(Num(f, "amount_to_avg"), 0.5);
  EXPECT_TRUE(f.Find("new_merchant")->as_bool());
  EXPECT_FALSE(f.Find("foreign")->as_bool());
}

TEST(FraudFeatures, SlidingWindowsIncludeTheCurrentAndExcludeTheBoundary) {
  CustomerState s;
  const FeatureConfig c = Config();
  UpdateFeatures(c, Tx(0, 10), s);
  UpdateFeatures(c, Tx(kMinute, 20), s);
  // Exactly 2 minutes after the first: (t - 2m, t] leaves the first out.
  Value f = UpdateFeatures(c, Tx(2 * kMinute, 30), s);
  EXPECT_EQ(f.Find("count_2m")->as_int(), 2);
  EXPECT_DOUBLE_EQ(Num(f, "sum_2m"), 50);
  EXPECT_EQ(f.Find("count_1h")->as_int(), 3);
  EXPECT_DOUBLE_EQ(Num(f, "sum_1h"), 60);
  EXPECT_DOUBLE_EQ(Num(f, "seconds_since_previous"), 60);
  EXPECT_FALSE(f.Find("new_merchant")->as_bool());
}

TEST(FraudFeatures, ZScoreUsesThePreviousTransactionsOnly) {
  CustomerState s;
  const FeatureConfig c = Config();
  UpdateFeatures(c, Tx(0, 10), s);
  UpdateFeatures(c, Tx(1, 20), s);
  EXPECT_TRUE(UpdateFeatures(c, Tx(2, 30), s).Find("amount_zscore")->is_null());  // 2 < min_history
  // Previous: 10, 20, 30 (mean 20, sample sd 10).
  Value f = UpdateFeatures(c, Tx(3, 45), s);
  EXPECT_DOUBLE_EQ(Num(f, "amount_zscore"), 2.5);
  EXPECT_EQ(f.Find("history_count")->as_int(), 3);
  // Identical history: sd 0, no z-score.
  CustomerState same;
  for (int i = 0; i < 4; ++i) UpdateFeatures(c, Tx(i, 10), same);
  EXPECT_TRUE(UpdateFeatures(c, Tx(9, 99), same).Find("amount_zscore")->is_null());
}

TEST(FraudFeatures, OutOfOrderRecordsCountInTheirOwnWindow) {
  CustomerState s;
  const FeatureConfig c = Config();
  UpdateFeatures(c, Tx(10 * kMinute, 10), s);
  // Five minutes earlier: nothing else in its 2m window; the previous
  // transaction is later, so the gap is negative.
  Value late = UpdateFeatures(c, Tx(5 * kMinute, 20), s);
  EXPECT_EQ(late.Find("count_2m")->as_int(), 1);
  EXPECT_EQ(late.Find("count_1h")->as_int(), 1);
  EXPECT_DOUBLE_EQ(Num(late, "seconds_since_previous"), -300);
  // A later record sees both, and its gap is from the latest timestamp.
  Value next = UpdateFeatures(c, Tx(11 * kMinute, 5), s);
  EXPECT_EQ(next.Find("count_1h")->as_int(), 3);
  EXPECT_DOUBLE_EQ(Num(next, "sum_1h"), 35);
  EXPECT_DOUBLE_EQ(Num(next, "seconds_since_previous"), 60);
}

TEST(FraudFeatures, OldTransactionsAndMerchantsAreDropped) {
  CustomerState s;
  FeatureConfig c = Config();
  c.max_history = 2;
  UpdateFeatures(c, Tx(0, 1, "a"), s);
  UpdateFeatures(c, Tx(1, 2, "b"), s);
  UpdateFeatures(c, Tx(2, 3, "c"), s);  // "a" is the least recent of 3 > max_merchants 2
  EXPECT_EQ(s.recent.size(), 2u);
  EXPECT_EQ(s.merchants, (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(UpdateFeatures(c, Tx(3, 4, "a"), s).Find("new_merchant")->as_bool());
  // Beyond the longest window (1h) the history is evicted.
  UpdateFeatures(c, Tx(2 * 60 * kMinute, 7, "c"), s);
  EXPECT_EQ(s.recent.size(), 1u);
  EXPECT_EQ(s.count, 5);
}

TEST(FraudFeatures, ForeignAndMissingCustomer) {
  CustomerState s;
  Transaction t = Tx(0, 10);
  t.country = "FR";
  EXPECT_TRUE(UpdateFeatures(Config(), t, s).Find("foreign")->as_bool());
  t.home_country.reset();  // no customer row: not foreign, no ratio
  t.reference_amount.reset();
  Value f = UpdateFeatures(Config(), t, s);
  EXPECT_FALSE(f.Find("foreign")->as_bool());
  EXPECT_TRUE(f.Find("amount_to_avg")->is_null());
}

TEST(FraudFeatures, StateRoundTripsThroughItsValue) {
  CustomerState s;
  const FeatureConfig c = Config();
  UpdateFeatures(c, Tx(0, 10.1, "a"), s);
  UpdateFeatures(c, Tx(5, 20.3, "b"), s);
  Result<CustomerState> back = CustomerState::FromValue(s.ToValue());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->recent, s.recent);
  EXPECT_EQ(back->merchants, s.merchants);
  EXPECT_EQ(back->count, s.count);
  EXPECT_EQ(back->mean, s.mean);
  EXPECT_EQ(back->m2, s.m2);
  EXPECT_EQ(back->max_ts, s.max_ts);
  EXPECT_FALSE(CustomerState::FromValue(Value(1)).ok());
}

}  // namespace
}  // namespace streamapp::operators::fraud
