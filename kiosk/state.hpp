#pragma once
// The kiosk's one application state, owned by main (through App). Everything
// personal is reset on sign-out and idle time-out (resetPersonal).
#include "kiosk/ui.hpp"

#include "domain/actions.hpp"
#include "domain/report.hpp"

#include <set>

#include <optional>
#include <variant>

namespace bk::ui {

enum class Screen { Board, SignIn, Work, Inspect, AddOn, Approvals, Floor, Final, Report, Reviews, Delivery, History };

struct Session {
  Id person;
  Millis since = 0;
};

// What the bay knows of the hub (filled by the sync client).
// Offline is ordinary; a fault means the hub answered wrongly (refused this
// kiosk, sent something malformed, keeps changing identity): the bay works
// on offline and says so, and an administrator should look.
// UpdateNeeded (issue 13): the hub speaks another protocol version.
enum class HubFault { None, Unreachable, Refused, BadReply, Unstable, UpdateNeeded };

struct SyncStatus {
  bool hub_configured = false;
  bool reachable = false;
  HubFault fault = HubFault::None;
  std::int64_t pending = 0;  // own events not yet acknowledged by the hub
  Millis last_contact = 0;
  std::int64_t pulled = 0, hub_last = 0;  // a new kiosk catching up with the hub
  // issue 16: a new kiosk loading the hub's snapshot first (bytes; total 0: not said)
  bool loading_snapshot = false;
  std::int64_t snapshot_got = 0, snapshot_total = 0;
  // how far a new kiosk is, 0..1 (the snapshot, then the pull); none: not catching up
  std::optional<float> catchingUp() const {
    if (loading_snapshot) return snapshot_total > 0 ? std::min(1.f, static_cast<float>(snapshot_got) / static_cast<float>(snapshot_total)) : 0.f;
    if (hub_last > 0 && pulled < hub_last) return static_cast<float>(pulled) / static_cast<float>(hub_last);
    return std::nullopt;
  }
};

// Issue 16: a month's report this bay does not hold whole, asked of the hub
// (the sync client's answer, as the screen shows it).
struct HubReport {
  Millis from = 0, to = 0;
  bool done = false;                    // the hub answered, or could not be asked
  std::optional<MonthlyReport> report;  // (moved to AppState::report when it comes)
  std::string error;                    // done without a report: why
  bool unreachable = false;             // ...the hub did not answer (offline)
};

// Issue 16: a car's visits before what this bay holds, asked of the hub.
struct HubHistory {
  std::string vin;
  bool done = false;
  std::vector<Visit> visits;  // the hub's, newest first
  std::string error;          // done without visits: why
  bool unreachable = false;
};

struct InspectForm {
  InspectionKind kind = InspectionKind::Self;
  Id wo;
  std::optional<Id> op, downstream;
  std::vector<ChecklistItem> items;
  int keypad_item = -1;        // the measured item being typed, if any
  int keypad_road = 0;         // or the road test's: 1 odometer start, 2 end, 3 minutes
  std::string keypad_text;
  std::optional<std::string> defect;
  std::optional<Id> defect_op;
  std::optional<Verdict> road_test;  // issue 12: unset until the inspector says
  RoadTest road;               // driver, minutes and findings as entered
  std::optional<int> odo_start, odo_end;
  bool stop = false;           // patrol: stop the operation (R11)
  bool choosing_defect = false;
  std::optional<ComebackCause> cause;  // issue 15: a comeback's, unset until picked
};

// Issue 15: an advisor opens a comeback (返修) of a delivered work order of
// the car, from its history: the customer's concern and the operation to
// do again (its trade, job and technician), nothing picked at first.
struct ComebackForm {
  Id of;
  int concern = -1;  // index into comeback_concerns
  Id op;             // the original operation it is about
};

// Issue 12: handing a car over (交车): what became of the old parts and the
// customer's finger signature for the safety items they declined (R13).
struct DeliveryForm {
  Id wo;                              // the car being handed over
  std::optional<OldParts> old_parts;  // unset until the advisor says
  std::vector<Stroke> strokes;        // the customer's signature
  bool customer_done = false;         // the customer has signed and handed the screen back
  Id done;                            // the last car handed over here: its gate pass is shown
};

struct AddOnForm {
  Id found_on;
  int reason = -1;             // index into the trade's phrases
  int minutes = 30;
  bool safety = false;
  bool warranty = false;
  std::vector<std::string> parts;  // part codes picked from the trade's list
};

struct StepForm {              // an add-on approval step (R12)
  Id addon;
  // issue 14: no default stands in for a person: warranty, consent and its
  // channel start unset, and the not-covered reason is picked
  std::optional<bool> covered;
  int not_covered_reason = -1;
  int price_yuan = 0;          // the labour at the shop's rate, until typed
  std::string price_text;      // issue 14: the price typed on the keypad
  bool typing_price = false;
  int minutes = 30;
  std::optional<bool> granted;
  std::optional<ConsentChannel> channel;
  bool warned = false;
  // issue 14: the director or the manager refuses it, or sends it back to
  // the quote, with a reason (addon_return_reasons); nothing picked at first
  std::optional<bool> refuse;
  int return_reason = -1;
};

struct SignDialog {            // R15: signing asks for the PIN again
  bool open = false;
  Action action = EndShift{};
  std::string pin;
};

struct Message {
  std::string text;  // already translated
  Tone tone = Tone::Neutral;
  Millis until = 0;
};

// Issue 13: a person choosing their own PIN with the setup code from their
// slip: the code, then the new PIN, then the new PIN again.
struct SetupForm {
  int step = 0;       // 0 the code, 1 the new PIN, 2 again
  std::string code, first;
};

// Issue 14: for a few seconds after a clocking, the way back (a compensating
// event, never an edit).
struct UndoOffer {
  UndoClock action;
  Millis until = 0;
};

// Issue 14: the foreman's view of one time entry (a ghost timer): close it
// at a corrected time with a reason, stop it, message the technician, or
// give its operation to someone else (派工).
struct EntryPanel {
  Id entry;
  std::optional<Millis> end;  // the corrected end picked
  int reason = -1;            // index into correction_reasons
  Id to, bay;                 // dispatch: the technician, the bay picked
};

// Issue 14: a form kept for its owner when they are signed out (idle, or
// someone else's badge), brought back when they sign in again at this bay.
struct Draft {
  Screen screen = Screen::Inspect;
  Id selected;
  InspectForm inspect;
  AddOnForm addon;
  Millis saved_at = 0, expires_at = 0;  // expires at the end of their shift
};

struct AppState {
  Screen screen = Screen::Board;
  std::optional<Session> session;
  Id selected;                 // the operation / work order / add-on in focus
  Id pin_person;               // sign-in: who is typing their PIN
  std::string pin;
  std::string pin_note;        // issue 14: a wrong PIN, said beside the keypad, never over it
  std::string badge;           // digits typed by the USB badge reader
  std::optional<SetupForm> setup;  // issue 13: pin_person is setting up their PIN
  // Issue 13: a service manager's reset of someone's forgotten PIN: the new
  // setup code, made before signing and shown once it is signed (person, code).
  std::optional<std::pair<Id, std::string>> reset_pending, reset_shown;
  bool choosing_pause = false; // the pause-reason pick list is open
  Id confirm_switch;           // issue 14: the job to switch to, once confirmed
  std::optional<UndoOffer> undo;  // issue 14
  std::optional<EntryPanel> entry_panel;  // issue 14: the foreman's
  int review_pick = -1;
  Id dispute_incident;         // the charge being disputed (R8)
  int dispute_reason = -1;
  Id ruling_incident;          // the dispute being decided (R8)
  Id ruling_charged_to;
  InspectForm inspect;
  DeliveryForm delivery;
  AddOnForm addon;
  StepForm step;
  SignDialog sign;
  std::optional<Message> message;
  std::optional<std::string> error;  // a frame that threw: shown, not fatal
  std::optional<MonthlyReport> report;  // computed by App when the report opens
  std::string report_month;             // issue 15: its calendar month (YYYY-MM)
  // issue 16: a bay from the hub's snapshot holds the shop's records from
  // this time on; a month or a car's past reaching further back is the hub's
  std::optional<Millis> held_from;
  // issue 16: set while the month's report is (to be) the hub's: a month
  // before held_from, asked of it when the month opens
  std::optional<HubReport> hub_report;
  bool report_slips = false;            // issue 15: the month's fault slips instead of the charts
  std::string history_vin;              // issue 15: the car whose history is open
  std::vector<Visit> history;           // read when it opens
  // issue 16: a bay from a snapshot asks the hub for the car's visits
  // before what it holds; those it shows from the hub's answer
  std::optional<HubHistory> hub_history;
  std::set<Id> history_from_hub;
  std::optional<ComebackForm> comeback; // issue 15: the advisor's, from the history
  Screen history_back = Screen::Work;   // where the history's back button goes
  std::vector<WorkOrder> recent_deliveries;  // issue 15/16: read when the delivery screen opens
  std::string last_export;
  Millis last_input = 0;

