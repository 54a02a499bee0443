#pragma once
// The things of the workshop (DOMAIN.md "Things") and the shop's state.
#include "domain/hex_bytes.hpp"
#include "domain/shared_text.hpp"
#include "domain/types.hpp"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace bk {

// R15 / issue 11: a person's Ed25519 signing key. The secret never leaves a
// kiosk in clear: `sealed` is it, sealed with a key derived by Argon2id from
// the person's PIN (peppered with the shop's secret) and `salt`. Every store
// holds the public key to verify their signatures with.
struct PersonKey {
  std::string id;      // hex of the first 8 bytes of SHA-256(public key)
  std::string pub;     // hex, 32 bytes
  std::string sealed;  // hex: nonce ‖ secretbox(seed); empty once the key is retired
  std::string salt;    // hex, 16 bytes
  Millis since = 0;
  bool operator==(const PersonKey&) const = default;
};

struct Person {
  Id id;
  std::string name;
  std::vector<Role> roles;  // one person may hold several roles
  Trade trade = Trade::None;
  std::string badge;        // badge number the USB reader types; may be empty
  Id home_bay;              // issue 13: where they usually work (may be empty)
  // Issue 13: a leaver is retired, never deleted: their history stays, their
  // badge and PIN sign nobody in, and the badge may go to someone else.
  bool active = true;
  // Their signing keys, oldest first; the last is current. Earlier ones
  // stay so that old signatures keep verifying. Changed only by RegisterKey.
  std::vector<PersonKey> keys;
  bool has(Role r) const;
  const PersonKey* currentKey() const { return keys.empty() ? nullptr : &keys.back(); }
  bool operator==(const Person&) const = default;
};

struct Bay {
  Id id;
  std::string name;
  Trade trade = Trade::None;
  bool operator==(const Bay&) const = default;
};

// Issue 11: a client the hub enrolled (a bay kiosk or the front desk), as
// the hub's log records it, so that every store knows what each origin may
// do and holds its device key: the central log then proves which device
// wrote each event.
struct Client {
  Id id;
  Scope scope = Scope::Floor;
  std::string device_key;  // hex Ed25519 public key; empty: enrolled before device keys
  Millis since = 0;
  bool operator==(const Client&) const = default;
};

// Issue 11: a wrong PIN, anywhere in the shop: who, when, at which kiosk,
// and whether at sign-in or when signing. Every store keeps each person's
// latest few (the log keeps them all).
struct PinAttempt {
  Millis at = 0;
  Id kiosk;
  bool signing = false;
  bool operator==(const PinAttempt&) const = default;
};

struct Vehicle {
  std::string plate, vin, model;
  bool operator==(const Vehicle&) const = default;
};

// Issue 12: a customer's finger signature on the touchscreen: strokes of
// points, each [x, y] in 0..1000 of the pad (so it redraws at any size).
using Stroke = std::vector<std::array<int, 2>>;
inline constexpr int kPadScale = 1000;
inline constexpr std::size_t kMaxStrokes = 64, kMaxStrokePoints = 1024, kMaxAckPoints = 8192;
// 潜在问题提醒单: the customer acknowledges the safety add-ons they declined
// (R13) by signing at delivery; `hash` (strokesHash) seals the strokes into
// the signed delivery.
struct CustomerAck {
  std::vector<Id> addons;  // the declined safety add-ons shown, sorted
  std::vector<Stroke> strokes;
  std::string hash;
  bool operator==(const CustomerAck&) const = default;
};

