// The front desk: work orders created and updated, more operations added to
// an open one. Fixed times and ids.
#include "tests/support.hpp"

#include <doctest/doctest.h>

using namespace bkt;

TEST_CASE("the front desk adds operations the customer asked for to an open work order") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id first = wo + "-1";
  w.must(AddOperations{wo, "advisor", {spec("wo-x-2", Trade::Body, "body1"), spec("wo-x-3", Trade::Paint, "paint1", true)}, T0});
  const auto ops = w.s.opsOf(wo);
  REQUIRE(ops.size() == 3);
  CHECK(ops[1]->id == "wo-x-2");
  CHECK(ops[1]->seq == 2);
  CHECK_FALSE(ops[1]->upstream.has_value());
  CHECK(ops[2]->upstream == "wo-x-2");  // R8: paint accepts body's work at handover
  CHECK(w.s.operation(first)->phase == Phase::Open);

  SUBCASE("only an advisor or the service manager") {
    CHECK(w.refused(AddOperations{wo, "tech1", {spec("wo-x-9", Trade::Body, "body1")}, T0}) == Reason::LacksRole);
  }
  SUBCASE("new, unique operation ids with a technician each") {
    CHECK(w.refused(AddOperations{wo, "advisor", {spec(first, Trade::Body, "body1")}, T0}) == Reason::DuplicateId);
    CHECK(w.refused(AddOperations{wo, "advisor", {spec("a", Trade::Body, "body1"), spec("a", Trade::Body, "body1")}, T0}) == Reason::DuplicateId);
    CHECK(w.refused(AddOperations{wo, "advisor", {spec("b", Trade::Body, "advisor")}, T0}) == Reason::LacksRole);
    CHECK(w.refused(AddOperations{wo, "advisor", {}, T0}) == Reason::BadInput);
  }
  SUBCASE("not to an unknown or delivered work order") {
    CHECK(w.refused(AddOperations{"wo-nope", "advisor", {spec("c", Trade::Body, "body1")}, T0}) == Reason::UnknownWorkOrder);
  }
}

TEST_CASE("R10: a work order whose final inspection passed takes no more operations") {
  World w;
  const Id wo = w.openWorkOrder(Category::GeneralRepair, {spec("", Trade::Mechanical, "tech1")});
  const Id op = wo + "-1";
  w.clockOn("tech1", op, T0);
  w.must(w.inspection(InspectionKind::Self, wo, op, "tech1", true, T0 + 60 * MIN));
  w.must(w.inspection(InspectionKind::Peer, wo, op, "foreman", true, T0 + 70 * MIN));
  w.must(w.inspection(InspectionKind::Final, wo, std::nullopt, "qi", true, T0 + 90 * MIN));
  CHECK(w.refused(AddOperations{wo, "advisor", {spec("late", Trade::Body, "body1")}, T0 + 95 * MIN}) == Reason::BadInput);
  w.must(w.sealed(testDelivery(wo, "advisor", T0 + 95 * MIN), "advisor", T0 + 95 * MIN));
  CHECK(w.refused(AddOperations{wo, "advisor", {spec("later", Trade::Body, "body1")}, T0 + 96 * MIN}) == Reason::WorkOrderClosed);
}

TEST_CASE("an added operation survives the round trip through an event and a replay") {
  const Action a = AddOperations{"wo-1", "advisor", {spec("wo-1-5", Trade::Paint, "paint1", true, 45)}, T0};
  const Action back = actionFromJson(toJson(a));
  CHECK(toJson(back) == toJson(a));
  CHECK(actionType(back) == "add_operations");
}
