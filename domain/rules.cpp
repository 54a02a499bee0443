#include "domain/rules.hpp"
#include "domain/report.hpp"
#include "domain/vin.hpp"
#include "domain/setup.hpp"

#include "domain/signing.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace bk {
namespace {

template <typename... F> struct Overload : F... { using F::operator()...; };
template <typename... F> Overload(F...) -> Overload<F...>;

using O = Outcome;

O needPerson(const Shop& s, const Id& id, std::initializer_list<Role> any_of) {
  auto* p = s.person(id);
  if (!p) return O::no(Reason::UnknownPerson, id);
  if (!p->active) return O::no(Reason::PersonRetired, id);  // issue 13: a leaver does nothing new
  if (any_of.size() == 0) return O::ok();
  for (Role r : any_of) if (p->has(r)) return O::ok();
  return O::no(Reason::LacksRole, id);
}

O needOpenWorkOrder(const Shop& s, const Id& wo) {
  auto* w = s.workOrder(wo);
  if (!w) return O::no(Reason::UnknownWorkOrder, wo);
  if (w->delivered_at) return O::no(Reason::WorkOrderClosed, wo);
  return O::ok();
}

bool systemReason(StopReason r) {
  return r == StopReason::Switched || r == StopReason::Finished || r == StopReason::StoppedByPatrol ||
         r == StopReason::Cancelled || r == StopReason::Reassigned || r == StopReason::Corrected;
}

// R15: the signature is the signer's, means what the action does, names the
// record, and its digest is the hash of exactly this action. Issue 11: it is
// made with the signer's key current at this point of the log (the hub's
// order), and its Ed25519 value verifies against that key, so only someone
// holding their secret (sealed under their PIN) can make it, and it cannot
// be copied to another record. A signature without a key, from before
// signature keys, counts only while its signer has none.
O checkSignature(const Shop& s, const Action& a, const Id& expected_signer, bool verify = true) {
  const Signature* sig = signatureOf(a);
  if (!sig || !verify) return O::ok();  // not yet signed: asked before the PIN
  if (sig->signer.empty() || sig->signer != expected_signer || sig->meaning != expectedMeaning(a) ||
      sig->record != expectedRecord(a) || sig->digest != signingDigest(a))
    return O::no(Reason::SignatureInvalid, sig->record);
  const Person* p = s.person(sig->signer);
  if (!p) return O::no(Reason::UnknownPerson, sig->signer);
  const PersonKey* key = p->currentKey();
  if (sig->beforeKeys()) {
    if (key) return O::no(Reason::SignatureInvalid, sig->record + ": no key, but the signer has one");
    return O::ok();
  }
  if (!key || key->id != sig->key) return O::no(Reason::SignatureInvalid, sig->record + ": not the signer's current key");
  if (!signatureHolds(a, *sig, key->pub)) return O::no(Reason::SignatureInvalid, sig->record);
  return O::ok();
}

// Issue 11: a decision that opens a gate (a delivery, a review decided) is
// signed by the person it names. Unsigned only from before signature keys,
// while that person has no key.
O checkSignedBy(const Shop& s, const Action& a, const Id& by, bool verify) {
  const Signature* sig = signatureOf(a);
  if (!verify) return O::ok();
  if (sig && sig->signer.empty()) {
    const Person* p = s.person(by);
    if (p && !p->currentKey()) return O::ok();
    return O::no(Reason::SignatureInvalid, expectedRecord(a) + ": not signed");
  }
  return checkSignature(s, a, by);
}

// ---- master data ---------------------------------------------------------

O checkEnroll(const Shop& s, const EnrollPerson& v) {
  if (v.person.id.empty() || v.person.name.empty() || v.person.roles.empty())
    return O::no(Reason::BadInput, "person");
  if (!v.person.keys.empty()) return O::no(Reason::BadInput, "keys are registered (register_key), not enrolled");
  // issue 13: a badge signs in one person; a leaver's may go to someone new
  if (v.person.active && !v.person.badge.empty())
    for (auto& [id, p] : s.people)
      if (id != v.person.id && p.active && p.badge == v.person.badge)
        return O::no(Reason::DuplicateId, "badge " + v.person.badge + " is " + id + "'s");
  if (!v.person.home_bay.empty() && !s.bays.count(v.person.home_bay)) return O::no(Reason::UnknownBay, v.person.home_bay);
  return O::ok();
}

// Issue 13: the shop's policy, whole and within its ranges.
O checkSetPolicy(const Shop&, const SetPolicy& v) {
  if (auto why = setup::policyProblem(v.policy)) return O::no(Reason::BadInput, "policy: " + *why);
  return O::ok();
}

// Issue 13: a setup code for an active person, valid for the policy's days
// at most. From a kiosk it is a service manager's reset of someone else's
// PIN, signed by them; without `by`, the administrator's (the hub's own
// machine: a floor client's is out of its scope).
O checkIssueSetupCode(const Shop& s, const IssueSetupCode& v, bool verify) {
  if (v.code.empty() || v.code.size() > 64 || v.hash.empty() || v.hash.size() > 256) return O::no(Reason::BadInput, "setup code");
  if (auto o = needPerson(s, v.person, {}); !o) return o;
  const Millis longest = Millis{std::max(1, s.policy.setup_code_days)} * 24 * 3'600'000;
  if (v.expires_at <= v.at || v.expires_at - v.at > longest) return O::no(Reason::BadInput, "setup code: expiry");
  if (v.by.empty()) {
    if (!v.sig.signer.empty()) return O::no(Reason::BadInput, "setup code: signed without `by`");
    return O::ok();
  }
  if (auto o = needPerson(s, v.by, {Role::ServiceManager}); !o) return o;
  if (v.by == v.person) return O::no(Reason::OwnWork, "person/" + v.person);
  if (!verify) return O::ok();
  return checkSignature(s, Action{v}, v.by);
}

// Issue 11: a key is registered only with proof its registrant holds the
// secret. A first key (a new person, or one from before signature keys) is
// taken as it comes; the same key re-sealed under a new PIN likewise; a new
// key in place of theirs (a PIN reset) needs a service manager other than
// them to approve it with their own key.
O checkRegisterKey(const Shop& s, const RegisterKey& v) {
  const Person* p = s.person(v.person);
  if (!p) return O::no(Reason::UnknownPerson, v.person);
  std::uint8_t salt[16];
  const bool formed = !v.key.id.empty() && v.key.id == keyIdOf(v.key.pub) && v.key.since == v.at &&
                      fromHexBytes(v.key.salt, salt, sizeof salt) && v.key.sealed.size() == 2 * (24 + 16 + 32);
  if (!formed) return O::no(Reason::BadInput, "key");
  if (!verifyBytes(v.key.pub, registrationMessage(v), v.proof)) return O::no(Reason::SignatureInvalid, "person/" + v.person);
  const PersonKey* current = p->currentKey();
  for (const PersonKey& k : p->keys)
    if (&k != current && k.pub == v.key.pub) return O::no(Reason::BadInput, "a retired key is not taken back");
  if (!p->active) return O::no(Reason::PersonRetired, v.person);
  // issue 13: with a setup code, a first key or a new one in place of theirs
  auto code = s.setup_codes.find(v.person);
  if (!v.setup.empty()) {
    if (code == s.setup_codes.end() || code->second.id != v.setup || code->second.used || v.at >= code->second.expires_at ||
        v.at < code->second.issued_at)
      return O::no(Reason::SetupCodeInvalid, "person/" + v.person);
    return O::ok();
  }
  // once a setup code is out, a first key needs it: nobody else makes it
  if (!current && code != s.setup_codes.end()) return O::no(Reason::SetupCodeInvalid, "person/" + v.person);
  if (!current || current->pub == v.key.pub) return O::ok();
  if (!v.approval) return O::no(Reason::SignatureInvalid, "person/" + v.person + ": a new key needs a service manager's approval");
  if (auto o = needPerson(s, v.approval->signer, {Role::ServiceManager}); !o) return o;
  if (v.approval->signer == v.person) return O::no(Reason::OwnWork, "person/" + v.person);
  const PersonKey* ak = s.person(v.approval->signer)->currentKey();
  if (!ak || ak->id != v.approval->key || !approvalHolds(v, ak->pub))
    return O::no(Reason::SignatureInvalid, "person/" + v.person + ": approval");
  return O::ok();
}

// Issue 11: the hub's record of a client it enrolled.
O checkEnrolClient(const Shop&, const EnrolClient& v) {
  const Client& c = v.client;
  if (c.id.empty() || c.id.size() > 64) return O::no(Reason::BadInput, "client");
  if (!c.device_key.empty()) {
    std::array<std::uint8_t, 32> pub{};
    if (!fromHexBytes(c.device_key, pub.data(), pub.size())) return O::no(Reason::BadInput, "client/" + c.id + ": device key");
  }
  return O::ok();
}

O checkBay(const Shop&, const DefineBay& v) {
  if (v.bay.id.empty() || v.bay.name.empty()) return O::no(Reason::BadInput, "bay");
  return O::ok();
}

// New operations: fresh unique ids, sensible hours, a technician each; the
// first of a new work order has nothing upstream to hand over from (R8).
O checkSpecs(const Shop& s, const std::vector<OperationSpec>& ops, bool first_is_first) {
  if (ops.empty()) return O::no(Reason::BadInput, "ops");
  std::set<Id> ids;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& op = ops[i];
    if (op.id.empty() || op.std_minutes < 0 || (first_is_first && i == 0 && op.handover))
      return O::no(Reason::BadInput, op.id);
    if (op.instructions.size() > kMaxInstructionBytes) return O::no(Reason::BadInput, "instructions");
    if (s.operations.count(op.id) || !ids.insert(op.id).second)
      return O::no(Reason::DuplicateId, op.id);
    if (auto o = needPerson(s, op.main_tech, {Role::Technician}); !o) return o;
  }
  return O::ok();
}

// Issue 11: a front-desk write names the desk client it came through, and
// only a client the hub enrolled for the desk.
O checkVia(const Shop& s, const Id& via) {
  if (via.empty()) return O::ok();
  const auto it = s.clients.find(via);
  if (it == s.clients.end() || it->second.scope != Scope::Desk) return O::no(Reason::BadInput, "via " + via);
  return O::ok();
}

