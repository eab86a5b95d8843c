// fraud: card transactions (transactions-raw-v1, key = customer id) after
// the two tables they are enriched with (customers-v1, merchants-v1, keyed
// by id, written first). Customers mostly shop at their usual merchants at
// home; fraud is injected at fraud_rate in four patterns (the pipeline's
// rules), and the truth for every transaction goes to GeneratedRecord::truth,
// never into the records themselves.
#include <algorithm>
#include <cmath>

#include "base.h"
#include "generators_internal.h"

namespace streamapp::generators {
namespace {

enum Pattern { kNormal = -1, kHighAmount = 0, kVelocityBurst, kForeignCardNotPresent, kNewMerchantLarge };
const char* const kPatternNames[] = {"high_amount", "velocity_burst", "foreign_card_not_present",
                                     "new_merchant_large_amount"};

struct Country {
  std::string code;
  std::string currency;
};

struct Customer {
  std::string id;
  size_t home = 0;  // index into countries_
  int64_t account_age_days = 0;
  double avg_amount = 0;
  const char* risk_tier = "low";
  std::vector<size_t> favorites;  // usual merchants
};

struct Merchant {
  std::string id;
  std::string category;
  double risk_score = 0;
};

class FraudGenerator final : public GeneratorBase {
 public:
  FraudGenerator(const GeneratorOptions& options, Params& p)
      : GeneratorBase(options, "transactions-raw-v1"), rng_(options.seed) {
    const int64_t customers = p.Int("customers", 1, 10000000);
    const int64_t merchants = p.Int("merchants", 2, 10000000);
    for (const auto& t : p.Tuples("countries", 2, 2)) countries_.push_back(Country{t[0], t[1]});
    if (countries_.size() < 2) p.Fail("countries: at least two are needed (foreign transactions)");
    const std::vector<std::string> categories = p.List("categories");
    const int64_t favorites = p.Int("favorite_merchants", 1, 1000);
    gap_ms_ = p.Double("transaction_gap_ms", 0, 8.64e7);
    const double fraud_rate = p.Double("fraud_rate", 0, 0.99);
    online_share_ = p.Double("online_share", 0, 1);
    travel_share_ = p.Double("travel_share", 0, 1);
    burst_size_ = p.Int("burst_size", 1, 1000);
    high_factor_ = p.Double("high_amount_factor", 1, 1e6);
    customers_topic_ = p.Str("customers_topic");
    merchants_topic_ = p.Str("merchants_topic");
    if (!p.status().ok()) return;
    // A velocity burst is burst_size fraudulent transactions, the other
    // patterns one: pick the trigger chance so the fraud share is fraud_rate.
    const double per_trigger = (3.0 + static_cast<double>(burst_size_)) / 4.0;
    trigger_ = fraud_rate / (per_trigger * (1 - fraud_rate) + fraud_rate);

    for (int64_t i = 0; i < merchants; ++i) {
      Merchant m;
      SetId(&m.id, "m-", i + 1, 4);
      m.category = categories[rng_.Below(categories.size())];
      const double u = rng_.Uniform();
      m.risk_score = RoundTo(u * u, 2);  // mostly low
      merchants_.push_back(std::move(m));
    }
    for (int64_t i = 0; i < customers; ++i) {
      Customer c;
      SetId(&c.id, "cust-", i + 1, 6);
      c.home = rng_.Below(countries_.size());
      c.account_age_days = rng_.Between(1, 3650);
      c.avg_amount = RoundTo(rng_.LogNormal(50, 0.6), 2);
      const double tier = rng_.Uniform();
      c.risk_tier = tier < 0.7 ? "low" : tier < 0.95 ? "medium" : "high";
      for (int64_t f = 0; f < favorites; ++f) c.favorites.push_back(rng_.Below(merchants_.size()));
      customers_.push_back(std::move(c));
    }
    now_ = options.start_time_ms;
  }

