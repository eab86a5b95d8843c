// clickstream: page views (clickstream), key = user id. A discrete-event
// simulation of users: each visits in sessions of a few pages (clicks seconds
// apart, never more than max_click_gap_ms), with breaks longer than the
// 30-minute session gap between sessions; pages are Zipf-popular.
#include <algorithm>
#include <queue>

#include "base.h"
#include "generators_internal.h"

namespace streamapp::generators {
namespace {

const char* const kUserAgents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 "
    "Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
};

struct User {
  std::string id;
  uint8_t ua = 0;
  bool in_session = false;
  int64_t pages_left = 0;
  size_t last_page = 0;
};

class ClickstreamGenerator final : public GeneratorBase {
 public:
  ClickstreamGenerator(const GeneratorOptions& options, Params& p)
      : GeneratorBase(options, "clickstream"), rng_(options.seed) {
    const int64_t users = p.Int("users", 1, 10000000);
    const int64_t pages = p.Int("pages", 4, 1000000);
    const double zipf = p.Double("zipf_exponent", 0, 10);
    mean_pages_ = p.Double("mean_pages_per_session", 1, 1e6);
    mean_gap_ms_ = p.Double("mean_click_gap_ms", 0, 8.64e7);
    max_gap_ms_ = p.Int("max_click_gap_ms", 1, 86400000);
    session_gap_ms_ = p.Int("session_gap_ms", 1, 86400000LL * 30);
    mean_break_ms_ = p.Double("mean_session_break_ms", 0, 8.64e9);
    site_ = p.Str("site");
    for (const std::string& r : p.List("referrers")) referrers_.push_back(r == "(direct)" ? "" : r);
    if (!p.status().ok()) return;
    // Page 0 is the home page; the popular pages are the low ranks.
    for (int64_t i = 0; i < pages; ++i) {
      if (i == 0) {
        urls_.push_back("/");
      } else if (i == 1) {
        urls_.push_back("/search");
      } else if (i == 2) {
        urls_.push_back("/cart");
      } else if (i == 3) {
        urls_.push_back("/checkout");
      } else {
        urls_.push_back((i % 3 == 0 ? "/category/" : "/products/") + std::to_string(i));
      }
    }
    popularity_ = WeightedIndex::Zipf(urls_.size(), zipf);
    for (int64_t i = 0; i < users; ++i) {
      User u;
      SetId(&u.id, "u-", i + 1, 6);
      u.ua = static_cast<uint8_t>(rng_.Below(std::size(kUserAgents)));
      users_.push_back(std::move(u));
      // First visits spread over one mean break.
      queue_.emplace(options.start_time_ms + static_cast<int64_t>(rng_.Uniform() * mean_break_ms_), i);
    }
  }

  std::vector<std::string> Topics() const override { return {main_topic_}; }

  void Next(GeneratedRecord& out) override {
    // (time, user) pairs are unique, so the pop order does not depend on the
    // heap implementation.
    const auto [now, ui] = queue_.top();
    queue_.pop();
    User& u = users_[static_cast<size_t>(ui)];
    std::string_view referrer;
    size_t page = popularity_.Sample(rng_);
    if (!u.in_session) {
      u.in_session = true;
      u.pages_left = 1 + static_cast<int64_t>(rng_.Exponential(mean_pages_ - 1));
      referrer = referrers_[rng_.Below(referrers_.size())];
    } else {
      referrer_buf_.assign(site_).append(urls_[u.last_page]);
      referrer = referrer_buf_;
      if (page == u.last_page) page = (page + 1) % urls_.size();  // a click moves on
    }
    u.last_page = page;
    int64_t next;
    if (--u.pages_left > 0) {
      next = now + std::min<int64_t>(max_gap_ms_, 1000 + static_cast<int64_t>(rng_.Exponential(mean_gap_ms_)));
    } else {
      u.in_session = false;
      next = now + session_gap_ms_ + 60000 + static_cast<int64_t>(rng_.Exponential(mean_break_ms_));
    }
    queue_.emplace(next, ui);
    ++events_;

    const DefectPlan plan = PlanDefect({1, 2, 3, 6});
    out.topic = main_topic_;
    out.key = u.id;
    out.timestamp = now;
    BeginValue(out, plan);
    SetId(&id_buf_, "e-", events_, 12);
    enc_.String(1, "event_id", id_buf_);
    enc_.String(2, "user_id", u.id);
    enc_.String(3, "url", plan.kind == Defect::kDomainViolation ? std::string_view("javascript:void(0)") : urls_[page]);
    enc_.String(4, "referrer", referrer);
    enc_.String(5, "ua", kUserAgents[u.ua]);
    enc_.Int(6, "ts", plan.kind == Defect::kNegativeNumber ? -now : now);
    EndValue(out, plan);
  }

 private:
  using Entry = std::pair<int64_t, int64_t>;  // (next click time, user index)

  Rng rng_;
  std::vector<User> users_;
  std::vector<std::string> urls_;
  std::vector<std::string> referrers_;
  WeightedIndex popularity_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  double mean_pages_, mean_gap_ms_, mean_break_ms_;
  int64_t max_gap_ms_, session_gap_ms_;
  std::string site_;
  std::string referrer_buf_, id_buf_;
  int64_t events_ = 0;
};

}  // namespace

const std::vector<ParamSpec>& ClickstreamParams() {
  static const std::vector<ParamSpec> kSpecs = {
      {"users", "1000", "number of users (u-000001 ...)"},
      {"pages", "100", "number of distinct pages (/, /search, /cart, /checkout, /products/N, /category/N)"},
      {"zipf_exponent", "1.1", "page popularity: weight of the k-th page is 1/k^s"},
      {"mean_pages_per_session", "8", "mean clicks per session (1 + exponential)"},
      {"mean_click_gap_ms", "30000", "mean time between two clicks of a session (plus 1 s)"},
      {"max_click_gap_ms", "1200000", "longest gap inside a session (keep below session_gap_ms)"},
      {"session_gap_ms", "1800000", "inactivity that ends a session; breaks are at least this + 1 min"},
      {"mean_session_break_ms", "7200000", "mean extra break between two sessions of a user (exponential)"},
      {"site", "https://shop.example.com", "prefix of in-site referrers"},
      {"referrers",
       "https://www.google.com/,https://www.bing.com/,https://t.co/,https://news.ycombinator.com/,(direct)",
       "referrers of a session's first page; (direct) is an empty referrer"},
  };
  return kSpecs;
}

std::unique_ptr<Generator> MakeClickstreamGenerator(const GeneratorOptions& options, Params& params) {
  return std::make_unique<ClickstreamGenerator>(options, params);
}

}  // namespace streamapp::generators