struct WorkOrder {
  Id id;
  std::string number;  // 工单号 as printed at the front desk
  Vehicle vehicle;
  std::string customer;
  Id advisor;
  Category category = Category::GeneralRepair;
  bool road_test_required = false;
  Millis opened_at = 0;
  Millis promised_at = 0;  // R14: extended by approved add-on time
  Id bay;
  std::optional<Id> final_passed;  // the signed final inspection that holds (R9/R10)
  std::optional<Millis> delivered_at;
  std::optional<Id> delivered_by;
  // Issue 12: the delivery record: the old parts, the gate pass (出门证)
  // and the customer's acknowledgement of declined safety items.
  std::optional<OldParts> old_parts;
  std::string gate_pass;
  std::optional<CustomerAck> ack;
  // Issue 14: what the customer said (客户描述), the odometer at arrival,
  // and the car's warranty as the desk knows it: until a date and/or a
  // distance (0: not known). Written only when set.
  std::string complaint;
  int odometer_km = 0;
  Millis warranty_until = 0;
  int warranty_km = 0;
  // Issue 15: a comeback (返修) of an earlier, delivered work order, with the
  // customer's concern (phrase code, comeback_concerns). When the car was
  // delivered within the comeback window and the advisor says it is not a
  // comeback, which work order and why (comeback_decline_reasons).
  Id comeback_of;
  std::string concern;
  Id not_comeback_of;
  std::string not_comeback_reason;
  bool comeback() const { return !comeback_of.empty(); }
  bool operator==(const WorkOrder&) const = default;
};

struct Operation {
  Id id;
  Id wo;
  int seq = 0;
  Trade trade = Trade::None;
  std::string title;
  int std_minutes = 0;  // flat-rate 工时 in minutes (integers keep event JSON canonical)
  Id main_tech;
  std::optional<Id> upstream;          // R8: this operation must accept `upstream` first
  std::optional<Id> handover;          // R8: the passed acceptance of `upstream`
  std::optional<Id> accepted_by;       // R8: who accepted THIS operation downstream
  std::optional<Id> addon;             // the add-on this operation came from (R12)
  Phase phase = Phase::Open;
  // Issue 14: dispatch (派工). The bay it was moved to (empty: the work
  // order's), and whom the foreman last took it from, when.
  Id bay;
  Id reassigned_from;
  Millis reassigned_at = 0;
  std::string instructions;  // issue 14: the desk's job instructions (施工要求), if any
  bool operator==(const Operation&) const = default;
};

struct TimeEntry {
  Id id;
  Id op;
  Id wo;
  Id tech;
  Id bay;
  Millis start = 0;
  std::optional<Millis> end;
  std::optional<StopReason> reason;
  bool rework = false;  // R4: rework time is counted apart
  // Issue 14: a foreman's signed correction (a ghost timer closed at a
  // corrected time): who, and the reason's phrase code. The entry's
  // original times stay in the log.
  Id corrected_by;
  std::string correction;
  bool operator==(const TimeEntry&) const = default;
};

struct ChecklistItem {
  // (the texts an item repeats from its catalog are shared: issue 16)
  SharedText key;  // template item key (assets/catalog/checklists.json)
  // Issue 12: unset until a person judges it; a measured item's follows
  // its value (measuredVerdict), never a choice.
  std::optional<Verdict> verdict;
  std::optional<double> value;  // a measured value, with its unit and tolerance
  SharedText unit;
  std::optional<double> min, max;
  SharedText na_reason;  // why not applicable: a phrase code (na_reasons)
  SharedText zh, en;      // the item as the signer read it (the catalog may change)
  bool operator==(const ChecklistItem&) const = default;
};

// Issue 12: the road test (路试) as the inspector records it.
struct RoadTest {
  Id driver;
  int odo_start = 0, odo_end = 0;  // km
  int minutes = 0;
  std::vector<std::string> findings;  // phrase codes (road_test_findings)
  bool operator==(const RoadTest&) const = default;
};

// R15: a person, a time, a meaning and the record it signs, plus a hash of
// exactly what was signed (the canonical JSON of the action, digest blank).
// The signer's Ed25519 signature (`value`) over that digest, made with their
// key `key`, proves the signer (issue 11). A signature without a key is from
// before signature keys: it counts only while its signer has none.
struct Signature {
  Id signer;
  Millis at = 0;
  // (the meaning and the key id repeat over a shop's signatures: held once, issue 16)
  SharedText meaning;   // e.g. "inspection.peer" — translated for display
  std::string record;   // e.g. "inspection/ins-42"
  HexBytes<32> digest;  // hex SHA-256 (held as its bytes, issue 16)
  SharedText key;       // the signer's key id (PersonKey::id); empty: before signature keys
  HexBytes<64> value;   // hex Ed25519 signature of the digest
  bool beforeKeys() const { return key.empty(); }
  bool operator==(const Signature&) const = default;
};

