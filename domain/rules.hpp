#pragma once
// The workshop's rules R1–R16 (DOMAIN.md). check() says whether an action may
// happen and why not; apply() carries an accepted action out; neither reads a
// clock or makes an id: times and ids are in the action.
#include "domain/actions.hpp"

namespace bk {

// May this action happen now? Never changes anything.
[[nodiscard]] Outcome check(const Shop& s, const Action& a);
// The same, for an action about to be signed: all but its signature, which
// the PIN has yet to make (what a screen asks before it opens the PIN pad).
[[nodiscard]] Outcome checkBeforeSigning(const Shop& s, const Action& a);

// Carries out an action. Total: on a state where the action's preconditions
// no longer hold (a conflict kept under R16) it records what it can and skips
// effects that would break an invariant. Call check() first for local use.
void apply(Shop& s, const Action& a);

// R16: how the hub (and any replay) takes an event. A checked action is
// applied; a refused one is still recorded and becomes a review item for the
// foreman or the service manager, with both facts kept. Deterministic: a
// replay of the same events in the same order gives the same review items.
struct Ingested {
  bool clean = true;            // passed check()
  std::optional<Id> review;     // the review item made, if not clean
  std::optional<Refusal> refusal;
};
// `origin`: the client that made it; an enrolled client's event outside its
// scope is quarantined (issue 11).
Ingested ingest(Shop& s, const Action& a, const Id& event_id, Millis at, const Id& origin = {});
// Issue 11: why this origin may not make this action (nil: it may, or it is
// not an enrolled client).
std::optional<Refusal> scopeRefusal(const Shop& s, const Id& origin, const Action& a);
// An event refused at the hub as bad input (DECISIONS.md): only its
// tombstone travels, so it has no effect anywhere. The foreman is shown it
// (a review item that can only be voided); `detail` says what was wrong.
Ingested ingestRefused(Shop& s, const Id& event_id, const Id& origin, std::int64_t seq, const std::string& detail,
                       Millis at);

// Issue 11: until when `person` is locked out of PINs in the whole shop
// (nil: not locked), by the policy and the wrong PINs every store has seen.
std::optional<Millis> pinLockedUntil(const Shop& s, const Id& person, Millis now);
// Issue 14: how many wrong PINs `person` may still type before the lock-out.
int pinAttemptsLeft(const Shop& s, const Id& person, Millis now);
// Issue 13: may this person choose a PIN with a setup code now (theirs,
// unused and unexpired, and they have not left)?
bool setupPending(const Shop& s, const Id& person, Millis now);
// Issue 13: the labour of an add-on at the shop's rate (the policy), in
// cents, rounded to the yuan: what an advisor's quote starts from (R12).
std::int64_t labourQuoteCents(const Policy& p, int minutes);
inline constexpr std::size_t kPinAttemptsKept = 20;

// R2/R8/R12: why an operation cannot be clocked on, if it cannot.
std::optional<Refusal> clockBlocker(const Shop& s, const Operation& op);

// R10: everything that stands between a work order and delivery.
std::vector<Refusal> deliveryBlockers(const Shop& s, const WorkOrder& wo);
bool finalRequired(const Shop& s, const WorkOrder& wo);

// Issue 14: the car's warranty at `at`, from what the desk recorded (a date
// and/or a distance; unknown when neither), for the warranty clerk's step.
enum class WarrantyStatus { Unknown, Within, ExpiredByDate, ExpiredByDistance };
WarrantyStatus warrantyStatus(const WorkOrder& wo, Millis at);
const char* name(WarrantyStatus s);
// Issue 12: the safety add-ons on this work order the customer declined
// (R13), sorted: what they acknowledge at delivery.
std::vector<Id> declinedSafety(const Shop& s, const Id& wo);

// Issue 12: a checklist item's verdict from its measured value (nil: not
// measured, or no value yet), and what keeps an item from being signed
// (unset, a measured item without its value or overridden, N/A without a
// reason). Nil: it may be signed.
std::optional<Verdict> measuredVerdict(const ChecklistItem& it);
std::optional<Refusal> itemProblem(const ChecklistItem& it);
inline constexpr int kMaxRoadTestKm = 1000, kMaxRoadTestMinutes = 600;
// Issue 14: a work order's free text and numbers from the desk
inline constexpr std::size_t kMaxComplaintBytes = 1000, kMaxInstructionBytes = 500;
inline constexpr int kMaxOdometerKm = 2'000'000;
inline constexpr std::size_t kMaxRoadFindings = 16;
// The latest inspection of a kind on an operation (on the work order for a
// final), its correction if corrected (R15); nil if none.
const Inspection* latestInspection(const Shop& s, InspectionKind kind, const Id& target);

// R3: entries open longer than the policy's limit — flagged to the foreman,
// never closed silently.
std::vector<const TimeEntry*> overlongEntries(const Shop& s, Millis now);
// Issue 14 (DECISIONS "ghost hours"): an entry longer than the policy's
// limit that no foreman has corrected, open (up to `now`) or closed. Its
// hours past the limit count for nobody's efficiency until corrected.
bool ghostEntry(const Policy& p, const TimeEntry& e, Millis now);

// Issue 14: a technician's job card. Time clocked on `op` (by `tech`, or
// by anyone when empty) up to `now`, a running entry included, and the time
// `tech` clocked between `from` and `to` (an entry counts for its part
// inside), read through the entries' start index.
Millis timeOn(const Shop& s, const Id& op, const Id& tech, Millis now);
Millis timeWorked(const Shop& s, const Id& tech, Millis from, Millis to);
// The technician's latest entry on `op`, if it is closed: why it stopped.
const TimeEntry* pausedEntry(const Shop& s, const Id& op, const Id& tech);

// Issue 14: undo. The kiosk offers it for kUndoOffered after a clocking;
// the rules take it within kUndoWindow of it (a bay's clock and a slow tap).
inline constexpr Millis kUndoOffered = 10'000, kUndoWindow = 60'000;
// What would undo `a` (a clock-on, clock-off or shift end), asked of the
// state before `a` is applied; nil when it undoes nothing. Its `at` is
// left for the moment the person taps undo.
std::optional<UndoClock> undoFor(const Shop& before, const Action& a);

// R8: who answers for a defect found in `op` now: whoever accepted it at
// handover, else its main technician.
Id responsibleFor(const Shop& s, const Operation& op);

// Issue 15: comebacks (返修).
// The delivered work order of this VIN (any case) that a work order opened
// at `at` would be a comeback of: the latest delivered within the policy's
// window before `at`; nil if none. Opening a work order for it must link it
// (comeback_of) or say why not (not_comeback_of and a reason).
const WorkOrder* comebackCandidate(const Shop& s, const std::string& vin, Millis at);
// Whether a comeback work order came within the window of the delivery of
// the work order it is a comeback of (what the comeback rate counts).
bool withinComebackWindow(const Shop& s, const WorkOrder& comeback);
// The comeback inspection that stands on a comeback work order (its
// correction if corrected), nil while the cause is not yet found.
const Inspection* comebackInspection(const Shop& s, const Id& wo);
// Whether a work order's labour is billed to the customer: not a comeback
// whose cause is the shop's workmanship (nor one whose cause is not yet found).
bool billable(const Shop& s, const WorkOrder& wo);
// A technician's queue: their operations still to do on open work orders,
// comebacks first (issue 15), then the earliest promised, then in order.
std::vector<const Operation*> workQueue(const Shop& s, const Id& tech);
// The same for the floor: comeback work orders first, then by promise.
bool comesFirst(const Shop& s, const WorkOrder& a, const WorkOrder& b);

// Issue 15: a month's fault slips (过失单), as they stand: every incident
// charged (not held for a decision, not voided) in [from, to), by the
// person charged, then time; each "charged", "disputed" or "decided".
std::vector<FaultSlipLine> faultSlipLines(const Shop& s, Millis from, Millis to);

// Which role decides a review item about this action (R16).
Role reviewerFor(const Action& a, Reason r);

}  // namespace bk
