#pragma once
// The workshop's vocabulary (DOMAIN.md): roles, trades, categories, reasons.
#include "domain/id.hpp"
#include "domain/json_util.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bk {

// An id is JSON text; anything else is refused as a std::string would be.
inline void to_json(json& j, const Id& id) { j = id.view(); }
inline void from_json(const json& j, Id& id) {
  if (!j.is_string()) throw json::type_error::create(302, std::string("type must be string, but is ") + j.type_name(), &j);
  id = j.get_ref<const std::string&>();
}
using Millis = std::int64_t;  // Unix epoch milliseconds; always an input, never read here.

enum class Role : std::uint8_t {
  Technician, Foreman, Supervisor, TechDirector, QualityInspector,
  ServiceAdvisor, ServiceManager, WarrantyClerk,
};
inline constexpr EnumTable<Role, 8> kRoleNames{{
    {Role::Technician, "technician"}, {Role::Foreman, "foreman"},
    {Role::Supervisor, "supervisor"}, {Role::TechDirector, "tech_director"},
    {Role::QualityInspector, "quality_inspector"}, {Role::ServiceAdvisor, "service_advisor"},
    {Role::ServiceManager, "service_manager"}, {Role::WarrantyClerk, "warranty_clerk"},
}};
BK_ENUM_JSON(Role)

enum class Trade : std::uint8_t { None, Mechanical, Body, Paint, Detailing };
inline constexpr EnumTable<Trade, 5> kTradeNames{{
    {Trade::None, "none"}, {Trade::Mechanical, "mechanical"}, {Trade::Body, "body"},
    {Trade::Paint, "paint"}, {Trade::Detailing, "detailing"},
}};
BK_ENUM_JSON(Trade)

enum class Category : std::uint8_t { Maintenance, GeneralRepair, MajorOverhaul, BodyPaint, Warranty };
inline constexpr EnumTable<Category, 5> kCategoryNames{{
    {Category::Maintenance, "maintenance"}, {Category::GeneralRepair, "general_repair"},
    {Category::MajorOverhaul, "major_overhaul"}, {Category::BodyPaint, "body_paint"},
    {Category::Warranty, "warranty"},
}};
BK_ENUM_JSON(Category)

// Why a time entry ended (R3: every clock-off or pause has one).
enum class StopReason : std::uint8_t {
  WaitingParts, WaitingApproval, Break, CalledAway, EndOfShift,
  Switched,         // R1: clocking on another operation closed this one
  Finished,         // R5: closed by the main technician's passed self-inspection
  StoppedByPatrol,  // R11
  // Issue 14: closed by no clock-off of the technician's
  Cancelled,        // undone within seconds: the entry's length is zero
  Reassigned,       // the foreman gave the operation to someone else (派工)
  Corrected,        // the foreman closed a ghost timer at a corrected time
};
inline constexpr EnumTable<StopReason, 11> kStopReasonNames{{
    {StopReason::WaitingParts, "waiting_parts"}, {StopReason::WaitingApproval, "waiting_approval"},
    {StopReason::Break, "break"}, {StopReason::CalledAway, "called_away"},
    {StopReason::EndOfShift, "end_of_shift"}, {StopReason::Switched, "switched"},
    {StopReason::Finished, "finished"}, {StopReason::StoppedByPatrol, "stopped_by_patrol"},
    {StopReason::Cancelled, "cancelled"}, {StopReason::Reassigned, "reassigned"},
    {StopReason::Corrected, "corrected"},
}};
BK_ENUM_JSON(StopReason)

// Issue 15: a comeback inspection (返修检验) finds why a delivered car came
// back, on the comeback work order, naming the original operation.
enum class InspectionKind : std::uint8_t { Self, Peer, Patrol, Handover, Final, Comeback };
inline constexpr EnumTable<InspectionKind, 6> kInspectionKindNames{{
    {InspectionKind::Self, "self"}, {InspectionKind::Peer, "peer"},
    {InspectionKind::Patrol, "patrol"}, {InspectionKind::Handover, "handover"},
    {InspectionKind::Final, "final"}, {InspectionKind::Comeback, "comeback"},
}};
BK_ENUM_JSON(InspectionKind)

