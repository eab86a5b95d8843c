// stream-app describe --format mermaid|dot: the diagrams show the
// subtopologies, operators, topics, stores and internal topics, escape what
// they print, and are well-formed (checked by Graphviz when it is installed).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "dsl/describe_graph.h"
#include "streamapp/dsl.h"
#include "streamapp/topology_file.h"
#include "support/run_command.h"

namespace streamapp {
namespace {

namespace fs = std::filesystem;

// A count behind a groupBy (a repartition topic, a second subtopology), a
// stream-stream join (two window stores, each side reading the other's) and
// a stream-table join (reads the table's store).
constexpr std::string_view kShopYaml = R"(
version: 1
application: {id: shop}
streams:
  orders: {topic: orders}
  payments: {topic: payments}
tables:
  customers: {topic: customers}
pipelines:
  per-customer:
    from: orders
    steps:
      - groupBy: customer.id
        name: by-customer
      - count: {}
        name: order-count
      - to: order-counts
  paid:
    from: orders
    steps:
      - join: {with: payments, within: 5s}
        name: paid
      - join: {with: customers}
        name: with-customer
      - to: paid-orders
)";

Topology LoadShop() {
  LoadResult r = LoadTopologyText(kShopYaml, "shop.yaml", ".");
  std::string errors;
  for (const Diagnostic& d : r.errors) errors += d.ToString() + "\n";
  EXPECT_TRUE(r.loaded.has_value()) << errors;
  return r.loaded->topology;
}

// The id of the node whose label is `name`, a line break, then `kind`: its
// declaration is the line holding `"name<line break>kind` (edges hold no
// such label).
std::string IdOf(const std::string& diagram, const std::string& name, const std::string& line_break,
                 const std::string& kind = "") {
  std::istringstream in(diagram);
  for (std::string line; std::getline(in, line);) {
    if (line.find('"' + name + line_break + kind) == std::string::npos) continue;
    const size_t begin = line.find_first_not_of(' ');
    const size_t end = line.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_", begin);
    return line.substr(begin, end - begin);
  }
  ADD_FAILURE() << "no node '" << name << "' in:\n" << diagram;
  return {};
}

bool HasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

// ---------------------------------------------------------------- structure checks

struct Parsed {
  std::set<std::string> declared;
  std::vector<std::pair<std::string, std::string>> edges;
  std::vector<std::string> problems;
};

// Mermaid: subgraph/end balance, node declarations `id[...]`, edges `a ARROW b`.
Parsed ParseMermaid(const std::string& text) {
  Parsed p;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  if (line != "flowchart LR") p.problems.push_back("first line: " + line);
  int depth = 0;
  const std::regex subgraph(R"(^\s*subgraph (\w+)\["[^"]*"\]$)");
  const std::regex node(R"(^\s*(\w+)(\["[^"]*"\]|\(\["[^"]*"\]\)|\{\{"[^"]*"\}\}|\[/"[^"]*"/\]|\[\("[^"]*"\)\])$)");
  const std::regex edge(R"(^\s*(\w+) (-->|---|-\.->\|\w+\|) (\w+)$)");
  const std::regex styling(R"(^\s*(classDef \w+ .+|class [\w,]+ \w+)$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, subgraph)) {
      ++depth;
    } else if (std::regex_match(line, std::regex(R"(^\s*end$)"))) {
      if (--depth < 0) p.problems.push_back("'end' without subgraph");
    } else if (std::regex_match(line, m, node)) {
      if (!p.declared.insert(m[1]).second) p.problems.push_back("declared twice: " + m[1].str());
    } else if (std::regex_match(line, m, edge)) {
      p.edges.emplace_back(m[1], m[3]);
    } else if (!std::regex_match(line, styling)) {
      p.problems.push_back("unexpected line: " + line);
    }
  }
  if (depth != 0) p.problems.push_back("unbalanced subgraph/end");
  return p;
}

