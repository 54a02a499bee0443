#include "domain/actions.hpp"

#include <sodium.h>

#include <cctype>
#include <climits>

namespace bk {

BK_JSON_FIELDS(static, EnrollPerson, person)
BK_JSON_FIELDS(static, DefineBay, bay)
// "instructions" only when given (issue 14), so events from before keep their form
[[maybe_unused]] static void to_json(json& j, const OperationSpec& v) {
  j = json{{"id", v.id}, {"trade", v.trade}, {"title", v.title}, {"std_minutes", v.std_minutes},
           {"main_tech", v.main_tech}, {"handover", v.handover}};
  if (!v.instructions.empty()) j["instructions"] = v.instructions;
}
[[maybe_unused]] static void from_json(const json& j, OperationSpec& v) {
  j.at("id").get_to(v.id);
  j.at("trade").get_to(v.trade);
  j.at("title").get_to(v.title);
  j.at("std_minutes").get_to(v.std_minutes);
  j.at("main_tech").get_to(v.main_tech);
  j.at("handover").get_to(v.handover);
  v.instructions = j.contains("instructions") ? j.at("instructions").get<std::string>() : std::string();
}
// "via" is left out when empty, so events from before it keep their
// canonical form (and read back as empty)
static void viaToJson(json& j, const Id& via) {
  if (!via.empty()) j["via"] = via;
}
static void viaFromJson(const json& j, Id& via) { via = j.contains("via") ? j.at("via").get<Id>() : Id{}; }
[[maybe_unused]] static void to_json(json& j, const OpenWorkOrder& v) {
  j = json{{"wo", v.wo}, {"ops", v.ops}};
  viaToJson(j, v.via);
}
[[maybe_unused]] static void from_json(const json& j, OpenWorkOrder& v) {
  j.at("wo").get_to(v.wo);
  j.at("ops").get_to(v.ops);
  viaFromJson(j, v.via);
}
[[maybe_unused]] static void to_json(json& j, const UpdateWorkOrder& v) {
  j = json{{"wo", v.wo}, {"by", v.by}, {"promised_at", v.promised_at}, {"road_test_required", v.road_test_required},
           {"customer", v.customer}, {"bay", v.bay}};
  viaToJson(j, v.via);
}
[[maybe_unused]] static void from_json(const json& j, UpdateWorkOrder& v) {
  j.at("wo").get_to(v.wo);
  j.at("by").get_to(v.by);
  j.at("promised_at").get_to(v.promised_at);
  j.at("road_test_required").get_to(v.road_test_required);
  j.at("customer").get_to(v.customer);
  j.at("bay").get_to(v.bay);
  viaFromJson(j, v.via);
}
[[maybe_unused]] static void to_json(json& j, const AddOperations& v) {
  j = json{{"wo", v.wo}, {"by", v.by}, {"ops", v.ops}, {"at", v.at}};
  viaToJson(j, v.via);
}
[[maybe_unused]] static void from_json(const json& j, AddOperations& v) {
  j.at("wo").get_to(v.wo);
  j.at("by").get_to(v.by);
  j.at("ops").get_to(v.ops);
  j.at("at").get_to(v.at);
  viaFromJson(j, v.via);
}
BK_JSON_FIELDS(static, ClockOn, entry, tech, op, bay, at)
BK_JSON_FIELDS(static, ClockOff, tech, op, reason, at)
BK_JSON_FIELDS(static, EndShift, tech, at)
BK_JSON_FIELDS(static, RecordInspection, inspection, sig)
BK_JSON_FIELDS(static, ProposeAddOn, addon, op, wo, found_on, proposer, trade, reason, est_minutes, parts, safety,
        warranty_claimed, at)
BK_JSON_FIELDS(static, DecideWarranty, addon, covered, note, sig)
BK_JSON_FIELDS(static, QuoteAddOn, addon, price_cents, minutes, sig)
BK_JSON_FIELDS(static, SignAddOnTechnical, addon, sig)
BK_JSON_FIELDS(static, SignAddOnCost, addon, sig)
BK_JSON_FIELDS(static, ReturnAddOn, addon, refuse, reason, sig)
BK_JSON_FIELDS(static, SignFaultSlips, month, lines, sig)
BK_JSON_FIELDS(static, RecordConsent, addon, granted, channel, warned, sig)
BK_JSON_FIELDS(static, DisputeCharge, incident, by, reason, at)
BK_JSON_FIELDS(static, DecideDispute, incident, charged_to, sig)
// A decision's or a delivery's "sig" is absent in logs from before
// signature keys: read as empty, and left out when empty, so such events
// keep their canonical form.
static void sigToJson(json& j, const Signature& sig) {
  if (!sig.signer.empty()) j["sig"] = sig;
}
static void sigFromJson(const json& j, Signature& sig) { sig = j.contains("sig") ? j.at("sig").get<Signature>() : Signature{}; }
// "decision" may be absent in logs from before decisions (read as unset)
[[maybe_unused]] static void to_json(json& j, const ResolveReview& v) {
  j = json{{"review", v.review}, {"by", v.by}, {"resolution", v.resolution}, {"at", v.at}, {"decision", v.decision}};
  sigToJson(j, v.sig);
}
[[maybe_unused]] static void from_json(const json& j, ResolveReview& v) {
  j.at("review").get_to(v.review);
  j.at("by").get_to(v.by);
  j.at("resolution").get_to(v.resolution);
  j.at("at").get_to(v.at);
  v.decision = j.contains("decision") ? j.at("decision").get<std::optional<Decision>>() : std::nullopt;
  sigFromJson(j, v.sig);
}
// old_parts and ack (issue 12) only when set: a delivery from before them
// keeps its canonical form, and so its digest
[[maybe_unused]] static void to_json(json& j, const DeliverWorkOrder& v) {
  j = json{{"wo", v.wo}, {"by", v.by}, {"at", v.at}};
  if (v.old_parts) j["old_parts"] = *v.old_parts;
  if (v.ack) j["ack"] = *v.ack;
  sigToJson(j, v.sig);
}
[[maybe_unused]] static void from_json(const json& j, DeliverWorkOrder& v) {
  j.at("wo").get_to(v.wo);
  j.at("by").get_to(v.by);
  j.at("at").get_to(v.at);
  v.old_parts = j.contains("old_parts") ? std::optional<OldParts>(j.at("old_parts").get<OldParts>()) : std::nullopt;
  v.ack = j.contains("ack") ? std::optional<CustomerAck>(j.at("ack").get<CustomerAck>()) : std::nullopt;
  sigFromJson(j, v.sig);
}
[[maybe_unused]] static void to_json(json& j, const RegisterKey& v) {
  j = json{{"person", v.person}, {"key", v.key}, {"proof", v.proof}, {"at", v.at}, {"approval", v.approval}};
  if (!v.setup.empty()) j["setup"] = v.setup;  // issue 13; older events keep their form
}
[[maybe_unused]] static void from_json(const json& j, RegisterKey& v) {
  j.at("person").get_to(v.person);
  j.at("key").get_to(v.key);
  j.at("proof").get_to(v.proof);
  j.at("at").get_to(v.at);
  j.at("approval").get_to(v.approval);
  v.setup = j.contains("setup") ? j.at("setup").get<Id>() : Id{};
}
BK_JSON_FIELDS(static, SetPolicy, policy, at)
[[maybe_unused]] static void to_json(json& j, const IssueSetupCode& v) {
  j = json{{"code", v.code}, {"person", v.person}, {"hash", v.hash}, {"at", v.at}, {"expires_at", v.expires_at}, {"by", v.by}};
  sigToJson(j, v.sig);
}
[[maybe_unused]] static void from_json(const json& j, IssueSetupCode& v) {
  j.at("code").get_to(v.code);
  j.at("person").get_to(v.person);
  j.at("hash").get_to(v.hash);
  j.at("at").get_to(v.at);
  j.at("expires_at").get_to(v.expires_at);
  j.at("by").get_to(v.by);
  sigFromJson(j, v.sig);
}
BK_JSON_FIELDS(static, UndoClock, tech, cancel, reopen, at)
BK_JSON_FIELDS(static, CorrectEntry, entry, end, reason, sig)
BK_JSON_FIELDS(static, ReassignOperation, op, to, bay, sig)
BK_JSON_FIELDS(static, SendMessage, message, from, to, text, entry, at)
BK_JSON_FIELDS(static, ReadMessage, message, by, at)
BK_JSON_FIELDS(static, EnrolClient, client)
BK_JSON_FIELDS(static, PinFailed, person, kiosk, signing, at)

namespace {

template <typename T> struct TypeName;
#define BK_TYPE(T, n) template <> struct TypeName<T> { static constexpr std::string_view value = n; };
BK_TYPE(EnrollPerson, "enroll_person")
BK_TYPE(DefineBay, "define_bay")
BK_TYPE(OpenWorkOrder, "open_work_order")
BK_TYPE(UpdateWorkOrder, "update_work_order")
BK_TYPE(AddOperations, "add_operations")
BK_TYPE(ClockOn, "clock_on")
BK_TYPE(ClockOff, "clock_off")
BK_TYPE(EndShift, "end_shift")
BK_TYPE(RecordInspection, "record_inspection")
BK_TYPE(ProposeAddOn, "propose_addon")
BK_TYPE(DecideWarranty, "decide_warranty")
BK_TYPE(QuoteAddOn, "quote_addon")
BK_TYPE(SignAddOnTechnical, "sign_addon_technical")
BK_TYPE(SignAddOnCost, "sign_addon_cost")
BK_TYPE(ReturnAddOn, "return_addon")
BK_TYPE(RecordConsent, "record_consent")
BK_TYPE(DisputeCharge, "dispute_charge")
BK_TYPE(DecideDispute, "decide_dispute")
BK_TYPE(EnrolClient, "enrol_client")
BK_TYPE(PinFailed, "pin_failed")
BK_TYPE(ResolveReview, "resolve_review")
BK_TYPE(DeliverWorkOrder, "deliver_work_order")
BK_TYPE(RegisterKey, "register_key")
BK_TYPE(SetPolicy, "set_policy")
BK_TYPE(IssueSetupCode, "issue_setup_code")
BK_TYPE(UndoClock, "undo_clock")
BK_TYPE(CorrectEntry, "correct_entry")
BK_TYPE(ReassignOperation, "reassign_operation")
BK_TYPE(SendMessage, "send_message")
BK_TYPE(ReadMessage, "read_message")
BK_TYPE(SignFaultSlips, "sign_fault_slips")

template <std::size_t I = 0>
Action decodeAs(std::string_view type, const json& j) {
  if constexpr (I == std::variant_size_v<Action>) {
    throw json::other_error::create(598, "unknown action type: " + std::string(type), &j);
  } else {
    using T = std::variant_alternative_t<I, Action>;
    if (type == TypeName<T>::value) {
      T v;
      from_json(j, v);
      return v;
    }
    return decodeAs<I + 1>(type, j);
  }
}

template <typename... F> struct Overload : F... { using F::operator()...; };
template <typename... F> Overload(F...) -> Overload<F...>;

}  // namespace

std::string_view actionType(const Action& a) {
  return std::visit([](auto& v) { return TypeName<std::decay_t<decltype(v)>>::value; }, a);
}

json toJson(const Action& a) {
  json j = std::visit([](auto& v) { json o; to_json(o, v); return o; }, a);
  j["type"] = std::string(actionType(a));
  return j;
}

namespace {
// Only a measured value and its tolerance are fractional; everything else is
// an integer (times, minutes, money in cents). A fraction or a number beyond
// 64 bits elsewhere is refused here, before a conversion could truncate it
// or overflow (found by the fuzzer: 1.8e38 as a time).
// Fields the model holds in 32 bits (distances, minutes, counts, a stroke's
// points): a larger number is refused here, never cut down when read.
void requireIntegers(const json& j, const std::string& key) {
  static const std::set<std::string> kFractional{"value", "min", "max"};
  static const std::set<std::string> k32{"odometer_km", "warranty_km", "seq", "std_minutes", "odo_start", "odo_end",
                                         "minutes", "est_minutes", "utc_offset_minutes", "idle_signout_seconds",
                                         "setup_code_days", "pin_length", "pin_max_failures", "comeback_days",
                                         "work_start_minute", "work_end_minute", "strokes"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) requireIntegers(it.value(), it.key());
  } else if (j.is_array()) {
    for (const json& v : j) requireIntegers(v, key);
  } else if (j.is_number_float() && !kFractional.count(key)) {
    throw json::type_error::create(302, "not an integer: " + key, &j);
  } else if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    throw json::type_error::create(302, "integer too large: " + key, &j);
  } else if (j.is_number_integer() && k32.count(key) &&
             (j.get<std::int64_t>() > INT32_MAX || j.get<std::int64_t>() < INT32_MIN)) {
    throw json::type_error::create(302, "integer out of range: " + key, &j);
  }
}
}  // namespace