// Issue 15: why a car came back. Workmanship is charged like rework (R8);
// a different concern was no comeback of that work at all.
enum class ComebackCause : std::uint8_t { Workmanship, Misdiagnosis, PartFailure, DifferentConcern };
inline constexpr EnumTable<ComebackCause, 4> kComebackCauseNames{{
    {ComebackCause::Workmanship, "workmanship"}, {ComebackCause::Misdiagnosis, "misdiagnosis"},
    {ComebackCause::PartFailure, "part_failure"}, {ComebackCause::DifferentConcern, "different_concern"},
}};
BK_ENUM_JSON(ComebackCause)

enum class Verdict : std::uint8_t { Pass, Fail, NotApplicable };
inline constexpr EnumTable<Verdict, 3> kVerdictNames{{
    {Verdict::Pass, "pass"}, {Verdict::Fail, "fail"}, {Verdict::NotApplicable, "na"},
}};
BK_ENUM_JSON(Verdict)

// Where an operation stands. "Running" is not a phase: it is derived from
// open time entries, so it can never disagree with them.
enum class Phase : std::uint8_t {
  AwaitingApproval,  // an add-on whose R12 chain is not complete (R2)
  Open,              // may be clocked (subject to handover, R8)
  AwaitingPeer,      // self-inspected (R5), waiting for the foreman (R6)
  Rework,            // sent back after a failed inspection (R7)
  Done,              // peer inspection passed
  Declined,          // an add-on the customer declined (R13): kept, never worked
};
inline constexpr EnumTable<Phase, 6> kPhaseNames{{
    {Phase::AwaitingApproval, "awaiting_approval"}, {Phase::Open, "open"},
    {Phase::AwaitingPeer, "awaiting_peer"}, {Phase::Rework, "rework"},
    {Phase::Done, "done"}, {Phase::Declined, "declined"},
}};
BK_ENUM_JSON(Phase)

enum class ConsentChannel : std::uint8_t { Phone, InPerson, Message };
inline constexpr EnumTable<ConsentChannel, 3> kConsentChannelNames{{
    {ConsentChannel::Phone, "phone"}, {ConsentChannel::InPerson, "in_person"},
    {ConsentChannel::Message, "message"},
}};
BK_ENUM_JSON(ConsentChannel)

