#pragma once
// The screenshot tour: puts the kiosk on every screen, in both languages,
// and asks the shell to write a PNG of each (docs/screenshots/).
#include "kiosk/app.hpp"

#include <functional>

namespace bk::ui {

// `shoot(path)` renders the current state and writes it; returns false on
// failure. Returns 0 when every screen was written.
int runTour(App& app, Texts& texts, const std::string& dir, const std::function<bool(const std::string&)>& shoot);

}  // namespace bk::ui