O checkOpen(const Shop& s, const OpenWorkOrder& v) {
  if (auto o = checkVia(s, v.via); !o) return o;
  const WorkOrder& w = v.wo;
  if (w.id.empty() || v.ops.empty() || w.promised_at < w.opened_at)
    return O::no(Reason::BadInput, w.id);
  if (s.work_orders.count(w.id)) return O::no(Reason::DuplicateId, w.id);
  if (w.final_passed || w.delivered_at || w.delivered_by) return O::no(Reason::BadInput, w.id);
  if (auto o = needPerson(s, w.advisor, {Role::ServiceAdvisor, Role::ServiceManager}); !o) return o;
  if (!w.bay.empty() && !s.bays.count(w.bay)) return O::no(Reason::UnknownBay, w.bay);
  // issue 14: the customer's words, the odometer and the warranty, within sense
  if (w.complaint.size() > kMaxComplaintBytes) return O::no(Reason::BadInput, "complaint");
  if (w.odometer_km < 0 || w.odometer_km > kMaxOdometerKm) return O::no(Reason::BadInput, "odometer_km");
  if (w.warranty_km < 0 || w.warranty_km > kMaxOdometerKm) return O::no(Reason::BadInput, "warranty_km");
  if (w.warranty_until < 0) return O::no(Reason::BadInput, "warranty_until");
  // issue 15: a comeback links a delivered work order of the same car, with
  // the customer's concern; a car delivered within the window is linked or
  // the advisor says why not (no default decides it)
  auto sameCar = [&](const Id& id) -> const WorkOrder* {
    const WorkOrder* o = s.workOrder(id);
    if (!o || !o->delivered_at || *o->delivered_at > w.opened_at || w.vehicle.vin.empty()) return nullptr;
    return vinKey(o->vehicle.vin) == vinKey(w.vehicle.vin) ? o : nullptr;
  };
  if (w.comeback() && !w.not_comeback_of.empty()) return O::no(Reason::BadInput, "not_comeback_of");
  if (w.comeback()) {
    if (!sameCar(w.comeback_of)) return O::no(Reason::NotAComeback, w.comeback_of);
    if (w.concern.empty() || w.concern.size() > 64) return O::no(Reason::ReasonRequired, "concern");
  } else if (!w.concern.empty()) {
    return O::no(Reason::BadInput, "concern");
  }
  if (!w.not_comeback_of.empty()) {
    if (!sameCar(w.not_comeback_of)) return O::no(Reason::NotAComeback, w.not_comeback_of);
    if (w.not_comeback_reason.empty() || w.not_comeback_reason.size() > 64)
      return O::no(Reason::ReasonRequired, "not_comeback_reason");
  } else if (!w.not_comeback_reason.empty()) {
    return O::no(Reason::BadInput, "not_comeback_reason");
  }
  if (const WorkOrder* c = comebackCandidate(s, w.vehicle.vin, w.opened_at);
      c && !w.comeback() && w.not_comeback_of != c->id)
    return O::no(Reason::ComebackUndecided, c->id);
  return checkSpecs(s, v.ops, true);
}

O checkAddOps(const Shop& s, const AddOperations& v) {
  if (auto o = checkVia(s, v.via); !o) return o;
  if (auto o = needOpenWorkOrder(s, v.wo); !o) return o;
  if (auto o = needPerson(s, v.by, {Role::ServiceAdvisor, Role::ServiceManager}); !o) return o;
  // R10: a work order whose final inspection passed is not reopened silently
  if (s.work_orders.at(v.wo).final_passed) return O::no(Reason::BadInput, v.wo);
  return checkSpecs(s, v.ops, s.opsOf(v.wo).empty());
}

O checkUpdate(const Shop& s, const UpdateWorkOrder& v) {
  if (auto o = checkVia(s, v.via); !o) return o;
  if (auto o = needOpenWorkOrder(s, v.wo); !o) return o;
  if (auto o = needPerson(s, v.by, {Role::ServiceAdvisor, Role::ServiceManager}); !o) return o;
  if (!v.bay.empty() && !s.bays.count(v.bay)) return O::no(Reason::UnknownBay, v.bay);
  if (v.promised_at < s.work_orders.at(v.wo).opened_at) return O::no(Reason::BadInput, v.wo);
  return O::ok();
}

// ---- clocking (R1–R3) ----------------------------------------------------

O checkClockOn(const Shop& s, const ClockOn& v) {
  if (v.entry.empty()) return O::no(Reason::BadInput, "entry");
  if (s.entries.count(v.entry)) return O::no(Reason::DuplicateId, v.entry);
  if (auto o = needPerson(s, v.tech, {Role::Technician}); !o) return o;
  auto* op = s.operation(v.op);
  if (!op) return O::no(Reason::UnknownOperation, v.op);
  if (!s.bays.count(v.bay)) return O::no(Reason::UnknownBay, v.bay);
  if (auto o = needOpenWorkOrder(s, op->wo); !o) return o;
  if (auto b = clockBlocker(s, *op)) return O{*b};  // R2, R8, R12
  for (auto* e : s.openEntriesOf(v.tech)) {
    if (e->op == v.op) return O::no(Reason::AlreadyClockedOn, v.op);
    // R1 closes the open entry at this time; a time before its start means
    // two kiosks disagree about where the technician was (R16).
    if (v.at < e->start) return O::no(Reason::ClockOverlap, e->id);
  }
  return O::ok();
}

O checkClockOff(const Shop& s, const ClockOff& v) {
  if (auto o = needPerson(s, v.tech, {}); !o) return o;
  if (systemReason(v.reason)) return O::no(Reason::ReasonRequired, std::string(name(v.reason)));  // R3
  for (auto* e : s.openEntriesOf(v.tech))
    if (e->op == v.op) return v.at < e->start ? O::no(Reason::ClockOverlap, e->id) : O::ok();
  return O::no(Reason::NotClockedOn, v.op);
}

O checkEndShift(const Shop& s, const EndShift& v) { return needPerson(s, v.tech, {}); }

// ---- issue 14: undo, corrections, dispatch, messages ---------------------

O checkUndo(const Shop& s, const UndoClock& v) {
  if (auto o = needPerson(s, v.tech, {}); !o) return o;
  if (v.cancel.empty() && v.reopen.empty()) return O::no(Reason::BadInput, "undo");
  auto last = s.last_entry_of.find(v.tech);
  const Id latest = last == s.last_entry_of.end() ? Id{} : last->second;
  auto entryOf = [&](const Id& id) -> const TimeEntry* {
    auto it = s.entries.find(id);
    return it == s.entries.end() || it->second.tech != v.tech ? nullptr : &it->second;
  };
  const TimeEntry* cancel = nullptr;
  if (!v.cancel.empty()) {  // the clock-on: still open, the latest, seconds old
    cancel = entryOf(v.cancel);
    if (!cancel) return O::no(Reason::BadInput, v.cancel);
    if (cancel->end || latest != cancel->id || v.at < cancel->start || v.at - cancel->start > kUndoWindow)
      return O::no(Reason::UndoExpired, v.cancel);
  }
  if (!v.reopen.empty()) {  // the clock-off or switch: closed by the technician, seconds ago
    const TimeEntry* e = entryOf(v.reopen);
    if (!e) return O::no(Reason::BadInput, v.reopen);
    if (!e->end || !e->reason || v.at < *e->end || v.at - *e->end > kUndoWindow)
      return O::no(Reason::UndoExpired, v.reopen);
    const StopReason r = *e->reason;
    const bool theirs = !systemReason(r) || r == StopReason::Switched;  // not a patrol's, a foreman's, a finish
    if (!theirs) return O::no(Reason::UndoExpired, v.reopen);
    // nothing of theirs since, but the entry of the switch this undoes
    const bool since = cancel ? r != StopReason::Switched || cancel->start != *e->end || s.openEntriesOf(v.tech).size() != 1
                              : latest != e->id || !s.openEntriesOf(v.tech).empty();
    if (since) return O::no(Reason::UndoExpired, v.reopen);
    if (auto* op = s.operation(e->op); !op || clockBlocker(s, *op)) return O::no(Reason::UndoExpired, v.reopen);
  }
  return O::ok();
}

O checkCorrect(const Shop& s, const CorrectEntry& v, bool verify) {
  auto it = s.entries.find(v.entry);
  if (it == s.entries.end()) return O::no(Reason::BadInput, v.entry);
  const TimeEntry& e = it->second;
  if (auto o = needPerson(s, v.sig.signer, {Role::Foreman}); !o) return o;
  if (e.tech == v.sig.signer) return O::no(Reason::OwnWork, v.entry);  // nobody corrects their own time
  if (v.reason.empty() || v.reason.size() > 64) return O::no(Reason::ReasonRequired, "reason");
  // within the entry as it stands: a correction shortens, never lengthens
  if (v.end < e.start || v.end > v.sig.at || (e.end && v.end > *e.end)) return O::no(Reason::BadInput, "end");
  return checkSignature(s, Action{v}, v.sig.signer, verify);
}

O checkReassign(const Shop& s, const ReassignOperation& v, bool verify) {
  const Operation* op = s.operation(v.op);
  if (!op) return O::no(Reason::UnknownOperation, v.op);
  if (auto o = needPerson(s, v.sig.signer, {Role::Foreman}); !o) return o;
  if (auto o = needOpenWorkOrder(s, op->wo); !o) return o;
  if (op->phase == Phase::Done || op->phase == Phase::Declined) return O::no(Reason::OperationFinished, v.op);
  if (v.to.empty() && v.bay.empty()) return O::no(Reason::BadInput, "to");
  if (!v.to.empty()) {
    if (auto o = needPerson(s, v.to, {Role::Technician}); !o) return o;
    if (op->trade != Trade::None && s.person(v.to)->trade != op->trade) return O::no(Reason::WrongTrade, v.to);
  }
  if (!v.bay.empty() && !s.bays.count(v.bay)) return O::no(Reason::UnknownBay, v.bay);
  if ((v.to.empty() || v.to == op->main_tech) && (v.bay.empty() || v.bay == op->bay))
    return O::no(Reason::BadInput, "unchanged");
  return checkSignature(s, Action{v}, v.sig.signer, verify);
}

O checkMessage(const Shop& s, const SendMessage& v) {
  if (v.message.empty()) return O::no(Reason::BadInput, "message");
  if (s.messages.count(v.message)) return O::no(Reason::DuplicateId, v.message);
  if (auto o = needPerson(s, v.from, {Role::Foreman}); !o) return o;
  if (auto o = needPerson(s, v.to, {}); !o) return o;
  if (v.text.empty() || v.text.size() > 64) return O::no(Reason::BadInput, "text");
  if (!v.entry.empty() && !s.entries.count(v.entry)) return O::no(Reason::BadInput, v.entry);
  return O::ok();
}

O checkRead(const Shop& s, const ReadMessage& v) {
  auto it = s.messages.find(v.message);
  if (it == s.messages.end()) return O::no(Reason::BadInput, v.message);
  if (it->second.to != v.by) return O::no(Reason::BadInput, v.by);
  return O::ok();
}

// ---- inspections (R5–R11, R15) -------------------------------------------

O checkRoad(const Shop& s, const RoadTest& r) {
  if (auto o = needPerson(s, r.driver, {}); !o) return O::no(Reason::UnknownPerson, "road.driver");
  if (r.odo_start < 0 || r.odo_end < r.odo_start || r.odo_end - r.odo_start > kMaxRoadTestKm)
    return O::no(Reason::BadInput, "road.odometer");
  if (r.minutes <= 0 || r.minutes > kMaxRoadTestMinutes) return O::no(Reason::BadInput, "road.minutes");
  if (r.findings.empty() || r.findings.size() > kMaxRoadFindings) return O::no(Reason::BadInput, "road.findings");
  for (auto& f : r.findings)
    if (f.empty() || f.size() > 64) return O::no(Reason::BadInput, "road.findings");
  return O::ok();
}