// Why an action was refused. Each code has a Chinese and an English text in
// assets/i18n (a test checks that none is missing).
enum class Reason : std::uint8_t {
  BadInput, DuplicateId, UnknownPerson, UnknownBay, UnknownWorkOrder, UnknownOperation,
  UnknownInspection, UnknownAddOn, UnknownIncident, UnknownReviewItem,
  LacksRole,
  WorkOrderClosed,
  BlockedUpstreamUnfinished,  // R8
  BlockedAwaitingHandover,    // R8
  BlockedAddOnUnapproved,     // R2/R12
  BlockedDeclined,            // R13
  OperationFinished,          // no clocking on inspected or waiting work
  ClockOverlap,               // R1/R16: a clock-on earlier than the open entry
  NotClockedOn, ReasonRequired,  // R3
  NotMainTechnician,          // R5, R12
  NotReadyForInspection,      // R5/R6/R8/R9 order
  OwnWork,                    // R6/R9: no one signs off their own work
  MeasuredOutOfTolerance,     // a measured value outside tolerance marked pass
  ResultInconsistent,         // overall result contradicts an item
  DefectRequired,             // R7/R8: a failed inspection names its defect
  RoadTestRequired,           // R9
  FinalNotRequired,
  NotDeliverable,             // R10
  AddOnWrongStep,             // R12 order
  AddOnResolved,              // R12/R13: decided already
  WarningRequired,            // R13
  SignatureInvalid,           // R15
  SignedRecordImmutable,      // R15
  CorrectionChangesResult,    // R15: a correction keeps the verdict
  NotDisputable, AlreadyResolved,
  WrongPin, LockedOut, UnknownBadge,
  AlreadyClockedOn, OperationUnfinished, FinalMissing,
  OpenReview,                 // R16: a held event on this work order awaits a person
  DecisionRequired,           // R16: accept or void, never a default
  CannotAccept,               // R16/R17: quarantined, or the situation changed
  RefusedAtHub,               // bad input from a bay: a tombstone, nothing applied
  OutOfScope,                 // issue 11: not what this client was enrolled to do
  VerdictMissing,             // issue 12: every checklist item needs a person's verdict
  ValueRequired,              // issue 12: a measured item needs its value
  AcknowledgementRequired,    // issue 12: declined safety items acknowledged by the customer
  OperationRunning,           // R10: someone is clocked on it
  AwaitingPeerInspection,     // R10: self-inspected, the foreman has yet to inspect it
  InRework,                   // R10: sent back after a failed inspection (R7)
  FinalFailed,                // R9/R10: the latest final inspection failed
  PersonRetired,              // issue 13: a leaver signs nothing in and does nothing new
  SetupCodeInvalid,           // issue 13: no such setup code for them, used, or expired
  PinMismatch,                // issue 13: the new PIN typed twice differs
  UndoExpired,                // issue 14: undo is for the last clocking, within seconds
  WrongTrade,                 // issue 14: dispatched to a technician of another trade
  ComebackUndecided,          // issue 15: the car was here within the window: link it or say why not
  NotAComeback,               // issue 15: not a comeback work order, or not of that work
  CauseRequired,              // issue 15: a comeback inspection names its cause
  DisputeOpen,                // issue 15: a charge on the slips is disputed and undecided
  SlipsChanged,               // issue 15: the slips signed are not the month's as they stand
  MonthNotOver,               // issue 15: a month's slips are signed once it is over
};
inline constexpr EnumTable<Reason, 66> kReasonNames{{
    {Reason::BadInput, "bad_input"}, {Reason::DuplicateId, "duplicate_id"},
    {Reason::UnknownPerson, "unknown_person"}, {Reason::UnknownBay, "unknown_bay"},
    {Reason::UnknownWorkOrder, "unknown_work_order"}, {Reason::UnknownOperation, "unknown_operation"},
    {Reason::UnknownInspection, "unknown_inspection"}, {Reason::UnknownAddOn, "unknown_addon"},
    {Reason::UnknownIncident, "unknown_incident"}, {Reason::UnknownReviewItem, "unknown_review_item"},
    {Reason::LacksRole, "lacks_role"}, {Reason::WorkOrderClosed, "work_order_closed"},
    {Reason::BlockedUpstreamUnfinished, "blocked_upstream_unfinished"},
    {Reason::BlockedAwaitingHandover, "blocked_awaiting_handover"},
    {Reason::BlockedAddOnUnapproved, "blocked_addon_unapproved"},
    {Reason::BlockedDeclined, "blocked_declined"},
    {Reason::OperationFinished, "operation_finished"}, {Reason::ClockOverlap, "clock_overlap"},
    {Reason::NotClockedOn, "not_clocked_on"}, {Reason::ReasonRequired, "reason_required"},
    {Reason::NotMainTechnician, "not_main_technician"},
    {Reason::NotReadyForInspection, "not_ready_for_inspection"}, {Reason::OwnWork, "own_work"},
    {Reason::MeasuredOutOfTolerance, "measured_out_of_tolerance"},
    {Reason::ResultInconsistent, "result_inconsistent"}, {Reason::DefectRequired, "defect_required"},
    {Reason::RoadTestRequired, "road_test_required"}, {Reason::FinalNotRequired, "final_not_required"},
    {Reason::NotDeliverable, "not_deliverable"}, {Reason::AddOnWrongStep, "addon_wrong_step"},
    {Reason::AddOnResolved, "addon_resolved"}, {Reason::WarningRequired, "warning_required"},
    {Reason::SignatureInvalid, "signature_invalid"},
    {Reason::SignedRecordImmutable, "signed_record_immutable"},
    {Reason::CorrectionChangesResult, "correction_changes_result"},
    {Reason::NotDisputable, "not_disputable"}, {Reason::AlreadyResolved, "already_resolved"},
    {Reason::WrongPin, "wrong_pin"}, {Reason::LockedOut, "locked_out"},
    {Reason::UnknownBadge, "unknown_badge"},
    {Reason::AlreadyClockedOn, "already_clocked_on"},
    {Reason::OperationUnfinished, "operation_unfinished"}, {Reason::FinalMissing, "final_missing"},
    {Reason::OpenReview, "open_review"}, {Reason::DecisionRequired, "decision_required"},
    {Reason::CannotAccept, "cannot_accept"}, {Reason::RefusedAtHub, "refused_at_hub"},
    {Reason::OutOfScope, "out_of_scope"},
    {Reason::VerdictMissing, "verdict_missing"}, {Reason::ValueRequired, "value_required"},
    {Reason::AcknowledgementRequired, "acknowledgement_required"},
    {Reason::OperationRunning, "operation_running"}, {Reason::AwaitingPeerInspection, "awaiting_peer_inspection"},
    {Reason::InRework, "in_rework"}, {Reason::FinalFailed, "final_failed"},
    {Reason::PersonRetired, "person_retired"}, {Reason::SetupCodeInvalid, "setup_code_invalid"},
    {Reason::PinMismatch, "pin_mismatch"}, {Reason::UndoExpired, "undo_expired"},
    {Reason::WrongTrade, "wrong_trade"}, {Reason::ComebackUndecided, "comeback_undecided"},
    {Reason::NotAComeback, "not_a_comeback"}, {Reason::CauseRequired, "cause_required"},
    {Reason::DisputeOpen, "dispute_open"}, {Reason::SlipsChanged, "slips_changed"},
    {Reason::MonthNotOver, "month_not_over"},
}};
BK_ENUM_JSON(Reason)