  std::vector<std::string> Topics() const override { return {main_topic_, customers_topic_, merchants_topic_}; }
  std::vector<std::string> TableTopics() const override { return {customers_topic_, merchants_topic_}; }

  void Next(GeneratedRecord& out) override {
    if (next_customer_row_ < customers_.size()) return CustomerRow(out, customers_[next_customer_row_++]);
    if (next_merchant_row_ < merchants_.size()) return MerchantRow(out, merchants_[next_merchant_row_++]);
    Transaction(out);
  }

 private:
  void TableRow(GeneratedRecord& out, std::string_view topic, const std::string& key) {
    out.topic = topic;
    out.key = key;
    out.timestamp = options_.start_time_ms;
    out.primary = false;
    out.defect = Defect::kNone;
    out.truth.clear();
    out.value_kind = options_.format == Format::kJson ? ValueKind::kJson : ValueKind::kBinary;
    enc_.Begin(&out.value);
  }

  void CustomerRow(GeneratedRecord& out, const Customer& c) {
    TableRow(out, customers_topic_, c.id);
    enc_.String(1, "customer_id", c.id);
    enc_.String(2, "home_country", countries_[c.home].code);
    enc_.Int(3, "account_age_days", c.account_age_days);
    enc_.Double(4, "avg_amount", c.avg_amount);
    enc_.String(5, "risk_tier", c.risk_tier);
    enc_.End();
  }

  void MerchantRow(GeneratedRecord& out, const Merchant& m) {
    TableRow(out, merchants_topic_, m.id);
    enc_.String(1, "merchant_id", m.id);
    enc_.String(2, "category", m.category);
    enc_.Double(3, "risk_score", m.risk_score);
    enc_.End();
  }

  size_t OtherCountry(size_t home) { return (home + 1 + rng_.Below(countries_.size() - 1)) % countries_.size(); }

  void Transaction(GeneratedRecord& out) {
    Pattern pattern = kNormal;
    size_t ci;
    if (burst_left_ > 0) {
      // The rest of a velocity burst: the same card, seconds apart, online.
      --burst_left_;
      pattern = kVelocityBurst;
      ci = burst_customer_;
      now_ += rng_.Between(2000, 30000);
    } else {
      now_ += static_cast<int64_t>(rng_.Exponential(gap_ms_));
      ci = rng_.Below(customers_.size());
      if (rng_.Chance(trigger_)) pattern = static_cast<Pattern>(rng_.Below(4));
    }
    const Customer& c = customers_[ci];
    size_t merchant = c.favorites[rng_.Below(c.favorites.size())];
    size_t country = c.home;
    bool online = rng_.Chance(online_share_);
    double amount = rng_.LogNormal(c.avg_amount, 0.5);
    switch (pattern) {
      case kNormal:
        if (rng_.Chance(travel_share_)) {  // legitimate travel: abroad, card present
          country = OtherCountry(c.home);
          online = false;
        }
        break;
      case kHighAmount: amount = c.avg_amount * rng_.Uniform(high_factor_, 2 * high_factor_); break;
      case kVelocityBurst:
        if (burst_left_ == 0 && ci != burst_customer_) {  // the first of a burst
          burst_left_ = burst_size_ - 1;
          burst_customer_ = ci;
        }
        merchant = rng_.Below(merchants_.size());
        online = true;
        amount = c.avg_amount * rng_.Uniform(0.5, 2);
        break;
      case kForeignCardNotPresent:
        country = OtherCountry(c.home);
        online = true;
        amount = c.avg_amount * rng_.Uniform(2, 5);
        break;
      case kNewMerchantLarge:
        merchant = rng_.Below(merchants_.size());
        while (std::find(c.favorites.begin(), c.favorites.end(), merchant) != c.favorites.end()) {
          merchant = (merchant + 1) % merchants_.size();
          if (c.favorites.size() >= merchants_.size()) break;  // no new merchant exists
        }
        amount = c.avg_amount * rng_.Uniform(5, 15);
        break;
    }
    if (pattern == kVelocityBurst && burst_left_ == 0) burst_customer_ = SIZE_MAX;  // burst done
    int64_t cents = std::max<int64_t>(1, std::llround(amount * 100));
    ++transactions_;

    const DefectPlan plan = PlanDefect({1, 2, 3, 4, 5, 6, 7, 8});
    if (plan.kind == Defect::kNegativeNumber) cents = -cents;
    SetId(&id_buf_, "tx-", transactions_, 10);
    out.topic = main_topic_;
    out.key = c.id;
    out.timestamp = now_;
    BeginValue(out, plan);
    enc_.String(1, "transaction_id", id_buf_);
    enc_.String(2, "customer_id", c.id);
    enc_.String(3, "merchant_id", merchants_[merchant].id);
    enc_.Cents(4, "amount", cents);
    enc_.String(5, "currency",
                plan.kind == Defect::kDomainViolation ? std::string_view("XXX") : countries_[country].currency);
    enc_.Int(6, "timestamp", now_);
    enc_.String(7, "country", countries_[country].code);
    enc_.String(8, "channel", online ? "online" : "pos");
    enc_.Bool(9, "card_present", !online);
    EndValue(out, plan);

    out.truth.assign("{\"transaction_id\":\"").append(id_buf_).append("\",\"fraud\":");
    out.truth.append(pattern == kNormal ? "false" : "true").append(",\"pattern\":\"");
    out.truth.append(pattern == kNormal ? "none" : kPatternNames[pattern]).append("\"}");
  }

