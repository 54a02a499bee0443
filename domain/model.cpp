#include "domain/model.hpp"
#include "domain/vin.hpp"

#include <cctype>

#include <algorithm>

namespace bk {

BK_JSON_FIELDS(, PersonKey, id, pub, sealed, salt, since)
// "keys" is left out while there are none, and may be absent (records and
// events from before signature keys), so those read and hash as they were.
// Likewise "home_bay" while empty and "active" while true (issue 13).
void to_json(json& j, const Person& v) {
  j = json{{"id", v.id}, {"name", v.name}, {"roles", v.roles}, {"trade", v.trade}, {"badge", v.badge}};
  if (!v.keys.empty()) j["keys"] = v.keys;
  if (!v.home_bay.empty()) j["home_bay"] = v.home_bay;
  if (!v.active) j["active"] = false;
}
void from_json(const json& j, Person& v) {
  j.at("id").get_to(v.id);
  j.at("name").get_to(v.name);
  j.at("roles").get_to(v.roles);
  j.at("trade").get_to(v.trade);
  j.at("badge").get_to(v.badge);
  v.keys = j.contains("keys") ? j.at("keys").get<std::vector<PersonKey>>() : std::vector<PersonKey>{};
  v.home_bay = j.contains("home_bay") ? j.at("home_bay").get<Id>() : Id{};
  v.active = j.contains("active") ? j.at("active").get<bool>() : true;
}
BK_JSON_FIELDS(, SetupCode, id, person, hash, issued_at, expires_at, by, used)
BK_JSON_FIELDS(, FloorMessage, id, from, to, text, entry, at, read_at)
BK_JSON_FIELDS(, FaultSlipLine, incident, charged_to, state)
BK_JSON_FIELDS(, Bay, id, name, trade)
BK_JSON_FIELDS(, Client, id, scope, device_key, since)
BK_JSON_FIELDS(, PinAttempt, at, kiosk, signing)
BK_JSON_FIELDS(, Vehicle, plate, vin, model)
BK_JSON_FIELDS(, CustomerAck, addons, strokes, hash)
BK_JSON_FIELDS(, RoadTest, driver, odo_start, odo_end, minutes, findings)
// The strict part of a type's JSON, as two functions NAME_to / NAME_from
// (every field written, every field required), for a type whose later
// fields are written only when set (so older records keep their form).
#define BK_JSON_PART(NAME, T, ...)                                                               \
  [[maybe_unused]] static void NAME##_to(::bk::json& nlohmann_json_j, const T& nlohmann_json_t) { \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, __VA_ARGS__))                    \
  }                                                                                             \
  [[maybe_unused]] static void NAME##_from(const ::bk::json& nlohmann_json_j, T& nlohmann_json_t) { \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_FROM, __VA_ARGS__))                  \
  }
// Fields added later are written only when set and may be absent, so that
// records and events from before them read and hash as they were.
namespace {
template <typename T>
void putIf(json& j, const char* k, const T& v, bool set) { if (set) j[k] = v; }
template <typename T>
void getIf(const json& j, const char* k, T& v) {
  if (auto it = j.find(k); it != j.end()) it->get_to(v); else v = T{};
}
}  // namespace
// Issue 15's comeback window only when not the default: earlier policies
// keep their form, and read as the default.
BK_JSON_PART(policyBase, Policy, shop_name, utc_offset_minutes, final_required, overlong_entry, idle_signout_seconds,
             pin_length, pin_max_failures, pin_lockout, labour_cents_per_hour, work_start_minute, work_end_minute,
             setup_code_days)
void to_json(json& j, const Policy& v) {
  j = json::object();
  policyBase_to(j, v);
  putIf(j, "comeback_days", v.comeback_days, v.comeback_days != Policy{}.comeback_days);
}
void from_json(const json& j, Policy& v) {
  policyBase_from(j, v);
  v.comeback_days = j.contains("comeback_days") ? j.at("comeback_days").get<int>() : Policy{}.comeback_days;
}
BK_JSON_PART(workOrderBase, WorkOrder, id, number, vehicle, customer, advisor, category, road_test_required,
             opened_at, promised_at, bay, final_passed, delivered_at, delivered_by)