O checkItems(const Inspection& in) {
  for (const auto& it : in.items)
    if (auto p = itemProblem(it)) return O{*p};
  for (const auto& it : in.items)
    if (in.result == Verdict::Pass && it.verdict == Verdict::Fail) return O::no(Reason::ResultInconsistent, it.key);
  if (in.result == Verdict::NotApplicable) return O::no(Reason::BadInput, "result");
  return O::ok();
}

// Issue 15: a comeback inspection, by a foreman or a quality inspector who
// did none of the original work: the cause (unset is refused), the original
// operation it lies in (any cause but a different concern), failed exactly
// when the cause is the shop's workmanship, and then with its defect.
O checkComeback(const Shop& s, const Inspection& in) {
  const WorkOrder& wo = s.work_orders.at(in.wo);
  if (!wo.comeback()) return O::no(Reason::NotAComeback, wo.id);
  if (auto o = needPerson(s, in.inspector, {Role::Foreman, Role::QualityInspector}); !o) return o;
  if (!in.cause) return O::no(Reason::CauseRequired, in.id);
  if (in.downstream || in.defect_op || in.road_test || in.road) return O::no(Reason::BadInput, in.id);
  const bool workmanship = *in.cause == ComebackCause::Workmanship;
  if ((in.result == Verdict::Fail) != workmanship) return O::no(Reason::ResultInconsistent, "cause");
  if (!workmanship && in.defect) return O::no(Reason::ResultInconsistent, "defect");
  if (!in.op) {
    if (*in.cause != ComebackCause::DifferentConcern) return O::no(Reason::BadInput, "op");
  } else {
    const Operation* op = s.operation(*in.op);
    if (!op || op->wo != wo.comeback_of || op->phase != Phase::Done) return O::no(Reason::UnknownOperation, *in.op);
  }
  for (auto* o : s.opsOf(wo.comeback_of))  // R6/R9: nobody judges their own work
    if (s.workedOn(in.inspector, o->id) || o->accepted_by == in.inspector) return O::no(Reason::OwnWork, o->id);
  if (latestInspection(s, InspectionKind::Comeback, wo.id)) return O::no(Reason::NotReadyForInspection, wo.id);
  return O::ok();
}

O checkInspection(const Shop& s, const RecordInspection& v, bool verify) {
  const Inspection& in = v.inspection;
  if (in.id.empty()) return O::no(Reason::BadInput, "inspection");
  if (in.catalog.empty() || in.items.empty()) return O::no(Reason::BadInput, "catalog");  // issue 12
  if (s.inspections.count(in.id)) return O::no(Reason::SignedRecordImmutable, in.id);  // R15
  if (auto o = checkSignature(s, v, in.inspector, verify); !o) return o;
  if (verify && !(in.sig == v.sig)) return O::no(Reason::SignatureInvalid, in.id);
  if (auto o = needPerson(s, in.inspector, {}); !o) return o;
  if (auto o = needOpenWorkOrder(s, in.wo); !o) return o;
  if (auto o = checkItems(in); !o) return o;
  if (in.result == Verdict::Fail && in.kind != InspectionKind::Self && (!in.defect || in.defect->empty()))
    return O::no(Reason::DefectRequired, in.id);  // R7/R8
  if (in.stop && (in.kind != InspectionKind::Patrol || in.result != Verdict::Fail))
    return O::no(Reason::ResultInconsistent, "stop");
  if (in.road) {  // issue 12: the road test is a record, on a final only
    if (in.kind != InspectionKind::Final || !in.road_test) return O::no(Reason::BadInput, "road");
    if (auto o = checkRoad(s, *in.road); !o) return o;
  }

  if (in.cause && in.kind != InspectionKind::Comeback) return O::no(Reason::BadInput, "cause");
  if (in.kind == InspectionKind::Comeback) return checkComeback(s, in);
  const Operation* op = nullptr;
  if (in.kind != InspectionKind::Final) {
    if (!in.op) return O::no(Reason::BadInput, "op");
    op = s.operation(*in.op);
    if (!op || op->wo != in.wo) return O::no(Reason::UnknownOperation, *in.op);
  }

  // R15: a correction is a new record pointing at the old one, same target,
  // same verdict (changing the verdict is a new inspection, R7).
  if (in.supersedes) {
    auto it = s.inspections.find(*in.supersedes);
    if (it == s.inspections.end()) return O::no(Reason::UnknownInspection, *in.supersedes);
    const Inspection& old = it->second;
    if (s.superseded_by.count(old.id)) return O::no(Reason::SignedRecordImmutable, old.id);
    if (old.kind != in.kind || old.wo != in.wo || old.op != in.op || old.downstream != in.downstream)
      return O::no(Reason::BadInput, old.id);
    if (old.result != in.result) return O::no(Reason::CorrectionChangesResult, old.id);
    if (old.inspector != in.inspector) return O::no(Reason::OwnWork, old.id);
    return O::ok();
  }

  switch (in.kind) {
    case InspectionKind::Self:  // R5: the main technician inspects their own work
      if (op->main_tech != in.inspector) return O::no(Reason::NotMainTechnician, op->id);
      if (op->phase != Phase::Open && op->phase != Phase::Rework)
        return O::no(Reason::NotReadyForInspection, op->id);
      if (!s.entries_of_op.count(op->id)) return O::no(Reason::NotReadyForInspection, op->id);
      return O::ok();
    case InspectionKind::Peer:  // R6: the foreman, never someone who worked on it
      if (auto o = needPerson(s, in.inspector, {Role::Foreman}); !o) return o;
      if (s.workedOn(in.inspector, op->id)) return O::no(Reason::OwnWork, op->id);
      if (op->phase != Phase::AwaitingPeer) return O::no(Reason::NotReadyForInspection, op->id);
      return O::ok();
    case InspectionKind::Patrol:  // R11: any running operation, any time
      if (auto o = needPerson(s, in.inspector, {Role::Supervisor, Role::TechDirector}); !o) return o;
      if (s.workedOn(in.inspector, op->id)) return O::no(Reason::OwnWork, op->id);
      if (op->phase != Phase::Open && op->phase != Phase::Rework && op->phase != Phase::AwaitingPeer)
        return O::no(Reason::NotReadyForInspection, op->id);
      return O::ok();
    case InspectionKind::Handover: {  // R8: the next operation's technician accepts
      if (!in.downstream) return O::no(Reason::BadInput, "downstream");
      auto* down = s.operation(*in.downstream);
      if (!down || down->upstream != op->id) return O::no(Reason::UnknownOperation, *in.downstream);
      if (down->main_tech != in.inspector) return O::no(Reason::NotMainTechnician, down->id);
      if (s.workedOn(in.inspector, op->id)) return O::no(Reason::OwnWork, op->id);
      if (op->phase != Phase::Done) return O::no(Reason::BlockedUpstreamUnfinished, op->id);
      if (down->handover) return O::no(Reason::NotReadyForInspection, down->id);
      return O::ok();
    }
    case InspectionKind::Comeback: break;  // checkComeback
    case InspectionKind::Final: {  // R9: a quality inspector who worked on none of it
      if (auto o = needPerson(s, in.inspector, {Role::QualityInspector}); !o) return o;
      const WorkOrder& wo = s.work_orders.at(in.wo);
      if (wo.final_passed) return O::no(Reason::NotReadyForInspection, wo.id);
      for (auto* o : s.opsOf(wo.id)) {
        if (s.workedOn(in.inspector, o->id)) return O::no(Reason::OwnWork, o->id);
        if (o->phase != Phase::Done && o->phase != Phase::Declined)
          return O::no(Reason::NotReadyForInspection, o->id);
      }
      if (wo.road_test_required && (!in.road_test || *in.road_test == Verdict::NotApplicable || !in.road))
        return O::no(Reason::RoadTestRequired, wo.id);
      if (in.result == Verdict::Pass && in.road_test == Verdict::Fail)
        return O::no(Reason::ResultInconsistent, "road_test");
      if (in.result == Verdict::Fail) {
        auto* d = in.defect_op ? s.operation(*in.defect_op) : nullptr;
        if (!d || d->wo != wo.id || d->phase != Phase::Done) return O::no(Reason::DefectRequired, wo.id);
      }
      return O::ok();
    }
  }
  return O::no(Reason::BadInput, "kind");
}

// ---- add-ons (R12–R14) ---------------------------------------------------

O needAddOn(const Shop& s, const Id& id, const AddOn*& out) {
  auto it = s.addons.find(id);
  if (it == s.addons.end()) return O::no(Reason::UnknownAddOn, id);
  out = &it->second;
  if (out->resolved()) return O::no(Reason::AddOnResolved, id);  // R13: decided, kept as it is
  return needOpenWorkOrder(s, out->wo);
}

O checkPropose(const Shop& s, const ProposeAddOn& v) {
  if (v.addon.empty() || v.op.empty() || v.reason.empty() || v.est_minutes <= 0)
    return O::no(Reason::BadInput, v.addon);
  if (s.addons.count(v.addon)) return O::no(Reason::DuplicateId, v.addon);
  if (s.operations.count(v.op)) return O::no(Reason::DuplicateId, v.op);
  if (auto o = needPerson(s, v.proposer, {Role::Technician}); !o) return o;
  if (auto o = needOpenWorkOrder(s, v.wo); !o) return o;
  auto* on = s.operation(v.found_on);
  if (!on || on->wo != v.wo) return O::no(Reason::UnknownOperation, v.found_on);
  if (on->main_tech != v.proposer) return O::no(Reason::NotMainTechnician, on->id);  // R12
  return O::ok();
}

template <typename Step>
O checkStep(const Shop& s, const Step& v, std::initializer_list<Role> roles, bool verify) {
  const AddOn* a = nullptr;
  if (auto o = needAddOn(s, v.addon, a); !o) return o;
  if (auto o = needPerson(s, v.sig.signer, roles); !o) return o;
  // R12: warranty first (when claimed), then quote, technical, cost, consent.
  const bool warrantyDone = !a->warranty_claimed || a->warranty;
  bool inOrder = false;
  if constexpr (std::is_same_v<Step, DecideWarranty>) inOrder = a->warranty_claimed && !a->warranty;
  if constexpr (std::is_same_v<Step, QuoteAddOn>) inOrder = warrantyDone && !a->quote;
  if constexpr (std::is_same_v<Step, SignAddOnTechnical>) inOrder = a->quote && !a->technical;
  if constexpr (std::is_same_v<Step, SignAddOnCost>) inOrder = a->technical && !a->manager;
  if constexpr (std::is_same_v<Step, RecordConsent>) inOrder = a->manager.has_value();
  if (!inOrder) return O::no(Reason::AddOnWrongStep, a->id);
  if constexpr (std::is_same_v<Step, QuoteAddOn>)
    if (v.minutes <= 0 || v.price_cents < 0) return O::no(Reason::BadInput, a->id);
  if constexpr (std::is_same_v<Step, RecordConsent>)
    if (!v.granted && a->safety && !v.warned) return O::no(Reason::WarningRequired, a->id);  // R13
  return checkSignature(s, Action{v}, v.sig.signer, verify);
}

