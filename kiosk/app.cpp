#include "kiosk/app.hpp"

#include "kiosk/screens/screens.hpp"

#include <imgui_internal.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <thread>
#include <fstream>

namespace bk::ui {

App::App(const KioskConfig& cfg, Store& store, const Catalog& cat, Texts& texts, Entropy& entropy)
    : cfg_(cfg), store_(store), cat_(cat), texts_(texts), entropy_(entropy) {
  metrics_.dpi = cfg.dpi;
  texts_.lang = cfg.lang == "en" ? Lang::En : Lang::Zh;
  sync_.hub_configured = !cfg.hub.empty();
  sync_.pending = store.lastOwnSeq();  // nothing has been acknowledged by a hub yet
  loadDrafts();
}

namespace {
// Holds the store's lock when sync threads share it: every read of the shop
// by the UI (a frame, the next wake-up, the glyphs) is under it.
struct MaybeLock {
  std::mutex* mu;
  explicit MaybeLock(std::mutex* m) : mu(m) { if (mu) mu->lock(); }
  ~MaybeLock() { if (mu) mu->unlock(); }
};
}  // namespace

std::string App::glyphText() const {
  std::string s = texts_.allText() + cat_.allText();
  MaybeLock lock(store_mu_);
  const Shop& shop = store_.shop();
  for (auto& [id, p] : shop.people) s += p.name;
  for (auto& [id, b] : shop.bays) s += b.name;
  for (auto& [id, w] : shop.work_orders) s += w.number + w.vehicle.plate + w.vehicle.model + w.customer + w.complaint;
  for (auto& [id, op] : shop.operations) s += op.instructions;  // issue 14: the desk's free text
  return s;
}

bool App::fontsCoverData() const {
  if (!fonts_.body) return false;
  // the shop's text is walked again only when the shop changed
  std::uint64_t generation = 0;
  {
    MaybeLock lock(store_mu_);
    generation = store_.generation();
  }
  if (covered_generation_ == generation && covered_build_ == fonts_.builds) return true;
  if (!fontCovers(fonts_, glyphText())) return false;
  covered_generation_ = generation;
  covered_build_ = fonts_.builds;
  return true;
}

void App::say(const std::string& text, Tone tone, Millis now) { st_.message = Message{text, tone, now + 6000}; }

void App::refused(const Refusal& r, Millis now) {
  say(texts_("reason." + std::string(name(r.reason))), Tone::Bad, now);
}

bool App::pinNote(Reason r, const Id& person, Millis now) {
  // issue 14: beside the keypad, with the attempts left; the toast would cover it
  if (r != Reason::WrongPin) return false;
  st_.pin_note = format(texts_("pin.wrong_left"), {std::to_string(pinAttemptsLeft(store_.shop(), person, now))});
  return true;
}

void App::noteInput(Millis now) { st_.last_input = now; }

void App::onText(unsigned c, Millis now) {
  noteInput(now);
  // A USB badge reader types digits and Enter, like a keyboard. Issue 14:
  // also while someone is signed in: another person's badge takes over.
  if (c >= '0' && c <= '9' && st_.badge.size() < 32) st_.badge += static_cast<char>(c);
}

void App::onEnter(Millis now) {
  noteInput(now);
  if (!st_.badge.empty()) {
    pending_.push_back(SignInWithBadge{st_.badge});
    st_.badge.clear();
  }
}

Millis App::nextWake(Millis now) const {
  const Millis nextSecond = (now / 1000 + 1) * 1000;
  if (st_.session) return nextSecond;                       // idle countdown, live timer
  // the locked board shows this bay's running timers: tick only while one runs here
  MaybeLock lock(store_mu_);  // the sync thread changes the shop meanwhile
  const Shop& shop = store_.shop();
  for (const Id& id : shop.open_entries) {
    const TimeEntry& e = shop.entries.at(id);
    const WorkOrder* wo = shop.workOrder(e.wo);
    if (e.bay == cfg_.bay || (wo && wo->bay == cfg_.bay)) return nextSecond;
  }
  if (st_.message && st_.message->until > now) return std::min(st_.message->until, nextSecond);
  return (now / 60000 + 1) * 60000;                         // the clock's next minute
}

namespace {
// The quality record's and the fault slips' PDF settings at this bay.
record::Options pdfOptions(const KioskConfig& cfg, const std::string& lang, int utc_offset, Millis now) {
  record::Options o;
  o.lang = lang;
  o.font = cfg.font;
  o.shop = cfg.shop_name;
  o.utc_offset_minutes = utc_offset;
  o.printed_at = now;
  return o;
}
}  // namespace

void App::fillIds(Action& a, Millis now) {
  auto fresh = [&](const char* prefix) { return prefix + toHex(ids_.next(now, entropy_.random8())); };
  if (auto* v = std::get_if<ClockOn>(&a); v && v->entry.empty()) v->entry = fresh("te-");
  if (auto* v = std::get_if<RecordInspection>(&a); v && v->inspection.id.empty()) v->inspection.id = fresh("in-");
  if (auto* v = std::get_if<SendMessage>(&a); v && v->message.empty()) v->message = fresh("msg-");
  if (auto* v = std::get_if<ProposeAddOn>(&a); v && v->addon.empty()) {
    v->addon = fresh("ad-");
    v->op = fresh("op-");
  }
  // issue 15: an advisor's comeback: numbered after the work order it came back from
  if (auto* v = std::get_if<OpenWorkOrder>(&a); v && v->wo.id.empty()) {
    v->wo.id = fresh("wo-");
    if (v->wo.number.empty()) {
      const WorkOrder* orig = store_.shop().workOrder(v->wo.comeback_of);
      auto back = store_.shop().comebacks_of.find(v->wo.comeback_of);
      const std::size_t n = back == store_.shop().comebacks_of.end() ? 1 : back->second.size() + 1;
      v->wo.number = (orig ? orig->number : v->wo.id.str()) + "-R" + std::to_string(n);
    }
    for (std::size_t k = 0; k < v->ops.size(); ++k)
      if (v->ops[k].id.empty()) v->ops[k].id = v->wo.id + "-" + std::to_string(k + 1);
  }
}

void App::signIn(const Id& person, Millis now) {
  if (st_.session && st_.session->person != person) keepDraft(now);
  st_.resetPersonal();
  st_.message.reset();  // issue 14: one person's feedback is not the next one's
  st_.session = Session{person, now};
  st_.last_input = now;
  // issue 14: the language follows whoever signs in (theirs, else what the
  // board shows: the shop's, or what they switched it to before signing in)
  if (auto l = langs_.find(person); l != langs_.end()) texts_.lang = l->second;
  const auto screens = screensFor(*store_.shop().person(person));
  openScreen(screens.empty() ? Screen::Board : screens.front(), now);
  restoreDraft(now);
}

void App::signOut(Millis now) {
  keepDraft(now);
  st_.resetPersonal();
  texts_.lang = shopLang();  // issue 14: the board in the shop's language
}

Millis App::endOfShift(Millis now) const {
  // the policy's working day ends at work_end_minute, local; after it, the next day's
  Millis end = localMidnight(now, utcOffset()) + Millis{store_.shop().policy.work_end_minute} * 60'000;
  if (end <= now) end += 24LL * 3600 * 1000;
  return end;
}

void App::keepDraft(Millis now) {
  if (!st_.session || !formDirty(st_)) return;
  Draft d;
  d.screen = st_.screen;
  d.selected = st_.selected;
  d.inspect = st_.inspect;
  d.inspect.keypad_item = -1;
  d.inspect.keypad_road = 0;
  d.inspect.choosing_defect = false;
  d.addon = st_.addon;
  d.saved_at = now;
  d.expires_at = endOfShift(now);
  drafts_[st_.session->person] = std::move(d);
  saveDrafts();
}

void App::restoreDraft(Millis now) {
  if (!st_.session) return;
  bool changed = false;
  for (auto it = drafts_.begin(); it != drafts_.end();)  // the ended shifts' drafts go
    if (it->second.expires_at <= now) it = drafts_.erase(it), changed = true;
    else ++it;
  auto it = drafts_.find(st_.session->person);
  if (it != drafts_.end()) {
    Draft d = std::move(it->second);
    drafts_.erase(it);
    changed = true;
    st_.selected = d.selected;
    if (d.screen == Screen::Inspect) st_.inspect = std::move(d.inspect);
    else st_.addon = std::move(d.addon);
    openScreen(d.screen, now);
    say(texts_("draft.restored"), Tone::Primary, now);
  }
  if (changed) saveDrafts();
}

void App::saveDrafts() const {
  // issue 14: written whole to a new file, then renamed over the old, 0600
  json j{{"drafts", json::object()}, {"langs", json::object()}};
  for (auto& [person, d] : drafts_) j["drafts"][person] = draftToJson(d);
  for (auto& [person, l] : langs_) j["langs"][person] = l == Lang::En ? "en" : "zh";
  const std::string path = draftsPath(), tmp = path + ".tmp";
  try {
    {
      std::ofstream f(tmp, std::ios::trunc);
      f << j.dump();
      if (!f) throw std::runtime_error("cannot write " + tmp);
    }
    std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::replace);
    std::filesystem::rename(tmp, path);
  } catch (const std::exception&) {
    // a draft is a convenience: the kiosk goes on without it on disk
  }
}

