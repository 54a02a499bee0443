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
    CHECK(st.setPin("nobody", "123456", T0).refusal->reason == Reason::UnknownPerson);
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
  REQUIRE(st.setPin("tech1", "246802", T0));
  for (int i = 0; i < 4; ++i) CHECK(st.signInPin("tech1", "0000", T0 + i).outcome.refusal->reason == Reason::WrongPin);
  CHECK(st.signInPin("tech1", "0000", T0 + 5).outcome.refusal->reason == Reason::LockedOut);
  // even the right PIN waits out the lock
  CHECK(st.signInPin("tech1", "246802", T0 + 6).outcome.refusal->reason == Reason::LockedOut);
  const Millis after = T0 + 5 + fastAuth().lockout;
  CHECK(st.signInPin("tech1", "246802", after));
  // success resets the count
  CHECK(st.signInPin("tech1", "0000", after + 1).outcome.refusal->reason == Reason::WrongPin);
  CHECK(st.signInPin("tech1", "246802", after + 2));
  // someone without a PIN cannot sign in by PIN
  CHECK(st.signInPin("tech2", "246802", T0).outcome.refusal->reason == Reason::WrongPin);
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

TEST_CASE("a new PIN is 6 digits by default: 4 are refused whatever the policy, a shop may ask for more") {
  TempDir dir;
  FixedEntropy ent;
  StoreOptions o = storeOptions(dir.file("k.db"));
  Store st(o, ent);
  for (auto& a : staffAndBays()) REQUIRE(st.record(a, T0));
  REQUIRE(st.record(EnrollPerson{Person{"newbie", "新人", {Role::Technician}, Trade::Mechanical, "1099", {}}}, T0));
  for (const char* tooShort : {"1357", "13579"}) {
    CAPTURE(tooShort);
    const Outcome o1 = st.setPin("newbie", tooShort, T0);
    REQUIRE_FALSE(o1);
    CHECK(o1.refusal->reason == Reason::BadInput);
    CHECK(o1.refusal->detail.find("6 to 8 digits") != std::string::npos);
  }
  CHECK_FALSE(st.shop().person("newbie")->currentKey());  // nothing was made of them
  REQUIRE(st.setPin("newbie", "135790", T0));
  // changing or resetting is held to the same
  CHECK(st.changePin("newbie", "135790", "2468", T0).refusal->reason == Reason::BadInput);
  CHECK(st.resetPin("newbie", "2468", "manager", testPin("manager"), T0).refusal->reason == Reason::BadInput);
  CHECK(st.signInPin("newbie", "135790", T0));
  // a policy of 4 still means at least 5; a shop may ask for 8
  {
    TempDir d2;
    StoreOptions four = storeOptions(d2.file("k.db"));
    four.policy.pin_length = 4;
    Store s4(four, ent);
    CHECK_FALSE(s4.newPinAllowed("1357"));
    CHECK(s4.newPinAllowed("13579"));
    StoreOptions eight = storeOptions(d2.file("k8.db"));
    eight.policy.pin_length = 8;
    Store s8(eight, ent);
    CHECK_FALSE(s8.newPinAllowed("1357913"));
    CHECK(s8.newPinAllowed("13579135"));
  }
}