void to_json(json& j, const WorkOrder& v) {
  j = json::object();
  workOrderBase_to(j, v);
  putIf(j, "old_parts", v.old_parts, v.old_parts.has_value());
  putIf(j, "gate_pass", v.gate_pass, !v.gate_pass.empty());
  putIf(j, "ack", v.ack, v.ack.has_value());
  putIf(j, "complaint", v.complaint, !v.complaint.empty());
  putIf(j, "odometer_km", v.odometer_km, v.odometer_km != 0);
  putIf(j, "warranty_until", v.warranty_until, v.warranty_until != 0);
  putIf(j, "warranty_km", v.warranty_km, v.warranty_km != 0);
  putIf(j, "comeback_of", v.comeback_of, !v.comeback_of.empty());
  putIf(j, "concern", v.concern, !v.concern.empty());
  putIf(j, "not_comeback_of", v.not_comeback_of, !v.not_comeback_of.empty());
  putIf(j, "not_comeback_reason", v.not_comeback_reason, !v.not_comeback_reason.empty());
}
void from_json(const json& j, WorkOrder& v) {
  workOrderBase_from(j, v);
  getIf(j, "old_parts", v.old_parts);
  getIf(j, "gate_pass", v.gate_pass);
  getIf(j, "ack", v.ack);
  getIf(j, "complaint", v.complaint);
  getIf(j, "odometer_km", v.odometer_km);
  getIf(j, "warranty_until", v.warranty_until);
  getIf(j, "warranty_km", v.warranty_km);
  getIf(j, "comeback_of", v.comeback_of);
  getIf(j, "concern", v.concern);
  getIf(j, "not_comeback_of", v.not_comeback_of);
  getIf(j, "not_comeback_reason", v.not_comeback_reason);
}
// Issue 14's fields only when set: records from before keep their form.
BK_JSON_PART(operationBase, Operation, id, wo, seq, trade, title, std_minutes, main_tech, upstream, handover,
        accepted_by, addon, phase)
void to_json(json& j, const Operation& v) {
  j = json::object();
  operationBase_to(j, v);
  putIf(j, "bay", v.bay, !v.bay.empty());
  putIf(j, "reassigned_from", v.reassigned_from, !v.reassigned_from.empty());
  putIf(j, "reassigned_at", v.reassigned_at, v.reassigned_at != 0);
  putIf(j, "instructions", v.instructions, !v.instructions.empty());
}
void from_json(const json& j, Operation& v) {
  operationBase_from(j, v);
  getIf(j, "bay", v.bay);
  getIf(j, "reassigned_from", v.reassigned_from);
  getIf(j, "reassigned_at", v.reassigned_at);
  getIf(j, "instructions", v.instructions);
}
BK_JSON_PART(timeEntryBase, TimeEntry, id, op, wo, tech, bay, start, end, reason, rework)
void to_json(json& j, const TimeEntry& v) {
  j = json::object();
  timeEntryBase_to(j, v);
  putIf(j, "corrected_by", v.corrected_by, !v.corrected_by.empty());
  putIf(j, "correction", v.correction, !v.correction.empty());
}
void from_json(const json& j, TimeEntry& v) {
  timeEntryBase_from(j, v);
  getIf(j, "corrected_by", v.corrected_by);
  getIf(j, "correction", v.correction);
}
BK_JSON_PART(checklistItemBase, ChecklistItem, key, verdict, value, unit, min, max)
void to_json(json& j, const ChecklistItem& v) {
  j = json::object();
  checklistItemBase_to(j, v);
  putIf(j, "na_reason", v.na_reason, !v.na_reason.empty());
  putIf(j, "zh", v.zh, !v.zh.empty());
  putIf(j, "en", v.en, !v.en.empty());
}
void from_json(const json& j, ChecklistItem& v) {
  checklistItemBase_from(j, v);
  getIf(j, "na_reason", v.na_reason);
  getIf(j, "zh", v.zh);
  getIf(j, "en", v.en);
}
// "key" and "value" likewise: a signature from before signature keys keeps
// its canonical form, and so its digest
void to_json(json& j, const Signature& v) {
  j = json{{"signer", v.signer}, {"at", v.at}, {"meaning", v.meaning}, {"record", v.record}, {"digest", v.digest}};
  if (!v.key.empty()) j["key"] = v.key;
  if (!v.value.empty()) j["value"] = v.value;
}
void from_json(const json& j, Signature& v) {
  j.at("signer").get_to(v.signer);
  j.at("at").get_to(v.at);
  j.at("meaning").get_to(v.meaning);
  j.at("record").get_to(v.record);
  j.at("digest").get_to(v.digest);
  v.key = j.contains("key") ? SharedText(j.at("key").get_ref<const std::string&>()) : SharedText();
  v.value = j.contains("value") ? HexBytes<64>(j.at("value").get_ref<const std::string&>()) : HexBytes<64>();
}
BK_JSON_PART(inspectionBase, Inspection, id, kind, wo, op, downstream, inspector, items, result, defect, defect_op,
             road_test, stop, supersedes, sig)