// Issue 14: whoever holds the step the add-on is at (the technical
// director's, then the service manager's) may refuse it or send it back to
// the quote instead of signing; a reason is required.
O checkReturn(const Shop& s, const ReturnAddOn& v, bool verify) {
  const AddOn* a = nullptr;
  if (auto o = needAddOn(s, v.addon, a); !o) return o;
  const bool atTechnical = a->quote && !a->technical, atCost = a->technical && !a->manager;
  if (!atTechnical && !atCost) return O::no(Reason::AddOnWrongStep, a->id);
  if (auto o = needPerson(s, v.sig.signer, {atTechnical ? Role::TechDirector : Role::ServiceManager}); !o) return o;
  if (v.reason.empty() || v.reason.size() > 64) return O::no(Reason::ReasonRequired, "reason");
  return checkSignature(s, Action{v}, v.sig.signer, verify);
}

// ---- disputes, reviews, delivery -----------------------------------------

// Issue 15: the month's slips, signed by a service manager after the month,
// exactly as they stand (what the screen showed), with no charge on them
// disputed and undecided; signed again only when they changed.
O checkSlips(const Shop& s, const SignFaultSlips& v, bool verify) {
  const auto month = calendarMonth(v.month, s.policy.utc_offset_minutes);
  if (!month) return O::no(Reason::BadInput, "month");
  if (auto o = needPerson(s, v.sig.signer, {Role::ServiceManager}); !o) return o;
  if (v.sig.at < month->second) return O::no(Reason::MonthNotOver, v.month);
  if (v.lines != faultSlipLines(s, month->first, month->second)) return O::no(Reason::SlipsChanged, v.month);
  for (const FaultSlipLine& l : v.lines)
    if (l.state == "disputed") return O::no(Reason::DisputeOpen, l.incident);
  if (auto it = s.fault_slips.find(v.month); it != s.fault_slips.end() && it->second.lines == v.lines)
    return O::no(Reason::AlreadyResolved, v.month);
  return checkSignature(s, Action{v}, v.sig.signer, verify);
}

O checkDispute(const Shop& s, const DisputeCharge& v) {
  auto it = s.incidents.find(v.incident);
  if (it == s.incidents.end()) return O::no(Reason::UnknownIncident, v.incident);
  if (auto o = needPerson(s, v.by, {}); !o) return o;
  const Incident& inc = it->second;
  if (inc.disputed_by || inc.decision || !inc.charged()) return O::no(Reason::NotDisputable, inc.id);
  if (v.by != inc.charged_to && !s.people.at(v.by).has(Role::Foreman))
    return O::no(Reason::LacksRole, v.by);
  if (v.reason.empty()) return O::no(Reason::ReasonRequired, inc.id);
  return O::ok();
}

O checkDecide(const Shop& s, const DecideDispute& v, bool verify) {
  auto it = s.incidents.find(v.incident);
  if (it == s.incidents.end()) return O::no(Reason::UnknownIncident, v.incident);
  if (auto o = needPerson(s, v.sig.signer, {Role::ServiceManager}); !o) return o;  // R8
  if (!it->second.disputed_by || it->second.decision) return O::no(Reason::NotDisputable, v.incident);
  if (auto o = needPerson(s, v.charged_to, {}); !o) return o;
  return checkSignature(s, Action{v}, v.sig.signer, verify);
}

O checkResolve(const Shop& s, const ResolveReview& v, bool verify) {
  auto it = s.reviews.find(v.review);
  if (it == s.reviews.end()) return O::no(Reason::UnknownReviewItem, v.review);
  const ReviewItem& item = it->second;
  if (item.resolved_by) return O::no(Reason::AlreadyResolved, v.review);
  if (v.resolution.empty()) return O::no(Reason::ReasonRequired, v.review);
  if (!v.decision) return O::no(Reason::DecisionRequired, v.review);  // R16: a person's, never a default
  if (auto o = needPerson(s, v.by, {item.for_role, Role::ServiceManager}); !o) return o;
  if (auto o = checkSignedBy(s, Action{v}, v.by, verify); !o) return o;
  if (*v.decision == Decision::Accept) {
    // R17: no decision turns a forged or unauthorised event into an effect
    if (item.hold == Hold::Quarantine) return O::no(Reason::CannotAccept, "quarantined: it can only be voided");
    if (item.hold == Hold::Refused) return O::no(Reason::CannotAccept, "refused at the hub: nothing of it was kept");
    // the held event may still disagree for the reason a person is
    // overruling, but for no other (the situation may have changed since)
    const Action held = actionFromJson(item.facts.at("action"));
    // nothing is added to a car that has left (its work order is closed)
    const Id wo = workOrderOf(s, held);
    if (const WorkOrder* w = s.workOrder(wo); w && w->delivered_at && !std::holds_alternative<PinFailed>(held))
      return O::no(Reason::CannotAccept, "work_order_closed:" + wo);
    const Outcome now = check(s, held);
    // issue 12: a delivery opens the gate only when nothing blocks it now,
    // the customer's acknowledgement included: no reviewer signs for them
    if (!now && std::holds_alternative<DeliverWorkOrder>(held))
      return O::no(Reason::CannotAccept, std::string(name(now.refusal->reason)) + ":" + now.refusal->detail);
    if (!now && now.refusal->reason != item.reason)
      return O::no(Reason::CannotAccept, std::string(name(now.refusal->reason)) + ":" + now.refusal->detail);
  }
  return O::ok();
}

O checkAck(const Shop& s, const WorkOrder& wo, const std::optional<CustomerAck>& ack) {
  const std::vector<Id> declined = declinedSafety(s, wo.id);
  if (declined.empty()) return ack ? O::no(Reason::BadInput, "ack: nothing was declined") : O::ok();
  if (!ack || ack->strokes.empty()) return O::no(Reason::AcknowledgementRequired, wo.id);  // R13
  if (ack->addons != declined) return O::no(Reason::AcknowledgementRequired, "ack.addons");
  if (ack->strokes.size() > kMaxStrokes) return O::no(Reason::BadInput, "ack.strokes");
  std::size_t points = 0;
  for (const Stroke& st : ack->strokes) {
    if (st.empty() || st.size() > kMaxStrokePoints) return O::no(Reason::BadInput, "ack.strokes");
    points += st.size();
    for (auto& p : st)
      if (p[0] < 0 || p[0] > kPadScale || p[1] < 0 || p[1] > kPadScale) return O::no(Reason::BadInput, "ack.strokes");
  }
  if (points > kMaxAckPoints) return O::no(Reason::BadInput, "ack.strokes");
  if (points < 2) return O::no(Reason::AcknowledgementRequired, "ack.strokes");  // a dot is not a signature
  if (ack->hash != strokesHash(ack->strokes)) return O::no(Reason::BadInput, "ack.hash");
  return O::ok();
}

O checkDeliver(const Shop& s, const DeliverWorkOrder& v, bool verify) {
  if (auto o = needOpenWorkOrder(s, v.wo); !o) return o;
  if (auto o = needPerson(s, v.by, {Role::ServiceAdvisor, Role::ServiceManager, Role::QualityInspector}); !o) return o;
  if (auto o = checkSignedBy(s, Action{v}, v.by, verify); !o) return o;
  const WorkOrder& wo = s.work_orders.at(v.wo);
  auto blockers = deliveryBlockers(s, wo);
  if (!blockers.empty())  // R10
    return O::no(Reason::NotDeliverable, std::string(name(blockers.front().reason)) + ":" + blockers.front().detail);
  if (!v.old_parts) return O::no(Reason::ReasonRequired, "old_parts");  // issue 12: a person says, no default
  return checkAck(s, wo, v.ack);
}

// ---- apply -----------------------------------------------------------------

void closeEntry(Shop& s, const Id& id, Millis at, StopReason r) {
  TimeEntry& e = s.entries.at(id);
  e.end = std::max(at, e.start);
  e.reason = r;
  s.open_entries.erase(id);
  s.touch(RecordKind::TimeEntry, id);
}

void closeEntriesOn(Shop& s, const Id& op, Millis at, StopReason r) {
  for (auto* e : s.openEntriesOn(op)) closeEntry(s, e->id, at, r);
}

// The rework a failed inspection found in `op`, and the incident charged
// for it to `charged` (R8), under the charged person's trade.
void recordCharge(Shop& s, const Operation& op, const Inspection& in, const Id& charged, std::optional<Millis> closed) {
  Rework rw{"rw-" + in.id, op.id, op.wo, in.id, in.kind, in.defect.value_or(""), op.main_tech, in.sig.at, closed};
  s.reworks[rw.id] = rw;
  s.indexRework(rw);
  s.touch(RecordKind::Rework, rw.id);
  const Person* p = s.person(charged);
  Trade trade = p && p->trade != Trade::None ? p->trade : op.trade;
  Incident inc{"inc-" + in.id, rw.id, op.wo, op.id, rw.defect, trade, charged, in.sig.at,
               std::nullopt, "", std::nullopt};
  s.incidents[inc.id] = inc;
  s.touch(RecordKind::Incident, inc.id);
}

// R7: back to the main technician as rework; R8 decides who is charged.
void sendBack(Shop& s, Operation& op, const Inspection& in) {
  const Id charged = responsibleFor(s, op);
  op.phase = Phase::Rework;
  s.touch(RecordKind::Operation, op.id);
  // Issue 15 (R8): the work is done again, so nobody has accepted the new
  // work yet: the acceptance of the old work no longer stands, downstream
  // accepts again, and until then a later defect is the main technician's.
  op.accepted_by.reset();
  if (auto ids = s.ops_of_wo.find(op.wo); ids != s.ops_of_wo.end())
    for (const Id& id : ids->second) {
      Operation& down = s.operations.at(id);
      if (down.upstream != op.id || !down.handover) continue;
      down.handover.reset();
      s.touch(RecordKind::Operation, down.id);
    }
  s.work_orders.at(op.wo).final_passed.reset();  // a new final inspection is needed
  s.touch(RecordKind::WorkOrder, op.wo);
  recordCharge(s, op, in, charged, std::nullopt);
}

// Issue 15: a comeback whose cause is the shop's workmanship is charged by
// the rules of rework (R8: the acceptor downstream, else the main
// technician), as rework found by the comeback inspection. The work is done
// again on the comeback work order, so the rework is closed as it opens.
void chargeComeback(Shop& s, const Operation& op, const Inspection& in) {
  if (s.reworks.count("rw-" + in.id)) return;
  recordCharge(s, op, in, responsibleFor(s, op), in.sig.at);
}