Action actionFromJson(const json& j) {
  if (!j.is_object()) throw json::type_error::create(302, "action must be an object", &j);
  requireIntegers(j, "");
  const auto& t = j.at("type");
  if (!t.is_string()) throw json::type_error::create(302, "action type must be a string", &j);
  return decodeAs(t.get_ref<const std::string&>(), j);
}

Id actorOf(const Action& a) {
  return std::visit(Overload{
      [](const EnrollPerson&) { return Id{}; },
      [](const DefineBay&) { return Id{}; },
      [](const OpenWorkOrder& v) { return v.wo.advisor; },
      [](const UpdateWorkOrder& v) { return v.by; },
      [](const AddOperations& v) { return v.by; },
      [](const ClockOn& v) { return v.tech; },
      [](const ClockOff& v) { return v.tech; },
      [](const EndShift& v) { return v.tech; },
      [](const ProposeAddOn& v) { return v.proposer; },
      [](const DisputeCharge& v) { return v.by; },
      [](const ResolveReview& v) { return v.by; },
      [](const DeliverWorkOrder& v) { return v.by; },
      [](const RegisterKey& v) { return v.approval ? v.approval->signer : v.person; },
      [](const EnrolClient&) { return Id{}; },
      [](const PinFailed& v) { return v.person; },
      [](const SetPolicy&) { return Id{}; },
      [](const IssueSetupCode& v) { return v.by; },
      [](const UndoClock& v) { return v.tech; },
      [](const SendMessage& v) { return v.from; },
      [](const ReadMessage& v) { return v.by; },
      [](const auto& v) { return v.sig.signer; },
  }, a);
}

