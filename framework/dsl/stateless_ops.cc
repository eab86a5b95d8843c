#include "dsl/stateless_ops.h"

#include <utility>

namespace streamapp::dsl {
namespace {

// One Processor type per function shape keeps each operator a few lines.
template <typename Fn, typename Body>
class FnProcessor final : public Processor {
 public:
  FnProcessor(const Fn& fn, Body body) : fn_(fn), body_(std::move(body)) {}
  Status Process(Record record) override { return body_(fn_, context(), std::move(record)); }

 private:
  const Fn& fn_;  // owned by the immutable definition, which outlives the processor
  Body body_;
};

template <typename Fn, typename Body>
class FnOperator final : public OperatorDef {
 public:
  FnOperator(std::string_view kind, bool changes_key, Fn fn, Body body)
      : kind_(kind), changes_key_(changes_key), fn_(std::move(fn)), body_(std::move(body)) {}
  std::unique_ptr<Processor> CreateProcessor() const override {
    return std::make_unique<FnProcessor<Fn, Body>>(fn_, body_);
  }
  std::string_view kind() const override { return kind_; }
  bool changes_key() const override { return changes_key_; }

 private:
  std::string_view kind_;
  bool changes_key_;
  Fn fn_;
  Body body_;
};

template <typename Fn, typename Body>
std::shared_ptr<const OperatorDef> Make(std::string_view kind, bool changes_key, Fn fn, Body body) {
  return std::make_shared<FnOperator<Fn, Body>>(kind, changes_key, std::move(fn), std::move(body));
}

}  // namespace

std::shared_ptr<const OperatorDef> MakeFilter(Predicate predicate) {
  return Make("filter", false, std::move(predicate), [](const Predicate& p, ProcessorContext& ctx, Record r) {
    ASSIGN_OR_RETURN(bool keep, p(r));
    return keep ? ctx.Forward(std::move(r)) : Status::Ok();
  });
}

std::shared_ptr<const OperatorDef> MakeMap(RecordMapper mapper) {
  return Make("map", true, std::move(mapper), [](const RecordMapper& m, ProcessorContext& ctx, Record r) {
    ASSIGN_OR_RETURN(Record out, m(std::move(r)));
    return ctx.Forward(std::move(out));
  });
}

std::shared_ptr<const OperatorDef> MakeMapValues(ValueMapper mapper) {
  return Make("mapValues", false, std::move(mapper), [](const ValueMapper& m, ProcessorContext& ctx, Record r) {
    ASSIGN_OR_RETURN(Value v, m(r));
    r.value = std::move(v);
    return ctx.Forward(std::move(r));
  });
}

std::shared_ptr<const OperatorDef> MakeFlatMap(FlatMapper mapper) {
  return Make("flatMap", true, std::move(mapper), [](const FlatMapper& m, ProcessorContext& ctx, Record r) {
    ASSIGN_OR_RETURN(std::vector<Record> out, m(std::move(r)));
    for (Record& each : out) RETURN_IF_ERROR(ctx.Forward(std::move(each)));
    return Status::Ok();
  });
}

std::shared_ptr<const OperatorDef> MakeSelectKey(KeySelector selector) {
  return Make("selectKey", true, std::move(selector), [](const KeySelector& s, ProcessorContext& ctx, Record r) {
    ASSIGN_OR_RETURN(Value key, s(r));
    r.key = std::move(key);
    return ctx.Forward(std::move(r));
  });
}

std::shared_ptr<const OperatorDef> MakePeek(RecordAction action) {
  return Make("peek", false, std::move(action), [](const RecordAction& a, ProcessorContext& ctx, Record r) {
    a(r);
    return ctx.Forward(std::move(r));
  });
}

std::shared_ptr<const OperatorDef> MakeBranch(std::vector<Predicate> predicates) {
  return Make("branch", false, std::move(predicates),
              [](const std::vector<Predicate>& ps, ProcessorContext& ctx, Record r) -> Status {
                for (size_t i = 0; i < ps.size(); ++i) {
                  bool take = true;
                  if (ps[i]) {
                    ASSIGN_OR_RETURN(take, ps[i](r));
                  }
                  if (take) return ctx.ForwardTo(i, std::move(r));
                }
                return Status::Ok();
              });
}

std::shared_ptr<const OperatorDef> MakeMerge() {
  return Make("merge", false, 0, [](int, ProcessorContext& ctx, Record r) { return ctx.Forward(std::move(r)); });
}

}  // namespace streamapp::dsl
