// crypto: exchange trades (crypto.trades) and once-a-minute market snapshots
// per coin (crypto.tickers). Prices follow geometric Brownian motion; now
// and then a symbol has a burst: a price jump, then a run of more frequent,
// larger trades (what the candle, z-score and volume-spike steps look for).
#include <algorithm>
#include <cmath>
#include <deque>

#include "base.h"
#include "generators_internal.h"

namespace streamapp::generators {
namespace {

constexpr double kMsPerYear = 365.25 * 86400000.0;
constexpr double kMsPerDay = 86400000.0;

struct Coin {
  std::string id;
  std::string symbol;
  double price = 0;
  double supply = 0;
  int64_t last_move_ms = 0;  // when the price last moved
  int64_t next_trade_id = 1;
  double interval_notional = 0;  // traded since the last ticker
  double volume_24h = 0;
  std::deque<double> ticker_prices;  // one per ticker, the last 24 h
};

class CryptoGenerator final : public GeneratorBase {
 public:
  CryptoGenerator(const GeneratorOptions& options, Params& p)
      : GeneratorBase(options, "crypto.trades"), rng_(options.seed) {
    for (const auto& t : p.Tuples("coins", 3, 4)) {
      Coin c;
      c.id = t[0];
      c.symbol = t[1];
      if (!ParseDouble(t[2], &c.price) || c.price <= 0) p.Fail("coins: bad start price in " + t[0]);
      c.supply = 1e9;
      if (t.size() == 4 && (!ParseDouble(t[3], &c.supply) || c.supply <= 0)) p.Fail("coins: bad supply in " + t[0]);
      c.last_move_ms = options.start_time_ms;
      coins_.push_back(std::move(c));
    }
    volatility_ = p.Double("volatility", 0, 100);
    drift_ = p.Double("drift", -100, 100);
    gap_ms_ = p.Double("trade_gap_ms", 0, 3.6e6);
    notional_ = p.Double("notional_median", 1e-6, 1e12);
    burst_probability_ = p.Double("burst_probability", 0, 1);
    burst_trades_ = p.Int("burst_trades", 0, 1000000000);
    burst_volume_ = p.Double("burst_volume_multiplier", 0, 1e6);
    burst_jump_ = p.Double("burst_jump", 0, 1);
    ticker_interval_ms_ = p.Int("ticker_interval_ms", 0, 86400000);
    tickers_topic_ = p.Str("tickers_topic");
    source_ = p.Str("ticker_source");
    now_ = options.start_time_ms;
    next_ticker_ms_ = ticker_interval_ms_ > 0 ? now_ + ticker_interval_ms_ : INT64_MAX;
    // Start the 24 h volume near its steady state: the expected daily notional.
    const double trades_per_day =
        kMsPerDay / std::max(gap_ms_, 1.0) / static_cast<double>(std::max<size_t>(1, coins_.size()));
    for (Coin& c : coins_) c.volume_24h = trades_per_day * notional_ * std::exp(0.5 * 0.36);
  }

  std::vector<std::string> Topics() const override {
    if (ticker_interval_ms_ == 0) return {main_topic_};
    return {main_topic_, tickers_topic_};
  }

  void Next(GeneratedRecord& out) override {
    if (pending_tickers_ > 0) return NextTicker(out);
    if (!have_next_time_) {
      next_time_ = now_ + static_cast<int64_t>(rng_.Exponential(gap_ms_));
      have_next_time_ = true;
    }
    if (next_time_ >= next_ticker_ms_) {
      ticker_time_ = next_ticker_ms_;
      next_ticker_ms_ += ticker_interval_ms_;
      pending_tickers_ = coins_.size();
      return NextTicker(out);
    }
    have_next_time_ = false;
    now_ = next_time_;
    NextTrade(out);
  }

 private:
  // Moves a coin's price to `now_` along geometric Brownian motion.
  void Move(Coin& c) {
    const double dt = static_cast<double>(now_ - c.last_move_ms) / kMsPerYear;
    c.last_move_ms = now_;
    if (dt <= 0) return;
    c.price *= std::exp((drift_ - 0.5 * volatility_ * volatility_) * dt + volatility_ * std::sqrt(dt) * rng_.Normal());
  }

  void NextTrade(GeneratedRecord& out) {
    // A burst symbol takes half of all trades while its burst lasts.
    size_t i = burst_left_ > 0 && rng_.Chance(0.5) ? burst_coin_ : rng_.Below(coins_.size());
    Coin& c = coins_[i];
    Move(c);
    double size = 1;
    if (burst_left_ > 0 && i == burst_coin_) {
      --burst_left_;
      size = burst_volume_;
    } else if (burst_left_ == 0 && rng_.Chance(burst_probability_)) {
      burst_coin_ = i;
      burst_left_ = burst_trades_;
      c.price *= std::exp(burst_jump_ * rng_.Normal());
      size = burst_volume_;
    }
    const double price = RoundTo(c.price, PriceDecimals(c.price));
    const double quantity = std::max(1e-6, RoundTo(size * rng_.LogNormal(notional_, 0.6) / c.price, 6));
    const bool buyer_maker = rng_.Chance(0.5);
    c.interval_notional += price * quantity;

    const DefectPlan plan = PlanDefect({1, 2, 3, 4, 6});
    out.topic = main_topic_;
    out.key = c.symbol;
    out.timestamp = now_;
    BeginValue(out, plan);
    enc_.String(1, "symbol", plan.kind == Defect::kDomainViolation ? std::string_view("UNKNOWNUSDT") : c.symbol);
    enc_.Int(2, "trade_id", c.next_trade_id++);
    enc_.Double(3, "price", plan.kind == Defect::kNegativeNumber ? -price : price);
    enc_.Double(4, "quantity", quantity);
    enc_.Bool(5, "is_buyer_maker", buyer_maker);
    enc_.Int(6, "event_time", now_);
    EndValue(out, plan);
  }