// DOT: braces balanced outside strings, node statements, edge statements.
Parsed ParseDot(const std::string& text) {
  Parsed p;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth < 0) {
      p.problems.push_back("'}' without '{'");
    }
  }
  if (depth != 0 || in_string) p.problems.push_back("unbalanced braces or quotes");
  const std::regex node(R"(^\s*(\w+) \[shape=\w+(, style=dashed)?, label="([^"\\]|\\.)*"\];$)");
  const std::regex edge(R"(^\s*(\w+) -> (\w+)( \[.*\])?;$)");
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, node)) {
      if (!p.declared.insert(m[1]).second) p.problems.push_back("declared twice: " + m[1].str());
    } else if (std::regex_match(line, m, edge)) {
      p.edges.emplace_back(m[1], m[2]);
    }
  }
  return p;
}

void ExpectWellFormed(const Parsed& p, const std::string& text) {
  EXPECT_TRUE(p.problems.empty()) << p.problems.front() << "\n" << text;
  EXPECT_FALSE(p.edges.empty()) << text;
  for (const auto& [from, to] : p.edges) {
    EXPECT_TRUE(p.declared.count(from)) << "edge from undeclared " << from << "\n" << text;
    EXPECT_TRUE(p.declared.count(to)) << "edge to undeclared " << to << "\n" << text;
  }
}

bool HasEdge(const Parsed& p, const std::string& from, const std::string& to) {
  return !from.empty() && !to.empty() &&
         std::find(p.edges.begin(), p.edges.end(), std::pair(from, to)) != p.edges.end();
}

// ---------------------------------------------------------------- mermaid

