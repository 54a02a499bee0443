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

std::string durationText(Millis ms) {
  if (ms < 0) ms = 0;
  const long long s = ms / 1000;
  char b[32];
  std::snprintf(b, sizeof b, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return b;
}

std::string personName(const Shop& s, const Id& id) {
  auto* p = s.person(id);
  return p ? p->name : id;
}

std::string opTitle(const Ui& ui, const Shop& s, const Operation& op) {
  auto* wo = s.workOrder(op.wo);
  return (wo ? wo->vehicle.plate + " · " : std::string()) + ui.data(op.title);
}

std::string refusalText(const Ui& ui, const Refusal& r) {
  return ui.tr("reason." + std::string(name(r.reason)));
}

}  // namespace bk::ui
