#include "streamapp/status.h"

#include <gtest/gtest.h>

#include "streamapp/types.h"

namespace streamapp {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("not positive: " + std::to_string(v));
  return v;
}

Result<int> Doubled(int v) {
  ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status Check(int v) {
  RETURN_IF_ERROR(ParsePositive(v).status());
  return Status::Ok();
}

TEST(Status, OkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(Status::Ok().ToString(), "OK");
  Status s = Status::Abortable("txn");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kAbortable);
  EXPECT_EQ(s.ToString(), "Abortable: txn");
  EXPECT_EQ(s.WithContext("commit").message(), "commit: txn");
}

TEST(Result, PropagatesThroughMacros) {
  EXPECT_EQ(*Doubled(4), 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "not positive: -1");
  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(0).code(), StatusCode::kInvalidArgument);
}

TEST(Types, StrongTypesCompareWithinTheirKind) {
  EXPECT_LT(Offset(3), Offset(4));
  EXPECT_EQ(Offset(3).Next(), Offset(4));
  EXPECT_FALSE(Offset(Offset::kInvalid).valid());
  TaskId a{1, PartitionId(2)};
  TaskId b{1, PartitionId(3)};
  EXPECT_LT(a, b);
  EXPECT_EQ(a.ToString(), "1_2");
  EXPECT_NE(std::hash<TaskId>{}(a), std::hash<TaskId>{}(b));
}

}  // namespace
}  // namespace streamapp