void to_json(json& j, const Inspection& v) {
  j = json::object();
  inspectionBase_to(j, v);
  putIf(j, "road", v.road, v.road.has_value());
  putIf(j, "catalog", v.catalog, !v.catalog.empty());
  putIf(j, "cause", v.cause, v.cause.has_value());
}
void from_json(const json& j, Inspection& v) {
  inspectionBase_from(j, v);
  getIf(j, "road", v.road);
  getIf(j, "catalog", v.catalog);
  getIf(j, "cause", v.cause);
}
BK_JSON_FIELDS(, Rework, id, op, wo, inspection, found_in, defect, assigned_to, opened_at, closed_at)
BK_JSON_PART(incidentBase, Incident, id, rework, wo, op, defect, trade, charged_to, at, disputed_by, dispute_reason,
        decision)
BK_JSON_FIELDS(, FaultSlips, month, lines, sig)
void to_json(json& j, const Incident& v) {
  j = json::object();
  incidentBase_to(j, v);
  putIf(j, "held_by", v.held_by, v.held_by.has_value());
  putIf(j, "voided", v.voided, v.voided);
}
void from_json(const json& j, Incident& v) {
  incidentBase_from(j, v);
  getIf(j, "held_by", v.held_by);
  getIf(j, "voided", v.voided);
}
BK_JSON_FIELDS(, WarrantyStep, covered, note, sig)
BK_JSON_FIELDS(, QuoteStep, price_cents, minutes, sig)
BK_JSON_FIELDS(, ConsentStep, granted, channel, warned, sig)
BK_JSON_FIELDS(, AddOnReturn, refuse, reason, step, sig)
BK_JSON_PART(addOnBase, AddOn, id, wo, found_on, op, proposer, trade, reason, est_minutes, parts, safety,
        warranty_claimed, proposed_at, warranty, quote, technical, manager, consent)
// Issue 14's refusal and send-backs only when set: records from before keep their form.
void to_json(json& j, const AddOn& v) {
  j = json::object();
  addOnBase_to(j, v);
  putIf(j, "refused", v.refused, v.refused.has_value());
  putIf(j, "returns", v.returns, !v.returns.empty());
}
void from_json(const json& j, AddOn& v) {
  addOnBase_from(j, v);
  getIf(j, "refused", v.refused);
  getIf(j, "returns", v.returns);
}
BK_JSON_FIELDS(, ReviewItem, id, reason, hold, for_role, wo, action, facts, at, resolved_by, resolved_at, decision, resolution)

bool Person::has(Role r) const { return std::find(roles.begin(), roles.end(), r) != roles.end(); }

void Shop::reindex() {
  ops_of_wo.clear();
  open_entries.clear();
  entries_of_op.clear();
  for (auto& [id, op] : operations) ops_of_wo[op.wo].push_back(id);
  for (auto& [wo, ids] : ops_of_wo)
    std::sort(ids.begin(), ids.end(), [&](const Id& a, const Id& b) {
      return operations.at(a).seq < operations.at(b).seq;
    });
  inspections_by_time.clear();
  inspections_of_wo.clear();
  first_inspection.clear();
  latest_inspection.clear();
  op_finished_at.clear();
  reworks_by_open.clear();
  reworks_of_op.clear();
  rework_entries_by_start.clear();
  last_entry_of.clear();
  entries_by_start.clear();
  for (auto& [id, e] : entries) indexEntry(e);
  for (auto& [id, in] : inspections) indexInspection(in);
  for (auto& [id, rw] : reworks) indexRework(rw);
  wos_of_vin.clear();
  comebacks_of.clear();
  comebacks_by_open.clear();
  delivered_by_time.clear();
  for (auto& [id, wo] : work_orders) indexWorkOrder(wo);
  reviews_of_wo.clear();
  for (auto& [id, r] : reviews) indexReview(r);
}

