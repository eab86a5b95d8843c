// The DSL's stateless operators: definitions wrapping user functions.
#pragma once

#include <memory>

#include "dsl/graph.h"

namespace streamapp::dsl {

std::shared_ptr<const OperatorDef> MakeFilter(Predicate predicate);
std::shared_ptr<const OperatorDef> MakeMap(RecordMapper mapper);
std::shared_ptr<const OperatorDef> MakeMapValues(ValueMapper mapper);
std::shared_ptr<const OperatorDef> MakeFlatMap(FlatMapper mapper);
std::shared_ptr<const OperatorDef> MakeSelectKey(KeySelector selector);
std::shared_ptr<const OperatorDef> MakePeek(RecordAction action);
// Forwards a record to the first branch whose predicate holds (an empty
// predicate always holds); drops it when none does.
std::shared_ptr<const OperatorDef> MakeBranch(std::vector<Predicate> predicates);
std::shared_ptr<const OperatorDef> MakeMerge();

}  // namespace streamapp::dsl