void closeReworks(Shop& s, const Id& op, Millis at) {
  auto it = s.reworks_of_op.find(op);
  if (it == s.reworks_of_op.end()) return;
  for (const Id& id : it->second) {
    Rework& rw = s.reworks.at(id);
    if (!rw.closed_at) { rw.closed_at = at; s.touch(RecordKind::Rework, id); }
  }
}

void applyInspection(Shop& s, const RecordInspection& v) {
  const Inspection& in = v.inspection;
  if (s.inspections.count(in.id)) return;  // R15: never overwrite a signed record
  s.inspections[in.id] = in;
  s.indexInspection(in);
  s.touch(RecordKind::Inspection, in.id);
  if (in.supersedes) {
    if (!s.inspections.count(*in.supersedes) || s.superseded_by.count(*in.supersedes)) return;
    s.superseded_by[*in.supersedes] = in.id;
    s.touch(RecordKind::Supersede, *in.supersedes);
    if (auto wo = s.work_orders.find(in.wo); wo != s.work_orders.end() && wo->second.final_passed == in.supersedes) {
      wo->second.final_passed = in.id;
      s.touch(RecordKind::WorkOrder, wo->first);
    }
    for (auto* op : s.opsOf(in.wo))
      if (op->handover == in.supersedes) {
        s.operations.at(op->id).handover = in.id;
        s.touch(RecordKind::Operation, op->id);
      }
    return;
  }
  auto opIt = in.op ? s.operations.find(*in.op) : s.operations.end();
  Operation* op = opIt == s.operations.end() ? nullptr : &opIt->second;
  const bool pass = in.result == Verdict::Pass;
  const Millis at = in.sig.at;
  switch (in.kind) {
    case InspectionKind::Self:
      if (op && pass && (op->phase == Phase::Open || op->phase == Phase::Rework)) {
        closeEntriesOn(s, op->id, at, StopReason::Finished);  // R5
        op->phase = Phase::AwaitingPeer;
        s.touch(RecordKind::Operation, op->id);
      }
      break;
    case InspectionKind::Peer:
      if (op && op->phase == Phase::AwaitingPeer) {
        if (pass) {
          op->phase = Phase::Done;
          s.touch(RecordKind::Operation, op->id);
          closeReworks(s, op->id, at);
        }
        else sendBack(s, *op, in);  // R7
      }
      break;
    case InspectionKind::Patrol:
      // R11 (issue 15): a patrol that finds a problem records it; only when
      // it says stop is the work stopped, and then rework opened and charged
      if (op && !pass && in.stop && op->phase != Phase::Done && op->phase != Phase::Declined) {
        closeEntriesOn(s, op->id, at, StopReason::StoppedByPatrol);  // R11
        sendBack(s, *op, in);
      }
      break;
    case InspectionKind::Handover: {
      auto downIt = in.downstream ? s.operations.find(*in.downstream) : s.operations.end();
      if (!op || downIt == s.operations.end()) break;
      Operation& down = downIt->second;
      if (pass) {
        if (!down.handover) {
          down.handover = in.id;
          op->accepted_by = down.main_tech;
          s.touch(RecordKind::Operation, down.id);
          s.touch(RecordKind::Operation, op->id);
        }
      } else if (op->phase == Phase::Done) {
        sendBack(s, *op, in);  // R8: found at handover, charged upstream (not yet accepted)
      }
      break;
    }
    case InspectionKind::Comeback:
      if (op && in.cause == ComebackCause::Workmanship) chargeComeback(s, *op, in);
      break;
    case InspectionKind::Final: {
      auto woIt = s.work_orders.find(in.wo);
      if (woIt == s.work_orders.end()) break;
      if (pass) {
        if (!woIt->second.final_passed) {
          woIt->second.final_passed = in.id;
          s.touch(RecordKind::WorkOrder, in.wo);
        }
      } else if (in.defect_op) {
        auto d = s.operations.find(*in.defect_op);
        if (d != s.operations.end() && d->second.phase == Phase::Done) sendBack(s, d->second, in);
      }
      break;
    }
  }
}

void applyAddOnStep(Shop& s, const Action& a) {
  auto addon = [&](const Id& id) -> AddOn* {
    auto it = s.addons.find(id);
    if (it == s.addons.end()) return nullptr;
    s.touch(RecordKind::AddOn, id);
    return &it->second;
  };
  std::visit(Overload{
      [&](const DecideWarranty& v) { if (auto* ad = addon(v.addon); ad && !ad->warranty) ad->warranty = WarrantyStep{v.covered, v.note, v.sig}; },
      [&](const QuoteAddOn& v) { if (auto* ad = addon(v.addon); ad && !ad->quote) ad->quote = QuoteStep{v.price_cents, v.minutes, v.sig}; },
      [&](const SignAddOnTechnical& v) { if (auto* ad = addon(v.addon); ad && !ad->technical) ad->technical = v.sig; },
      [&](const SignAddOnCost& v) { if (auto* ad = addon(v.addon); ad && !ad->manager) ad->manager = v.sig; },
      [&](const ReturnAddOn& v) {
        AddOn* ad = addon(v.addon);
        if (!ad || ad->resolved() || !ad->quote) return;
        AddOnReturn r{v.refuse, v.reason, ad->technical ? "cost" : "technical", v.sig};
        if (!v.refuse) {  // back to the advisor's quote; the warranty decision stands
          ad->returns.push_back(r);
          ad->quote.reset();
          ad->technical.reset();
          ad->manager.reset();
          return;
        }
        ad->refused = r;
        auto op = s.operations.find(ad->op);
        if (op == s.operations.end() || op->second.phase != Phase::AwaitingApproval) return;
        s.touch(RecordKind::Operation, op->first);
        op->second.phase = Phase::Declined;  // kept, with who refused it and why; never clocked (R2)
      },
      [&](const RecordConsent& v) {
        AddOn* ad = addon(v.addon);
        if (!ad || ad->resolved()) return;  // R13: a decision stands
        ad->consent = ConsentStep{v.granted, v.channel, v.warned, v.sig};
        auto op = s.operations.find(ad->op);
        if (op == s.operations.end() || op->second.phase != Phase::AwaitingApproval) return;
        s.touch(RecordKind::Operation, op->first);
        if (v.granted) {
          op->second.phase = Phase::Open;  // R12: only now can it be clocked (R2)
          if (ad->quote) op->second.std_minutes = ad->quote->minutes;
          auto wo = s.work_orders.find(ad->wo);
          if (wo != s.work_orders.end() && ad->quote) {
            wo->second.promised_at += Millis{ad->quote->minutes} * 60'000;  // R14
            s.touch(RecordKind::WorkOrder, wo->first);
          }
        } else {
          op->second.phase = Phase::Declined;  // R13: kept with the refusal
        }
      },
      [](const auto&) {},
  }, a);
}

json knownFacts(const Shop& s, const Action& a) {
  json j = json::object();
  std::visit(Overload{
      [&](const ClockOn& v) {
        json open = json::array();
        for (auto* e : s.openEntriesOf(v.tech)) open.push_back(*e);
        j["open_entries"] = open;
        if (auto* op = s.operation(v.op)) j["operation"] = *op;
      },
      [&](const ClockOff& v) { if (auto* op = s.operation(v.op)) j["operation"] = *op; },
      [&](const RecordInspection& v) {
        if (v.inspection.op) if (auto* op = s.operation(*v.inspection.op)) j["operation"] = *op;
        if (auto* wo = s.workOrder(v.inspection.wo)) j["work_order"] = *wo;
      },
      [&](const DisputeCharge& v) { if (auto it = s.incidents.find(v.incident); it != s.incidents.end()) j["incident"] = it->second; },
      [&](const DecideDispute& v) { if (auto it = s.incidents.find(v.incident); it != s.incidents.end()) j["incident"] = it->second; },
      [&](const auto& v) {
        if constexpr (requires { v.addon; v.sig; })
          if (auto it = s.addons.find(v.addon); it != s.addons.end()) j["addon"] = it->second;
        if constexpr (requires { v.wo; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v.wo)>, Id>)
            if (auto* wo = s.workOrder(v.wo)) j["work_order"] = *wo;
        }
      },
  }, a);
  return j;
}

}  // namespace

// ---- public ----------------------------------------------------------------

std::optional<Refusal> clockBlocker(const Shop& s, const Operation& op) {
  switch (op.phase) {
    case Phase::AwaitingApproval: return Refusal{Reason::BlockedAddOnUnapproved, op.addon.value_or(op.id)};
    case Phase::Declined: return Refusal{Reason::BlockedDeclined, op.id};
    case Phase::AwaitingPeer:
    case Phase::Done: return Refusal{Reason::OperationFinished, op.id};
    case Phase::Open:
    case Phase::Rework: break;
  }
  if (op.upstream && !op.handover) {  // R8: accept the previous operation first
    auto* up = s.operation(*op.upstream);
    if (!up || up->phase != Phase::Done) return Refusal{Reason::BlockedUpstreamUnfinished, *op.upstream};
    return Refusal{Reason::BlockedAwaitingHandover, *op.upstream};
  }
  return std::nullopt;
}

// R9: by the shop's policy for the category, and always for a car with
// add-on work (增项维修车辆必须通过交车检验), whatever its category.
bool finalRequired(const Shop& s, const WorkOrder& wo) {
  if (s.policy.final_required.count(wo.category)) return true;
  for (auto* op : s.opsOf(wo.id))
    if (op->addon && op->phase != Phase::Declined) return true;
  return false;
}

WarrantyStatus warrantyStatus(const WorkOrder& wo, Millis at) {
  if (!wo.warranty_until && !wo.warranty_km) return WarrantyStatus::Unknown;
  if (wo.warranty_until && at > wo.warranty_until) return WarrantyStatus::ExpiredByDate;
  if (wo.warranty_km && wo.odometer_km > wo.warranty_km) return WarrantyStatus::ExpiredByDistance;
  return WarrantyStatus::Within;
}

const char* name(WarrantyStatus s) {
  switch (s) {
    case WarrantyStatus::Within: return "within";
    case WarrantyStatus::ExpiredByDate: return "expired_by_date";
    case WarrantyStatus::ExpiredByDistance: return "expired_by_distance";
    case WarrantyStatus::Unknown: break;
  }
  return "unknown";
}