namespace {
// Erases the pair (key, id) from a multimap of ids by time.
void eraseOne(std::multimap<Millis, Id>& m, Millis key, const Id& id) {
  auto [lo, hi] = m.equal_range(key);
  for (auto it = lo; it != hi; ++it)
    if (it->second == id) {
      m.erase(it);
      return;
    }
}
// Erases `id` from the vector at `key`, and the key when nothing is left.
template <typename K>
void eraseFrom(std::map<K, std::vector<Id>>& m, const K& key, const Id& id) {
  auto it = m.find(key);
  if (it == m.end()) return;
  std::erase(it->second, id);
  if (it->second.empty()) m.erase(it);
}
}  // namespace

void Shop::forget(const std::set<Id>& wos) {
  if (wos.empty()) return;
  // (each index entry leaves with the record that made it)
  std::erase_if(operations, [&](const auto& kv) { return wos.count(kv.second.wo) > 0; });
  std::set<Id> techs;  // whose latest entry may have left
  for (auto it = entries.begin(); it != entries.end();)
    if (const TimeEntry& e = it->second; wos.count(e.wo)) {
      open_entries.erase(e.id);
      eraseFrom(entries_of_op, e.op, e.id);
      if (e.rework) eraseOne(rework_entries_by_start, e.start, e.id);
      eraseOne(entries_by_start, e.start, e.id);
      if (auto l = last_entry_of.find(e.tech); l != last_entry_of.end() && l->second == e.id) {
        techs.insert(e.tech);
        last_entry_of.erase(l);
      }
      it = entries.erase(it);
    } else {
      ++it;
    }
  if (!techs.empty())  // their latest among the entries that stay
    for (auto& [id, e] : entries)
      if (techs.count(e.tech)) {
        auto [l, fresh] = last_entry_of.emplace(e.tech, e.id);
        if (!fresh) {
          const TimeEntry& k = entries.at(l->second);
          if (e.start > k.start || (e.start == k.start && e.id > k.id)) l->second = e.id;
        }
      }
  // an inspection may name another work order's operation (a comeback's
  // names the first visit's): what was first or latest for a key, or a
  // first passing peer inspection, is found again among those that stay
  std::set<std::pair<InspectionKind, Id>> firstLeft, latestLeft;
  std::set<Id> finishLeft;
  for (auto it = inspections.begin(); it != inspections.end();)
    if (const Inspection& in = it->second; wos.count(in.wo)) {
      eraseOne(inspections_by_time, in.sig.at, in.id);
      inspections_of_wo.erase(in.wo);
      if (!in.supersedes) {
        const auto key = std::make_pair(in.kind, inspectionTarget(in));
        if (auto f = first_inspection.find(key); f != first_inspection.end() && f->second == in.id) {
          first_inspection.erase(f);
          firstLeft.insert(key);
        }
        if (auto l = latest_inspection.find(key); l != latest_inspection.end() && l->second == in.id) {
          latest_inspection.erase(l);
          latestLeft.insert(key);
        }
        if (in.kind == InspectionKind::Peer && in.result == Verdict::Pass && in.op)
          if (auto f = op_finished_at.find(*in.op); f != op_finished_at.end() && f->second == in.sig.at) {
            op_finished_at.erase(f);
            finishLeft.insert(*in.op);
          }
      }
      it = inspections.erase(it);
    } else {
      ++it;
    }
  if (!firstLeft.empty() || !latestLeft.empty() || !finishLeft.empty())
    for (auto& [id, in] : inspections) {
      if (in.supersedes) continue;
      const auto key = std::make_pair(in.kind, inspectionTarget(in));
      if (firstLeft.count(key)) {
        auto [f, fresh] = first_inspection.emplace(key, in.id);
        if (const Inspection& k = inspections.at(f->second); !fresh && (in.sig.at < k.sig.at || (in.sig.at == k.sig.at && in.id < k.id)))
          f->second = in.id;
      }
      if (latestLeft.count(key)) {
        auto [l, fresh] = latest_inspection.emplace(key, in.id);
        if (const Inspection& k = inspections.at(l->second); !fresh && (in.sig.at > k.sig.at || (in.sig.at == k.sig.at && in.id > k.id)))
          l->second = in.id;
      }
      if (in.kind == InspectionKind::Peer && in.result == Verdict::Pass && in.op && finishLeft.count(*in.op)) {
        auto [f, fresh] = op_finished_at.emplace(*in.op, in.sig.at);
        if (!fresh) f->second = std::min(f->second, in.sig.at);
      }
    }
  for (auto it = reworks.begin(); it != reworks.end();)
    if (wos.count(it->second.wo)) {
      eraseOne(reworks_by_open, it->second.opened_at, it->first);
      eraseFrom(reworks_of_op, it->second.op, it->first);
      it = reworks.erase(it);
    } else {
      ++it;
    }
  std::erase_if(incidents, [&](const auto& kv) { return wos.count(kv.second.wo) > 0; });
  std::erase_if(addons, [&](const auto& kv) { return wos.count(kv.second.wo) > 0; });
  for (const Id& id : wos) {
    auto w = work_orders.find(id);
    if (w == work_orders.end()) continue;
    const WorkOrder& wo = w->second;
    if (const std::string vin = vinKey(wo.vehicle.vin); !vin.empty()) eraseFrom(wos_of_vin, vin, wo.id);
    if (wo.comeback()) {
      eraseFrom(comebacks_of, wo.comeback_of, wo.id);
      eraseOne(comebacks_by_open, wo.opened_at, wo.id);
    }
    if (wo.delivered_at) eraseOne(delivered_by_time, *wo.delivered_at, wo.id);
    ops_of_wo.erase(id);
    inspections_of_wo.erase(id);
    work_orders.erase(w);
  }
}

