#include "fraud/customer_state.h"

#include <algorithm>
#include <cmath>

namespace streamapp::operators::fraud {

Value CustomerState::ToValue() const {
  Value r = Value::MakeArray();
  for (const auto& [ts, amount] : recent) r.as_array().push_back(Value(Value::Array{Value(ts), Value(amount)}));
  Value m = Value::MakeArray();
  for (const std::string& id : merchants) m.as_array().push_back(Value(id));
  Value v = Value::MakeObject();
  v.Set("recent", std::move(r));
  v.Set("merchants", std::move(m));
  v.Set("count", count);
  v.Set("mean", mean);
  v.Set("m2", m2);
  v.Set("max_ts", max_ts ? Value(*max_ts) : Value());
  return v;
}

Result<CustomerState> CustomerState::FromValue(const Value& v) {
  const Status bad = Status::InvalidArgument("malformed customer state");
  CustomerState s;
  const Value* recent = v.Find("recent");
  const Value* merchants = v.Find("merchants");
  const Value* count = v.Find("count");
  const Value* mean = v.Find("mean");
  const Value* m2 = v.Find("m2");
  const Value* max_ts = v.Find("max_ts");
  if (recent == nullptr || !recent->is_array() || merchants == nullptr || !merchants->is_array() || count == nullptr ||
      !count->is_int() || mean == nullptr || !mean->is_number() || m2 == nullptr || !m2->is_number() ||
      max_ts == nullptr || !(max_ts->is_null() || max_ts->is_int())) {
    return bad;
  }
  for (const Value& e : recent->as_array()) {
    if (!e.is_array() || e.as_array().size() != 2 || !e.as_array()[0].is_int() || !e.as_array()[1].is_number()) {
      return bad;
    }
    s.recent.emplace_back(e.as_array()[0].as_int(), e.as_array()[1].as_number());
  }
  for (const Value& id : merchants->as_array()) {
    if (!id.is_string()) return bad;
    s.merchants.push_back(id.as_string());
  }
  s.count = count->as_int();
  s.mean = mean->as_number();
  s.m2 = m2->as_number();
  if (max_ts->is_int()) s.max_ts = max_ts->as_int();
  return s;
}

Value UpdateFeatures(const FeatureConfig& config, const Transaction& tx, CustomerState& s) {
  Value f = Value::MakeObject();
  // Keep `recent` ordered by timestamp; an equal timestamp goes after the
  // ones already there (arrival order), so sums add in a defined order.
  auto at = std::upper_bound(s.recent.begin(), s.recent.end(), tx.timestamp,
                             [](int64_t ts, const auto& e) { return ts < e.first; });
  s.recent.insert(at, {tx.timestamp, tx.amount});
  // Sliding windows (t - W, t], the current transaction included.
  for (const auto& [name, length] : config.windows) {
    int64_t n = 0;
    double sum = 0;
    for (const auto& [ts, amount] : s.recent) {
      if (ts > tx.timestamp - length && ts <= tx.timestamp) {
        ++n;
        sum += amount;
      }
    }
    f.Set("count_" + name, n);
    f.Set("sum_" + name, sum);
  }
  f.Set("seconds_since_previous", s.max_ts ? Value(static_cast<double>(tx.timestamp - *s.max_ts) / 1000.0) : Value());
  // z-score against the customer's previous transactions (Welford, sample sd).
  f.Set("history_count", s.count);
  Value z;
  if (s.count >= config.min_history && s.count >= 2) {
    const double sd = std::sqrt(s.m2 / static_cast<double>(s.count - 1));
    if (sd > 0) z = Value((tx.amount - s.mean) / sd);
  }
  f.Set("amount_zscore", std::move(z));
  f.Set("amount_to_avg",
        tx.reference_amount && *tx.reference_amount > 0 ? Value(tx.amount / *tx.reference_amount) : Value());
  auto known = std::find(s.merchants.begin(), s.merchants.end(), tx.merchant);
  f.Set("new_merchant", known == s.merchants.end());
  f.Set("foreign", tx.home_country.has_value() && tx.country != tx.home_country);

  // Fold the transaction in.
  ++s.count;
  const double delta = tx.amount - s.mean;
  s.mean += delta / static_cast<double>(s.count);
  s.m2 += delta * (tx.amount - s.mean);
  if (known != s.merchants.end()) s.merchants.erase(known);
  s.merchants.push_back(tx.merchant);
  if (static_cast<int64_t>(s.merchants.size()) > config.max_merchants) s.merchants.erase(s.merchants.begin());
  s.max_ts = s.max_ts ? std::max(*s.max_ts, tx.timestamp) : tx.timestamp;
  int64_t longest = 0;
  for (const auto& w : config.windows) longest = std::max(longest, w.second);
  const int64_t horizon = *s.max_ts - longest;
  s.recent.erase(s.recent.begin(), std::upper_bound(s.recent.begin(), s.recent.end(), horizon,
                                                    [](int64_t ts, const auto& e) { return ts < e.first; }));
  if (static_cast<int64_t>(s.recent.size()) > config.max_history) {
    s.recent.erase(s.recent.begin(), s.recent.end() - config.max_history);
  }
  return f;
}

}  // namespace streamapp::operators::fraud