Millis timeOf(const Action& a) {
  return std::visit(Overload{
      [](const EnrollPerson&) { return Millis{0}; },
      [](const DefineBay&) { return Millis{0}; },
      [](const OpenWorkOrder& v) { return v.wo.opened_at; },
      [](const UpdateWorkOrder&) { return Millis{0}; },
      [](const AddOperations& v) { return v.at; },
      [](const ClockOn& v) { return v.at; },
      [](const ClockOff& v) { return v.at; },
      [](const EndShift& v) { return v.at; },
      [](const ProposeAddOn& v) { return v.at; },
      [](const DisputeCharge& v) { return v.at; },
      [](const ResolveReview& v) { return v.at; },
      [](const DeliverWorkOrder& v) { return v.at; },
      [](const RegisterKey& v) { return v.at; },
      [](const EnrolClient& v) { return v.client.since; },
      [](const PinFailed& v) { return v.at; },
      [](const SetPolicy& v) { return v.at; },
      [](const IssueSetupCode& v) { return v.at; },
      [](const UndoClock& v) { return v.at; },
      [](const SendMessage& v) { return v.at; },
      [](const ReadMessage& v) { return v.at; },
      [](const auto& v) { return v.sig.at; },
  }, a);
}

Id workOrderOf(const Shop& s, const Action& a) {
  auto ofOp = [&](const Id& op) { auto* o = s.operation(op); return o ? o->wo : Id{}; };
  auto ofAddOn = [&](const Id& id) { auto it = s.addons.find(id); return it == s.addons.end() ? Id{} : it->second.wo; };
  auto ofIncident = [&](const Id& id) { auto it = s.incidents.find(id); return it == s.incidents.end() ? Id{} : it->second.wo; };
  return std::visit(Overload{
      [](const EnrollPerson&) { return Id{}; },
      [](const DefineBay&) { return Id{}; },
      [](const EndShift&) { return Id{}; },
      [](const OpenWorkOrder& v) { return v.wo.id; },
      [](const UpdateWorkOrder& v) { return v.wo; },
      [](const AddOperations& v) { return v.wo; },
      [&](const ClockOn& v) { return ofOp(v.op); },
      [&](const ClockOff& v) { return ofOp(v.op); },
      [](const RecordInspection& v) { return v.inspection.wo; },
      [](const ProposeAddOn& v) { return v.wo; },
      [&](const DisputeCharge& v) { return ofIncident(v.incident); },
      [&](const DecideDispute& v) { return ofIncident(v.incident); },
      [&](const ResolveReview& v) { auto it = s.reviews.find(v.review); return it == s.reviews.end() ? Id{} : it->second.wo; },
      [](const DeliverWorkOrder& v) { return v.wo; },
      [](const RegisterKey&) { return Id{}; },
      [](const EnrolClient&) { return Id{}; },
      [](const PinFailed&) { return Id{}; },
      [](const SetPolicy&) { return Id{}; },
      [](const IssueSetupCode&) { return Id{}; },
      [&](const UndoClock& v) {
        auto it = s.entries.find(v.cancel.empty() ? v.reopen : v.cancel);
        return it == s.entries.end() ? Id{} : it->second.wo;
      },
      [&](const CorrectEntry& v) { auto it = s.entries.find(v.entry); return it == s.entries.end() ? Id{} : it->second.wo; },
      [&](const ReassignOperation& v) { return ofOp(v.op); },
      [](const SendMessage&) { return Id{}; },
      [](const ReadMessage&) { return Id{}; },
      [](const SignFaultSlips&) { return Id{}; },
      [&](const auto& v) { return ofAddOn(v.addon); },
  }, a);
}

