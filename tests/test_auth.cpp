// Sign-in: PIN hashes with a pepper, lock-out, badges; no PIN in clear.
#include "tests/support.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace bkt;

TEST_CASE("PINs are stored only as peppered Argon2id hashes") {
  TempDir dir;
  FixedEntropy ent;
  const std::string path = dir.file("k.db");
  {
    Store st(storeOptions(path), ent);
    for (auto& a : staffAndBays()) REQUIRE(st.record(a, T0));
    // a new person: the PIN, and their first signing key sealed under it
    REQUIRE(st.record(EnrollPerson{Person{"newbie", "新人", {Role::Technician}, Trade::Mechanical, "1099", {}}}, T0));
    REQUIRE(st.setPin("newbie", "9357124", T0));
    REQUIRE(st.shop().person("newbie")->currentKey());
    CHECK(st.setPin("tech1", "12", T0).refusal->reason == Reason::BadInput);
    CHECK(st.setPin("tech1", "12ab", T0).refusal->reason == Reason::BadInput);
    CHECK(st.setPin("nobody", "1234", T0).refusal->reason == Reason::UnknownPerson);
    const std::string hash = st.db().scalarText("SELECT pin_hash FROM credentials WHERE person = 'newbie'");
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hash.find("9357124") == std::string::npos);
    CHECK(st.signInPin("newbie", "9357124", T0));
  }
  // nowhere in the files
  for (const char* f : {"k.db", "k.db-wal"}) {
    std::ifstream in(dir.file(f), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    CHECK(ss.str().find("9357124") == std::string::npos);
  }
  // a different pepper cannot verify the same hash
  StoreOptions other = storeOptions(path);
  other.pepper = std::vector<std::uint8_t>(32, 0x11);
  Store st2(other, ent);
  CHECK(st2.signInPin("newbie", "9357124", T0).outcome.refusal->reason == Reason::WrongPin);
}

TEST_CASE("repeated failures lock a person out for a while") {
  StaffedStore fx;
  Store& st = fx.st;
  REQUIRE(st.setPin("tech1", "2468", T0));
  for (int i = 0; i < 4; ++i) CHECK(st.signInPin("tech1", "0000", T0 + i).outcome.refusal->reason == Reason::WrongPin);
  CHECK(st.signInPin("tech1", "0000", T0 + 5).outcome.refusal->reason == Reason::LockedOut);
  // even the right PIN waits out the lock
  CHECK(st.signInPin("tech1", "2468", T0 + 6).outcome.refusal->reason == Reason::LockedOut);
  const Millis after = T0 + 5 + fastAuth().lockout;
  CHECK(st.signInPin("tech1", "2468", after));
  // success resets the count
  CHECK(st.signInPin("tech1", "0000", after + 1).outcome.refusal->reason == Reason::WrongPin);
  CHECK(st.signInPin("tech1", "2468", after + 2));
  // someone without a PIN cannot sign in by PIN
  CHECK(st.signInPin("tech2", "2468", T0).outcome.refusal->reason == Reason::WrongPin);
}

TEST_CASE("badge sign-in") {
  StaffedStore fx;
  Store& st = fx.st;
  auto s = st.signInBadge("1003", T0);
  REQUIRE(s);
  CHECK(s.person == "body1");
  CHECK(st.signInBadge("9999", T0).outcome.refusal->reason == Reason::UnknownBadge);
  CHECK_FALSE(st.signInBadge("", T0));
}

TEST_CASE("the pepper must be long enough") {
  CHECK_THROWS_AS(PinHasher(std::vector<std::uint8_t>(8, 1), fastAuth()), std::invalid_argument);
}
