#pragma once
// Issue 15: a VIN as the shop looks cars up by it (letters in either case
// are the same car): the key of Shop::wos_of_vin.
#include <cctype>
#include <string>

namespace bk {
inline std::string vinKey(std::string vin) {
  for (char& c : vin) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return vin;
}
}  // namespace bk
