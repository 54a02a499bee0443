// Killing the process in the middle of a stream of actions leaves a sound
// database holding every acknowledged action. The writer really is killed.
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

using namespace bkt;

namespace {
// Starts the writer, reads acknowledgements until `acks` have arrived, then
// SIGKILLs it mid-stream. Returns the highest acknowledged sequence number.
long long runAndKill(const std::string& db, int seed, int acks) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    const std::string s = std::to_string(seed);
    ::execl(BK_STORE_WRITER, BK_STORE_WRITER, db.c_str(), s.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  FILE* in = ::fdopen(fds[0], "r");
  long long last = 0;
  int seen = 0;
  char line[128];
  while (seen < acks && std::fgets(line, sizeof line, in)) {
    long long seq = 0;
    if (std::sscanf(line, "ack %lld", &seq) == 1) {
      last = seq;
      ++seen;
    }
  }
  ::kill(pid, SIGKILL);  // no clean shutdown: the process dies where it is
  // whatever it acknowledged before dying also counts
  while (std::fgets(line, sizeof line, in)) {
    long long seq = 0;
    if (std::sscanf(line, "ack %lld", &seq) == 1) last = seq;
  }
  std::fclose(in);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFSIGNALED(status));
  return last;
}
}  // namespace

TEST_CASE("kill -9 mid-stream: integrity holds and every acknowledged action is there") {
  TempDir dir;
  const std::string db = dir.file("crash.db");
  long long acked = 0;
  std::mt19937 rng(99);
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    const int acks = 40 + static_cast<int>(rng() % 200);
    acked = std::max(acked, runAndKill(db, 1000 + round, acks));
    FixedEntropy ent;
    Store st(storeOptions(db, "writer"), ent);
    CHECK(st.integrityCheck() == "ok");
    // every acknowledged event is present, and the sequence has no gap
    CHECK(st.lastOwnSeq() >= acked);
    CHECK(st.eventCount() == st.lastOwnSeq());
    CHECK(st.db().scalarInt("SELECT COUNT(DISTINCT origin_seq) FROM events") == st.lastOwnSeq());
    // the records written with each event match a replay of the events
    CHECK(matchesReplay(st));
    checkInvariants(st.shop());
  }
  CHECK(acked > 100);
}