TEST(DescribeMermaid, ShowsSubtopologiesOperatorsStoresAndTopics) {
  const Topology t = LoadShop();
  const std::string m = dsl::DescribeMermaid(t.data(), "shop");
  const Parsed p = ParseMermaid(m);
  ExpectWellFormed(p, m);

  EXPECT_EQ(m.rfind("flowchart LR\n", 0), 0u) << m;
  EXPECT_TRUE(HasLine(m, R"(  subgraph subtopology_0["Sub-topology 0"])")) << m;
  EXPECT_TRUE(HasLine(m, R"(  subgraph subtopology_1["Sub-topology 1"])")) << m;
  // Operators: name and kind; source topics as stadiums, sinks as hexagons,
  // stores as cylinders, internal topics as parallelograms (and dashed).
  const std::string br = "<br/>";
  for (const std::string& node :
       {std::string(R"(["stream.orders<br/>source"])"), std::string(R"(["per-customer.order-count<br/>aggregate"])"),
        std::string(R"(["paid.paid-this<br/>join-stream-this"])"), std::string(R"((["orders<br/>source topic"]))"),
        std::string(R"({{"paid-orders<br/>sink topic"}})"),
        std::string(R"([("per-customer-order-count<br/>key-value store")])"),
        std::string(R"([("paid.paid-this-store<br/>window store")])"),
        std::string(R"([("paid.paid-other-store<br/>window store")])"),
        std::string(R"([("customers<br/>key-value store")])"),
        std::string(R"-([/"shop-per-customer.order-count-repartition<br/>repartition topic (internal)"/])-"),
        std::string(R"-([/"shop-paid.paid-this-store-changelog<br/>changelog topic (internal)"/])-")}) {
    EXPECT_NE(m.find(node), std::string::npos) << node << " missing in:\n" << m;
  }

  const std::string source = IdOf(m, "stream.orders", br);
  const std::string group_by = IdOf(m, "per-customer.by-customer", br);
  const std::string repartition_sink = IdOf(m, "per-customer.order-count-repartition-sink", br);
  const std::string repartition_topic = IdOf(m, "shop-per-customer.order-count-repartition", br);
  const std::string repartition_source = IdOf(m, "per-customer.order-count-repartition-source", br);
  const std::string count = IdOf(m, "per-customer.order-count", br);
  const std::string count_store = IdOf(m, "per-customer-order-count", br);
  const std::string count_changelog = IdOf(m, "shop-per-customer-order-count-changelog", br);
  const std::string this_side = IdOf(m, "paid.paid-this", br);
  const std::string other_side = IdOf(m, "paid.paid-other", br);
  const std::string this_store = IdOf(m, "paid.paid-this-store", br);
  const std::string other_store = IdOf(m, "paid.paid-other-store", br);
  const std::string table = IdOf(m, "table.customers", br);
  const std::string table_store = IdOf(m, "customers", br, "key-value store");
  const std::string table_join = IdOf(m, "paid.with-customer", br);
  const std::string orders_topic = IdOf(m, "orders", br);

  EXPECT_TRUE(HasEdge(p, orders_topic, source)) << m;
  EXPECT_TRUE(HasEdge(p, source, group_by)) << m;
  // The repartition point: sink -> internal topic -> source of the next subtopology.
  EXPECT_TRUE(HasEdge(p, repartition_sink, repartition_topic)) << m;
  EXPECT_TRUE(HasEdge(p, repartition_topic, repartition_source)) << m;
  EXPECT_TRUE(HasEdge(p, repartition_source, count)) << m;
  EXPECT_TRUE(HasLine(m, "  " + count + " --- " + count_store)) << m;
  EXPECT_TRUE(HasLine(m, "  " + count_store + " -.->|changelog| " + count_changelog)) << m;
  // Each side of the stream-stream join owns its store and reads the other's.
  EXPECT_TRUE(HasLine(m, "  " + this_side + " --- " + this_store)) << m;
  EXPECT_TRUE(HasLine(m, "  " + other_side + " --- " + other_store)) << m;
  EXPECT_TRUE(HasLine(m, "  " + other_store + " -.->|reads| " + this_side)) << m;
  EXPECT_TRUE(HasLine(m, "  " + this_store + " -.->|reads| " + other_side)) << m;
  // The stream-table join reads the store the table declares.
  EXPECT_TRUE(HasLine(m, "  " + table + " --- " + table_store)) << m;
  EXPECT_TRUE(HasLine(m, "  " + table_store + " -.->|reads| " + table_join)) << m;
  // Internal topics carry the dashed class.
  const std::smatch internal = [&] {
    std::smatch match;
    std::regex_search(m, match, std::regex(R"(\n  class ([\w,]+) internal\n)"));
    return match;
  }();
  ASSERT_FALSE(internal.empty()) << m;
  EXPECT_NE(("," + internal[1].str() + ",").find("," + repartition_topic + ","), std::string::npos) << m;
  EXPECT_NE(("," + internal[1].str() + ",").find("," + count_changelog + ","), std::string::npos) << m;
  EXPECT_EQ(("," + internal[1].str() + ",").find("," + orders_topic + ","), std::string::npos) << m;

  // The stores live in the subtopology of the operators using them.
  const size_t sub1 = m.find("subgraph subtopology_1");
  const size_t end1 = m.find("\n  end\n", sub1);
  const size_t count_store_at = m.find("  " + count_store + "[(");
  EXPECT_TRUE(count_store_at > sub1 && count_store_at < end1) << m;
}

TEST(DescribeMermaid, IsDeterministic) {
  const Topology t = LoadShop();
  EXPECT_EQ(dsl::DescribeMermaid(t.data(), "shop"), dsl::DescribeMermaid(LoadShop().data(), "shop"));
  EXPECT_EQ(dsl::DescribeDot(t.data(), "shop"), dsl::DescribeDot(LoadShop().data(), "shop"));
}