struct Inspection {
  Id id;
  InspectionKind kind = InspectionKind::Self;
  Id wo;
  std::optional<Id> op;          // the operation inspected (none for final)
  std::optional<Id> downstream;  // handover: the accepting operation
  Id inspector;
  std::vector<ChecklistItem> items;
  Verdict result = Verdict::Pass;      // pass or fail
  std::optional<std::string> defect;   // defect code when failed (assets/catalog/defects.json)
  std::optional<Id> defect_op;         // final: the operation the defect is in
  std::optional<Verdict> road_test;    // final: when the work order asks for one (R9)
  std::optional<RoadTest> road;        // issue 12: who drove, how far, how long, what was found
  std::string catalog;                 // issue 12: the version of the catalog its items came from
  bool stop = false;                   // patrol: stops the operation (R11)
  std::optional<ComebackCause> cause;  // issue 15: a comeback's, unset until a person finds it
  std::optional<Id> supersedes;        // R15: a correction points at the old record
  Signature sig;
  bool operator==(const Inspection&) const = default;
};

// What an inspection is of, for "the first/latest of a kind": the work order
// for a final or a comeback inspection (issue 15), else the operation.
inline Id inspectionTarget(const Inspection& in) {
  return in.kind == InspectionKind::Final || in.kind == InspectionKind::Comeback ? in.wo : in.op.value_or("");
}

struct Rework {
  Id id;
  Id op;
  Id wo;
  Id inspection;  // the failed inspection that sent it back (R7)
  InspectionKind found_in = InspectionKind::Peer;
  std::string defect;
  Id assigned_to;  // R7: the operation's main technician
  Millis opened_at = 0;
  std::optional<Millis> closed_at;
  bool operator==(const Rework&) const = default;
};

// 质量责任事故: a defect charged to a person (R8 decides who), by trade.
struct Incident {
  Id id;
  Id rework;
  Id wo;
  Id op;
  std::string defect;
  Trade trade = Trade::None;
  Id charged_to;
  Millis at = 0;
  std::optional<Id> disputed_by;
  std::string dispute_reason;
  std::optional<Signature> decision;  // the service manager's ruling (R8)
  // Issue 15 (R16): found by an inspection that another one contradicts
  // (kept for review): not charged while that review is open, and voided
  // if the person deciding it believed the other one. Written only when set.
  std::optional<Id> held_by;
  bool voided = false;
  bool charged() const { return !held_by && !voided; }
  bool operator==(const Incident&) const = default;
};

struct WarrantyStep {
  bool covered = false;
  std::string note;  // why not covered: told to the customer (R12)
  Signature sig;
  bool operator==(const WarrantyStep&) const = default;
};
struct QuoteStep {
  std::int64_t price_cents = 0;
  int minutes = 0;
  Signature sig;
  bool operator==(const QuoteStep&) const = default;
};
struct ConsentStep {
  bool granted = false;
  ConsentChannel channel = ConsentChannel::Phone;
  bool warned = false;  // R13: told of the safety risk when declining
  Signature sig;
  bool operator==(const ConsentStep&) const = default;
};

// Issue 14: the technical director or the service manager refuses an
// add-on (it is kept, declined, and never becomes work) or sends it back to
// the advisor's quote; either with a reason (phrase code,
// addon_return_reasons). `step` is the step it was at: technical or cost.
struct AddOnReturn {
  bool refuse = false;
  std::string reason;
  std::string step;
  Signature sig;
  bool operator==(const AddOnReturn&) const = default;
};

struct AddOn {
  Id id;
  Id wo;
  Id found_on;  // operation during which it was found
  Id op;        // the operation it becomes (awaiting approval until consent)
  Id proposer;
  Trade trade = Trade::None;
  std::string reason;  // phrase code or short text
  int est_minutes = 0;
  std::vector<std::string> parts;
  bool safety = false;
  bool warranty_claimed = false;
  Millis proposed_at = 0;
  std::optional<WarrantyStep> warranty;
  std::optional<QuoteStep> quote;
  std::optional<Signature> technical;
  std::optional<Signature> manager;
  std::optional<ConsentStep> consent;
  std::optional<AddOnReturn> refused;  // refused inside the shop: resolved, declined
  std::vector<AddOnReturn> returns;    // each time it was sent back to the quote
  // consented or refused: nothing more is signed on it
  bool resolved() const { return consent.has_value() || refused.has_value(); }
  bool operator==(const AddOn&) const = default;
};