namespace {
void collectIds(const json& j, const std::string& key, std::set<Id>& out) {
  // fields that hold ids (the rest is free text, enum values, numbers)
  static const std::set<std::string> kIdFields{
      "id", "wo", "op", "tech", "bay", "entry", "addon", "found_on", "proposer", "by", "incident",
      "charged_to", "review", "main_tech", "signer", "inspector", "advisor", "inspection", "rework",
      "assigned_to", "person", "to", "from", "cancel", "reopen", "message", "comeback_of", "not_comeback_of"};
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) collectIds(it.value(), it.key(), out);
  } else if (j.is_array()) {
    for (const json& v : j) collectIds(v, key, out);
  } else if (j.is_string() && kIdFields.count(key) && !j.get_ref<const std::string&>().empty()) {
    out.insert(j.get<std::string>());
  }
}
}  // namespace

std::set<Id> touches(const Shop& s, const Action& a) {
  std::set<Id> out;
  collectIds(toJson(a), "", out);
  if (Id wo = workOrderOf(s, a); !wo.empty()) out.insert(wo);
  return out;
}

const Signature* signatureOf(const Action& a) {
  return std::visit([](const auto& v) -> const Signature* {
    if constexpr (requires { v.sig; }) return &v.sig; else return nullptr;
  }, a);
}
Signature* signatureOf(Action& a) {
  return std::visit([](auto& v) -> Signature* {
    if constexpr (requires { v.sig; }) return &v.sig; else return nullptr;
  }, a);
}

