#include "data.h"

#include <cstdio>

#include "common.h"

namespace bench {

Workload ParseWorkload(const std::string& name) {
  if (name == "stateless") return Workload::kStateless;
  if (name == "count") return Workload::kCount;
  if (name == "join") return Workload::kJoin;
  if (name == "copy") return Workload::kCopy;
  Die("unknown workload '" + name + "' (stateless|count|join|copy)");
}

const char* WorkloadName(Workload w) {
  switch (w) {
    case Workload::kStateless: return "stateless";
    case Workload::kCount: return "count";
    case Workload::kJoin: return "join";
    case Workload::kCopy: return "copy";
  }
  return "?";
}

int64_t UsersOf(Workload w) {
  return w == Workload::kJoin ? 100'000 : 10'000;
}

int64_t UserIndex(int64_t i, int64_t users) {
  return (i * 7919) % users;
}

std::string UserKey(int64_t u) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "u%06lld", static_cast<long long>(u));
  return buf;
}

std::string EventValue(int64_t i, int64_t users) {
  static const char* const kKinds[] = {"view", "click", "cart", "purchase"};
  int64_t a = (i * 37) % 1000;
  char buf[320];
  std::snprintf(buf, sizeof(buf),
                "{\"id\":%lld,\"user\":\"u%06lld\",\"kind\":\"%s\",\"amount\":%lld.%lld,\"page\":\"/catalog/"
                "item-%05lld\",\"session\":\"s%08llx\",\"agent\":\"Mozilla/5.0 (X11; Linux x86_64) "
                "streamapp-bench/1\"}",
                static_cast<long long>(i), static_cast<long long>(UserIndex(i, users)), kKinds[i % 4],
                static_cast<long long>(a / 10), static_cast<long long>(a % 10),
                static_cast<long long>((i * 31) % 50'000), static_cast<unsigned long long>(i / 20));
  return buf;
}

std::string UserRowValue(int64_t u) {
  static const char* const kTiers[] = {"gold", "silver", "bronze", "basic"};
  static const char* const kRegions[] = {"eu", "us", "apac"};
  return "{\"user\":\"" + UserKey(u) + "\",\"tier\":\"" + kTiers[u % 4] + "\",\"region\":\"" + kRegions[u % 3] + "\"}";
}

bool Expected(Workload w, int64_t i) {
  switch (w) {
    case Workload::kStateless: return (i * 37) % 1000 >= 500;
    case Workload::kJoin: return UserIndex(i, 100'000) % 4 == 0;
    case Workload::kCopy:
    case Workload::kCount: return true;
  }
  return false;
}

std::map<std::pair<std::string, int64_t>, int64_t> ExpectedCounts(int64_t n) {
  std::map<std::pair<std::string, int64_t>, int64_t> out;
  for (int64_t i = 0; i < n; ++i) {
    int64_t ts = EventTimestamp(i);
    ++out[{UserKey(UserIndex(i, 10'000)), ts - ts % kWindowMs}];
  }
  return out;
}

int SelfTest() {
  int failures = 0;
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) {
      std::fprintf(stderr, "selftest FAILED: %s\n", what.c_str());
      ++failures;
    }
  };
  check(EventValue(3, 10'000) ==
            "{\"id\":3,\"user\":\"u003757\",\"kind\":\"purchase\",\"amount\":11.1,\"page\":\"/catalog/"
            "item-00093\",\"session\":\"s00000000\",\"agent\":\"Mozilla/5.0 (X11; Linux x86_64) streamapp-bench/1\"}",
        "event 3");
  check(EventValue(25, 10'000) ==
            "{\"id\":25,\"user\":\"u007975\",\"kind\":\"click\",\"amount\":92.5,\"page\":\"/catalog/"
            "item-00775\",\"session\":\"s00000001\",\"agent\":\"Mozilla/5.0 (X11; Linux x86_64) streamapp-bench/1\"}",
        "event 25");
  check(EventValue(1000, 10'000).find("\"amount\":0.0,") != std::string::npos, "amount 0.0 of event 1000");
  check(UserRowValue(5) == "{\"user\":\"u000005\",\"tier\":\"silver\",\"region\":\"apac\"}", "user row 5");
  check(Expected(Workload::kStateless, 25) && !Expected(Workload::kStateless, 3), "stateless filter");
  check(Expected(Workload::kJoin, 0) && !Expected(Workload::kJoin, 1) && Expected(Workload::kJoin, 4), "join filter");
  auto counts = ExpectedCounts(120'000);
  int64_t total = 0;
  for (const auto& [k, c] : counts) total += c;
  check(total == 120'000, "count total");
  // 1 700 000 000 000 % 60 000 == 20 000: events [0, 40 000) share the first window; u000000 gets i = 0, 10 000,
  // 20 000, 30 000 there.
  check(counts[{"u000000", 1'699'999'980'000}] == 4, "count of u000000 in the first window");
  check(counts.count({"u000000", 1'700'000'040'000}) == 1, "second window");
  check(JsonInt(EventValue(7, 10'000), "id") == 7, "json id");
  check(JsonField("{\"left\":{\"id\":9,\"user\":\"u000001\"},\"right\":{}}", "user") == "u000001", "json user");
  return failures;
}

}  // namespace bench