void App::loadDrafts() {
  std::ifstream f(draftsPath());
  if (!f) return;
  try {
    const json all = json::parse(f);
    if (!all.is_object()) return;
    if (auto l = all.find("langs"); l != all.end() && l->is_object())
      for (auto it = l->begin(); it != l->end() && langs_.size() < 1000; ++it)
        if (it->is_string() && store_.shop().person(it.key())) langs_[it.key()] = it->get<std::string>() == "en" ? Lang::En : Lang::Zh;
    const auto d = all.find("drafts");
    if (d == all.end() || !d->is_object()) return;
    const json& j = *d;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (drafts_.size() >= 200) break;  // a bay's people, never more
      try {
        if (store_.shop().person(it.key())) drafts_[it.key()] = draftFromJson(it.value());
      } catch (const json::exception&) {
        // one damaged draft is dropped, the others kept
      }
    }
  } catch (const json::exception&) {
    // a damaged file: no drafts
  }
}

// Issue 15: the report for a calendar month in the shop's time zone, the same
// bounds as the hub's /api/v1/report?month=
void App::showReport(const std::string& month) {
  const auto range = calendarMonth(month, utcOffset());
  if (!range) return;
  st_.report_month = month;
  // issue 16: a month this bay does not hold whole (it started from the
  // hub's snapshot after it) is the hub's report to give: said, not half shown
  st_.held_from = store_.holdsEverySince();
  st_.hub_report.reset();
  if (st_.held_from && range->first < *st_.held_from) {
    st_.report.reset();
    report_generation_ = store_.generation();
    if (ask_report_) {  // ...asked of it now (the screen says so meanwhile)
      st_.hub_report = HubReport{range->first, range->second};
      ask_report_(range->first, range->second);
    }
    return;
  }
  // issue 16: the month's work orders brought into the working set (this
  // month and last are there already: the fault slips and their signing
  // read them there), and its figures as kept once computed for a month
  // past (Store::report)
  store_.shopForMonth(range->first, range->second);
  st_.report = store_.report(range->first, range->second);
  report_generation_ = store_.generation();
}