  void NextTicker(GeneratedRecord& out) {
    Coin& c = coins_[coins_.size() - pending_tickers_--];
    const double decay = static_cast<double>(ticker_interval_ms_) / kMsPerDay;
    c.volume_24h = c.volume_24h * (1 - decay) + c.interval_notional;
    c.interval_notional = 0;
    const size_t per_day = static_cast<size_t>(kMsPerDay / static_cast<double>(ticker_interval_ms_));
    const double reference = c.ticker_prices.empty() ? c.price : c.ticker_prices.front();
    c.ticker_prices.push_back(c.price);
    if (c.ticker_prices.size() > per_day) c.ticker_prices.pop_front();
    const double price = RoundTo(c.price, PriceDecimals(c.price));

    out.topic = tickers_topic_;
    out.key = c.id;
    out.timestamp = ticker_time_;
    out.primary = false;
    out.defect = Defect::kNone;
    out.truth.clear();
    enc_.Begin(&out.value);
    enc_.String(1, "id", c.id);
    enc_.String(2, "symbol", c.symbol);
    enc_.Double(3, "price", price);
    enc_.Double(4, "market_cap", RoundTo(price * c.supply, 2));
    enc_.Double(5, "volume_24h", RoundTo(c.volume_24h, 2));
    enc_.Double(6, "price_change_24h", RoundTo((c.price / reference - 1) * 100, 4));
    enc_.Int(7, "last_updated", ticker_time_);
    enc_.String(8, "source", source_);
    enc_.End();
    out.value_kind = options_.format == Format::kJson ? ValueKind::kJson : ValueKind::kBinary;
  }

  // About eight significant digits: 2 decimals for 65000, 7 for 0.45.
  static int PriceDecimals(double price) {
    return std::clamp(6 - static_cast<int>(std::floor(std::log10(price))), 2, 10);
  }

  Rng rng_;
  std::vector<Coin> coins_;
  double volatility_, drift_, gap_ms_, notional_, burst_probability_, burst_volume_, burst_jump_;
  int64_t burst_trades_, ticker_interval_ms_;
  std::string tickers_topic_, source_;
  int64_t now_;
  int64_t next_time_ = 0;
  bool have_next_time_ = false;
  int64_t next_ticker_ms_;
  int64_t ticker_time_ = 0;
  size_t pending_tickers_ = 0;
  size_t burst_coin_ = 0;
  int64_t burst_left_ = 0;
};

}  // namespace

const std::vector<ParamSpec>& CryptoParams() {
  static const std::vector<ParamSpec> kSpecs = {
      {"coins",
       "bitcoin:BTCUSDT:65000:19700000,ethereum:ETHUSDT:3500:120000000,cardano:ADAUSDT:0.45:35000000000,"
       "solana:SOLUSDT:150:450000000,polkadot:DOTUSDT:7:1400000000,ripple:XRPUSDT:0.55:55000000000,"
       "litecoin:LTCUSDT:80:74000000,chainlink:LINKUSDT:15:580000000,uniswap:UNIUSDT:8:600000000,"
       "aave:AAVEUSDT:100:15000000",
       "coins as id:SYMBOL:start_price[:circulating_supply], comma-separated"},
      {"volatility", "0.8", "annualised volatility (sigma) of the geometric Brownian motion"},
      {"drift", "0", "annualised drift (mu) of the geometric Brownian motion"},
      {"trade_gap_ms", "20", "mean event-time gap between two trades (all symbols; exponential)"},
      {"notional_median", "1000", "median trade value in quote currency (log-normal)"},
      {"burst_probability", "0.0002", "chance per trade that a burst starts on its symbol"},
      {"burst_trades", "300", "trades of the bursting symbol a burst lasts"},
      {"burst_volume_multiplier", "8", "trade size multiplier during a burst"},
      {"burst_jump", "0.02", "standard deviation of the relative price jump starting a burst"},
      {"ticker_interval_ms", "60000", "event time between two ticker snapshots of each coin (0: no tickers)"},
      {"tickers_topic", "crypto.tickers", "topic of the ticker snapshots"},
      {"ticker_source", "coingecko-sim", "value of the tickers' source field"},
  };
  return kSpecs;
}

std::unique_ptr<Generator> MakeCryptoGenerator(const GeneratorOptions& options, Params& params) {
  return std::make_unique<CryptoGenerator>(options, params);
}

}  // namespace streamapp::generators
