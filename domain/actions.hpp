#pragma once
// What people do at a kiosk or the front desk. An action is both the intent
// (checked by the rules) and, once accepted, the body of the event that is
// stored, synced and replayed: so a replay re-runs exactly what happened.
#include "domain/model.hpp"

#include <variant>

namespace bk {

// Master data (front desk / hub administration).
struct EnrollPerson { Person person; };
struct DefineBay { Bay bay; };
struct OperationSpec {
  Id id;
  Trade trade = Trade::None;
  std::string title;
  int std_minutes = 0;
  Id main_tech;
  bool handover = false;  // R8: must accept the previous operation first
  std::string instructions;  // issue 14: written only when given
};
// The front desk's writes. `via` (issue 11): the enrolled desk client the
// hub took it from, set by the hub, never by the client: the write is the
// desk client's, and `by` names a person without their signature. Empty:
// made on the hub's machine, or from before clients were logged.
struct OpenWorkOrder { WorkOrder wo; std::vector<OperationSpec> ops; Id via; };
struct UpdateWorkOrder {
  Id wo;
  Id by;
  Millis promised_at = 0;
  bool road_test_required = false;
  std::string customer;
  Id bay;
  Id via;
};
// More work the customer asked for at the front desk, appended to an open
// work order (not an add-on: the customer reported it, so no R12 chain).
struct AddOperations { Id wo; Id by; std::vector<OperationSpec> ops; Millis at = 0; Id via; };

// Issue 11: a person's signing key. Their first (a new person, or one from
// before signature keys), the same key re-sealed under a new PIN, or a new
// key replacing theirs (a forgotten PIN reset), which a service manager
// other than them approves with their own signature. `proof` is the new
// key's signature over the registration (registrationMessage): nobody
// registers a key whose secret they do not hold.
// Issue 13: `setup` names the setup code the person typed at the kiosk
// (checked there against its hash): a first key, or a new key after a
// reset, is taken with a setup code that is theirs, unused and unexpired.
struct RegisterKey {
  Id person;
  PersonKey key;
  std::string proof;
  Millis at = 0;
  std::optional<Signature> approval;
  Id setup;
};

// Issue 13: the shop's policy (domain/setup.hpp: from its file), master data
// of the shop administrator.
struct SetPolicy { Policy policy; Millis at = 0; };
// Issue 13: a one-time code with which a person chooses their own PIN at a
// kiosk. From the shop administrator (staff import, `by` empty), or from a
// service manager who resets a forgotten PIN at a kiosk (signed by them). A
// newer code replaces the person's older one. Only the code's hash is here.
struct IssueSetupCode {
  Id code;
  Id person;
  std::string hash;
  Millis at = 0;
  Millis expires_at = 0;
  Id by;
  Signature sig;  // `by`'s; empty from the administrator
};

// Clocking (R1–R4).
struct ClockOn { Id entry; Id tech; Id op; Id bay; Millis at = 0; };
struct ClockOff { Id tech; Id op; StopReason reason = StopReason::Break; Millis at = 0; };
struct EndShift { Id tech; Millis at = 0; };
// Issue 14: a technician's undo, within seconds, of their own last clocking:
// a compensating event, never an edit. `cancel`: the entry a clock-on opened
// (its length becomes zero, the original stays in the log); `reopen`: the
// entry a clock-off or a switch closed (it runs on, as if never closed). An
// undone switch names both.
struct UndoClock { Id tech; Id cancel; Id reopen; Millis at = 0; };
// Issue 14: a foreman's signed correction of a time entry (a ghost timer, a
// forgotten clock-off): it ends at `end`, for a reason (a phrase code,
// correction_reasons). "Stop it" is a correction that ends it now.
struct CorrectEntry { Id entry; Millis end = 0; std::string reason; Signature sig; };
// Issue 14: dispatch (派工): a foreman gives an operation to another
// technician of its trade (`to`), or moves it to another bay (`bay`), or
// both. Anyone clocked on it is clocked off, reason "reassigned"; the time
// already worked stays the worker's.
struct ReassignOperation { Id op; Id to; Id bay; Signature sig; };
// Issue 14: a foreman's message to a technician, shown at their bay until
// they have read it. `text` is a phrase code (floor_messages).
struct SendMessage { Id message; Id from; Id to; std::string text; Id entry; Millis at = 0; };
struct ReadMessage { Id message; Id by; Millis at = 0; };

// Inspections (R5–R11), signed (R15).
struct RecordInspection { Inspection inspection; Signature sig; };

// Add-ons (R12–R14); every approval step is signed (R15).
struct ProposeAddOn {
  Id addon;
  Id op;  // id of the operation it will become
  Id wo;
  Id found_on;
  Id proposer;
  Trade trade = Trade::None;
  std::string reason;
  int est_minutes = 0;
  std::vector<std::string> parts;
  bool safety = false;
  bool warranty_claimed = false;
  Millis at = 0;
};
struct DecideWarranty { Id addon; bool covered = false; std::string note; Signature sig; };
struct QuoteAddOn { Id addon; std::int64_t price_cents = 0; int minutes = 0; Signature sig; };
struct SignAddOnTechnical { Id addon; Signature sig; };
struct SignAddOnCost { Id addon; Signature sig; };
// Issue 14: refused, or sent back to the quote, by whoever holds the step it
// is at (the technical director, then the service manager), with a reason.
struct ReturnAddOn { Id addon; bool refuse = false; std::string reason; Signature sig; };
struct RecordConsent {
  Id addon;
  bool granted = false;
  ConsentChannel channel = ConsentChannel::Phone;
  bool warned = false;
  Signature sig;
};

// Responsibility disputes (R8) and review of conflicts (R16).
struct DisputeCharge { Id incident; Id by; std::string reason; Millis at = 0; };
struct DecideDispute { Id incident; Id charged_to; Signature sig; };
// R16: a person decides a held event: accept (its effect applies) or void
// (it stays in the log with none). Unset is refused: no default decides.
// Signed by `by` (issue 11): a decision is a person's, like an inspection.
struct ResolveReview {
  Id review;
  Id by;
  std::string resolution;
  Millis at = 0;
  std::optional<Decision> decision;
  Signature sig;  // empty: from before signature keys
};

// Issue 15: the service manager signs a month's fault slips (过失单) at the
// kiosk: the lines are what the screen showed (faultSlipLines), and the
// rules take them only if they are the month's as they stand, the month is
// over, and no charge on them is disputed and undecided.
struct SignFaultSlips { std::string month; std::vector<FaultSlipLine> lines; Signature sig; };

// Delivery (交车, R10), signed by the advisor or quality inspector who hands
// the car over (issue 11). Issue 12: what became of the old parts (unset is
// refused: no default decides it) and, when the customer declined safety
// add-ons, their acknowledgement signed with a finger. The gate pass is
// made from the signed delivery (gatePassOf).
struct DeliverWorkOrder {
  Id wo;
  Id by;
  Millis at = 0;
  Signature sig;
  std::optional<OldParts> old_parts;
  std::optional<CustomerAck> ack;
};

// Issue 11: the hub enrolled a client (its scope and device key). Only the
// hub records it: a kiosk's push of one is refused as bad input.
struct EnrolClient { Client client; };

// Issue 11: a wrong PIN typed at a kiosk (at sign-in, or when signing),
// so that a lock-out holds in the whole shop once it has synced.
struct PinFailed { Id person; Id kiosk; bool signing = false; Millis at = 0; };

using Action = std::variant<EnrollPerson, DefineBay, OpenWorkOrder, UpdateWorkOrder, AddOperations, ClockOn,
                            ClockOff, EndShift, RecordInspection, ProposeAddOn, DecideWarranty,
                            QuoteAddOn, SignAddOnTechnical, SignAddOnCost, RecordConsent,
                            DisputeCharge, DecideDispute, ResolveReview, DeliverWorkOrder, RegisterKey,
                            EnrolClient, PinFailed, SetPolicy, IssueSetupCode, UndoClock, CorrectEntry,
                            ReassignOperation, SendMessage, ReadMessage, ReturnAddOn, SignFaultSlips>;

// Issue 11: event types only the hub makes (never taken from a push).
bool hubOnly(std::string_view type);
// Issue 11: may a client of this scope make this action? Master data and
// the work orders' own fields are not the floor's; the desk writes work
// orders only. Nil when it may; else why not.
std::optional<Refusal> outOfScope(Scope scope, const Action& a);

// The event type name ("clock_on", …) and the action's JSON, {"type":…, …}.
std::string_view actionType(const Action& a);
json toJson(const Action& a);
// Throws json::exception on anything out of schema (unknown type, missing or
// mistyped field, unknown enum value).
Action actionFromJson(const json& j);

// Who did it and when, as the action says.
Id actorOf(const Action& a);
Millis timeOf(const Action& a);
// The work order it concerns, or empty.
Id workOrderOf(const Shop& s, const Action& a);

// Everything an action names that another action could also depend on: the
// work order and every person, bay, operation and record id in it. Two
// actions that name nothing in common give the same state in either order
// (used to decide whether a kiosk's view must be rebased on the hub's order).
std::set<Id> touches(const Shop& s, const Action& a);

// R15: signed actions carry a Signature; these say what it must contain.
const Signature* signatureOf(const Action& a);
Signature* signatureOf(Action& a);
std::string expectedMeaning(const Action& a);  // e.g. "inspection.final"
std::string expectedRecord(const Action& a);   // e.g. "inspection/ins-1"
// Hex SHA-256 of the canonical JSON of the action with the digest and the
// signature value blanked (the key id is covered).
std::string signingDigest(const Action& a);
// Fills meaning, record, signer, time and digest, with no key: a signature
// from before signature keys (old logs, and tests of what is refused).
void sealSignature(Action& a, const Id& signer, Millis at);

std::string sha256Hex(std::string_view text);
// Issue 12: the hash that seals a customer's finger signature into the
// delivery (SHA-256 of the strokes' canonical JSON).
std::string strokesHash(const std::vector<Stroke>& strokes);
// Issue 12: the gate pass (出门证) a delivery issues: the work order's number
// and the first characters of the signed delivery's digest, so a guard can
// check a pass against the record and nobody can make one up.
std::string gatePassOf(const WorkOrder& wo, const DeliverWorkOrder& d);

}  // namespace bk