void App::showHistory(const std::string& vin) {
  st_.history_vin = vin;
  st_.held_from = store_.holdsEverySince();
  // issue 16: a bay from a snapshot asks the hub for the car's visits as
  // the history opens (again only if it did not answer, or for another car)
  if (!st_.held_from || !ask_history_) {
    st_.hub_history.reset();
  } else if (!st_.hub_history || st_.hub_history->vin != vin || (st_.hub_history->done && !st_.hub_history->error.empty())) {
    st_.hub_history = HubHistory{vin};
    ask_history_(vin);
  }
  readHistory();
}

void App::readHistory() {
  // issue 16: every visit, brought from the store into the working set
  // while the screen is open (the comeback form and its rules read them)
  st_.history = vehicleHistory(store_.shopForVehicle(st_.history_vin), st_.history_vin);
  history_generation_ = store_.generation();
  // ...and the hub's of those it does not hold, newest first with them
  st_.history_from_hub.clear();
  if (!st_.hub_history || st_.hub_history->vin != st_.history_vin) return;
  std::set<Id> own;
  for (const Visit& v : st_.history) own.insert(v.wo.id);
  for (const Visit& v : st_.hub_history->visits)
    if (!own.count(v.wo.id)) {
      st_.history.push_back(v);
      st_.history_from_hub.insert(v.wo.id);
    }
  std::stable_sort(st_.history.begin(), st_.history.end(), [](const Visit& a, const Visit& b) { return a.wo.opened_at > b.wo.opened_at; });
}

