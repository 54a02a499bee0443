// The front desk's side of the hub: work orders and their operations come
// in; the floor's state and the monthly report go out (JSON, and CSV for the
// report). Same trust as the bays: an enrolled client's bearer token. Every
// write is checked with the same rules as at a kiosk and refused with the
// reason's code and nothing changed; accepted ones become the hub's own
// events and reach every bay by the next pull.
#include "domain/report.hpp"
#include "hub/http_util.hpp"
#include "hub/hub_server.hpp"

#include <spdlog/spdlog.h>

namespace bk::hub {
namespace {

json refusalJson(const Refusal& r) {
  return {{"error", "refused by the workshop's rules"}, {"reason", std::string(name(r.reason))}, {"detail", r.detail}};
}

// The body with "type" added, decoded as strictly as a pushed event.
std::optional<Action> decodeAction(const char* type, json&& body, http::Response& res) {
  body["type"] = type;
  try {
    Action a = actionFromJson(body);
    if (canonical(toJson(a)).size() > sync::kMaxEventBytes) {
      error(res, 413, std::string("a ") + type + " larger than " + std::to_string(sync::kMaxEventBytes) + " bytes");
      return std::nullopt;
    }
    return a;
  } catch (const json::exception& e) {
    error(res, 400, std::string("not a valid ") + type + ": " + e.what());
    return std::nullopt;
  }
}

json blockersJson(const Shop& s, const WorkOrder& w) {
  json blockers = json::array();
  for (const Refusal& r : deliveryBlockers(s, w)) blockers.push_back({{"reason", std::string(name(r.reason))}, {"detail", r.detail}});
  return blockers;
}

json workOrderJson(const Shop& s, const WorkOrder& w) {
  json j = w;
  j["operations"] = json::array();
  for (const Operation* op : s.opsOf(w.id)) {
    json o = *op;
    json on = json::array();
    for (const TimeEntry* e : s.openEntriesOn(op->id)) on.push_back({{"tech", e->tech}, {"bay", e->bay}, {"since", e->start}});
    o["clocked_on"] = on;
    j["operations"].push_back(o);
  }
  j["delivery_blockers"] = blockersJson(s, w);  // R10
  j["final_required"] = finalRequired(s, w);    // R9
  // issue 12: what the customer acknowledges at delivery (R13)
  json declined = json::array();
  for (const Id& id : declinedSafety(s, w.id)) {
    const AddOn& a = s.addons.at(id);
    declined.push_back({{"addon", id}, {"reason", a.reason}, {"parts", a.parts}, {"declined_at", a.consent->sig.at}});
  }
  j["declined_safety"] = declined;
  // issue 15: its comebacks; for a comeback, whether it came within the
  // window, its cause once a person has found it, and whether it is billed
  if (auto c = s.comebacks_of.find(w.id); c != s.comebacks_of.end()) j["comebacks"] = c->second;
  if (w.comeback()) {
    j["within_window"] = withinComebackWindow(s, w);
    j["comeback_cause"] = nullptr;
    if (const Inspection* in = comebackInspection(s, w.id))
      j["comeback_cause"] = {{"cause", in->cause}, {"op", in->op}, {"defect", in->defect}, {"inspection", in->id},
                             {"by", in->inspector}, {"at", in->sig.at}};
    j["billable"] = billable(s, w);
  }
  return j;
}

}  // namespace

bool HubServer::setVia(const http::Request& req, json& body, http::Response& res) {
  if (body.contains("via")) {
    error(res, 400, "via is set by the hub: the client the write came through");
    return false;
  }
  std::optional<EnrolledClient> client;
  {
    std::lock_guard lock(mu_);
    client = authorise(req);
  }
  if (!client) {  // revoked since the screen let it in
    error(res, 401, "not an enrolled kiosk");
    return false;
  }
  body["via"] = client->id;  // issue 11: the write is the desk client's
  return true;
}

void HubServer::recordDesk(const Action& a, int created_status, http::Response& res) {
  Recorded r{Outcome::ok(), std::nullopt};
  Id wo;
  {
    std::lock_guard lock(mu_);
    r = store_.record(a, clock_());
    wo = workOrderOf(store_.shop(), a);
  }
  if (!r) {
    spdlog::info("desk: {} refused: {} {}", actionType(a), name(r.outcome.refusal->reason), r.outcome.refusal->detail);
    return reply(res, 422, refusalJson(*r.outcome.refusal));
  }
  spdlog::info("desk: {} {} recorded at {}", r.event->type, wo, r.event->pos);
  http_.wake();  // long-polling bays hear of it now
  reply(res, created_status, {{"event", r.event->type}, {"hub_pos", r.event->pos}, {"work_order", wo}});
}

void HubServer::routeDesk() {
  // create: {"wo": {...}, "ops": [...]} as in the open_work_order event
  http_.post("/api/v1/work-orders", sync::kMaxDeskBody, [this](const http::Request& req, http::Response& res) {
    auto body = parseBody(req, res);
    if (!body) return;
    // what the workshop sets later is not the desk's to give; opened now unless said
    if (body->contains("wo") && (*body)["wo"].is_object()) {
      json& w = (*body)["wo"];
      for (const char* k : {"final_passed", "delivered_at", "delivered_by"}) {
        if (w.contains(k)) return error(res, 400, std::string(k) + " is set by the workshop, not the front desk");
        w[k] = nullptr;
      }
      if (!w.contains("opened_at")) w["opened_at"] = clock_();
    }
    if (!setVia(req, *body, res)) return;
    if (auto a = decodeAction("open_work_order", std::move(*body), res)) recordDesk(*a, 201, res);
  });
  // update: fields given replace the current ones, the rest stay; "by" required
  http_.post(R"(/api/v1/work-orders/([A-Za-z0-9._-]{1,64}))", sync::kMaxDeskBody, [this](const http::Request& req, http::Response& res) {
    auto body = parseBody(req, res);
    if (!body) return;
    const Id wo = req.matches[1];
    json merged;
    {
      std::lock_guard lock(mu_);
      Shop past;
      const Shop& s = store_.shopWith(wo, past);  // issue 16: a delivered one may be read from the store
      auto it = s.work_orders.find(wo);
      if (it == s.work_orders.end()) return error(res, 404, "no work order " + wo);
      const WorkOrder& w = it->second;
      merged = {{"wo", wo}, {"promised_at", w.promised_at}, {"road_test_required", w.road_test_required},
                {"customer", w.customer}, {"bay", w.bay}};
    }
    for (auto& [k, v] : body->items()) {
      if (k == "wo") return error(res, 400, "the work order is named in the path");
      if (!merged.contains(k) && k != "by" && k != "via") return error(res, 400, "unknown field: " + k);
      merged[k] = v;
    }
    if (!setVia(req, merged, res)) return;
    if (auto a = decodeAction("update_work_order", std::move(merged), res)) recordDesk(*a, 200, res);
  });
  // more operations the customer asked for: {"by": …, "ops": [...]}
  http_.post(R"(/api/v1/work-orders/([A-Za-z0-9._-]{1,64})/operations)", sync::kMaxDeskBody, [this](const http::Request& req, http::Response& res) {
    auto body = parseBody(req, res);
    if (!body) return;
    if (body->contains("wo") || body->contains("at")) return error(res, 400, "the work order is named in the path; the hub sets the time");
    (*body)["wo"] = req.matches[1];
    (*body)["at"] = clock_();
    if (!setVia(req, *body, res)) return;
    if (auto a = decodeAction("add_operations", std::move(*body), res)) recordDesk(*a, 201, res);
  });
  // issue 12: delivery (交车), signed by the advisor or quality inspector
  // handing the car over, with their PIN: {"by", "pin", "old_parts",
  // "ack": {"strokes": [[[x, y], …], …]}} (the customer's finger signature
  // when they declined safety items). Refused 422 naming every blocker.
  http_.post(R"(/api/v1/work-orders/([A-Za-z0-9._-]{1,64})/deliver)", sync::kMaxDeskBody, [this](const http::Request& req, http::Response& res) {
    auto body = parseBody(req, res);
    if (!body) return;
    for (auto& [k, v] : body->items())
      if (k != "by" && k != "pin" && k != "old_parts" && k != "ack") return error(res, 400, "unknown field: " + k);
    const auto* pin = body->contains("pin") ? (*body)["pin"].get_ptr<const std::string*>() : nullptr;
    if (!pin || pin->empty() || pin->size() > 8 || pin->find_first_not_of("0123456789") != std::string::npos)
      return error(res, 400, "pin: the signer's PIN, digits");
    const std::string thePin = *pin;
    body->erase("pin");
    if (body->contains("ack")) {
      json& ack = (*body)["ack"];
      if (!ack.is_object()) return error(res, 400, "ack: an object with strokes");
      for (auto& [k, v] : ack.items())
        if (k != "strokes" && k != "addons") return error(res, 400, "ack: unknown field " + k);
    }
    const Id wo = req.matches[1];
    std::lock_guard lock(mu_);
    Shop past;
    const Shop& s = store_.shopWith(wo, past);  // issue 16
    auto it = s.work_orders.find(wo);
    if (it == s.work_orders.end()) return error(res, 404, "no work order " + wo);
    if (json blockers = blockersJson(s, it->second); !blockers.empty())
      return reply(res, 422, {{"error", "not ready for delivery"}, {"reason", "not_deliverable"}, {"blockers", blockers}});
    if (body->contains("ack")) {  // sealed: the strokes' hash, and the items the customer was shown
      json& ack = (*body)["ack"];
      if (!ack.contains("addons")) ack["addons"] = declinedSafety(s, wo);
      try {
        ack["hash"] = strokesHash(ack.at("strokes").get<std::vector<Stroke>>());
      } catch (const json::exception& e) {
        return error(res, 400, std::string("ack.strokes: ") + e.what());
      }
    }
    (*body)["wo"] = wo;
    (*body)["at"] = clock_();
    auto a = decodeAction("deliver_work_order", std::move(*body), res);
    if (!a) return;
    const Id by = std::get<DeliverWorkOrder>(*a).by;
    Recorded r = store_.sign(*a, by, thePin, clock_());
    if (!r) {
      const Reason why = r.reason();
      spdlog::info("desk: delivery of {} refused: {} {}", wo, name(why), r.outcome.refusal->detail);
      return reply(res, why == Reason::WrongPin || why == Reason::LockedOut ? 403 : 422, refusalJson(*r.outcome.refusal));
    }
    const WorkOrder& done = store_.shop().work_orders.at(wo);
    spdlog::info("desk: {} delivered by {}, gate pass {}", wo, by, done.gate_pass);
    http_.wake();
    reply(res, 200, {{"event", r.event->type}, {"hub_pos", r.event->pos}, {"work_order", wo}, {"gate_pass", done.gate_pass},
                     {"delivered_at", *done.delivered_at}});
  });
  // issue 12: the quality record (维修质量检验单) as a PDF, ?lang=zh|en
  http_.get(R"(/api/v1/work-orders/([A-Za-z0-9._-]{1,64})/record\.pdf)", [this](const http::Request& req, http::Response& res) {
    const std::string lang = req.hasParam("lang") ? req.param("lang") : "zh";
    if (lang != "zh" && lang != "en") return error(res, 400, "lang is zh or en");
    std::string pdf;
    {
      std::lock_guard lock(mu_);
      if (!record_) return error(res, 503, "quality records are not set up on this hub (catalog, font)");
      Shop past;
      const Shop& s = store_.shopWith(req.matches[1], past);  // issue 16: an old record prints from the store
      auto it = s.work_orders.find(req.matches[1]);
      if (it == s.work_orders.end()) return error(res, 404, "no work order " + req.matches[1]);
      record::Options o;
      o.lang = lang;
      o.font = record_->font;
      o.shop = record_->shop;
      o.utc_offset_minutes = s.policy.utc_offset_minutes;  // issue 13: the shop's policy
      o.printed_at = clock_();
      try {
        pdf = record::renderPdf(s, record_->catalog, record_->labels, it->second, o);
      } catch (const std::exception& e) {
        spdlog::error("quality record of {}: {}", req.matches[1], e.what());
        return error(res, 500, "the quality record could not be drawn");
      }
    }
    res.status = 200;
    res.setContent(std::move(pdf), "application/pdf");
  });
  // issue 15: a month's fault slips (过失单): JSON, CSV for payroll, or the
  // PDF drawn like the quality record; with the service manager's signature
  // while the slips signed are the month's as they stand
  http_.get("/api/v1/fault-slips", [this](const http::Request& req, http::Response& res) {
    const std::string month = req.param("month");
    const std::string format = req.hasParam("format") ? req.param("format") : "json";
    const std::string lang = req.hasParam("lang") ? req.param("lang") : "zh";
    if (format != "json" && format != "csv" && format != "pdf") return error(res, 400, "format is json, csv or pdf");
    if (lang != "zh" && lang != "en") return error(res, 400, "lang is zh or en");
    std::lock_guard lock(mu_);
    const auto range = calendarMonth(month, store_.shop().policy.utc_offset_minutes);
    if (!range) return error(res, 400, "month must be YYYY-MM");
    // issue 16: the working set when it holds the month, else read from
    // the store and dropped after (the hub's memory does not grow with the
    // months asked for)
    Shop past;
    const Shop& s = store_.shopOfMonth(range->first, range->second, past);
    if (format == "csv") {
      res.status = 200;
      return res.setContent(faultSlipsCsv(s, month), "text/csv; charset=utf-8");
    }
    if (format == "pdf") {
      if (!record_) return error(res, 503, "PDFs are not set up on this hub (catalog, font)");
      record::Options o;
      o.lang = lang;
      o.font = record_->font;
      o.shop = record_->shop;
      o.utc_offset_minutes = s.policy.utc_offset_minutes;
      o.printed_at = clock_();
      std::string pdf;
      try {
        pdf = record::renderFaultSlips(s, record_->catalog, record_->labels, month, o);
      } catch (const std::exception& e) {
        spdlog::error("fault slips of {}: {}", month, e.what());
        return error(res, 500, "the fault slips could not be drawn");
      }
      res.status = 200;
      return res.setContent(std::move(pdf), "application/pdf");
    }
    json lines = json::array();
    std::vector<FaultSlipLine> now;
    for (const SlipRow& r : faultSlipRows(s, month)) {
      now.push_back(r.line);
      lines.push_back({{"incident", r.line.incident}, {"technician", r.line.charged_to}, {"state", r.line.state},
                       {"at", r.incident->at}, {"work_order", r.incident->wo}, {"op", r.incident->op},
                       {"defect", r.incident->defect}, {"trade", r.incident->trade},
                       {"found_in", r.rework ? json(r.rework->found_in) : json(nullptr)}});
    }
    json signedBy = nullptr;
    if (auto it = s.fault_slips.find(month); it != s.fault_slips.end())
      signedBy = {{"by", it->second.sig.signer}, {"at", it->second.sig.at}, {"digest", it->second.sig.digest},
                  {"current", it->second.lines == now}};
    reply(res, 200, {{"month", month}, {"lines", lines}, {"signed", signedBy}});
  });
  // issue 12: the cars ready to hand over, and those blocked with why
  http_.get("/api/v1/deliveries", [this](const http::Request&, http::Response& res) {
    std::lock_guard lock(mu_);
    const Shop& s = store_.shop();
    json ready = json::array(), blocked = json::array();
    for (auto& [id, w] : s.work_orders) {
      if (w.delivered_at) continue;
      json b = blockersJson(s, w);
      json row{{"wo", id}, {"number", w.number}, {"plate", w.vehicle.plate}, {"customer", w.customer},
               {"promised_at", w.promised_at}, {"declined_safety", declinedSafety(s, id)}};
      if (b.empty()) ready.push_back(row);
      else row["blockers"] = b, blocked.push_back(row);
    }
    reply(res, 200, {{"ready", ready}, {"blocked", blocked}});
  });
  http_.get(R"(/api/v1/work-orders/([A-Za-z0-9._-]{1,64}))", [this](const http::Request& req, http::Response& res) {
    std::lock_guard lock(mu_);
    Shop past;
    const Shop& s = store_.shopWith(req.matches[1], past);  // issue 16
    auto it = s.work_orders.find(req.matches[1]);
    if (it == s.work_orders.end()) return error(res, 404, "no work order " + req.matches[1]);
    reply(res, 200, workOrderJson(s, it->second));
  });
  // issue 15: a car's history (维修档案) by VIN: its work orders, newest
  // first, with operations, inspections (their recorded values), rework
  // and the safety items the customer declined
  http_.get(R"(/api/v1/vehicles/([A-Za-z0-9]{1,32})/history)", [this](const http::Request& req, http::Response& res) {
    std::lock_guard lock(mu_);
    const Shop s = store_.pastOfVehicle(req.matches[1]);  // issue 16: every visit, from the store
    json visits = json::array();
    for (const Visit& v : vehicleHistory(s, req.matches[1])) {
      json w = workOrderJson(s, v.wo);
      w["inspections"] = v.inspections;
      w["reworks"] = v.reworks;
      w["declined_safety"] = v.declined;
      visits.push_back(std::move(w));
    }
    // issue 15: the delivered work order a new one opened now would be a
    // comeback of (the desk links it or says why not)
    const WorkOrder* candidate = comebackCandidate(s, req.matches[1], clock_());
    reply(res, 200, {{"vin", req.matches[1]}, {"comeback_candidate", candidate ? json(candidate->id) : json(nullptr)},
                     {"work_orders", visits}});
  });
  // issue 11: wrong PINs in the whole shop (the latest of each person's)
  // and who is locked out now: the audit trail, for the service manager
  http_.get("/api/v1/pin-attempts", [this](const http::Request&, http::Response& res) {
    std::lock_guard lock(mu_);
    const Shop& s = store_.shop();
    const Millis now = clock_();
    json people = json::array();
    for (const auto& [who, attempts] : s.pin_attempts) {
      json list = json::array();
      for (const PinAttempt& a : attempts)
        list.push_back({{"at", a.at}, {"kiosk", a.kiosk}, {"context", a.signing ? "signing" : "sign_in"}});
      const Person* person = s.person(who);
      json p{{"person", who}, {"name", person ? person->name : who.str()}, {"attempts", list}};
      if (auto until = pinLockedUntil(s, who, now)) p["locked_until"] = *until;
      people.push_back(p);
    }
    reply(res, 200, {{"people", people}, {"max_failures", s.policy.pin_max_failures}, {"lockout_ms", s.policy.pin_lockout}});
  });
  // the floor: every bay, who is clocked on where, open work orders with
  // their operations and what blocks delivery, overlong entries (R3) and
  // open review items (R16)
  http_.get("/api/v1/floor", [this](const http::Request&, http::Response& res) {
    std::lock_guard lock(mu_);
    const Shop& s = store_.shop();
    const Millis now = clock_();
    json bays = json::array();
    for (auto& [id, b] : s.bays) {
      json on = json::array();
      for (const Id& eid : s.open_entries) {
        const TimeEntry& e = s.entries.at(eid);
        if (e.bay == id) on.push_back({{"tech", e.tech}, {"op", e.op}, {"wo", e.wo}, {"since", e.start}});
      }
      bays.push_back({{"id", id}, {"name", b.name}, {"trade", b.trade}, {"clocked_on", on}});
    }
    // issue 15: comebacks first, then the earliest promised (the kiosks' order)
    std::vector<const WorkOrder*> open;
    for (auto& [id, w] : s.work_orders)
      if (!w.delivered_at) open.push_back(&w);
    std::stable_sort(open.begin(), open.end(), [&](const WorkOrder* a, const WorkOrder* b) { return comesFirst(s, *a, *b); });
    json wos = json::array();
    for (const WorkOrder* w : open) wos.push_back(workOrderJson(s, *w));
    json overlong = json::array();
    for (const TimeEntry* e : overlongEntries(s, now)) overlong.push_back({{"entry", e->id}, {"tech", e->tech}, {"op", e->op}, {"since", e->start}});
    json reviews = json::array();
    for (auto& [id, r] : s.reviews)
      if (!r.resolved_at) reviews.push_back(r);
    reply(res, 200, {{"at", now}, {"bays", bays}, {"work_orders", wos}, {"overlong_entries", overlong}, {"open_reviews", reviews}});
  });
  // the monthly quality report: ?month=YYYY-MM (the shop's time zone) or
  // ?from=&to= (UTC ms); &format=csv for a spreadsheet
  http_.get("/api/v1/report", [this](const http::Request& req, http::Response& res) {
    Millis from = 0, to = 0;
    if (req.hasParam("month")) {
      const int tz = [this] {  // issue 13: the shop's time zone, from its policy
        std::lock_guard lock(mu_);
        return store_.shop().policy.utc_offset_minutes;
      }();
      auto range = calendarMonth(req.param("month"), tz);
      if (!range) return error(res, 400, "month must be YYYY-MM");
      std::tie(from, to) = *range;
    } else {
      const auto f = sync::strictInt(req.param("from")), t = sync::strictInt(req.param("to"));
      if (!f || !t) return error(res, 400, "give month=YYYY-MM, or from and to in milliseconds");
      from = *f;
      to = *t;
      if (from >= to) return error(res, 400, "from must be before to");
      // issue 16: the range is read from the store; a year at most
      if (to - from > 366LL * 86'400'000) return error(res, 400, "a report covers at most 366 days");
    }
    const std::string format = req.hasParam("format") ? req.param("format") : "json";
    if (format != "json" && format != "csv") return error(res, 400, "format is json or csv");
    std::lock_guard lock(mu_);
    // issue 16: kept once computed for a month past (Store::report); names
    // and the policy from the shop as it stands
    const MonthlyReport r = store_.report(from, to);
    const Shop& s = store_.shop();
    if (format == "csv") {
      res.status = 200;
      res.setContent(reportCsv(s, r), "text/csv; charset=utf-8");
    } else {
      json j = reportJson(s, r);
      j["comebacks"]["provisional"] = r.comebacks.provisional(clock_());  // DECISIONS.md: settles later
      reply(res, 200, j);
    }
  });
}

}  // namespace bk::hub
