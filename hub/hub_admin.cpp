// Going live (issue 13): the shop administrator's commands (bk-hub init,
// staff, bays, policy), as one function on the hub. The command line calls
// it in its own process when no hub serves the database, or through the
// serving hub's admin port on loopback (hub/main.cpp): one path either way.
// Each change is the hub's own event, signed with its key (DECISIONS.md:
// the administrator's, no person's PIN); a file with any fault changes
// nothing and names every faulty line.
#include "hub/hub_server.hpp"

#include "domain/setup.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

namespace bk::hub {
namespace {

json lineErrors(const std::vector<setup::LineError>& errors) {
  json out = json::array();
  for (const auto& e : errors) out.push_back({{"line", e.line}, {"column", e.column}, {"what", e.what}});
  return out;
}

}  // namespace

json statusJson(Store& store, Millis now) {
  json out{{"hub", store.kioskId()}, {"events", store.lastPos()}, {"at", now}, {"version", BK_VERSION}};
  json clients = json::array();
  for (const EnrolledClient& c : store.enrolment().active())
    clients.push_back({{"id", c.id}, {"scope", std::string(name(c.scope))}, {"since", c.since}});
  out["clients"] = clients;
  const json last = json::parse(store.meta("last_backup").empty() ? "null" : store.meta("last_backup"), nullptr, false);
  out["last_backup"] = last.is_discarded() ? json() : last;
  const json offDisk = json::parse(store.meta("last_backup_off_disk").empty() ? "null" : store.meta("last_backup_off_disk"), nullptr, false);
  out["last_backup_off_disk"] = offDisk.is_discarded() ? json() : offDisk;
  std::error_code ec;
  const auto space = std::filesystem::space(std::filesystem::absolute(store.path()).parent_path(), ec);
  if (!ec) out["disk"] = {{"free", space.available}, {"total", space.capacity}};
  return out;
}

json HubServer::admin(const std::string& op, const json& args) {
  const Millis now = clock_();
  std::unique_lock lock(mu_);
  const Shop& s = store_.shop();
  bool changed = false;
  auto must = [&](const Action& a) {
    Recorded r = store_.record(a, now);
    if (!r) throw std::runtime_error(std::string(actionType(a)) + " refused: " + std::string(name(r.reason())) + " " +
                                     r.outcome.refusal->detail);
    changed = true;
  };
  // a fresh setup code for each active person who has neither a key nor a
  // usable code (new people; a leaver taken back before they chose a PIN)
  auto issueCodes = [&](const std::vector<Id>& people, bool force) {
    json codes = json::array();
    for (const Id& id : people) {
      const Person* p = s.person(id);
      if (!p || !p->active) continue;
      if (!force && (p->currentKey() || store_.setupPending(id, now))) continue;
      auto [code, action] = store_.makeSetupCode(id, {}, now);
      must(action);
      codes.push_back({{"id", id}, {"name", p->name}, {"badge", p->badge}, {"code", code}, {"expires_at", action.expires_at}});
    }
    return codes;
  };
  auto needing = [&](const std::vector<Id>& ids) {
    std::size_t n = 0;
    for (const Id& id : ids) {
      const Person* p = s.person(id);
      if (!p || (p->active && !p->currentKey() && !store_.setupPending(id, now))) ++n;
    }
    return n;
  };
  json out = json::object();
  const std::string text = args.value("text", std::string());

  if (op == "init") {
    // an empty shop: its policy and its first service manager, who sets
    // their own PIN at any kiosk with the code printed now
    if (!s.people.empty() || store_.eventCount() > static_cast<std::int64_t>(s.clients.size()))
      return {{"error", "this database already holds a shop"}};
    std::vector<setup::LineError> errors;
    Policy policy = text.empty() ? Policy{} : setup::parsePolicy(text, errors);
    if (!errors.empty()) return {{"error", "policy file"}, {"errors", lineErrors(errors)}};
    policy.shop_name = args.value("shop_name", policy.shop_name);
    policy.utc_offset_minutes = args.value("utc_offset_minutes", policy.utc_offset_minutes);
    if (auto why = setup::policyProblem(policy)) return {{"error", *why}};
    Person m;
    m.id = "p-" + args.value("manager_badge", std::string("manager"));
    m.name = args.value("manager_name", std::string());
    m.badge = args.value("manager_badge", std::string());
    m.roles = {Role::ServiceManager};
    if (m.name.empty() || m.badge.empty()) return {{"error", "the first service manager needs a name and a badge"}};
    must(SetPolicy{policy, now});
    must(EnrollPerson{m});
    out["codes"] = issueCodes({m.id}, false);
  } else if (op == "staff.import") {
    std::vector<setup::LineError> errors;
    const setup::StaffPlan plan = setup::planStaff(text, s, errors);
    if (!errors.empty()) return {{"error", "staff file"}, {"errors", lineErrors(errors)}};
    // leavers first, so their badges are free for whoever takes them over
    std::vector<Person> enrol = plan.enrol;
    std::stable_partition(enrol.begin(), enrol.end(), [](const Person& p) { return !p.active; });
    // every change tried first on a copy with the same rules: all or nothing
    {
      Shop trial = s;
      for (const Person& p : enrol) {
        const Action a = EnrollPerson{p};
        if (Outcome o = check(trial, a); !o)
          return {{"error", "staff file"},
                  {"errors", json::array({{{"line", 0}, {"column", "badge"},
                                           {"what", p.id + ": " + std::string(name(o.refusal->reason)) + " " + o.refusal->detail +
                                                        " (two people swapping badges: give one a spare badge first)"}}})}};
        apply(trial, a);
      }
    }
    std::vector<Id> touched;
    for (const Person& p : enrol) touched.push_back(p.id);
    // the codes are secrets: refused unless the caller says where the slips go
    if (needing(touched) > 0 && !args.value("slips", false))
      return {{"error", "new people get setup codes: say where to write their slips (--slips FILE)"}};
    for (const Person& p : enrol) must(EnrollPerson{p});
    out["added"] = plan.added;
    out["retired"] = plan.retired;
    out["reactivated"] = plan.reactivated;
    out["changed"] = plan.enrol.size() - plan.added.size();
    out["unchanged"] = plan.unchanged;
    out["codes"] = issueCodes(touched, false);
  } else if (op == "staff.export") {
    out["text"] = setup::writeStaff(s);
  } else if (op == "staff.reset_pin") {
    // a forgotten PIN, from the hub's machine: a new setup code replaces
    // any older one; the person chooses a new PIN (a new key) at a kiosk
    const std::string who = args.value("person", std::string());
    Id id;
    for (auto& [pid, p] : s.people)
      if (pid == who || (p.badge == who && p.active)) id = pid;
    if (id.empty()) return {{"error", "no active person with id or badge '" + who + "'"}};
    if (!s.people.at(id).active) return {{"error", id + " has left (active = no)"}};
    if (!args.value("slips", false)) return {{"error", "say where to write the slip (--slips FILE)"}};
    out["codes"] = issueCodes({id}, true);
  } else if (op == "bays.import") {
    std::vector<setup::LineError> errors;
    const setup::BayPlan plan = setup::planBays(text, s, errors);
    if (!errors.empty()) return {{"error", "bays file"}, {"errors", lineErrors(errors)}};
    json defined = json::array();
    for (const Bay& b : plan.define) {
      must(DefineBay{b});
      defined.push_back(b.id);
    }
    out["defined"] = defined;
    out["unchanged"] = plan.unchanged;
  } else if (op == "bays.export") {
    out["text"] = setup::writeBays(s);
  } else if (op == "policy.set") {
    std::vector<setup::LineError> errors;
    const Policy p = setup::parsePolicy(text, errors);
    if (!errors.empty()) return {{"error", "policy file"}, {"errors", lineErrors(errors)}};
    if (p == s.policy) {
      out["unchanged"] = true;
    } else {
      must(SetPolicy{p, now});
      out["unchanged"] = false;
    }
  } else if (op == "policy.show") {
    out["text"] = setup::writePolicy(s.policy);
  } else if (op == "status") {
    // the serving hub's view: every client it enrolled, with what it last
    // saw of it, the log's head, the last backup and the disk
    out = statusJson(store_, now);
    out["serving"] = true;
    std::lock_guard c(contacts_mu_);
    for (json& k : out["clients"]) {
      if (auto it = contacts_.find(k["id"].get<std::string>()); it != contacts_.end()) {
        const Contact& t = it->second;
        k["last_contact"] = t.at;
        k["address"] = t.address;
        k["version"] = t.version;
        if (t.pending >= 0) k["pending"] = t.pending;
        if (t.pulled_through >= 0) k["behind"] = std::max<std::int64_t>(0, store_.lastPos() - t.pulled_through);
      }
    }
  } else {
    return {{"error", "unknown admin command " + op}};
  }
  out["shop_name"] = s.policy.shop_name;
  out["utc_offset_minutes"] = s.policy.utc_offset_minutes;
  lock.unlock();
  if (changed) http_.wake();  // every bay hears of it by its next pull
  return out;
}

}  // namespace bk::hub