// Issue 15/16: the cars handed over within the comeback window, newest
// first (at most 40), read from the store: a kiosk holds two days.
void App::showDeliveries(Millis now) {
  st_.recent_deliveries = store_.deliveredSince(now - Millis{store_.shop().policy.comeback_days} * 86'400'000, 40);
  deliveries_generation_ = store_.generation();
  deliveries_read_at_ = now;
}

void App::openScreen(Screen s, Millis now) {
  st_.screen = s;
  st_.choosing_pause = false;
  st_.confirm_switch.clear();
  if (s != Screen::Floor) st_.entry_panel.reset();
  scroll_top_ = 2;  // issue 14: every screen and form opens at the top
  if (s == Screen::Report) showReport(monthOf(now, utcOffset()));  // issue 15: this calendar month, like the API
  if (s == Screen::History) showHistory(st_.history_vin);  // issue 15
  if (s != Screen::Report && s != Screen::History) store_.stopViewing();  // issue 16: their past may leave memory
}

void App::handle(const Intent& in, Millis now) {
  std::visit(
      [&](const auto& i) {
        using T = std::decay_t<decltype(i)>;
        if constexpr (std::is_same_v<T, SignInWithPin>) {
          auto r = store_.signInPin(i.person, i.pin, now);
          if (r) signIn(r.person, now);
          else if (!pinNote(r.outcome.refusal->reason, i.person, now)) refused(*r.outcome.refusal, now);
        } else if constexpr (std::is_same_v<T, SignInWithBadge>) {
          auto r = store_.signInBadge(i.badge, now);
          if (r && st_.session && st_.session->person == r.person) return;  // their own badge again
          if (r && setupPending(store_.shop(), r.person, now)) {
            // issue 13: their setup code first; they are signed in once their PIN is set
            signOut(now);
            st_.screen = Screen::SignIn;
            st_.pin_person = r.person;
            st_.setup = SetupForm{};
            st_.last_input = now;
          } else if (r) {
            signIn(r.person, now);
          } else {
            refused(*r.outcome.refusal, now);
          }
        } else if constexpr (std::is_same_v<T, SignOut>) {
          signOut(now);
        } else if constexpr (std::is_same_v<T, Go>) {
          if (i.to != Screen::Board && i.to != Screen::SignIn && !st_.session) return;
          st_.selected = i.selected;
          openScreen(i.to, now);
        } else if constexpr (std::is_same_v<T, Submit>) {
          Action a = i.action;
          fillIds(a, now);
          // issue 14: what would undo it, asked of the state before it
          std::optional<UndoClock> undo = undoFor(store_.shop(), a);
          const bool undoing = std::holds_alternative<UndoClock>(a);
          auto r = store_.record(std::move(a), now);
          if (r && on_recorded_) on_recorded_();
          if (r) say(texts_("done." + r.event->type), Tone::Good, now);
          else refused(*r.outcome.refusal, now);
          if (r && undo) st_.undo = UndoOffer{*undo, now + kUndoOffered};
          else if (undoing || r) st_.undo.reset();
          st_.confirm_switch.clear();
          // issue 15: a comeback opened from the car's history shows there at once
          if (r && st_.screen == Screen::History) readHistory();
        } else if constexpr (std::is_same_v<T, RequestSignature>) {
          // ids first, so the dialog names exactly the record that will be signed
          Action a = i.action;
          fillIds(a, now);
          st_.sign = SignDialog{true, std::move(a), ""};
          st_.pin_note.clear();
        } else if constexpr (std::is_same_v<T, SubmitSigned>) {
          if (!st_.session) return;
          Action a = i.action;
          fillIds(a, now);
          auto r = store_.sign(std::move(a), st_.session->person, i.pin, now);
          if (!r) {
            if (!pinNote(r.reason(), st_.session->person, now)) refused(*r.outcome.refusal, now);
            if (r.reason() != Reason::WrongPin) st_.sign = SignDialog{};
            if (r.reason() == Reason::LockedOut) st_.resetPersonal();
            return;
          }
          st_.sign = SignDialog{};
          if (on_recorded_) on_recorded_();
          say(texts_("done." + r.event->type), Tone::Good, now);
          if (auto* ra = std::get_if<ReturnAddOn>(&i.action))  // issue 14: which of the two was recorded
            say(texts_(ra->refuse ? "done.addon_refused" : "done.addon_sent_back"), ra->refuse ? Tone::Bad : Tone::Warn, now);
          if (auto* ri = std::get_if<RecordInspection>(&i.action)) {
            // issue 14: what was recorded, with its verdict: a rejection never reads as a pass
            const Inspection& in = ri->inspection;
            const bool pass = in.result == Verdict::Pass;
            std::string text = texts_("done.record_inspection") + " · " + texts_("inspection." + std::string(name(in.kind))) +
                               " · " + texts_(pass ? "verdict.pass" : "verdict.fail");
            if (in.defect) text += " · " + cat_.text(*in.defect, texts_.code());
            say(text, pass ? Tone::Good : Tone::Bad, now);
          }
          if (std::holds_alternative<CorrectEntry>(i.action) || std::holds_alternative<ReassignOperation>(i.action))
            st_.entry_panel.reset();
          if (auto* c = std::get_if<IssueSetupCode>(&i.action); c && st_.reset_pending && st_.reset_pending->first == c->person)
            st_.reset_shown = std::exchange(st_.reset_pending, std::nullopt);
          if (auto* d = std::get_if<DeliverWorkOrder>(&i.action)) st_.delivery = DeliveryForm{{}, {}, {}, false, d->wo};
          if (std::holds_alternative<RecordInspection>(i.action)) {
            st_.inspect = InspectForm{};
            openScreen(screensFor(*store_.shop().person(st_.session->person)).front(), now);
          }
        } else if constexpr (std::is_same_v<T, SetLanguage>) {
          texts_.lang = i.lang;
          if (st_.session) {  // issue 14: theirs, at their next sign-in too
            langs_[st_.session->person] = i.lang;
            saveDrafts();
          }
        } else if constexpr (std::is_same_v<T, ShowReportMonth>) {
          // never a month after this one
          if (i.month <= monthOf(now, utcOffset())) showReport(i.month);
        } else if constexpr (std::is_same_v<T, ExportReport>) {
          if (!st_.report) return;
          std::filesystem::create_directories(cfg_.export_dir);
          const std::string path = cfg_.export_dir + "/quality-report-" + std::to_string(now / 1000) + ".csv";
          std::ofstream f(path);
          f << "\xEF\xBB\xBF" << reportCsv(store_.shop(), *st_.report);  // BOM: spreadsheets read UTF-8
          if (!f) { say(texts_("report.export_failed"), Tone::Bad, now); return; }
          st_.last_export = path;
          // issue 15: the service manager's export takes the month's fault
          // slips too: CSV for payroll and the PDF to print and hand out
          if (const Person* me = st_.session ? store_.shop().person(st_.session->person) : nullptr;
              me && me->has(Role::ServiceManager)) {
            const std::string base = cfg_.export_dir + "/fault-slips-" + st_.report_month;
            std::ofstream csv(base + ".csv");
            const Shop& month = store_.shop();  // (the month brought in when the report opened)
            csv << "\xEF\xBB\xBF" << faultSlipsCsv(month, st_.report_month);
            if (!csv) { say(texts_("report.export_failed"), Tone::Bad, now); return; }
            try {
              if (!labels_) labels_ = std::make_unique<record::Labels>(record::Labels::load(cfg_.assets + "/i18n"));
              std::ofstream pdf(base + ".pdf", std::ios::binary);
              pdf << record::renderFaultSlips(month, cat_, *labels_, st_.report_month,
                                              pdfOptions(cfg_, texts_.code(), utcOffset(), now));
              if (!pdf) throw std::runtime_error("cannot write " + base + ".pdf");
            } catch (const std::exception& e) {
              say(texts_("report.export_failed") + ": " + e.what(), Tone::Bad, now);
              return;
            }
            say(format(texts_("report.slips_exported"), {base}), Tone::Good, now);
            return;
          }
          say(texts_("report.export_done"), Tone::Good, now);
        } else if constexpr (std::is_same_v<T, PrintRecord>) {
          printRecord(i.wo, now);
        } else if constexpr (std::is_same_v<T, ResetPin>) {
          // a fresh code; only its hash is signed and recorded, the code is
          // shown to the manager once the signature holds
          if (!st_.session) return;
          auto [code, action] = store_.makeSetupCode(i.person, st_.session->person, now);
          st_.reset_pending = std::make_pair(i.person, code);
          st_.reset_shown.reset();
          st_.sign = SignDialog{true, Action{std::move(action)}, ""};
        } else if constexpr (std::is_same_v<T, SetUpPin>) {
          if (!st_.setup) return;
          if (i.pin != i.again) {
            refused(Refusal{Reason::PinMismatch, {}}, now);
            st_.setup = SetupForm{1, i.code, {}};
            return;
          }
          const Outcome o = store_.setupPin(i.person, i.code, i.pin, now);
          if (o) {
            if (on_recorded_) on_recorded_();
            signIn(i.person, now);
            say(texts_("setup.done"), Tone::Good, now);
            return;
          }
          refused(*o.refusal, now);
          const Reason r = o.refusal->reason;
          if (r == Reason::SetupCodeInvalid) st_.setup = SetupForm{};
          else if (r == Reason::BadInput) st_.setup = SetupForm{1, i.code, {}};
          else st_.resetPersonal();  // locked out, or left the shop
        }
      },
      in);
}