std::vector<Refusal> deliveryBlockers(const Shop& s, const WorkOrder& wo) {
  std::vector<Refusal> out;
  if (wo.delivered_at) out.push_back({Reason::WorkOrderClosed, wo.id});
  for (auto* op : s.opsOf(wo.id)) {
    if (!s.openEntriesOn(op->id).empty()) { out.push_back({Reason::OperationRunning, op->id}); continue; }
    switch (op->phase) {
      case Phase::AwaitingApproval: out.push_back({Reason::BlockedAddOnUnapproved, op->addon.value_or(op->id)}); break;
      case Phase::AwaitingPeer: out.push_back({Reason::AwaitingPeerInspection, op->id}); break;
      case Phase::Rework: out.push_back({Reason::InRework, op->id}); break;
      case Phase::Open: out.push_back({Reason::OperationUnfinished, op->id}); break;
      case Phase::Done:
      case Phase::Declined: break;
    }
  }
  if (finalRequired(s, wo) && !wo.final_passed) {  // R9
    const Inspection* last = latestInspection(s, InspectionKind::Final, wo.id);
    if (last && last->result == Verdict::Fail) out.push_back({Reason::FinalFailed, last->id});
    else out.push_back({Reason::FinalMissing, wo.id});
  }
  // issue 15: a comeback is not delivered before its cause is found
  if (wo.comeback() && !comebackInspection(s, wo.id)) out.push_back({Reason::CauseRequired, wo.id});
  // R16: a held event on this work order awaits a person's decision
  if (auto it = s.reviews_of_wo.find(wo.id); it != s.reviews_of_wo.end())
    for (const Id& id : it->second)
      if (auto r = s.reviews.find(id); r != s.reviews.end() && !r->second.resolved_by) out.push_back({Reason::OpenReview, id});
  return out;
}

std::optional<Verdict> measuredVerdict(const ChecklistItem& it) {
  if (it.unit.empty() || !it.value || !std::isfinite(*it.value)) return std::nullopt;
  const bool inside = (!it.min || *it.value >= *it.min) && (!it.max || *it.value <= *it.max);
  return inside ? Verdict::Pass : Verdict::Fail;
}

std::optional<Refusal> itemProblem(const ChecklistItem& it) {
  if (it.key.empty()) return Refusal{Reason::BadInput, "item"};
  if (!it.verdict) return Refusal{Reason::VerdictMissing, it.key};
  if (*it.verdict == Verdict::NotApplicable) {
    if (it.na_reason.empty() || it.na_reason.size() > 64) return Refusal{Reason::ReasonRequired, it.key};
    if (it.value) return Refusal{Reason::BadInput, it.key};
    return std::nullopt;
  }
  if (!it.na_reason.empty()) return Refusal{Reason::BadInput, it.key};
  if (it.value && it.unit.empty()) return Refusal{Reason::BadInput, it.key};
  if (it.unit.empty()) return std::nullopt;
  if (!it.value) return Refusal{Reason::ValueRequired, it.key};
  if (!std::isfinite(*it.value)) return Refusal{Reason::BadInput, it.key};
  if (measuredVerdict(it) != it.verdict) return Refusal{Reason::MeasuredOutOfTolerance, it.key};
  return std::nullopt;
}

std::vector<Id> declinedSafety(const Shop& s, const Id& wo) {
  std::vector<Id> out;
  for (auto* op : s.opsOf(wo)) {
    if (!op->addon) continue;
    auto it = s.addons.find(*op->addon);
    if (it != s.addons.end() && it->second.safety && it->second.consent && !it->second.consent->granted)
      out.push_back(it->first);
  }
  std::sort(out.begin(), out.end());
  return out;
}

const Inspection* latestInspection(const Shop& s, InspectionKind kind, const Id& target) {
  auto it = s.latest_inspection.find({kind, target});
  if (it == s.latest_inspection.end()) return nullptr;
  Id id = it->second;
  for (auto c = s.superseded_by.find(id); c != s.superseded_by.end(); c = s.superseded_by.find(id)) id = c->second;  // R15
  auto in = s.inspections.find(id);
  return in == s.inspections.end() ? nullptr : &in->second;
}

std::vector<const TimeEntry*> overlongEntries(const Shop& s, Millis now) {
  std::vector<const TimeEntry*> out;
  for (auto& id : s.open_entries) {
    const TimeEntry& e = s.entries.at(id);
    if (now - e.start > s.policy.overlong_entry) out.push_back(&e);
  }
  return out;
}

bool ghostEntry(const Policy& p, const TimeEntry& e, Millis now) {
  return e.corrected_by.empty() && e.end.value_or(now) - e.start > p.overlong_entry;
}

Millis timeOn(const Shop& s, const Id& op, const Id& tech, Millis now) {
  Millis total = 0;
  if (auto it = s.entries_of_op.find(op); it != s.entries_of_op.end())
    for (const Id& id : it->second) {
      const TimeEntry& e = s.entries.at(id);
      if (tech.empty() || e.tech == tech) total += std::max<Millis>(0, e.end.value_or(std::max(now, e.start)) - e.start);
    }
  return total;
}

Millis timeWorked(const Shop& s, const Id& tech, Millis from, Millis to) {
  Millis total = 0;
  // an entry longer than the ghost limit that began before `from` is
  // counted from `from` only if it started within the limit before it
  const Millis earliest = from - s.policy.overlong_entry;
  for (auto it = s.entries_by_start.lower_bound(earliest); it != s.entries_by_start.end() && it->first < to; ++it) {
    const TimeEntry& e = s.entries.at(it->second);
    if (e.tech != tech) continue;
    const Millis a = std::max(from, e.start), b = std::min(to, e.end.value_or(to));
    if (b > a) total += b - a;
  }
  return total;
}

const TimeEntry* pausedEntry(const Shop& s, const Id& op, const Id& tech) {
  const TimeEntry* last = nullptr;
  if (auto it = s.entries_of_op.find(op); it != s.entries_of_op.end())
    for (const Id& id : it->second) {
      const TimeEntry& e = s.entries.at(id);
      if (e.tech == tech && (!last || e.start > last->start)) last = &e;
    }
  return last && last->end && last->reason != StopReason::Cancelled ? last : nullptr;
}

std::optional<UndoClock> undoFor(const Shop& s, const Action& a) {
  if (const auto* on = std::get_if<ClockOn>(&a)) {
    UndoClock u{on->tech, on->entry, {}, 0};
    for (const TimeEntry* e : s.openEntriesOf(on->tech))
      if (e->start <= on->at) u.reopen = e->id;  // R1: the switch closes it
    return u;
  }
  if (const auto* off = std::get_if<ClockOff>(&a)) {
    for (const TimeEntry* e : s.openEntriesOf(off->tech))
      if (e->op == off->op) return UndoClock{off->tech, {}, e->id, 0};
    return std::nullopt;
  }
  if (const auto* end = std::get_if<EndShift>(&a)) {
    const auto open = s.openEntriesOf(end->tech);
    if (open.size() == 1) return UndoClock{end->tech, {}, open.front()->id, 0};
  }
  return std::nullopt;
}

const WorkOrder* comebackCandidate(const Shop& s, const std::string& vin, Millis at) {
  const std::string v = vinKey(vin);
  auto it = s.wos_of_vin.find(v);
  if (v.empty() || it == s.wos_of_vin.end()) return nullptr;
  const Millis window = Millis{s.policy.comeback_days} * 86'400'000;
  const WorkOrder* best = nullptr;
  for (const Id& id : it->second) {
    const WorkOrder& w = s.work_orders.at(id);
    if (!w.delivered_at || *w.delivered_at > at || at - *w.delivered_at > window) continue;
    if (!best || *w.delivered_at > *best->delivered_at || (*w.delivered_at == *best->delivered_at && w.id > best->id))
      best = &w;
  }
  return best;
}

bool withinComebackWindow(const Shop& s, const WorkOrder& c) {
  const WorkOrder* orig = c.comeback() ? s.workOrder(c.comeback_of) : nullptr;
  return orig && orig->delivered_at && c.opened_at - *orig->delivered_at <= Millis{s.policy.comeback_days} * 86'400'000;
}

const Inspection* comebackInspection(const Shop& s, const Id& wo) {
  return latestInspection(s, InspectionKind::Comeback, wo);
}

bool billable(const Shop& s, const WorkOrder& wo) {
  if (!wo.comeback()) return true;
  const Inspection* in = comebackInspection(s, wo.id);
  return in && in->cause != ComebackCause::Workmanship;
}

bool comesFirst(const Shop&, const WorkOrder& a, const WorkOrder& b) {
  if (a.comeback() != b.comeback()) return a.comeback();
  if (a.promised_at != b.promised_at) return a.promised_at < b.promised_at;
  return a.id < b.id;
}

std::vector<const Operation*> workQueue(const Shop& s, const Id& tech) {
  std::vector<const Operation*> out;
  for (auto& [id, op] : s.operations) {  // issue 16 keeps only open work in memory
    if (op.main_tech != tech || op.phase == Phase::Done || op.phase == Phase::Declined) continue;
    const WorkOrder* wo = s.workOrder(op.wo);
    if (wo && !wo->delivered_at) out.push_back(&op);
  }
  std::stable_sort(out.begin(), out.end(), [&](const Operation* a, const Operation* b) {
    const WorkOrder &wa = s.work_orders.at(a->wo), &wb = s.work_orders.at(b->wo);
    if (wa.id != wb.id) return comesFirst(s, wa, wb);
    return a->seq < b->seq;
  });
  return out;
}

std::vector<FaultSlipLine> faultSlipLines(const Shop& s, Millis from, Millis to) {
  std::vector<std::pair<const Incident*, FaultSlipLine>> rows;
  for (auto& [id, inc] : s.incidents) {  // issue 16: from the month's history rows
    if (!inc.charged() || inc.at < from || inc.at >= to) continue;
    const char* state = inc.decision ? "decided" : inc.disputed_by ? "disputed" : "charged";
    rows.push_back({&inc, FaultSlipLine{id, inc.charged_to, state}});
  }
  std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) {
    return std::tie(a.first->charged_to, a.first->at, a.first->id) < std::tie(b.first->charged_to, b.first->at, b.first->id);
  });
  std::vector<FaultSlipLine> out;
  for (auto& [inc, line] : rows) out.push_back(line);
  return out;
}

Id responsibleFor(const Shop&, const Operation& op) {
  return op.accepted_by ? *op.accepted_by : op.main_tech;  // R8
}

Role reviewerFor(const Action& a, Reason r) {
  if (std::holds_alternative<ClockOn>(a) || std::holds_alternative<ClockOff>(a) ||
      std::holds_alternative<EndShift>(a) || std::holds_alternative<UndoClock>(a) ||
      std::holds_alternative<CorrectEntry>(a) || std::holds_alternative<ReassignOperation>(a))
    return Role::Foreman;
  if (std::holds_alternative<RecordInspection>(a) && r != Reason::SignatureInvalid) return Role::Foreman;
  return Role::ServiceManager;
}

