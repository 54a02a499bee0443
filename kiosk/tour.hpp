#pragma once
// The screenshot tour: puts the kiosk on every screen, in both languages,
// and asks the shell to write a PNG of each (docs/screenshots/).
#include "kiosk/app.hpp"

#include <functional>

namespace bk::ui {

// `shoot(path)` renders the current state and writes it; returns false on
// failure. `pause()` (optional) draws a frame and waits a little, while the
// tour waits for an answer of the hub's. Returns 0 when every screen was
// written.
int runTour(App& app, Texts& texts, const std::string& dir, const std::function<bool(const std::string&)>& shoot,
            const std::function<void()>& pause = {});

}  // namespace bk::ui