// Issue 12: what became of the parts taken off the car (旧件).
enum class OldParts : std::uint8_t { Returned, Scrapped, WarrantyReturn };
inline constexpr EnumTable<OldParts, 3> kOldPartsNames{{
    {OldParts::Returned, "returned"}, {OldParts::Scrapped, "scrapped"}, {OldParts::WarrantyReturn, "warranty_return"},
}};
BK_ENUM_JSON(OldParts)

// How an event the rules refuse at ingest is held (DECISIONS.md): kept
// whole in the log, with no effect until a person decides.
//  - conflict: honest kiosks disagree (R16); accepted, its effect applies;
//  - quarantine: a signer without the role (or a signature that does not
//    verify): evidence only, it can only be voided (R17);
//  - refused: bad input refused at the hub; only its tombstone is kept
//    (the event id and why), so there is nothing to accept: voiding it
//    says a person has seen it.
enum class Hold : std::uint8_t { Conflict, Quarantine, Refused };
inline constexpr EnumTable<Hold, 3> kHoldNames{
    {{Hold::Conflict, "conflict"}, {Hold::Quarantine, "quarantine"}, {Hold::Refused, "refused"}}};
BK_ENUM_JSON(Hold)

// Issue 11: what an enrolled client may do. A bay kiosk works the floor
// (clocking, inspections, add-ons, disputes, reviews); the front desk uses
// the work-order API only. Master data (people, bays) is the shop
// administrator's, made on the hub's own machine.
enum class Scope : std::uint8_t { Floor, Desk };
inline constexpr EnumTable<Scope, 2> kScopeNames{{{Scope::Floor, "floor"}, {Scope::Desk, "desk"}}};
BK_ENUM_JSON(Scope)

// A person's decision on a held event.
enum class Decision : std::uint8_t { Accept, Void };
inline constexpr EnumTable<Decision, 2> kDecisionNames{{{Decision::Accept, "accept"}, {Decision::Void, "void"}}};
BK_ENUM_JSON(Decision)

// A refusal the UI can show: a code (translated from assets/i18n) and a
// detail naming the record involved (ids, never secrets).
struct Refusal {
  Reason reason;
  std::string detail;
  bool operator==(const Refusal&) const = default;
};

// The answer of a rule that can say no.
struct [[nodiscard]] Outcome {
  std::optional<Refusal> refusal;
  static Outcome ok() { return {}; }
  static Outcome no(Reason r, std::string detail = {}) { return {Refusal{r, std::move(detail)}}; }
  explicit operator bool() const { return !refusal.has_value(); }
};

}  // namespace bk