namespace {
Outcome checkWith(const Shop& s, const Action& a, bool verify) {
  return std::visit(Overload{
      [&](const EnrollPerson& v) { return checkEnroll(s, v); },
      [&](const DefineBay& v) { return checkBay(s, v); },
      [&](const OpenWorkOrder& v) { return checkOpen(s, v); },
      [&](const UpdateWorkOrder& v) { return checkUpdate(s, v); },
      [&](const AddOperations& v) { return checkAddOps(s, v); },
      [&](const ClockOn& v) { return checkClockOn(s, v); },
      [&](const ClockOff& v) { return checkClockOff(s, v); },
      [&](const EndShift& v) { return checkEndShift(s, v); },
      [&](const RecordInspection& v) { return checkInspection(s, v, verify); },
      [&](const ProposeAddOn& v) { return checkPropose(s, v); },
      [&](const DecideWarranty& v) { return checkStep(s, v, {Role::WarrantyClerk}, verify); },
      [&](const QuoteAddOn& v) { return checkStep(s, v, {Role::ServiceAdvisor}, verify); },
      [&](const SignAddOnTechnical& v) { return checkStep(s, v, {Role::TechDirector}, verify); },
      [&](const SignAddOnCost& v) { return checkStep(s, v, {Role::ServiceManager}, verify); },
      [&](const ReturnAddOn& v) { return checkReturn(s, v, verify); },
      [&](const SignFaultSlips& v) { return checkSlips(s, v, verify); },
      [&](const RecordConsent& v) { return checkStep(s, v, {Role::ServiceAdvisor, Role::ServiceManager}, verify); },
      [&](const DisputeCharge& v) { return checkDispute(s, v); },
      [&](const DecideDispute& v) { return checkDecide(s, v, verify); },
      [&](const ResolveReview& v) { return checkResolve(s, v, verify); },
      [&](const DeliverWorkOrder& v) { return checkDeliver(s, v, verify); },
      [&](const RegisterKey& v) { return checkRegisterKey(s, v); },
      [&](const EnrolClient& v) { return checkEnrolClient(s, v); },
      [&](const SetPolicy& v) { return checkSetPolicy(s, v); },
      [&](const IssueSetupCode& v) { return checkIssueSetupCode(s, v, verify); },
      [&](const UndoClock& v) { return checkUndo(s, v); },
      [&](const CorrectEntry& v) { return checkCorrect(s, v, verify); },
      [&](const ReassignOperation& v) { return checkReassign(s, v, verify); },
      [&](const SendMessage& v) { return checkMessage(s, v); },
      [&](const ReadMessage& v) { return checkRead(s, v); },
      [&](const PinFailed& v) {
        if (!s.person(v.person)) return O::no(Reason::UnknownPerson, v.person);
        if (v.kiosk.empty()) return O::no(Reason::BadInput, "kiosk");
        return O::ok();
      },
  }, a);
}
}  // namespace

Outcome check(const Shop& s, const Action& a) { return checkWith(s, a, true); }
Outcome checkBeforeSigning(const Shop& s, const Action& a) { return checkWith(s, a, false); }

namespace {
void appendOps(Shop& s, const Id& wo, const std::vector<OperationSpec>& specs) {
  auto& ids = s.ops_of_wo[wo];
  for (const auto& sp : specs) {
    if (s.operations.count(sp.id)) continue;
    Operation op{sp.id, wo, static_cast<int>(ids.size() + 1), sp.trade, sp.title, sp.std_minutes,
                 sp.main_tech, std::nullopt, std::nullopt, std::nullopt, std::nullopt, Phase::Open};
    if (sp.handover && !ids.empty()) op.upstream = ids.back();
    op.instructions = sp.instructions;
    s.operations[op.id] = op;
    s.touch(RecordKind::Operation, op.id);
    ids.push_back(op.id);
  }
}
void applyAccepted(Shop& s, const Action& a);
}  // namespace

void apply(Shop& s, const Action& a) {
  std::visit(Overload{
      [&](const EnrollPerson& v) {
        // keys change only by registration: an enrolment keeps them
        Person next = v.person;
        auto it = s.people.find(v.person.id);
        next.keys = it == s.people.end() ? std::vector<PersonKey>{} : it->second.keys;
        s.people[v.person.id] = std::move(next);
        s.touch(RecordKind::Person, v.person.id);
      },
      [&](const RegisterKey& v) {
        auto it = s.people.find(v.person);
        if (it == s.people.end()) return;
        auto& keys = it->second.keys;
        if (!keys.empty() && keys.back().pub == v.key.pub) {
          keys.back().sealed = v.key.sealed;  // re-sealed under a new PIN
          keys.back().salt = v.key.salt;
        } else {
          if (!keys.empty()) keys.back().sealed.clear(), keys.back().salt.clear();  // retired: nothing left to unseal
          keys.push_back(v.key);
        }
        s.touch(RecordKind::Person, v.person);
        if (auto c = s.setup_codes.find(v.person); !v.setup.empty() && c != s.setup_codes.end() && c->second.id == v.setup) {
          c->second.used = true;  // once
          s.touch(RecordKind::SetupCode, v.person);
        }
      },
      [&](const SetPolicy& v) { s.policy = v.policy; s.touch(RecordKind::Policy, "shop"); },
      [&](const IssueSetupCode& v) {
        s.setup_codes[v.person] = SetupCode{v.code, v.person, v.hash, v.at, v.expires_at, v.by, false};
        s.touch(RecordKind::SetupCode, v.person);
      },
      [&](const DefineBay& v) { s.bays[v.bay.id] = v.bay; s.touch(RecordKind::Bay, v.bay.id); },
      [&](const EnrolClient& v) { s.clients[v.client.id] = v.client; s.touch(RecordKind::Client, v.client.id); },
      [&](const PinFailed& v) {
        auto& list = s.pin_attempts[v.person];
        const PinAttempt at{v.at, v.kiosk, v.signing};
        // in time order, whatever order they arrive in; the latest few kept
        list.insert(std::upper_bound(list.begin(), list.end(), at, [](const PinAttempt& a, const PinAttempt& b) { return a.at < b.at; }), at);
        if (list.size() > kPinAttemptsKept) list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(list.size() - kPinAttemptsKept));
        s.touch(RecordKind::PinAttempts, v.person);
      },
      [&](const OpenWorkOrder& v) {
        if (s.work_orders.count(v.wo.id)) return;
        s.work_orders[v.wo.id] = v.wo;
        s.indexWorkOrder(v.wo);
        s.touch(RecordKind::WorkOrder, v.wo.id);
        appendOps(s, v.wo.id, v.ops);
      },
      [&](const AddOperations& v) {
        if (!s.work_orders.count(v.wo)) return;
        appendOps(s, v.wo, v.ops);
      },
      [&](const UpdateWorkOrder& v) {
        auto it = s.work_orders.find(v.wo);
        if (it == s.work_orders.end()) return;
        it->second.promised_at = v.promised_at;
        it->second.road_test_required = v.road_test_required;
        it->second.customer = v.customer;
        it->second.bay = v.bay;
        s.touch(RecordKind::WorkOrder, v.wo);
      },
      [&](const ClockOn& v) {
        if (s.entries.count(v.entry)) return;
        for (auto* e : s.openEntriesOf(v.tech))
          if (e->start <= v.at) closeEntry(s, e->id, v.at, StopReason::Switched);  // R1
        auto* op = s.operation(v.op);
        TimeEntry e{v.entry, v.op, op ? op->wo : Id{}, v.tech, v.bay, v.at, std::nullopt,
                    std::nullopt, op && op->phase == Phase::Rework};  // R4: rework apart
        s.entries[e.id] = e;
        s.touch(RecordKind::TimeEntry, e.id);
        s.indexEntry(e);
      },
      [&](const ClockOff& v) {
        for (auto* e : s.openEntriesOf(v.tech))
          if (e->op == v.op) closeEntry(s, e->id, v.at, v.reason);
      },
      [&](const EndShift& v) {  // R3: a shift end closes all open entries
        for (auto* e : s.openEntriesOf(v.tech)) closeEntry(s, e->id, v.at, StopReason::EndOfShift);
      },
      [&](const UndoClock& v) {  // issue 14: compensates; the log keeps both
        if (auto it = s.entries.find(v.cancel); it != s.entries.end() && !it->second.end)
          closeEntry(s, v.cancel, it->second.start, StopReason::Cancelled);
        if (auto it = s.entries.find(v.reopen); it != s.entries.end() && it->second.end) {
          it->second.end.reset();
          it->second.reason.reset();
          s.open_entries.insert(v.reopen);
          s.touch(RecordKind::TimeEntry, v.reopen);
        }
      },
      [&](const CorrectEntry& v) {
        auto it = s.entries.find(v.entry);
        if (it == s.entries.end()) return;
        TimeEntry& e = it->second;
        if (!e.end) closeEntry(s, e.id, v.end, StopReason::Corrected);
        else e.end = std::max(e.start, v.end);
        e.corrected_by = v.sig.signer;
        e.correction = v.reason;
        s.touch(RecordKind::TimeEntry, e.id);
      },
      [&](const ReassignOperation& v) {
        auto it = s.operations.find(v.op);
        if (it == s.operations.end()) return;
        closeEntriesOn(s, v.op, v.sig.at, StopReason::Reassigned);
        Operation& op = it->second;
        if (!v.to.empty() && v.to != op.main_tech) {
          op.reassigned_from = op.main_tech;
          op.reassigned_at = v.sig.at;
          op.main_tech = v.to;
        }
        if (!v.bay.empty()) op.bay = v.bay;
        s.touch(RecordKind::Operation, op.id);
      },
      [&](const SendMessage& v) {
        if (s.messages.count(v.message)) return;
        s.messages[v.message] = FloorMessage{v.message, v.from, v.to, v.text, v.entry, v.at, std::nullopt};
        s.touch(RecordKind::Message, v.message);
      },
      [&](const ReadMessage& v) {
        auto it = s.messages.find(v.message);
        if (it == s.messages.end() || it->second.read_at) return;
        it->second.read_at = v.at;
        s.touch(RecordKind::Message, v.message);
      },
      [&](const SignFaultSlips& v) {  // issue 15: the latest signing of the month
        s.fault_slips[v.month] = FaultSlips{v.month, v.lines, v.sig};
        s.touch(RecordKind::FaultSlips, v.month);
      },
      [&](const RecordInspection& v) { applyInspection(s, v); },
      [&](const ProposeAddOn& v) {
        if (s.addons.count(v.addon) || s.operations.count(v.op)) return;
        AddOn ad{v.addon, v.wo, v.found_on, v.op, v.proposer, v.trade, v.reason, v.est_minutes,
                 v.parts, v.safety, v.warranty_claimed, v.at};
        s.addons[ad.id] = ad;
        s.touch(RecordKind::AddOn, ad.id);
        auto& ids = s.ops_of_wo[v.wo];
        int seq = ids.empty() ? 1 : s.operations.at(ids.back()).seq + 1;
        Operation op{v.op, v.wo, seq, v.trade, v.reason, v.est_minutes, v.proposer,
                     std::nullopt, std::nullopt, std::nullopt, v.addon, Phase::AwaitingApproval};
        s.operations[op.id] = op;
        s.touch(RecordKind::Operation, op.id);
        ids.push_back(op.id);
      },
      [&](const DisputeCharge& v) {
        auto it = s.incidents.find(v.incident);
        if (it == s.incidents.end() || it->second.disputed_by) return;
        it->second.disputed_by = v.by;
        it->second.dispute_reason = v.reason;
        s.touch(RecordKind::Incident, v.incident);
      },
      [&](const DecideDispute& v) {
        auto it = s.incidents.find(v.incident);
        if (it == s.incidents.end() || it->second.decision) return;
        it->second.decision = v.sig;
        it->second.charged_to = v.charged_to;
        s.touch(RecordKind::Incident, v.incident);
        if (auto* p = s.person(v.charged_to); p && p->trade != Trade::None) it->second.trade = p->trade;
      },
      [&](const ResolveReview& v) {
        auto it = s.reviews.find(v.review);
        if (it == s.reviews.end() || it->second.resolved_by) return;
        it->second.resolved_by = v.by;
        it->second.resolved_at = v.at;
        it->second.resolution = v.resolution;
        it->second.decision = v.decision;
        s.touch(RecordKind::Review, v.review);
        // issue 15: a charge that waited on this decision is charged now, or
        // voided when the contradicting inspection is the one believed
        for (auto& [iid, inc] : s.incidents) {
          if (inc.held_by != v.review) continue;
          inc.held_by.reset();
          inc.voided = v.decision == Decision::Accept;
          s.touch(RecordKind::Incident, iid);
        }
        // accepted: the held event's effect applies now (R16)
        if (v.decision == Decision::Accept && it->second.hold == Hold::Conflict)
          applyAccepted(s, actionFromJson(it->second.facts.at("action")));
      },
      [&](const DeliverWorkOrder& v) {
        auto it = s.work_orders.find(v.wo);
        if (it == s.work_orders.end() || it->second.delivered_at) return;
        // R10 even for a conflicting event kept under R16: the fact is kept
        // in the review item, the car is not marked delivered.
        if (!deliveryBlockers(s, it->second).empty()) return;
        it->second.delivered_at = v.at;
        s.delivered_by_time.emplace(v.at, it->first);
        it->second.delivered_by = v.by;
        it->second.old_parts = v.old_parts;
        it->second.ack = v.ack;
        it->second.gate_pass = gatePassOf(it->second, v);
        s.touch(RecordKind::WorkOrder, v.wo);
      },
      [&](const auto&) { applyAddOnStep(s, a); },
  }, a);
}