  Rng rng_;
  std::vector<Country> countries_;
  std::vector<Customer> customers_;
  std::vector<Merchant> merchants_;
  double gap_ms_, online_share_, travel_share_, high_factor_;
  double trigger_ = 0;
  int64_t burst_size_;
  std::string customers_topic_, merchants_topic_;
  size_t next_customer_row_ = 0, next_merchant_row_ = 0;
  int64_t now_ = 0;
  int64_t transactions_ = 0;
  int64_t burst_left_ = 0;
  size_t burst_customer_ = SIZE_MAX;
  std::string id_buf_;
};

}  // namespace

const std::vector<ParamSpec>& FraudParams() {
  static const std::vector<ParamSpec> kSpecs = {
      {"customers", "1000", "number of customers (cust-000001 ...), written to customers_topic first"},
      {"merchants", "200", "number of merchants (m-0001 ...), written to merchants_topic next"},
      {"countries", "US:USD,GB:GBP,DE:EUR,FR:EUR,ES:EUR,IT:EUR,NL:EUR,CA:CAD,JP:JPY,BR:BRL",
       "countries as CODE:CURRENCY; customers live in one, transactions are in its currency"},
      {"categories", "grocery,restaurants,fuel,electronics,travel,online_retail,jewelry,gaming", "merchant categories"},
      {"favorite_merchants", "8", "usual merchants of a customer (normal transactions go there)"},
      {"transaction_gap_ms", "500", "mean event-time gap between two transactions (exponential)"},
      {"fraud_rate", "0.02", "share of transactions that are fraud (the four patterns equally often)"},
      {"online_share", "0.35", "share of normal transactions that are online (card not present)"},
      {"travel_share", "0.03", "share of normal transactions abroad (card present: legitimate travel)"},
      {"burst_size", "5", "transactions of one velocity burst (2-30 s apart)"},
      {"high_amount_factor", "15", "a high_amount fraud is this to twice this times the customer's average"},
      {"customers_topic", "customers-v1", "topic of the customers table"},
      {"merchants_topic", "merchants-v1", "topic of the merchants table"},
  };
  return kSpecs;
}

std::unique_ptr<Generator> MakeFraudGenerator(const GeneratorOptions& options, Params& params) {
  return std::make_unique<FraudGenerator>(options, params);
}

}  // namespace streamapp::generators
