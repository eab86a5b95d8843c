// The operator registry: built-in declarations, validation driven by them,
// and the generated reference and JSON Schema (which must match docs/).
#include "streamapp/operator_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "streamapp/topology_file.h"
#include "support/run_command.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"  // designated initializers (GCC bug 96868)

namespace streamapp {
namespace {

using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A file with one pipeline whose steps are `steps` (YAML, indented 6).
std::string WithSteps(const std::string& steps) {
  return "version: 1\napplication: {id: app}\nstreams:\n  orders: {topic: orders}\npipelines:\n  p:\n    from: orders\n"
         "    steps:\n" +
         steps;
}

std::vector<std::string> Errors(const std::string& text) {
  std::vector<std::string> out;
  for (const Diagnostic& d : LoadTopologyText(text, "t.yaml", ".").errors) out.push_back(d.ToString());
  return out;
}

TEST(OperatorRegistryTest, EveryBuiltinStepIsRegistered) {
  const OperatorRegistry& r = BuiltinOperatorRegistry();
  for (const char* name : {"filter", "map", "mapValues", "flatMap", "selectKey", "peek", "branch", "to", "groupBy",
                           "groupByKey", "aggregate", "count", "reduce", "join"}) {
    const OperatorDecl* decl = r.Find(name);
    ASSERT_NE(decl, nullptr) << name;
    EXPECT_EQ(decl->origin, "builtin");
    EXPECT_FALSE(decl->doc.empty());
  }
  EXPECT_EQ(r.Find("map_values"), r.Find("mapValues"));
  EXPECT_EQ(r.Find("nope"), nullptr);
  EXPECT_TRUE(r.Find("selectKey")->changes_key);
  EXPECT_FALSE(r.Find("filter")->changes_key);
  EXPECT_FALSE(r.Find("aggregate")->stores.empty());
}

TEST(OperatorRegistryTest, RegisterRefusesTakenNamesAndMissingFactories) {
  OperatorRegistry r = BuiltinOperatorRegistry();
  OperatorDecl dup{.name = "mine", .aliases = {"filter"}, .doc = "x", .factory = [](OperatorBuildContext&) {
                     return std::shared_ptr<const OperatorDef>();
                   }};
  Status st = r.Register(dup);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("'filter' is already registered"));
  EXPECT_FALSE(r.Register(OperatorDecl{.name = "nofactory", .doc = "x"}).ok());
  OperatorDecl clash{.name = "clash",
                     .doc = "x",
                     .params = {{.name = "name", .type = ParamType::kString, .doc = "x"}},
                     .factory = dup.factory};
  EXPECT_FALSE(r.Register(clash).ok());
}

TEST(OperatorRegistryTest, DefaultsOfEveryDeclarationParse) {
  // A default that does not parse as its type would silently be ignored.
  for (const auto& op : BuiltinOperatorRegistry().operators()) {
    std::vector<const ParamDecl*> params;
    for (const ParamDecl& p : op->params) {
      params.push_back(&p);
      for (const ParamDecl& f : p.fields) params.push_back(&f);
    }
    for (const ParamDecl* p : params) {
      if (p->default_value.empty() || p->type != ParamType::kEnum) continue;
      EXPECT_NE(std::find(p->choices.begin(), p->choices.end(), p->default_value), p->choices.end())
          << op->name << "." << p->name;
    }
  }
}

TEST(OperatorRegistryTest, GenericOperatorParametersAreValidatedFromTheDeclaration) {
  EXPECT_THAT(Errors(WithSteps("      - mapValues: {exrp: amount}\n")),
              ::testing::ElementsAre("t.yaml:9:21: unknown parameter 'exrp' of 'mapValues'; expected one of expr; "
                                     "did you mean 'expr'?"));
  EXPECT_THAT(Errors(WithSteps("      - selectKey: {}\n")),
              ::testing::ElementsAre("t.yaml:9:9: 'selectKey' needs 'expr' (the new key)"));
  EXPECT_THAT(Errors(WithSteps("      - filter: [a]\n")),
              ::testing::ElementsAre("t.yaml:9:17: filter: expected an expression (a string), found a sequence"));
  EXPECT_THAT(Errors(WithSteps("      - map: {drop: 'a..b'}\n")),
              ::testing::ElementsAre(HasSubstr("t.yaml:9:21: map drop:")));
  EXPECT_THAT(Errors(WithSteps("      - map: {}\n")),
              ::testing::ElementsAre("t.yaml:9:9: map needs at least one of set, rename, drop"));
}

TEST(OperatorRegistryTest, AliasesBuildTheSameNodes) {
  LoadResult a = LoadTopologyText(WithSteps("      - map_values: amount\n      - to: out\n"), "a.yaml", ".");
  LoadResult b = LoadTopologyText(WithSteps("      - mapValues: amount\n      - to: out\n"), "b.yaml", ".");
  ASSERT_TRUE(a.loaded && b.loaded);
  EXPECT_EQ(a.loaded->topology.Describe(), b.loaded->topology.Describe());
}

TEST(OperatorRegistryTest, StructuralOperatorsAcceptExactlyTheirDeclaredParameters) {
  // Each declared parameter is accepted (whatever else is wrong with the
  // value), and an undeclared one is refused: the parsers take their keys
  // from the declarations.
  for (const char* op : {"aggregate", "count", "reduce", "join", "to"}) {
    const OperatorDecl* decl = BuiltinOperatorRegistry().Find(op);
    for (const ParamDecl& p : decl->params) {
      for (const std::string& e : Errors(WithSteps("      - " + std::string(op) + ": {" + p.name + ": x}\n"))) {
        EXPECT_THAT(e, ::testing::Not(HasSubstr("unknown key '" + p.name + "'"))) << op;
      }
      for (const ParamDecl& f : p.fields) {
        const std::string step = "      - " + std::string(op) + ": {" + p.name + ": {" + f.name + ": x}}\n";
        for (const std::string& e : Errors(WithSteps(step))) {
          EXPECT_THAT(e, ::testing::Not(HasSubstr("unknown key '" + f.name + "'"))) << op << "." << p.name;
        }
      }
    }
    EXPECT_THAT(Errors(WithSteps("      - " + std::string(op) + ": {bogus: x}\n")),
                ::testing::Contains(HasSubstr("unknown key 'bogus'")))
        << op;
  }
}

TEST(OperatorRegistryTest, DocsAreWhatTheGeneratorPrints) {
  const std::string dir = std::string(STREAMAPP_SOURCE_DIR) + "/docs/";
  // Regenerate with: stream-app operators --format markdown > docs/operators.md
  EXPECT_EQ(ReadFile(dir + "operators.md"), OperatorsMarkdown(BuiltinOperatorRegistry()));
  // Regenerate with: stream-app operators --format schema > docs/topology.schema.json
  EXPECT_EQ(ReadFile(dir + "topology.schema.json"), TopologyJsonSchema(BuiltinOperatorRegistry()));
}

TEST(OperatorRegistryTest, ReferenceListsEveryOperatorAndParameter) {
  const std::string md = OperatorsMarkdown(BuiltinOperatorRegistry());
  const YAML::Node json = YAML::Load(OperatorsJson(BuiltinOperatorRegistry()));
  ASSERT_TRUE(json.IsSequence());
  EXPECT_EQ(json.size(), BuiltinOperatorRegistry().operators().size());
  for (const auto& op : BuiltinOperatorRegistry().operators()) {
    EXPECT_THAT(md, HasSubstr("\n## " + op->name + "\n"));
    for (const ParamDecl& p : op->params) EXPECT_THAT(md, HasSubstr("| `" + p.name + "` |")) << op->name;
  }
  EXPECT_THAT(OperatorsTable(BuiltinOperatorRegistry()), HasSubstr("window.grace"));
}

// Checks `value` (a YAML node of the topology) against the generated schema
// at the level of property names: every key is a property the schema
// declares, recursively through objects, maps and step operators.
class SchemaWalker {
 public:
  explicit SchemaWalker(YAML::Node schema) : schema_(std::move(schema)) {}