namespace {
// An accepted held event: its effect, as if the rules had let it through.
// A clock-on earlier than the technician's open entry (two bays disagreed,
// R16) is bounded where that entry starts: a timeline never overlaps.
void applyAccepted(Shop& s, const Action& a) {
  apply(s, a);
  // Issue 15: a failed inspection a person upheld over the one the shop had
  // (a PASS that reached it first) sends the work back and charges, now
  if (const auto* ri = std::get_if<RecordInspection>(&a)) {
    const Inspection& in = ri->inspection;
    // issue 15: the comeback cause a person believed is the one that stands
    if (in.kind == InspectionKind::Comeback && !in.supersedes && s.inspections.count(in.id))
      for (auto* index : {&s.first_inspection, &s.latest_inspection}) {
        auto it = index->find({InspectionKind::Comeback, in.wo});
        if (it == index->end()) continue;
        Id end = it->second;
        for (auto c = s.superseded_by.find(end); c != s.superseded_by.end(); c = s.superseded_by.find(end)) end = c->second;
        if (end == in.id) continue;
        s.superseded_by[end] = in.id;
        s.touch(RecordKind::Supersede, end);
      }
    if (in.result != Verdict::Fail || s.reworks.count("rw-" + in.id) || in.supersedes) return;
    if (in.kind == InspectionKind::Comeback) {  // issue 15: a workmanship cause upheld
      if (auto op = in.op ? s.operations.find(*in.op) : s.operations.end();
          op != s.operations.end() && in.cause == ComebackCause::Workmanship)
        chargeComeback(s, op->second, in);
      return;
    }
    if (in.kind == InspectionKind::Self || (in.kind == InspectionKind::Patrol && !in.stop)) return;
    const std::optional<Id> target = in.kind == InspectionKind::Final ? in.defect_op : in.op;
    auto op = target ? s.operations.find(*target) : s.operations.end();
    if (op == s.operations.end() || op->second.phase == Phase::Rework || op->second.phase == Phase::Declined ||
        op->second.phase == Phase::AwaitingApproval)
      return;
    if (in.kind == InspectionKind::Patrol) closeEntriesOn(s, op->first, in.sig.at, StopReason::StoppedByPatrol);  // R11
    sendBack(s, op->second, in);
    return;
  }
  const auto* on = std::get_if<ClockOn>(&a);
  if (!on) return;
  auto it = s.entries.find(on->entry);
  if (it == s.entries.end() || it->second.end) return;
  std::optional<Millis> bound;
  for (const TimeEntry* e : s.openEntriesOf(on->tech))
    if (e->id != on->entry && e->start > on->at) bound = bound ? std::min(*bound, e->start) : e->start;
  if (bound) closeEntry(s, on->entry, *bound, StopReason::Switched);
}
}  // namespace

namespace {
// Issue 15 (R16): an inspection kept for review that contradicts the one an
// incident came from (same kind and target, the other verdict): that
// incident is not charged until a person decides the review.
void holdContradicted(Shop& s, const Action& a, const Id& review) {
  const auto* ri = std::get_if<RecordInspection>(&a);
  if (!ri) return;
  const Inspection& held = ri->inspection;
  // a comeback's incident is on the original work order
  const bool comeback = held.kind == InspectionKind::Comeback;
  for (auto& [id, inc] : s.incidents) {
    if ((!comeback && inc.wo != held.wo) || inc.decision || inc.held_by || inc.voided) continue;
    auto rw = s.reworks.find(inc.rework);
    if (rw == s.reworks.end()) continue;
    auto found = s.inspections.find(rw->second.inspection);
    if (found == s.inspections.end()) continue;
    const Inspection& by = found->second;
    const bool sameTarget = inspectionTarget(by) == inspectionTarget(held) && by.wo == held.wo;
    if (by.kind != held.kind || !sameTarget || by.result == held.result) continue;
    inc.held_by = review;
    s.touch(RecordKind::Incident, id);
  }
}
}  // namespace

std::optional<Refusal> scopeRefusal(const Shop& s, const Id& origin, const Action& a) {
  auto it = s.clients.find(origin);
  if (it == s.clients.end()) return std::nullopt;  // not an enrolled client: the hub itself, or a store's own test
  return outOfScope(it->second.scope, a);
}

Ingested ingest(Shop& s, const Action& a, const Id& event_id, Millis at, const Id& origin) {
  // Issue 11: what a client was not enrolled to do (a floor token's
  // "service manager") is quarantined like a forged signature
  Outcome o = Outcome::ok();
  if (auto r = scopeRefusal(s, origin, a)) o.refusal = std::move(r);
  else o = check(s, a);
  if (o) {
    bk::apply(s, a);
    return {};
  }
  // R16: kept in the log, held with no effect, and put before a person
  // with both facts. A signer without the role is quarantined: evidence
  // for the service manager, who can only void it (R17).
  const Refusal& r = *o.refusal;
  ReviewItem item;
  item.id = "rv-" + event_id;
  item.reason = r.reason;
  // R17: an actor the shop does not know (a person only a rogue client
  // "enrolled", whose enrolment was itself quarantined) is unverifiable,
  // never an honest disagreement: evidence, like a forged signature
  item.hold = r.reason == Reason::LacksRole || r.reason == Reason::SignatureInvalid || r.reason == Reason::OutOfScope ||
                      r.reason == Reason::UnknownPerson
                  ? Hold::Quarantine
                  : Hold::Conflict;
  item.for_role = item.hold == Hold::Quarantine ? Role::ServiceManager : reviewerFor(a, r.reason);
  item.wo = workOrderOf(s, a);
  item.action = std::string(actionType(a));
  item.facts = json{{"action", toJson(a)}, {"known", knownFacts(s, a)}, {"detail", r.detail}};
  item.at = at;
  if (!s.reviews.count(item.id)) {
    s.reviews[item.id] = item;
    s.indexReview(item);
    s.touch(RecordKind::Review, item.id);
    if (item.hold == Hold::Conflict) holdContradicted(s, a, item.id);
  }
  return {false, item.id, r};
}

std::optional<Millis> pinLockedUntil(const Shop& s, const Id& person, Millis now) {
  const auto it = s.pin_attempts.find(person);
  const int max = std::max(1, s.policy.pin_max_failures);
  if (it == s.pin_attempts.end() || static_cast<int>(it->second.size()) < max) return std::nullopt;
  // the last `max` wrong PINs up to now: all within the lock-out period?
  std::vector<Millis> times;
  for (const PinAttempt& a : it->second)
    if (a.at <= now) times.push_back(a.at);
  if (static_cast<int>(times.size()) < max) return std::nullopt;
  const Millis oldest = times[times.size() - static_cast<std::size_t>(max)];
  const Millis until = oldest + s.policy.pin_lockout;
  if (times.back() - oldest >= s.policy.pin_lockout || now >= until) return std::nullopt;
  return until;
}

int pinAttemptsLeft(const Shop& s, const Id& person, Millis now) {
  const int max = std::max(1, s.policy.pin_max_failures);
  if (pinLockedUntil(s, person, now)) return 0;
  int recent = 0;
  if (auto it = s.pin_attempts.find(person); it != s.pin_attempts.end())
    for (const PinAttempt& a : it->second)
      if (a.at <= now && now - a.at < s.policy.pin_lockout) ++recent;
  return std::max(0, max - recent);
}

Ingested ingestRefused(Shop& s, const Id& event_id, const Id& origin, std::int64_t seq, const std::string& detail,
                       Millis at) {
  ReviewItem item;
  item.id = "rv-" + event_id;
  item.reason = Reason::RefusedAtHub;
  item.hold = Hold::Refused;
  item.for_role = Role::Foreman;
  item.facts = json{{"origin", origin}, {"seq", seq}, {"detail", detail}};
  item.at = at;
  if (!s.reviews.count(item.id)) {
    s.reviews[item.id] = item;
    s.indexReview(item);
    s.touch(RecordKind::Review, item.id);
  }
  return {false, item.id, Refusal{Reason::RefusedAtHub, detail}};
}

bool setupPending(const Shop& s, const Id& person, Millis now) {
  const Person* p = s.person(person);
  auto it = s.setup_codes.find(person);
  return p && p->active && it != s.setup_codes.end() && !it->second.used && now < it->second.expires_at &&
         now >= it->second.issued_at;
}

std::int64_t labourQuoteCents(const Policy& p, int minutes) {
  const std::int64_t cents = p.labour_cents_per_hour * std::max(0, minutes) / 60;
  return (cents + 50) / 100 * 100;
}

}  // namespace bk
