#pragma once
// PIN hashing. A PIN is never stored or logged: the store keeps
// Argon2id(HMAC-SHA256(pepper, PIN)) where the pepper lives in a file outside
// the database, so a stolen database alone cannot be brute-forced offline.
#include "domain/types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace bk {

struct AuthPolicy {
  int max_failures = 5;                 // wrong PINs in a row before a lock-out
  Millis lockout = 5 * 60 * 1000;       // how long the lock-out lasts
  unsigned long long opslimit = 2;      // Argon2id passes
  std::size_t memlimit = 19u << 20;     // Argon2id memory (OWASP minimum, 19 MiB)
};

class PinHasher {
 public:
  // The pepper must be at least 32 bytes. Throws std::invalid_argument.
  PinHasher(std::vector<std::uint8_t> pepper, AuthPolicy policy);
  ~PinHasher();
  PinHasher(const PinHasher&) = delete;
  PinHasher& operator=(const PinHasher&) = delete;

  static bool wellFormed(const std::string& pin);  // 4–8 digits
  std::string hash(const std::string& pin) const;  // throws on failure (out of memory)
  // False also for a hash made with other Argon2 parameters than this
  // policy's: a hash from outside with t = 2^32-1 would hang sign-in.
  bool verify(const std::string& stored, const std::string& pin) const;
  bool ownParameters(const std::string& stored) const;
  const AuthPolicy& policy() const { return policy_; }

 private:
  std::vector<std::uint8_t> pepper_;
  AuthPolicy policy_;
};

}  // namespace bk
