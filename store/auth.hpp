#pragma once
// PIN hashing. A PIN is never stored or logged: the store keeps
// Argon2id(HMAC-SHA256(pepper, PIN)) where the pepper lives in a file outside
// the database, so a stolen database alone cannot be brute-forced offline.
#include "domain/types.hpp"

#include <array>
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

  // Issue 11: a person's signing-key seed sealed under their PIN: the key
  // is Argon2id(HMAC(pepper, PIN), a fresh 16-byte salt), the box
  // XSalsa20-Poly1305 with a fresh nonce. Hex of nonce ‖ box, and of the salt.
  struct Sealed { std::string sealed, salt; };
  Sealed seal(const std::array<std::uint8_t, 32>& seed, const std::string& pin) const;
  // The same with the salt and nonce given (16 + 24 bytes): for a generator
  // that must make the same shop from the same seed (the demo), never for a
  // real person's key.
  Sealed sealWith(const std::array<std::uint8_t, 32>& seed, const std::string& pin,
                  const std::array<std::uint8_t, 40>& salt_and_nonce) const;
  // The seed, if `pin` opens it (false: another PIN, or not a sealed seed).
  bool unseal(const std::string& sealed, const std::string& salt, const std::string& pin,
              std::array<std::uint8_t, 32>& seed) const;

 private:
  std::vector<std::uint8_t> pepper_;
  AuthPolicy policy_;
};

}  // namespace bk