  // Sign-out and idle time-out: nothing of one person's screen survives.
  void resetPersonal() {
    const auto keepMessage = message;
    *this = AppState{};
    message = keepMessage;
  }
};

// What a screen asks for; App carries it out between frames.
struct SignInWithPin { Id person; std::string pin; };
struct SignInWithBadge { std::string badge; };
struct SignOut {};
struct Go { Screen to; Id selected; };
struct Submit { Action action; };             // unsigned actions (clocking, proposals…)
struct RequestSignature { Action action; };   // opens the PIN dialog for a signed action
struct SubmitSigned { Action action; std::string pin; };
struct SetLanguage { Lang lang; };
struct ExportReport {};
// Issue 15: the report for a calendar month ("YYYY-MM", the shop's time zone)
struct ShowReportMonth { std::string month; };
struct PrintRecord { Id wo; };  // issue 12: the quality record, to the bay's printer
struct SetUpPin { Id person; std::string code, pin, again; };  // issue 13
struct ResetPin { Id person; };  // issue 13: a service manager's, signed
using Intent = std::variant<SignInWithPin, SignInWithBadge, SignOut, Go, Submit, RequestSignature, SubmitSigned,
                            SetLanguage, ExportReport, PrintRecord, SetUpPin, ResetPin, ShowReportMonth>;

// Issue 14: how long an unsaved form holds off the idle sign-out.
inline constexpr Millis kFormIdleMs = 10 * 60 * 1000;
// Issue 14: a form has input its person has not signed or sent.
bool formDirty(const AppState& st);
// Issue 14: a draft as kept on disk (throws json::exception on anything else).
json draftToJson(const Draft& d);
Draft draftFromJson(const json& j);

// Issue 15/16: what a screen works out from the whole shop, kept until the
// shop changes (its generation) instead of worked out on every frame: over
// years of history these read many records. Owned by the App.
struct Derived {
  std::uint64_t generation = ~0ull;
  std::optional<std::vector<Id>> open_comebacks;  // the floor's, newest first
  std::string slips_key;                          // the fault slips below are for: month, person, minute
  std::vector<SlipRow> slips;
  std::optional<Outcome> slips_ready;             // may they be signed now
  // Forgets everything worked out from another shop than generation `g`.
  void renew(std::uint64_t g) {
    if (g != generation) *this = Derived{g};
  }
};

// What a draw function may read.
struct View {
  const Shop& shop;
  AppState& st;        // the UI's own form state (edited in place)
  const SyncStatus& sync;
  Millis now = 0;
  Id bay;
  int idle_seconds = 90;
  int utc_offset_minutes = 480;
  bool can_print = false;  // a printer is configured (issue 12)
  // Issue 14: what waits on each tab (peer inspections on the floor, finals,
  // reviews), counted by the App when the shop changes, not every frame
  const std::map<Screen, int>* waiting = nullptr;
  Derived* derived = nullptr;  // issue 16: kept across frames (none: worked out each time)
  const Person* me() const { return st.session ? shop.person(st.session->person) : nullptr; }
  bool has(Role r) const { auto* p = me(); return p && p->has(r); }
};

using Intents = std::vector<Intent>;

// Helpers every screen uses.
std::string clockText(Millis t, int utc_offset_minutes);       // "14:05"
std::string dateTimeText(Millis t, int utc_offset_minutes);    // "11-23 14:05"
std::string dateText(Millis t, int utc_offset_minutes);        // "2027-06-30"
std::string durationText(Millis ms);                           // "1:05:09"
std::string yuanText(long long yuan);                          // "1,860"
Millis localMidnight(Millis t, int utc_offset_minutes);        // the shop's day that holds t, its start
std::string personName(const Shop& s, const Id& id);
std::string opTitle(const Ui& ui, const Shop& s, const Operation& op);  // "粤B·12345 · 更换刹车片"
std::string refusalText(const Ui& ui, const Refusal& r);

}  // namespace bk::ui