  void Check(const YAML::Node& value, YAML::Node s, const std::string& path) {
    s = Resolve(s);
    if (s["anyOf"]) {
      // The mapping form, when the value is a mapping.
      for (const YAML::Node& option : s["anyOf"]) {
        YAML::Node o = Resolve(option);
        if (value.IsMap() && TypeIs(o, "object")) return Check(value, o, path);
        if (value.IsSequence() && TypeIs(o, "array")) return Check(value, o, path);
      }
      return;
    }
    if (value.IsSequence() && s["items"]) {
      for (const YAML::Node& item : value) Check(item, s["items"], path + "[]");
      return;
    }
    if (!value.IsMap()) return;
    if (s["properties"]) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        const std::string key = it->first.as<std::string>();
        ++checked;
        if (!s["properties"][key]) {
          errors.push_back(path + "." + key);
          continue;
        }
        Check(it->second, s["properties"][key], path + "." + key);
      }
    } else if (s["additionalProperties"] && s["additionalProperties"].IsMap()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        Check(it->second, s["additionalProperties"], path + "." + it->first.as<std::string>());
      }
    }
  }

  std::vector<std::string> errors;
  int checked = 0;

 private:
  static bool TypeIs(const YAML::Node& s, const std::string& type) {
    return s["type"] && s["type"].IsScalar() && s["type"].Scalar() == type;
  }

  YAML::Node Resolve(YAML::Node s) {
    while (s["$ref"]) {
      std::string ref = s["$ref"].as<std::string>().substr(2);  // "#/"
      YAML::Node at = schema_;
      std::stringstream parts(ref);
      for (std::string part; std::getline(parts, part, '/');) at.reset(at[part]);
      s.reset(at);
    }
    return s;
  }
  YAML::Node schema_;
};