void Shop::indexReview(const ReviewItem& r) {
  if (!r.wo.empty()) reviews_of_wo[r.wo].insert(r.id);
}

void Shop::indexWorkOrder(const WorkOrder& wo) {
  if (const std::string vin = vinKey(wo.vehicle.vin); !vin.empty()) wos_of_vin[vin].push_back(wo.id);
  if (wo.comeback()) {
    comebacks_of[wo.comeback_of].push_back(wo.id);
    comebacks_by_open.emplace(wo.opened_at, wo.id);
  }
  if (wo.delivered_at) delivered_by_time.emplace(*wo.delivered_at, wo.id);
}

void Shop::indexInspection(const Inspection& in) {
  inspections_by_time.emplace(in.sig.at, in.id);
  inspections_of_wo[in.wo].insert(in.id);
  if (in.supersedes) return;  // a correction is not a new inspection
  const Id target = inspectionTarget(in);
  auto [it, fresh] = first_inspection.emplace(std::make_pair(in.kind, target), in.id);
  if (!fresh) {
    const Inspection& f = inspections.at(it->second);
    if (in.sig.at < f.sig.at || (in.sig.at == f.sig.at && in.id < f.id)) it->second = in.id;
  }
  auto [lt, none] = latest_inspection.emplace(std::make_pair(in.kind, target), in.id);
  if (!none) {
    const Inspection& l = inspections.at(lt->second);
    if (in.sig.at > l.sig.at || (in.sig.at == l.sig.at && in.id > l.id)) lt->second = in.id;
  }
  if (in.kind == InspectionKind::Peer && in.result == Verdict::Pass && in.op) {
    auto [ft, first] = op_finished_at.emplace(*in.op, in.sig.at);
    if (!first) ft->second = std::min(ft->second, in.sig.at);
  }
}

void Shop::indexRework(const Rework& rw) {
  reworks_by_open.emplace(rw.opened_at, rw.id);
  reworks_of_op[rw.op].push_back(rw.id);
}