namespace {
// Runs a command (no shell: the arguments go as they are) and waits for it
// at most `timeout_ms`; its exit status, or -1 (it could not start, or was
// killed at the deadline).
int runCommand(const std::vector<std::string>& args, int timeout_ms) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  for (int waited = 0;; waited += 20) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (r < 0) return -1;
    if (waited >= timeout_ms) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
}  // namespace

// Issue 12: the quality record drawn here from this bay's copy of the log
// (the same renderer as the hub's), written beside the exports and handed
// to CUPS: `lp -d QUEUE FILE`, run without a shell.
void App::printRecord(const Id& wo, Millis now) {
  Shop past;
  const Shop& s = store_.shopWith(wo, past);  // issue 16: a car from the history may be read from the store
  const WorkOrder* w = s.workOrder(wo);
  if (!w || cfg_.printer.empty()) return;
  try {
    if (!labels_) labels_ = std::make_unique<record::Labels>(record::Labels::load(cfg_.assets + "/i18n"));
    const std::string pdf = record::renderPdf(s, cat_, *labels_, *w, pdfOptions(cfg_, texts_.code(), utcOffset(), now));
    std::filesystem::create_directories(cfg_.export_dir);
    const std::string path = cfg_.export_dir + "/quality-record-" + w->number + ".pdf";
    {
      std::ofstream f(path, std::ios::binary);
      f << pdf;
      if (!f) throw std::runtime_error("cannot write " + path);
    }
    const int rc = runCommand({cfg_.print_command, "-d", cfg_.printer, path}, 20'000);
    if (rc != 0) throw std::runtime_error(cfg_.print_command + " exited with " + std::to_string(rc));
    say(format(texts_("delivery.printed"), {cfg_.printer}), Tone::Good, now);
  } catch (const std::exception& e) {
    say(texts_("delivery.print_failed") + ": " + e.what(), Tone::Bad, now);
  }
}

int App::idleSeconds() const { return cfg_.idle_seconds > 0 ? cfg_.idle_seconds : store_.shop().policy.idle_signout_seconds; }
int App::utcOffset() const { return cfg_.utc_offset_minutes.value_or(store_.shop().policy.utc_offset_minutes); }

void App::frame(Millis now) {
  MaybeLock lock(store_mu_);
  if (sync_source_) sync_source_(sync_);
  // issue 16: the hub's answer to the month asked of it, once it comes
  if (st_.hub_report && !st_.hub_report->done && report_answer_) {
    HubReport a = report_answer_();
    if (a.done && a.from == st_.hub_report->from && a.to == st_.hub_report->to) {
      st_.report = std::move(a.report);
      a.report.reset();
      st_.hub_report = std::move(a);
    }
  }
  // issue 16: the hub's answer to the car's visits asked of it
  if (st_.hub_history && !st_.hub_history->done && history_answer_) {
    HubHistory a = history_answer_();
    if (a.done && a.vin == st_.hub_history->vin) {
      st_.hub_history = std::move(a);
      if (st_.screen == Screen::History) readHistory();
    }
  }
  // Idle sign-out: nothing of one person's screen survives for the next.
  // Issue 14: the countdown waits while a form has unsaved input (up to
  // kFormIdleMs), and a half-done form is kept as its person's draft.
  const Millis idle = now - st_.last_input;
  const bool waiting = formDirty(st_) && idle <= kFormIdleMs;
  if ((st_.session || st_.setup) && !waiting && idle > Millis{idleSeconds()} * 1000) {
    signOut(now);
    say(texts_("status.signed_out_idle"), Tone::Neutral, now);
  }
  if (st_.session) {  // removed, or retired meanwhile (issue 13): signed out
    const Person* p = store_.shop().person(st_.session->person);
    if (!p || !p->active) st_.resetPersonal();
  }
  if (st_.undo && st_.undo->until <= now) st_.undo.reset();

  Ui ui(metrics_, texts_, cat_, fonts_);
  ui.guard = &guard_;
  ui.now = now;
  ui.scroll_top = scroll_top_ > 0;
  if (scroll_top_ > 0) --scroll_top_;
  if (st_.session && (store_.generation() != waiting_generation_ || waiting_person_ != st_.session->person)) {
    // issue 14: the tabs' counts, once per change of the shop
    const Shop& s = store_.shop();
    const Person* me = s.person(st_.session->person);
    waiting_.clear();
    for (auto& [id, op] : s.operations)
      if (op.phase == Phase::AwaitingPeer && me && !s.workedOn(me->id, id)) ++waiting_[Screen::Floor];
    for (auto& [id, wo] : s.work_orders) {
      if (wo.delivered_at || !finalRequired(s, wo)) continue;
      const auto b = deliveryBlockers(s, wo);
      if (b.size() == 1 && b[0].reason == Reason::FinalMissing) ++waiting_[Screen::Final];
    }
    for (auto& [id, r] : s.reviews)
      if (!r.resolved_by && me && (me->has(r.for_role) || me->has(Role::ServiceManager))) ++waiting_[Screen::Reviews];
    waiting_generation_ = store_.generation();
    waiting_person_ = st_.session->person;
  }
  derived_.renew(store_.generation());
  // issue 16: the report open while the shop changes is read again, at
  // most every ten seconds (a busy shop syncs often; the month is read
  // from the store)
  if (st_.screen == Screen::Report && st_.report && !st_.hub_report && report_generation_ != store_.generation() &&
      now - report_read_at_ >= 10'000) {
    showReport(st_.report_month);
    report_read_at_ = now;
  }
  if (st_.screen == Screen::History && history_generation_ != store_.generation()) readHistory();
  // (at the screen's first frame, however it was opened; then as the shop
  // changes, at most every ten seconds)
  if (st_.screen != Screen::Delivery) deliveries_read_at_ = 0;
  else if (!deliveries_read_at_ || (deliveries_generation_ != store_.generation() && now - deliveries_read_at_ >= 10'000))
    showDeliveries(now);
  View v{store_.shop(), st_, sync_, now, cfg_.bay, idleSeconds(), utcOffset(), !cfg_.printer.empty(), &waiting_, &derived_};
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos({0, 0});
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("##kiosk", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                       ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  try {
    if (st_.error) throw std::runtime_error(*st_.error);
    drawStatusBar(ui, v, pending_);
    if (!st_.session) {
      if (st_.screen == Screen::SignIn) drawSignIn(ui, v, pending_);
      else drawBoard(ui, v, pending_);
    } else {
      drawNavBar(ui, v, pending_);
      ImGui::Dummy({0, ui.m.mm(1)});
      const auto allowed = screensFor(*v.me());
      const bool form = st_.screen == Screen::Inspect || st_.screen == Screen::AddOn || st_.screen == Screen::History;
      if (!form && std::find(allowed.begin(), allowed.end(), st_.screen) == allowed.end())
        st_.screen = allowed.empty() ? Screen::Board : allowed.front();
      switch (st_.screen) {
        case Screen::Work: drawWork(ui, v, pending_); break;
        case Screen::Inspect: drawInspect(ui, v, pending_); break;
        case Screen::AddOn: drawAddOn(ui, v, pending_); break;
        case Screen::Approvals: drawApprovals(ui, v, pending_); break;
        case Screen::Floor: drawFloor(ui, v, pending_); break;
        case Screen::Final: drawFinal(ui, v, pending_); break;
        case Screen::Report: drawReport(ui, v, pending_); break;
        case Screen::Reviews: drawReviews(ui, v, pending_); break;
        case Screen::Delivery: drawDelivery(ui, v, pending_); break;
        case Screen::History: drawHistory(ui, v, pending_); break;
        default: break;
      }
    }
  } catch (const std::exception& e) {
    // One bad frame shows an error instead of killing the kiosk.
    ImGui::ErrorCheckEndWindowRecover(nullptr);
    st_.error = e.what();
    ImGui::SetCursorPos({ui.m.mm(10), ui.m.mm(20)});
    ui.heading(ui.tr("error.title"));
    ui.wrapped(*st_.error);
    if (ui.button("error.reset", ui.tr("error.back_to_board"), Tone::Primary, ui.m.mm(70))) {
      st_.resetPersonal();
      st_.error.reset();
    }
  }
  ImGui::End();
  if (st_.session) drawSignDialog(ui, v, pending_);
  drawMessage(ui, v);
  hits_ = std::move(ui.hits);
  drawn_ = std::move(ui.drawn);
}

bool App::afterFrame(Millis now) {
  if (pending_.empty()) return false;
  MaybeLock lock(store_mu_);
  Intents batch;
  batch.swap(pending_);
  for (const Intent& in : batch) {
    try {
      handle(in, now);
    } catch (const std::exception& e) {
      // an I/O fault (disk full, database locked): shown, nothing half-done
      say(texts_("error.storage") + " " + e.what(), Tone::Bad, now);
    }
  }
  return true;
}

}  // namespace bk::ui