TEST(OperatorRegistryTest, ExampleTopologyConformsToTheSchema) {
  const YAML::Node schema = YAML::Load(TopologyJsonSchema(BuiltinOperatorRegistry()));
  EXPECT_EQ(schema["$schema"].as<std::string>(), "https://json-schema.org/draft/2020-12/schema");
  const YAML::Node example = YAML::LoadFile(std::string(STREAMAPP_SOURCE_DIR) + "/topologies/example.yaml");
  SchemaWalker walker(schema);
  walker.Check(example, schema, "");
  EXPECT_THAT(walker.errors, ::testing::IsEmpty());
  EXPECT_GT(walker.checked, 50);
  // And the walker does catch a misspelt parameter.
  SchemaWalker bad(schema);
  bad.Check(YAML::Load(WithSteps("      - aggregate: {op: sum, feild: x}\n")), schema, "");
  EXPECT_THAT(bad.errors, ::testing::ElementsAre(".pipelines.p.steps[].aggregate.feild"));
}

}  // namespace
}  // namespace streamapp

namespace streamapp {
namespace {

TEST(OperatorRegistryTest, ValidateReportsEveryMistakeWithItsPosition) {
  const std::string file = std::string(STREAMAPP_SOURCE_DIR) + "/tests/data/topologies/invalid/five_mistakes.yaml";
  testing::CommandRun run = testing::RunCommand(std::string(STREAM_APP_BINARY) + " validate " + file);
  EXPECT_EQ(run.exit_code, 1);
  const std::vector<std::string> expected = {
      ":18:11: error: unknown stream or pipeline 'order' in 'from' of pipeline 'clean'; did you mean 'orders'?",
      ":20:9: error: unknown step 'fliter'; did you mean 'filter'? (`stream-app operators` lists every step)",
      ":21:21: error: unknown parameter 'exrp' of 'mapValues'; expected one of expr; did you mean 'expr'?",
      ":22:9: error: 'selectKey' needs 'expr' (the new key)",
      ":23:28: error: in_memory: expected true or false, found 'maybe'",
      ":24:26: error: filter: expected an expression but found end of expression",
  };
  for (const std::string& line : expected) EXPECT_THAT(run.output, HasSubstr(file + line));
  EXPECT_THAT(run.output, HasSubstr("6 error(s)"));
}

}  // namespace
}  // namespace streamapp