void Shop::indexEntry(const TimeEntry& e) {
  if (!e.end) open_entries.insert(e.id);
  entries_of_op[e.op].push_back(e.id);
  if (e.rework) rework_entries_by_start.emplace(e.start, e.id);
  entries_by_start.emplace(e.start, e.id);
  auto [it, fresh] = last_entry_of.emplace(e.tech, e.id);
  if (!fresh) {  // the latest start; the greater id between two at the same time
    const TimeEntry& l = entries.at(it->second);
    if (e.start > l.start || (e.start == l.start && e.id > l.id)) it->second = e.id;
  }
}

bool Shop::sameRecords(const Shop& o) const {
  return people == o.people && bays == o.bays && work_orders == o.work_orders &&
         operations == o.operations && entries == o.entries && inspections == o.inspections &&
         reworks == o.reworks && incidents == o.incidents && addons == o.addons &&
         reviews == o.reviews && superseded_by == o.superseded_by && clients == o.clients &&
         pin_attempts == o.pin_attempts && policy == o.policy && setup_codes == o.setup_codes &&
         messages == o.messages && fault_slips == o.fault_slips;
}

namespace {
template <typename T>
std::map<Id, T> ofWorkOrders(const std::map<Id, T>& m, const std::map<Id, WorkOrder>& wos) {
  std::map<Id, T> out;
  for (auto& [id, v] : m)
    if (wos.count(v.wo)) out.emplace(id, v);
  return out;
}
}  // namespace

bool Shop::samePartOf(const Shop& whole) const {
  std::map<Id, WorkOrder> wos;
  for (auto& [id, w] : work_orders)
    if (auto it = whole.work_orders.find(id); it != whole.work_orders.end()) wos.emplace(id, it->second);
  return wos == work_orders && people == whole.people && bays == whole.bays && reviews == whole.reviews &&
         superseded_by == whole.superseded_by && clients == whole.clients && pin_attempts == whole.pin_attempts &&
         policy == whole.policy && setup_codes == whole.setup_codes && messages == whole.messages &&
         fault_slips == whole.fault_slips && operations == ofWorkOrders(whole.operations, wos) &&
         entries == ofWorkOrders(whole.entries, wos) && inspections == ofWorkOrders(whole.inspections, wos) &&
         reworks == ofWorkOrders(whole.reworks, wos) && incidents == ofWorkOrders(whole.incidents, wos) &&
         addons == ofWorkOrders(whole.addons, wos);
}

template <typename M>
static auto* find(const M& m, const Id& id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

const Person* Shop::person(const Id& id) const { return find(people, id); }
const Operation* Shop::operation(const Id& id) const { return find(operations, id); }
const WorkOrder* Shop::workOrder(const Id& id) const { return find(work_orders, id); }

std::vector<const Operation*> Shop::opsOf(const Id& wo) const {
  std::vector<const Operation*> out;
  if (auto it = ops_of_wo.find(wo); it != ops_of_wo.end())
    for (auto& id : it->second) out.push_back(&operations.at(id));
  return out;
}

std::vector<const TimeEntry*> Shop::openEntriesOf(const Id& tech) const {
  std::vector<const TimeEntry*> out;
  for (auto& id : open_entries) if (auto& e = entries.at(id); e.tech == tech) out.push_back(&e);
  return out;
}

// By the operation's own entries (a few), not a pass over every open entry
// of the shop: a delivery asks it of each operation, the board of each
// one it shows. In id order, as open_entries gives them.
std::vector<const TimeEntry*> Shop::openEntriesOn(const Id& op) const {
  std::vector<const TimeEntry*> out;
  if (auto it = entries_of_op.find(op); it != entries_of_op.end())
    for (auto& id : it->second)
      if (open_entries.count(id)) out.push_back(&entries.at(id));
  std::sort(out.begin(), out.end(), [](const TimeEntry* a, const TimeEntry* b) { return a->id < b->id; });
  return out;
}

bool Shop::workedOn(const Id& person, const Id& op) const {
  auto* o = operation(op);
  if (o && o->main_tech == person) return true;
  if (auto it = entries_of_op.find(op); it != entries_of_op.end())
    for (auto& id : it->second) if (entries.at(id).tech == person) return true;
  return false;
}

}  // namespace bk