// Names from the C++ DSL are free text: quotes, brackets, '#', '&', '\'.
Topology Awkward() {
  StreamsBuilder b;
  auto serde = [](const std::string& spec) { return *MakeSerde(spec, {}); };
  b.Stream("src \"quoted\" <b>", {"in#1"}, {serde("string"), serde("json"), {}})
      .Filter("keep [a|b] & {c} \\ `x`", [](const Record&) -> Result<bool> { return true; })
      .To("out;end", "out\"topic", {serde("string"), serde("json")});
  auto t = b.Build();
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return *t;
}

TEST(DescribeMermaid, EscapesLabels) {
  const Topology t = Awkward();
  const std::string m = dsl::DescribeMermaid(t.data(), "app");
  ExpectWellFormed(ParseMermaid(m), m);
  EXPECT_NE(m.find(R"(["src #quot;quoted#quot; #lt;b#gt;<br/>source"])"), std::string::npos) << m;
  EXPECT_NE(m.find(R"(["keep [a|b] #amp; {c} \ #96;x#96;<br/>filter"])"), std::string::npos) << m;
  EXPECT_NE(m.find(R"((["in#35;1<br/>source topic"]))"), std::string::npos) << m;
  EXPECT_NE(m.find(R"({{"out#quot;topic<br/>sink topic"}})"), std::string::npos) << m;
}

// ---------------------------------------------------------------- dot

TEST(DescribeDot, ShowsSubtopologiesOperatorsStoresAndTopics) {
  const Topology t = LoadShop();
  const std::string d = dsl::DescribeDot(t.data(), "shop");
  const Parsed p = ParseDot(d);
  ExpectWellFormed(p, d);

  EXPECT_EQ(d.rfind("digraph topology {\n", 0), 0u) << d;
  EXPECT_TRUE(HasLine(d, "  subgraph cluster_subtopology_0 {")) << d;
  EXPECT_TRUE(HasLine(d, "    label=\"Sub-topology 0\";")) << d;
  EXPECT_TRUE(HasLine(d, "    label=\"Sub-topology 1\";")) << d;
  for (
      const std::string& node : {
          std::string(R"([shape=box, label="stream.orders\nsource"];)"),
          std::string(R"([shape=box, label="per-customer.order-count\naggregate"];)"),
          std::string(R"([shape=ellipse, label="orders\nsource topic"];)"),
          std::string(R"([shape=hexagon, label="paid-orders\nsink topic"];)"),
          std::string(R"([shape=cylinder, label="paid.paid-this-store\nwindow store"];)"),
          std::string(R"([shape=cylinder, label="paid.paid-other-store\nwindow store"];)"),
          std::string(
              R"-([shape=parallelogram, style=dashed, label="shop-per-customer.order-count-repartition\nrepartition topic (internal)"];)-"),
          std::string(
              R"-([shape=parallelogram, style=dashed, label="shop-customers-changelog\nchangelog topic (internal)"];)-"),
      }) {
    EXPECT_NE(d.find(node), std::string::npos) << node << " missing in:\n" << d;
  }
  const std::string nl = "\\n";
  const std::string repartition_sink = IdOf(d, "per-customer.order-count-repartition-sink", nl);
  const std::string repartition_topic = IdOf(d, "shop-per-customer.order-count-repartition", nl);
  const std::string repartition_source = IdOf(d, "per-customer.order-count-repartition-source", nl);
  const std::string this_side = IdOf(d, "paid.paid-this", nl);
  const std::string other_side = IdOf(d, "paid.paid-other", nl);
  const std::string this_store = IdOf(d, "paid.paid-this-store", nl);
  const std::string other_store = IdOf(d, "paid.paid-other-store", nl);
  const std::string this_changelog = IdOf(d, "shop-paid.paid-this-store-changelog", nl);
  const std::string table_store = IdOf(d, "customers", nl, "key-value store");
  const std::string table_join = IdOf(d, "paid.with-customer", nl);
  EXPECT_TRUE(HasEdge(p, repartition_sink, repartition_topic)) << d;
  EXPECT_TRUE(HasEdge(p, repartition_topic, repartition_source)) << d;
  EXPECT_TRUE(HasLine(d, "  " + this_side + " -> " + this_store + " [dir=none];")) << d;
  EXPECT_TRUE(HasLine(d, "  " + other_side + " -> " + other_store + " [dir=none];")) << d;
  EXPECT_TRUE(HasLine(d, "  " + other_store + " -> " + this_side + " [style=dotted, label=\"reads\"];")) << d;
  EXPECT_TRUE(HasLine(d, "  " + this_store + " -> " + this_changelog + " [style=dashed, label=\"changelog\"];")) << d;
  EXPECT_TRUE(HasLine(d, "  " + table_store + " -> " + table_join + " [style=dotted, label=\"reads\"];")) << d;
}

TEST(DescribeDot, EscapesLabels) {
  const Topology t = Awkward();
  const std::string d = dsl::DescribeDot(t.data(), "app");
  ExpectWellFormed(ParseDot(d), d);
  EXPECT_NE(d.find(R"(label="src \"quoted\" <b>\nsource")"), std::string::npos) << d;
  EXPECT_NE(d.find(R"(label="keep [a|b] & {c} \\ `x`\nfilter")"), std::string::npos) << d;
  EXPECT_NE(d.find(R"(label="out\"topic\nsink topic")"), std::string::npos) << d;
}

// Graphviz itself parses the output.
TEST(DescribeDot, GraphvizAcceptsTheOutput) {
  // scripts/install-deps.sh installs Graphviz.
  ASSERT_EQ(std::system("command -v dot > /dev/null 2>&1"), 0) << "Graphviz (dot) is not installed";
  const fs::path dir = fs::temp_directory_path() / ("describe_formats_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const auto& [name, topology] : std::map<std::string, Topology>{{"shop", LoadShop()}, {"awkward", Awkward()}}) {
    const fs::path file = dir / (name + ".dot");
    std::ofstream(file) << dsl::DescribeDot(topology.data(), "app");
    const testing::CommandRun r = testing::RunCommand("dot -Tsvg -o /dev/null " + file.string());
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.output;
    EXPECT_EQ(r.output, "") << name << ": warnings";
  }
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- the command

testing::CommandRun Describe(const std::string& args) {
  return testing::RunCommand(std::string(STREAM_APP_BINARY) + " describe " + args);
}

TEST(DescribeCommand, PrintsMermaidAndDotForTheExample) {
  const std::string file = std::string(STREAMAPP_SOURCE_DIR) + "/topologies/example.yaml";
  const testing::CommandRun mermaid = Describe(file + " --format mermaid");
  EXPECT_EQ(mermaid.exit_code, 0) << mermaid.output;
  EXPECT_EQ(mermaid.output.rfind("flowchart LR\n", 0), 0u) << mermaid.output;
  ExpectWellFormed(ParseMermaid(mermaid.output), mermaid.output);
  EXPECT_NE(mermaid.output.find(R"(["clean.by-customer<br/>selectKey"])"), std::string::npos) << mermaid.output;

  const testing::CommandRun dot = Describe("--format dot " + file);
  EXPECT_EQ(dot.exit_code, 0) << dot.output;
  ExpectWellFormed(ParseDot(dot.output), dot.output);
  EXPECT_NE(dot.output.find(R"(label="(computed per record)\nsink topic")"), std::string::npos) << dot.output;
}

TEST(DescribeCommand, UnknownFormatListsTheAcceptedOnes) {
  const testing::CommandRun r =
      Describe("--format svg " + std::string(STREAMAPP_SOURCE_DIR) + "/topologies/example.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown --format 'svg'; accepted formats: text, json, mermaid, dot"), std::string::npos)
      << r.output;
  const testing::CommandRun help = Describe("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("text|json|mermaid|dot"), std::string::npos) << help.output;
}

}  // namespace
}  // namespace streamapp
