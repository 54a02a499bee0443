#include "kiosk/tour.hpp"

#include "kiosk/screens/screens.hpp"

#include "domain/rules.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace bk::ui {
namespace {

Millis wallNow() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

const Person* anyone(const Shop& s, Role r) {
  for (auto& [id, p] : s.people) if (p.has(r)) return &p;
  return nullptr;
}

}  // namespace

int runTour(App& app, Texts& texts, const std::string& dir, const std::function<bool(const std::string&)>& shoot,
            const std::function<void()>& pause) {
  std::filesystem::create_directories(dir);
  const Shop& s = app.shop();
  AppState& st = app.state();
  int failures = 0, shots = 0;
  // a bay with work running, so the board has something to show; issue 14:
  // someone with a second job waiting, so the switch can be shown asking first
  const TimeEntry* running = s.open_entries.empty() ? nullptr : &s.entries.at(*s.open_entries.begin());
  for (const Id& id : s.open_entries) {
    const TimeEntry& e = s.entries.at(id);
    for (auto& [oid, o] : s.operations)
      if (o.main_tech == e.tech && oid != e.op && o.phase == Phase::Open && !clockBlocker(s, o)) running = &e;
  }
  // issue 14: and someone whose job is paused (nothing running), for its card
  const Person* pausedTech = nullptr;
  for (auto& [id, e] : s.entries)
    if (!pausedTech && e.end && e.reason == StopReason::WaitingParts && s.openEntriesOf(e.tech).empty() &&
        pausedEntry(s, e.op, e.tech) == &e)
      pausedTech = s.person(e.tech);
  if (running) app.config().bay = running->bay;

  auto as = [&](const Person* p, Screen screen) {
    st.resetPersonal();
    st.message.reset();
    if (p) st.session = Session{p->id, wallNow()};
    st.last_input = wallNow();
    st.screen = screen;
    if (screen == Screen::Report) {  // issue 15: this calendar month, as the kiosk opens it
      app.showReport(monthOf(wallNow(), app.utcOffset()));
    }
  };
  View view{s, st, app.sync(), wallNow(), app.config().bay, app.idleSeconds(), app.utcOffset()};
  auto shot = [&](const std::string& name) {
    st.last_input = wallNow();
    const std::string path = dir + "/" + name + "-" + texts.code() + ".png";
    ++shots;
    if (!shoot(path)) {
      std::fprintf(stderr, "tour: could not write %s\n", path.c_str());
      ++failures;
    }
  };

  for (Lang lang : {Lang::Zh, Lang::En}) {
    texts.lang = lang;
    as(nullptr, Screen::Board);
    shot("01-board");
    as(nullptr, Screen::SignIn);
    shot("02-sign-in-names");
    if (running) {
      st.pin_person = running->tech;
      st.pin = "12";
      shot("03-sign-in-pin");
      // issue 14: a wrong PIN is said beside the keypad, with the tries left
      st.pin.clear();
      st.pin_note = format(texts("pin.wrong_left"), {"3"});
      shot("03-sign-in-wrong-pin");
      st.pin_note.clear();
      // issue 13: a new person choosing their own PIN with their setup code
      st.setup = SetupForm{1, "00000000", {}};
      st.pin = "1234";
      shot("03-first-pin-setup");
      st.setup.reset();
      as(s.person(running->tech), Screen::Work);
      shot("04-technician-work");
      // issue 15: the car's history, from the job card
      app.showHistory(s.work_orders.at(running->wo).vehicle.vin);
      st.screen = Screen::History;
      shot("04-vehicle-history");
      st.screen = Screen::Work;
      if (pausedTech) {  // issue 14: why it is paused, the time so far, Resume
        as(pausedTech, Screen::Work);
        shot("04-paused-job");
        as(s.person(running->tech), Screen::Work);
      }
      st.choosing_pause = true;
      shot("05-pause-reason");
      st.choosing_pause = false;
      // issue 14: undo for a few seconds after a clocking
      st.undo = UndoOffer{UndoClock{running->tech, running->id, {}, 0}, wallNow() + 7000};
      shot("05-undo");
      st.undo.reset();
      // issue 14: switching from the running job asks first
      for (auto& [id, o] : s.operations)
        if (o.main_tech == running->tech && id != running->op && !clockBlocker(s, o) && o.phase != Phase::Done) {
          st.confirm_switch = id;
          shot("05-switch-asks-first");
          st.confirm_switch.clear();
          break;
        }
      const Operation& op = s.operations.at(running->op);
      as(s.person(running->tech), Screen::Inspect);
      startInspection(view, app.catalog(), InspectionKind::Self, op.wo, op.id, std::nullopt);
      for (std::size_t i = 0; i < st.inspect.items.size(); ++i)
        if (!st.inspect.items[i].unit.empty()) { st.inspect.keypad_item = static_cast<int>(i); st.inspect.keypad_text = "12"; break; }
      shot("06-self-inspection-keypad");
      as(s.person(running->tech), Screen::AddOn);
      st.addon = AddOnForm{op.id, 0, 90, true, false};
      shot("07-raise-addon");
      as(s.person(running->tech), Screen::Inspect);
      startInspection(view, app.catalog(), InspectionKind::Peer, op.wo, op.id, std::nullopt);
      if (!st.inspect.items.empty()) st.inspect.items[0].verdict = Verdict::Fail;
      st.inspect.defect = app.catalog().defects(op.trade).front().code;
      shot("08-inspection-failed-defect");
      // issue 14: the same half-filled form, brought back at the person's next sign-in
      st.message = Message{texts("draft.restored"), Tone::Primary, wallNow() + 6000};
      shot("08-draft-restored");
      st.message.reset();
    }
    as(anyone(s, Role::Foreman), Screen::Floor);
    shot("09-foreman-floor");
    // issue 14: the foreman on one entry (a ghost timer if there is one):
    // close it at a corrected time, message the technician, reassign
    if (const Person* foreman = anyone(s, Role::Foreman)) {
      const TimeEntry* pick = nullptr;
      for (const TimeEntry* e : overlongEntries(s, wallNow()))
        if (e->tech != foreman->id) { pick = e; break; }
      for (const Id& id : s.open_entries)
        if (!pick && s.entries.at(id).tech != foreman->id) pick = &s.entries.at(id);
      if (pick) {
        st.entry_panel = EntryPanel{pick->id, wallNow(), 0, {}, {}};
        shot("09-foreman-entry");
        st.sign = SignDialog{true, CorrectEntry{pick->id, wallNow(), app.catalog().phrases("correction_reasons").front().code, {}}, "12"};
        shot("09-foreman-correction-sign");
        st.sign = SignDialog{};
        st.entry_panel.reset();
      }
    }
    // issue 15: a comeback's cause, found by the foreman: workmanship in the
    // original job, its defect picked
    for (auto it = s.comebacks_by_open.rbegin(); it != s.comebacks_by_open.rend(); ++it) {
      const WorkOrder& cb = s.work_orders.at(it->second);
      if (cb.delivered_at || comebackInspection(s, cb.id)) continue;
      const auto orig = s.opsOf(cb.comeback_of);
      if (orig.empty()) continue;
      as(anyone(s, Role::Foreman), Screen::Inspect);
      startInspection(view, app.catalog(), InspectionKind::Comeback, cb.id, std::nullopt, std::nullopt);
      for (auto& item : st.inspect.items) item.verdict = Verdict::Pass;
      st.inspect.cause = ComebackCause::Workmanship;
      st.inspect.op = orig.front()->id;
      st.inspect.defect = app.catalog().defects(orig.front()->trade).front().code;
      shot("09-comeback-cause");
      break;
    }
    as(anyone(s, Role::QualityInspector), Screen::Final);
    shot("10-final-inspection-queue");
    // the final-inspection form: a work order waiting for it, else any open
    // one that will need it
    Id finalWo;
    for (auto& [id, wo] : s.work_orders) {
      if (wo.delivered_at || !finalRequired(s, wo)) continue;
      auto b = deliveryBlockers(s, wo);
      if (finalWo.empty() || (b.size() == 1 && b[0].reason == Reason::FinalMissing)) finalWo = id;
    }
    if (!finalWo.empty()) {
      as(anyone(s, Role::QualityInspector), Screen::Inspect);
      startInspection(view, app.catalog(), InspectionKind::Final, finalWo, std::nullopt, std::nullopt);
      shot("11-final-inspection-form");
    }
    const AddOn* pending = nullptr;
    for (auto& [id, a] : s.addons) if (!a.resolved() && !s.work_orders.at(a.wo).delivered_at) pending = &a;
    as(anyone(s, Role::ServiceAdvisor), Screen::Approvals);
    if (pending) { st.step = StepForm{pending->id}; st.step.minutes = pending->est_minutes; st.step.price_yuan = 300; }
    shot("12-addon-approvals");
    // issue 14: the warranty clerk's step with the car's VIN, mileage and warranty
    for (auto& [id, a] : s.addons)
      if (a.warranty_claimed && !a.warranty && !a.resolved() && !s.work_orders.at(a.wo).delivered_at) {
        as(anyone(s, Role::WarrantyClerk), Screen::Approvals);
        st.step = StepForm{id};
        shot("12-addon-warranty");
        break;
      }
    // issue 14: the director (or the manager) sending an add-on back, with a reason
    for (auto& [id, a] : s.addons) {
      if (a.resolved() || !a.quote || a.manager || s.work_orders.at(a.wo).delivered_at) continue;
      as(anyone(s, a.technical ? Role::ServiceManager : Role::TechDirector), Screen::Approvals);
      st.step = StepForm{id};
      st.step.refuse = false;
      st.step.return_reason = 0;
      shot("12-addon-send-back");
      break;
    }
    as(anyone(s, Role::ServiceAdvisor), Screen::Approvals);
    if (pending) { st.step = StepForm{pending->id}; st.step.minutes = pending->est_minutes; st.step.price_yuan = 300; }
    // the signing dialog: an add-on quote, or else a self-inspection
    if (pending) {
      st.sign = SignDialog{true, QuoteAddOn{pending->id, 30000, pending->est_minutes, {}}, "12"};
      shot("13-sign-dialog");
    } else if (running) {
      const Operation& op = s.operations.at(running->op);
      as(s.person(running->tech), Screen::Inspect);
      Inspection in;
      in.kind = InspectionKind::Self;
      in.wo = op.wo;
      in.op = op.id;
      in.inspector = running->tech;
      in.id = "in-" + op.id;  // the kiosk gives it a fresh id before the dialog opens
      in.items = app.catalog().blankItems(InspectionKind::Self, op.trade, op.title);
      for (auto& it : in.items) {
        if (it.min) it.value = (*it.min + *it.max) / 2;
        it.verdict = it.unit.empty() ? std::optional<Verdict>(Verdict::Pass) : measuredVerdict(it);
      }
      st.sign = SignDialog{true, RecordInspection{in, {}}, "12"};
      shot("13-sign-dialog");
    }
    as(anyone(s, Role::ServiceManager), Screen::Reviews);
    shot("14-reviews");
    // issue 14: one held item, both facts side by side in words
    for (auto& [id, r] : s.reviews)
      if (!r.resolved_by && r.hold == Hold::Conflict) {
        st.selected = id;
        shot("14-review-item");
        break;
      }
    // issue 12: handing a car over, the customer signing for a declined
    // safety item when one is ready, then the gate pass
    Id ready, readyDeclined, declined, delivered;
    for (auto& [id, wo] : s.work_orders) {
      if (wo.delivered_at) { if (!wo.gate_pass.empty()) delivered = id; continue; }
      const bool signs = !declinedSafety(s, id).empty();
      if (signs) declined = id;
      if (!deliveryBlockers(s, wo).empty()) continue;
      ready = id;
      if (signs) readyDeclined = id;
    }
    // the pad shows when the customer declined a safety item
    if (!readyDeclined.empty()) ready = readyDeclined;
    else if (!declined.empty()) ready = declined;
    as(anyone(s, Role::ServiceAdvisor), Screen::Delivery);
    if (!ready.empty()) {
      st.delivery = DeliveryForm{ready, OldParts::Returned, {}, {}};
      for (int k = 0; k < 3; ++k) {  // a hand-written name, as a finger would
        Stroke line;
        for (int i = 0; i < 24; ++i)
          line.push_back({120 + k * 260 + i * 9, 520 + static_cast<int>(140 * std::sin(i * 0.5 + k))});
        st.delivery.strokes.push_back(line);
      }
    }
    shot("16-delivery-customer-signs");
    if (!ready.empty()) {
      st.delivery.customer_done = true;
      shot("17-delivery");
      st.sign = SignDialog{true, formDelivery(view), "12"};
      shot("18-delivery-sign");
      st.sign = SignDialog{};
    }
    if (!delivered.empty()) {
      st.delivery = DeliveryForm{{}, {}, {}, false, delivered};
      shot("19-gate-pass");
    }
    // issue 15: an advisor at the history of a car that came back, opening
    // another comeback of its last visit: the concern and the job picked
    // (the car's past is brought into memory by the history screen, so the
    // comebacks are listed first: bringing it in re-indexes the shop)
    std::vector<std::pair<Id, std::string>> found;
    for (auto it = s.comebacks_by_open.rbegin(); it != s.comebacks_by_open.rend(); ++it)
      if (comebackInspection(s, it->second)) found.emplace_back(it->second, s.work_orders.at(it->second).vehicle.vin);
    for (const auto& [cbId, vin] : found) {
      as(anyone(s, Role::ServiceAdvisor), Screen::History);
      st.history_back = Screen::Delivery;
      app.showHistory(vin);
      const WorkOrder* cb = s.workOrder(cbId);
      const WorkOrder* orig = cb ? s.workOrder(cb->comeback_of) : nullptr;
      if (!orig || s.opsOf(orig->id).empty()) continue;
      st.comeback = ComebackForm{orig->id, 0, s.opsOf(orig->id).front()->id};
      shot("20-comeback-history");
      break;
    }
    as(anyone(s, Role::ServiceManager), Screen::Report);
    shot("15-quality-report");
    // issue 15: last month's fault slips, for the service manager to sign
    app.showReport(addMonths(monthOf(wallNow(), app.utcOffset()), -1));
    st.report_slips = true;
    shot("15-fault-slips");
    // issue 16: a month before what this bay holds (it started from the
    // hub's snapshot), asked of the hub, its answer shown
    if (pause && app.state().held_from) {
      as(anyone(s, Role::ServiceManager), Screen::Report);
      app.showReport(addMonths(monthOf(wallNow(), app.utcOffset()), -2));
      for (int i = 0; i < 200 && st.hub_report && !st.hub_report->done; ++i) pause();
      shot("15-report-from-hub");
    }
  }
  st.resetPersonal();
  std::printf("tour: %d screenshots in %s%s\n", shots - failures, dir.c_str(), failures ? " (some failed)" : "");
  return failures ? 1 : 0;
}

}  // namespace bk::ui