// R16: an action that conflicts with what is already known, kept and put
// before a person to decide.
struct ReviewItem {
  Id id;
  Reason reason = Reason::BadInput;
  Hold hold = Hold::Conflict;  // the held event has no effect until decided
  Role for_role = Role::Foreman;
  Id wo;
  std::string action;  // the conflicting action's type
  json facts;          // both facts, as recorded ("action": the held event's action)
  Millis at = 0;
  std::optional<Id> resolved_by;
  std::optional<Millis> resolved_at;
  std::optional<Decision> decision;  // accept: the held effect applied; void: none
  std::string resolution;
  bool operator==(const ReviewItem&) const = default;
};

// Rule settings a shop may change. Issue 13: the shop's own, from its policy
// file (domain/setup.hpp), recorded as a set_policy event that every kiosk
// follows; these defaults hold until the first.
struct Policy {
  std::string shop_name;
  int utc_offset_minutes = 480;  // the shop's time zone (months in reports, times on screen)
  std::set<Category> final_required{Category::GeneralRepair, Category::MajorOverhaul,
                                    Category::BodyPaint};  // R9
  Millis overlong_entry = 4 * 3600 * 1000;                  // R3: the ghost-timer limit
  int idle_signout_seconds = 90;                            // a kiosk signs its person out
  std::int64_t labour_cents_per_hour = 18000;               // add-on quotes (R12)
  int work_start_minute = 8 * 60, work_end_minute = 18 * 60;  // working hours, local
  int setup_code_days = 7;                                  // a first-PIN setup code's life
  // Issue 11: this many wrong PINs anywhere within `pin_lockout` lock the
  // person out of PIN sign-in and signing everywhere, until the oldest of
  // them is `pin_lockout` old.
  int pin_length = 6;  // the shortest PIN a person may choose (4 is refused)
  int pin_max_failures = 5;
  Millis pin_lockout = 5 * 60 * 1000;
  // Issue 15: a car back within this many days of its delivery is offered
  // as a comeback of that work order, and counts in the comeback rate.
  int comeback_days = 30;
  bool operator==(const Policy&) const = default;
};

// Issue 13: a one-time code that lets a person choose their own PIN at any
// kiosk (their first, or after a reset). Only its hash is kept (Argon2id of
// HMAC(pepper, code), like a PIN's), so the log never holds the code.
struct SetupCode {
  Id id;
  Id person;
  std::string hash;
  Millis issued_at = 0, expires_at = 0;
  Id by;             // the service manager who reset the PIN; empty: the shop administrator
  bool used = false;  // a key was registered with it
  bool operator==(const SetupCode&) const = default;
};

// Issue 14: a foreman's message to a technician, shown at their bay until
// they have read it. The text is a phrase code (floor_messages).
struct FloorMessage {
  Id id;
  Id from, to;
  std::string text;
  Id entry;  // the time entry it is about, if any
  Millis at = 0;
  std::optional<Millis> read_at;
  bool operator==(const FloorMessage&) const = default;
};

// Issue 15: a line of a month's fault slips (过失单): an incident charged to
// a technician, and where it stood when the slips were signed: "charged",
// "disputed" (undecided) or "decided" (the service manager's ruling).
struct FaultSlipLine {
  Id incident;
  Id charged_to;
  std::string state;
  bool operator==(const FaultSlipLine&) const = default;
};
// The month's slips as the service manager signed them (R15): exactly the
// lines they saw. Signed again when a later ruling changes them.
struct FaultSlips {
  std::string month;  // "YYYY-MM", the shop's time zone
  std::vector<FaultSlipLine> lines;
  Signature sig;
  bool operator==(const FaultSlips&) const = default;
};