std::string expectedMeaning(const Action& a) {
  return std::visit(Overload{
      [](const RecordInspection& v) { return "inspection." + std::string(name(v.inspection.kind)); },
      [](const DecideWarranty&) { return std::string("addon.warranty"); },
      [](const QuoteAddOn&) { return std::string("addon.quote"); },
      [](const SignAddOnTechnical&) { return std::string("addon.technical"); },
      [](const SignAddOnCost&) { return std::string("addon.cost"); },
      [](const ReturnAddOn& v) { return std::string(v.refuse ? "addon.refuse" : "addon.send_back"); },
      [](const RecordConsent& v) { return std::string(v.granted ? "addon.consent" : "addon.refusal"); },
      [](const DecideDispute&) { return std::string("incident.ruling"); },
      [](const ResolveReview& v) {
        return std::string(v.decision == Decision::Accept ? "review.accept" : v.decision == Decision::Void ? "review.void" : "review.decision");
      },
      [](const DeliverWorkOrder&) { return std::string("work_order.delivery"); },
      [](const IssueSetupCode& v) { return v.by.empty() ? std::string() : std::string("person.pin_reset"); },
      [](const CorrectEntry&) { return std::string("time_entry.correction"); },
      [](const ReassignOperation&) { return std::string("operation.dispatch"); },
      [](const SignFaultSlips&) { return std::string("fault_slips.sign"); },
      [](const auto&) { return std::string(); },
  }, a);
}

