#include "kiosk/state.hpp"

#include <cstdio>
#include <ctime>

namespace bk::ui {

static std::tm local(Millis t, int offset_min) {
  const std::time_t s = static_cast<std::time_t>((t + Millis{offset_min} * 60'000) / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  return tm;
}

std::string clockText(Millis t, int off) {
  const std::tm tm = local(t, off);
  char b[16];
  std::snprintf(b, sizeof b, "%02d:%02d", tm.tm_hour, tm.tm_min);
  return b;
}

std::string dateTimeText(Millis t, int off) {
  const std::tm tm = local(t, off);
  char b[32];
  std::snprintf(b, sizeof b, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
  return b;
}

std::string dateText(Millis t, int off) {
  const std::tm tm = local(t, off);
  char b[32];
  std::snprintf(b, sizeof b, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return b;
}

std::string durationText(Millis ms) {
  if (ms < 0) ms = 0;
  const long long s = ms / 1000;
  char b[32];
  std::snprintf(b, sizeof b, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return b;
}

Millis localMidnight(Millis t, int off) {
  constexpr Millis kDay = 24LL * 3600 * 1000;
  const Millis offset = Millis{off} * 60'000;
  return (t + offset) / kDay * kDay - offset;
}

std::string yuanText(long long yuan) {
  std::string digits = std::to_string(yuan < 0 ? -yuan : yuan), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (yuan < 0 ? "-" : "") + out;
}

std::string personName(const Shop& s, const Id& id) {
  auto* p = s.person(id);
  return p ? p->name : id.str();
}

std::string opTitle(const Ui& ui, const Shop& s, const Operation& op) {
  auto* wo = s.workOrder(op.wo);
  return (wo ? wo->vehicle.plate + " · " : std::string()) + ui.data(op.title);
}

std::string refusalText(const Ui& ui, const Refusal& r) {
  return ui.tr("reason." + std::string(name(r.reason)));
}

bool formDirty(const AppState& st) {
  if (!st.session) return false;
  if (st.screen == Screen::Inspect) {
    const InspectForm& f = st.inspect;
    for (const ChecklistItem& it : f.items)
      if (it.verdict || it.value) return true;
    return f.defect || f.road_test || f.odo_start || f.odo_end || !f.keypad_text.empty() || !f.road.findings.empty();
  }
  if (st.screen == Screen::AddOn) return st.addon.reason >= 0 || !st.addon.parts.empty();
  return false;
}

json draftToJson(const Draft& d) {
  const InspectForm& f = d.inspect;
  json in{{"kind", f.kind}, {"wo", f.wo}, {"items", f.items}, {"road", f.road}, {"stop", f.stop}};
  if (f.op) in["op"] = *f.op;
  if (f.downstream) in["downstream"] = *f.downstream;
  if (f.defect) in["defect"] = *f.defect;
  if (f.defect_op) in["defect_op"] = *f.defect_op;
  if (f.road_test) in["road_test"] = *f.road_test;
  if (f.odo_start) in["odo_start"] = *f.odo_start;
  if (f.odo_end) in["odo_end"] = *f.odo_end;
  const AddOnForm& a = d.addon;
  json ad{{"found_on", a.found_on}, {"reason", a.reason}, {"minutes", a.minutes}, {"safety", a.safety},
          {"warranty", a.warranty}, {"parts", a.parts}};
  return json{{"screen", static_cast<int>(d.screen)}, {"selected", d.selected}, {"inspect", in}, {"addon", ad},
              {"saved_at", d.saved_at}, {"expires_at", d.expires_at}};
}

Draft draftFromJson(const json& j) {
  Draft d;
  const int screen = j.at("screen").get<int>();
  if (screen != static_cast<int>(Screen::Inspect) && screen != static_cast<int>(Screen::AddOn))
    throw json::other_error::create(501, "a draft is an inspection or an add-on", &j);
  d.screen = static_cast<Screen>(screen);
  j.at("selected").get_to(d.selected);
  j.at("saved_at").get_to(d.saved_at);
  j.at("expires_at").get_to(d.expires_at);
  const json& in = j.at("inspect");
  InspectForm& f = d.inspect;
  in.at("kind").get_to(f.kind);
  in.at("wo").get_to(f.wo);
  in.at("items").get_to(f.items);
  in.at("road").get_to(f.road);
  in.at("stop").get_to(f.stop);
  auto opt = [&](const char* k, auto& v) {
    if (in.contains(k)) v = in.at(k).get<typename std::decay_t<decltype(v)>::value_type>();
  };
  opt("op", f.op);
  opt("downstream", f.downstream);
  opt("defect", f.defect);
  opt("defect_op", f.defect_op);
  opt("road_test", f.road_test);
  opt("odo_start", f.odo_start);
  opt("odo_end", f.odo_end);
  const json& ad = j.at("addon");
  AddOnForm& a = d.addon;
  ad.at("found_on").get_to(a.found_on);
  ad.at("reason").get_to(a.reason);
  ad.at("minutes").get_to(a.minutes);
  ad.at("safety").get_to(a.safety);
  ad.at("warranty").get_to(a.warranty);
  ad.at("parts").get_to(a.parts);
  return d;
}

}  // namespace bk::ui