// The kinds of record the state holds, for persistence.
enum class RecordKind : std::uint8_t {
  Person, Bay, WorkOrder, Operation, TimeEntry, Inspection, Rework, Incident, AddOn, Review,
  Supersede, Client, PinAttempts, Policy, SetupCode, Message, FaultSlips,
};
inline constexpr EnumTable<RecordKind, 17> kRecordKindNames{{
    {RecordKind::Person, "person"}, {RecordKind::Bay, "bay"}, {RecordKind::WorkOrder, "work_order"},
    {RecordKind::Operation, "operation"}, {RecordKind::TimeEntry, "time_entry"},
    {RecordKind::Inspection, "inspection"}, {RecordKind::Rework, "rework"},
    {RecordKind::Incident, "incident"}, {RecordKind::AddOn, "addon"}, {RecordKind::Review, "review"},
    {RecordKind::Supersede, "supersede"}, {RecordKind::Client, "client"}, {RecordKind::PinAttempts, "pin_attempts"},
    {RecordKind::Policy, "policy"}, {RecordKind::SetupCode, "setup_code"},
    {RecordKind::Message, "message"}, {RecordKind::FaultSlips, "fault_slips"},
}};
BK_ENUM_JSON(RecordKind)

// The whole state a kiosk or the hub knows. Entities live in ordered maps so
// that iteration, JSON and comparison are deterministic.
struct Shop {
  Policy policy;
  std::map<Id, Person> people;
  std::map<Id, Bay> bays;
  std::map<Id, WorkOrder> work_orders;
  std::map<Id, Operation> operations;
  std::map<Id, TimeEntry> entries;
  std::map<Id, Inspection> inspections;
  std::map<Id, Rework> reworks;
  std::map<Id, Incident> incidents;
  std::map<Id, AddOn> addons;
  std::map<Id, ReviewItem> reviews;
  std::map<Id, Id> superseded_by;  // R15: old record -> its correction
  std::map<Id, Client> clients;    // issue 11: enrolled clients, by origin id
  // issue 11: each person's latest wrong PINs, oldest first (at most
  // kPinAttemptsKept), for the shop-wide lock-out and the foreman
  std::map<Id, std::vector<PinAttempt>> pin_attempts;
  std::map<Id, SetupCode> setup_codes;  // issue 13: each person's latest, by person
  std::map<Id, FloorMessage> messages;  // issue 14: from the foreman to a technician
  std::map<std::string, FaultSlips> fault_slips;  // issue 15: by month, as last signed

  // Derived indexes, rebuilt by reindex(); not part of equality.
  std::map<Id, std::vector<Id>> ops_of_wo;  // in seq order
  std::set<Id> open_entries;
  std::map<Id, std::vector<Id>> entries_of_op;
  // For the monthly report over years of history: only the month is read.
  std::multimap<Millis, Id> inspections_by_time;          // by signature time
  std::map<Id, std::set<Id>> inspections_of_wo;           // issue 16: a car's history without a scan of the shop
  std::map<std::pair<InspectionKind, Id>, Id> first_inspection;  // per kind and target, corrections apart
  std::map<std::pair<InspectionKind, Id>, Id> latest_inspection;  // likewise, the latest
  std::map<Id, Millis> op_finished_at;                    // first passing peer inspection (R4)
  std::multimap<Millis, Id> reworks_by_open;
  std::map<Id, std::vector<Id>> reworks_of_op;
  std::multimap<Millis, Id> rework_entries_by_start;
  // Issue 14: each technician's latest entry (by start), for undo: one per
  // person, however long the history.
  std::map<Id, Id> last_entry_of;
  // Issue 14: entries by start, so "my hours today" reads only today.
  std::multimap<Millis, Id> entries_by_start;
  // Issue 15: work orders by VIN (upper case), and each work order's
  // comebacks, so a returning car is found without a scan of the shop.
  std::map<std::string, std::vector<Id>> wos_of_vin;
  std::map<Id, std::vector<Id>> comebacks_of;
  std::multimap<Millis, Id> comebacks_by_open;  // for the month's comeback rate
  std::multimap<Millis, Id> delivered_by_time;  // work orders by delivery
  // R16: each work order's review items (they never leave memory): a
  // delivery's blockers read its own, not every one the shop ever had.
  std::map<Id, std::set<Id>> reviews_of_wo;
  void indexReview(const ReviewItem& r);
  // Keep the derived indexes when a record is added (apply) or loaded.
  void indexWorkOrder(const WorkOrder& wo);
  void indexInspection(const Inspection& in);
  void indexRework(const Rework& rw);
  void indexEntry(const TimeEntry& e);

