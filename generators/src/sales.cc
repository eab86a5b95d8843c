// sales: retail orders (sales.orders). A few heavy clients place a large
// share of the orders; amounts are computed in cents so amount = quantity x
// unit_price holds exactly; a small share of orders arrives late (event time
// in the past, some beyond the pipeline's 10-minute grace).
#include <cmath>

#include "base.h"
#include "generators_internal.h"

namespace streamapp::generators {
namespace {

const char* const kFirstNames[] = {"Ana",   "Ben",   "Chloe", "David", "Emma", "Felix", "Grace", "Hugo",
                                   "Ines",  "Jonas", "Kira",  "Liam",  "Mia",  "Noah",  "Olga",  "Paul",
                                   "Quinn", "Rosa",  "Sam",   "Tara",  "Umar", "Vera",  "Will",  "Yuki"};
const char* const kLastNames[] = {"Schmidt", "Martin", "Smith",  "Garcia", "Rossi", "Jansen", "Silva", "Tanaka",
                                  "Brown",   "Dubois", "Muller", "Lopez",  "Nowak", "Kowal",  "Berg",  "Moreau"};

struct Client {
  std::string id;
  std::string name;
  std::string country;
};

struct Product {
  std::string name;
  std::string category;
  int64_t unit_cents = 0;
};

class SalesGenerator final : public GeneratorBase {
 public:
  SalesGenerator(const GeneratorOptions& options, Params& p)
      : GeneratorBase(options, "sales.orders"), rng_(options.seed) {
    const int64_t clients = p.Int("clients", 1, 10000000);
    heavy_clients_ = p.Int("heavy_clients", 0, clients);
    heavy_share_ = p.Double("heavy_share", 0, 1);
    const std::vector<std::string> countries = p.List("countries");
    for (const auto& t : p.Tuples("products", 3, 3)) {
      double price = 0;
      if (!ParseDouble(t[2], &price) || price <= 0) p.Fail("products: bad unit price in " + t[0]);
      products_.push_back(Product{t[0], t[1], std::llround(price * 100)});
    }
    payment_methods_ = p.List("payment_methods");
    max_quantity_ = p.Int("max_quantity", 1, 1000000);
    gap_ms_ = p.Double("order_gap_ms", 0, 8.64e7);
    late_ratio_ = p.Double("late_ratio", 0, 1);
    late_max_ms_ = p.Int("late_max_ms", 1, 86400000LL * 365);
    if (!p.status().ok()) return;
    for (int64_t i = 0; i < clients; ++i) {
      Client c;
      SetId(&c.id, "c-", i + 1, 5);
      c.name = std::string(kFirstNames[rng_.Below(std::size(kFirstNames))]) + " " +
               kLastNames[rng_.Below(std::size(kLastNames))];
      c.country = countries[rng_.Below(countries.size())];
      clients_.push_back(std::move(c));
    }
    now_ = options.start_time_ms;
  }

  std::vector<std::string> Topics() const override { return {main_topic_}; }

  void Next(GeneratedRecord& out) override {
    now_ += static_cast<int64_t>(rng_.Exponential(gap_ms_));
    // Heavy clients are the first `heavy_clients` ids.
    const bool heavy = heavy_clients_ > 0 && rng_.Chance(heavy_share_);
    const size_t ci = heavy ? rng_.Below(static_cast<uint64_t>(heavy_clients_))
                            : static_cast<size_t>(heavy_clients_) + rng_.Below(clients_.size() - heavy_clients_);
    const Client& c = clients_[ci < clients_.size() ? ci : 0];
    const Product& prod = products_[rng_.Below(products_.size())];
    // Mostly single items; heavy clients buy in bulk.
    int64_t quantity = heavy ? rng_.Between(1, max_quantity_) : 1 + static_cast<int64_t>(rng_.Exponential(0.6));
    if (quantity > max_quantity_) quantity = max_quantity_;
    const std::string& payment = payment_methods_[rng_.Below(payment_methods_.size())];
    int64_t event_time = now_;
    if (rng_.Chance(late_ratio_)) event_time -= rng_.Between(1, late_max_ms_);
    ++orders_;

    const DefectPlan plan = PlanDefect({1, 2, 5, 7, 8, 9, 11});
    int64_t unit_cents = prod.unit_cents;
    if (plan.kind == Defect::kNegativeNumber) unit_cents = -unit_cents;
    int64_t amount_cents = quantity * unit_cents;
    if (plan.kind == Defect::kDomainViolation) amount_cents += 100 + static_cast<int64_t>(defects_.Below(900));

    SetId(&out.key, "o-", orders_, 9);
    out.topic = main_topic_;
    out.timestamp = event_time;
    BeginValue(out, plan);
    enc_.String(1, "order_id", out.key);
    enc_.String(2, "client_id", c.id);
    enc_.String(3, "client_name", c.name);
    enc_.String(4, "country", c.country);
    enc_.String(5, "product", prod.name);
    enc_.String(6, "category", prod.category);
    enc_.Int(7, "quantity", quantity);
    enc_.Cents(8, "unit_price", unit_cents);
    enc_.Cents(9, "amount", amount_cents);
    enc_.String(10, "payment_method", payment);
    enc_.Int(11, "event_time", event_time);
    EndValue(out, plan);
  }

 private:
  Rng rng_;
  std::vector<Client> clients_;
  std::vector<Product> products_;
  std::vector<std::string> payment_methods_;
  int64_t heavy_clients_, max_quantity_, late_max_ms_;
  double heavy_share_, gap_ms_, late_ratio_;
  int64_t now_ = 0;
  int64_t orders_ = 0;
};

}  // namespace

const std::vector<ParamSpec>& SalesParams() {
  static const std::vector<ParamSpec> kSpecs = {
      {"clients", "500", "number of clients (c-00001 ...)"},
      {"heavy_clients", "5", "the first N clients are heavy buyers"},
      {"heavy_share", "0.3", "share of all orders placed by the heavy clients"},
      {"countries", "US,DE,FR,GB,ES,IT,NL,BR,JP,CA", "client countries (each client has one)"},
      {"products",
       "laptop:electronics:899.00,phone:electronics:649.00,headphones:electronics:129.99,"
       "monitor:electronics:249.50,keyboard:electronics:59.90,desk:furniture:329.00,chair:furniture:189.00,"
       "lamp:furniture:39.95,novel:books:14.99,cookbook:books:24.50,tshirt:apparel:19.99,jeans:apparel:59.00,"
       "sneakers:apparel:89.95,coffee:grocery:12.49,tea:grocery:7.99",
       "catalogue as product:category:unit_price, comma-separated"},
      {"payment_methods", "card,paypal,bank_transfer,apple_pay", "payment methods (uniform)"},
      {"max_quantity", "5", "largest quantity of one order"},
      {"order_gap_ms", "2000", "mean event-time gap between two orders (exponential)"},
      {"late_ratio", "0.01", "share of orders whose event time lies in the past (late arrivals)"},
      {"late_max_ms", "900000", "how late a late order can be (uniform in [1, this])"},
  };
  return kSpecs;
}

std::unique_ptr<Generator> MakeSalesGenerator(const GeneratorOptions& options, Params& params) {
  return std::make_unique<SalesGenerator>(options, params);
}

}  // namespace streamapp::generators
