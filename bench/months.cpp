// bk_months (issue 16): every past month's report on a copy of a hub's
// history, as the hub's store gives it. First as the hub keeps them while
// idle, newest first (Store::monthToKeep): a month whose work orders lack
// their report rows (a history from before schema v23) reads their
// records and writes the rows. Then again, every kept report dropped (as
// a new program version drops them): each month from its report rows.
// Prints, as JSON, the months, each pass's median and longest time, the
// first pass's time for each month (newest first), and the rows' count
// and bytes. bench/history.sh runs it at every size.
#include "platform/system.hpp"
#include "store/store.hpp"
#include "domain/report.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

using namespace bk;

namespace {
using Clock = std::chrono::steady_clock;
double msSince(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

struct Spread {
  double median = 0, most = 0;
};
Spread spread(std::vector<double> t) {
  if (t.empty()) return {};
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.back()};
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Issue 16: every past month's report on a copy of a hub's history, before and from its report rows"};
  std::string db, pepper;
  app.add_option("--db", db, "a copy of a hub's history (its kept reports are dropped)")->required();
  app.add_option("--pepper", pepper, "the shop's pepper file")->required();
  CLI11_PARSE(app, argc, argv);

  platform::SodiumEntropy entropy;  // (nothing is recorded: a report makes no ids)
  StoreOptions so;
  so.path = db;
  so.pepper = platform::loadPepper(pepper);
  so.takes_hub_order = false;  // (a hub's store)
  Store st(so, entropy);
  st.db().exec("DELETE FROM reports");
  const std::int64_t rowsBefore = st.db().scalarInt("SELECT COUNT(*) FROM report_rows");
  std::vector<std::pair<Millis, Millis>> months;
  std::vector<double> kept;
  while (const auto m = st.monthToKeep()) {
    const auto t0 = Clock::now();
    (void)st.report(m->first, m->second);
    kept.push_back(msSince(t0));
    months.push_back(*m);
  }
  st.db().exec("DELETE FROM reports");
  std::vector<double> fromRows;
  std::string slowest;
  for (const auto& [from, to] : months) {
    const auto t0 = Clock::now();
    (void)st.report(from, to);
    fromRows.push_back(msSince(t0));
    if (fromRows.back() >= *std::max_element(fromRows.begin(), fromRows.end())) slowest = monthOf(from, st.shop().policy.utc_offset_minutes);
  }
  const Spread a = spread(kept), b = spread(fromRows);
  std::string each;
  for (const double t : kept) {
    char one[32];
    std::snprintf(one, sizeof one, "%s%.1f", each.empty() ? "" : ", ", t);
    each += one;
  }
  std::printf("{\"months\": %zu, \"rows_before\": %lld, \"rows\": %lld, \"row_bytes\": %lld, "
              "\"first_median_ms\": %.1f, \"first_max_ms\": %.1f, \"first_each_ms\": [%s], \"rows_median_ms\": %.1f, \"rows_max_ms\": %.1f, \"rows_slowest\": \"%s\"}\n",
              months.size(), static_cast<long long>(rowsBefore), static_cast<long long>(st.db().scalarInt("SELECT COUNT(*) FROM report_rows")),
              static_cast<long long>(st.db().scalarInt("SELECT COALESCE(SUM(length(body)), 0) FROM report_rows")), a.median, a.most,
              each.c_str(), b.median, b.most, slowest.c_str());
  return 0;
}