  // Records changed by apply() since the store last wrote them.
  std::set<std::pair<RecordKind, Id>> dirty;
  void touch(RecordKind k, const Id& id) { dirty.emplace(k, id); }

  void reindex();
  // Issue 16: erases the work orders in `wos` with everything of theirs
  // (operations, entries, inspections, reworks, incidents, add-ons) and
  // takes them out of the derived indexes, leaving the indexes as reindex()
  // would make them from what stays: a trim costs what leaves, not what is
  // held. Review items stay (they never leave memory), so does their index.
  void forget(const std::set<Id>& wos);
  bool sameRecords(const Shop& o) const;
  // Issue 16: this shop is `whole` as a working set holds it: the same
  // reference data, and its work orders exactly as `whole` has them, each
  // with everything of theirs.
  bool samePartOf(const Shop& whole) const;

  const Person* person(const Id& id) const;
  const Operation* operation(const Id& id) const;
  const WorkOrder* workOrder(const Id& id) const;
  std::vector<const Operation*> opsOf(const Id& wo) const;
  std::vector<const TimeEntry*> openEntriesOf(const Id& tech) const;
  std::vector<const TimeEntry*> openEntriesOn(const Id& op) const;
  bool workedOn(const Id& person, const Id& op) const;  // main tech or clocked time
};

void to_json(json& j, const Person& v);      void from_json(const json& j, Person& v);
void to_json(json& j, const PersonKey& v);   void from_json(const json& j, PersonKey& v);
void to_json(json& j, const Bay& v);         void from_json(const json& j, Bay& v);
void to_json(json& j, const Policy& v);      void from_json(const json& j, Policy& v);
void to_json(json& j, const SetupCode& v);   void from_json(const json& j, SetupCode& v);
void to_json(json& j, const FloorMessage& v); void from_json(const json& j, FloorMessage& v);
void to_json(json& j, const FaultSlipLine& v); void from_json(const json& j, FaultSlipLine& v);
void to_json(json& j, const FaultSlips& v);  void from_json(const json& j, FaultSlips& v);
void to_json(json& j, const Client& v);      void from_json(const json& j, Client& v);
void to_json(json& j, const PinAttempt& v);  void from_json(const json& j, PinAttempt& v);
void to_json(json& j, const Vehicle& v);     void from_json(const json& j, Vehicle& v);
void to_json(json& j, const WorkOrder& v);   void from_json(const json& j, WorkOrder& v);
void to_json(json& j, const Operation& v);   void from_json(const json& j, Operation& v);
void to_json(json& j, const TimeEntry& v);   void from_json(const json& j, TimeEntry& v);
void to_json(json& j, const ChecklistItem& v); void from_json(const json& j, ChecklistItem& v);
void to_json(json& j, const RoadTest& v);    void from_json(const json& j, RoadTest& v);
void to_json(json& j, const CustomerAck& v); void from_json(const json& j, CustomerAck& v);
void to_json(json& j, const Signature& v);   void from_json(const json& j, Signature& v);
void to_json(json& j, const Inspection& v);  void from_json(const json& j, Inspection& v);
void to_json(json& j, const Rework& v);      void from_json(const json& j, Rework& v);
void to_json(json& j, const Incident& v);    void from_json(const json& j, Incident& v);
void to_json(json& j, const WarrantyStep& v); void from_json(const json& j, WarrantyStep& v);
void to_json(json& j, const QuoteStep& v);   void from_json(const json& j, QuoteStep& v);
void to_json(json& j, const ConsentStep& v); void from_json(const json& j, ConsentStep& v);
void to_json(json& j, const AddOnReturn& v); void from_json(const json& j, AddOnReturn& v);
void to_json(json& j, const AddOn& v);       void from_json(const json& j, AddOn& v);
void to_json(json& j, const ReviewItem& v);  void from_json(const json& j, ReviewItem& v);

}  // namespace bk
