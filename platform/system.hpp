#pragma once
// The real world: wall clock, random bits, the pepper file.
#include "store/store.hpp"

#include <string>

namespace bk::platform {

Millis nowMillis();

// Random bits from libsodium (the OS's CSPRNG).
class SodiumEntropy final : public Entropy {
 public:
  SodiumEntropy();
  std::array<std::uint8_t, 8> random8() override;
};

// Reads the 32-byte pepper at `path`, creating it (mode 0600, parent folders
// too) when it does not exist. Throws std::runtime_error if it cannot.
std::vector<std::uint8_t> loadOrCreatePepper(const std::string& path);

}  // namespace bk::platform