std::string expectedRecord(const Action& a) {
  return std::visit(Overload{
      [](const RecordInspection& v) { return "inspection/" + v.inspection.id; },
      [](const DecideDispute& v) { return "incident/" + v.incident; },
      [](const ResolveReview& v) { return "review/" + v.review; },
      [](const DeliverWorkOrder& v) { return "work_order/" + v.wo; },
      [](const IssueSetupCode& v) { return v.by.empty() ? std::string() : "person/" + v.person; },
      [](const CorrectEntry& v) { return "time_entry/" + v.entry; },
      [](const ReassignOperation& v) { return "operation/" + v.op; },
      [](const SignFaultSlips& v) { return "fault_slips/" + v.month; },
      [](const auto& v) {
        if constexpr (requires { v.addon; v.sig; }) return "addon/" + v.addon;
        else return std::string();
      },
  }, a);
}

std::string signingDigest(const Action& a) {
  json j = toJson(a);
  for (json* sig : {j.contains("sig") ? &j["sig"] : nullptr,
                    j.contains("inspection") ? &j["inspection"]["sig"] : nullptr,
                    j.contains("approval") && j["approval"].is_object() ? &j["approval"] : nullptr}) {
    if (!sig) continue;
    (*sig)["digest"] = "";
    sig->erase("value");
  }
  return sha256Hex(canonical(j));
}

std::string sha256Hex(std::string_view text) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * sizeof out);
  for (unsigned char c : out) { s += hex[c >> 4]; s += hex[c & 15]; }
  return s;
}

std::string strokesHash(const std::vector<Stroke>& strokes) { return sha256Hex(canonical(json(strokes))); }

std::string gatePassOf(const WorkOrder& wo, const DeliverWorkOrder& d) {
  std::string code = d.sig.digest.substr(0, 6);
  for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "GP-" + wo.number + "-" + code;
}

void sealSignature(Action& a, const Id& signer, Millis at) {
  Signature* sig = signatureOf(a);
  if (!sig) return;
  sig->signer = signer;
  sig->at = at;
  sig->meaning = expectedMeaning(a);
  sig->record = expectedRecord(a);
  sig->digest.clear();
  if (auto* ri = std::get_if<RecordInspection>(&a)) {
    ri->inspection.sig = *sig;  // the stored record carries its signature
  }
  sig->digest = signingDigest(a);
  if (auto* ri = std::get_if<RecordInspection>(&a)) ri->inspection.sig.digest = sig->digest;
}

bool hubOnly(std::string_view type) { return type == TypeName<EnrolClient>::value; }

std::optional<Refusal> outOfScope(Scope scope, const Action& a) {
  // issue 13: a setup code from a kiosk is a service manager's signed PIN
  // reset (the rules check the signer); without one it is the administrator's
  const auto* code = std::get_if<IssueSetupCode>(&a);
  const bool master = std::holds_alternative<EnrollPerson>(a) || std::holds_alternative<DefineBay>(a) ||
                      std::holds_alternative<EnrolClient>(a) || std::holds_alternative<SetPolicy>(a) ||
                      (code && code->by.empty());
  const bool desk = std::holds_alternative<OpenWorkOrder>(a) || std::holds_alternative<UpdateWorkOrder>(a) ||
                    std::holds_alternative<AddOperations>(a);
  const std::string what(actionType(a));
  if (master) return Refusal{Reason::OutOfScope, what + ": master data is the shop administrator's (the hub's machine)"};
  // issue 15: but an advisor at a bay may open a comeback (返修) of a delivered work order
  const auto* open = std::get_if<OpenWorkOrder>(&a);
  const bool comeback = open && open->wo.comeback() && open->via.empty();
  if (scope == Scope::Floor && desk && !comeback) return Refusal{Reason::OutOfScope, what + ": work orders are the front desk's"};
  if (scope == Scope::Desk && !desk) return Refusal{Reason::OutOfScope, what + ": the front desk writes work orders only"};
  return std::nullopt;
}

}  // namespace bk
