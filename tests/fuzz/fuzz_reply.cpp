// libFuzzer: the kiosk's readers of hub replies (sync::decode*Reply, the snapshot's too — the
// bytes a hub, or anything posing as it, sends back). Nothing may crash,
// overflow the stack or hit undefined behaviour; a reply is either fully
// decoded or refused with a reason and nothing kept.
#include "sync/wire.hpp"

#include <cstdint>

using namespace bk;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto pull = sync::decodePullReply(body);
  if (!pull.error.empty() && !pull.events.empty()) __builtin_trap();
  for (const StoredEvent& e : pull.events)
    if (e.pos < 1 || !e.decoded || e.body.size() > limits::kMaxEventBytes) __builtin_trap();
  const auto push = sync::decodePushReply(body);
  if (push.error.empty() && (push.applied_through < 0 || !sync::validKioskId(push.hub))) __builtin_trap();
  const auto enrol = sync::decodeEnrolReply(body);
  if (enrol.error.empty() && enrol.token.size() < 32) __builtin_trap();
  const auto creds = sync::decodeCredentialsReply(body);
  if (!creds.error.empty() && !creds.credentials.empty()) __builtin_trap();
  const auto snap = sync::decodeSnapshotReply(body);  // issue 16
  if (!snap.error.empty() && (!snap.snap.records.empty() || !snap.snap.origins.empty())) __builtin_trap();
  if (snap.error.empty() && (snap.snap.hub_pos < 0 || !sync::validKioskId(snap.hub))) __builtin_trap();
  for (const SnapshotRecord& r : snap.snap.records)
    if (r.id.empty() || r.id.size() > limits::kMaxField) __builtin_trap();
  const auto report = sync::decodeReportReply(body, 0, 86'400'000);  // issue 16
  if (!report.error.empty() && !(report.report == MonthlyReport{})) __builtin_trap();
  if (report.error.empty() && (report.report.from != 0 || report.report.to != 86'400'000)) __builtin_trap();
  const auto history = sync::decodeHistoryReply(body, "LVGBE40K8GG123456");  // issue 16
  if (!history.error.empty() && !history.visits.empty()) __builtin_trap();
  if (history.visits.size() > sync::kMaxVisits) __builtin_trap();
  return 0;
}
