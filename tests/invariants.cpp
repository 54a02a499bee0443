// Invariants that must hold after any sequence of actions (doctest checks;
// bk_tests only).
#include "tests/support.hpp"

#include <doctest/doctest.h>

namespace bkt {

void checkInvariants(const Shop& s) {
  // issue 15: a comeback's charge is a workmanship cause's, on the original work
  for (auto& [id, rw] : s.reworks) {
    if (rw.found_in != InspectionKind::Comeback) continue;
    const Inspection& in = s.inspections.at(rw.inspection);
    CHECK(in.cause == ComebackCause::Workmanship);
    CHECK(s.work_orders.at(in.wo).comeback_of == rw.wo);
  }
  // R1: no technician is on two operations at once
  std::map<Id, int> open;
  for (auto& id : s.open_entries) ++open[s.entries.at(id).tech];
  for (auto& [tech, n] : open) CHECK_MESSAGE(n == 1, "R1 broken for ", tech);
  for (auto& [id, e] : s.entries) CHECK((!e.end || *e.end >= e.start));
  // R10: no delivery without a signed final where required and everything done
  for (auto& [id, wo] : s.work_orders) {
    if (!wo.delivered_at) continue;
    if (finalRequired(s, wo)) {
      REQUIRE(wo.final_passed);
      const Inspection& fin = s.inspections.at(*wo.final_passed);
      CHECK(fin.result == Verdict::Pass);
      CHECK(fin.sig.meaning == "inspection.final");
    }
    for (auto* op : s.opsOf(id)) CHECK((op->phase == Phase::Done || op->phase == Phase::Declined));
    // issue 15: a comeback leaves only once a person has found its cause
    if (wo.comeback()) CHECK_MESSAGE(comebackInspection(s, id) != nullptr, "comeback delivered without its cause: ", id);
  }
  // R2: nobody is clocked on blocked work
  for (auto& id : s.open_entries) {
    const Operation& op = s.operations.at(s.entries.at(id).op);
    CHECK(op.phase != Phase::AwaitingApproval);
    CHECK(op.phase != Phase::Declined);
  }
  // R15: every signature holds for its record
  for (auto& [id, in] : s.inspections) {
    CHECK(in.sig.signer == in.inspector);
    CHECK(in.sig.digest.size() == 64);
  }
}

}  // namespace bkt
