// bay-kiosk: the touchscreen app in each bay. GLFW + OpenGL3 around the App.
// The loop sleeps until input arrives or the screen needs its next second,
// renders a few frames to let ImGui settle, and sleeps again.
#include "sync/client.hpp"
#include "sync/rebuild.hpp"
#include "kiosk/app.hpp"
#include "kiosk/recovery.hpp"
#include "kiosk/tour.hpp"
#include "platform/system.hpp"

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <GLFW/glfw3.h>
#include <CLI/CLI.hpp>
#include <stb/stb_image_write.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <future>
#include <fstream>
#include <iostream>
#include <cctype>
#include <chrono>
#include <thread>

namespace {

struct Loop {
  bk::ui::App* app = nullptr;
  int frames_wanted = 3;            // frames to render before sleeping again
  std::atomic<bool> news{false};    // the sync client brought another bay's events
};

Loop* loopOf(GLFWwindow* w) { return static_cast<Loop*>(glfwGetWindowUserPointer(w)); }

void onMouseButton(GLFWwindow* w, int b, int a, int m) {
  ImGui_ImplGlfw_MouseButtonCallback(w, b, a, m);
  if (loopOf(w)->app) loopOf(w)->app->noteInput(bk::platform::nowMillis());
  loopOf(w)->frames_wanted = 4;
}
void onCursor(GLFWwindow* w, double, double) {
  if (ImGui::GetIO().MouseDown[0]) loopOf(w)->frames_wanted = 4;  // a drag scrolls
}
void onScroll(GLFWwindow* w, double x, double y) {
  ImGui_ImplGlfw_ScrollCallback(w, x, y);
  loopOf(w)->frames_wanted = 4;
}
void onKey(GLFWwindow* w, int key, int sc, int action, int mods) {
  ImGui_ImplGlfw_KeyCallback(w, key, sc, action, mods);
  if (loopOf(w)->app && action == GLFW_PRESS && (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER))
    loopOf(w)->app->onEnter(bk::platform::nowMillis());
  loopOf(w)->frames_wanted = 4;
}
void onChar(GLFWwindow* w, unsigned int c) {
  ImGui_ImplGlfw_CharCallback(w, c);
  if (loopOf(w)->app) loopOf(w)->app->onText(c, bk::platform::nowMillis());
  loopOf(w)->frames_wanted = 4;
}
void onResize(GLFWwindow* w, int, int) { loopOf(w)->frames_wanted = 3; }

void writeHits(const std::vector<bk::ui::Hit>& hits, const std::string& path) {
  bk::json j = bk::json::array();
  for (auto& h : hits)
    j.push_back({{"id", h.id}, {"x", (h.min.x + h.max.x) / 2}, {"y", (h.min.y + h.max.y) / 2}, {"enabled", h.enabled}, {"clipped", h.clipped}});
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << j.dump();
  std::filesystem::rename(tmp, path);
}

bool screenshot(GLFWwindow* win, const std::string& path) {
  int w = 0, h = 0;
  glfwGetFramebufferSize(win, &w, &h);
  std::vector<unsigned char> px(static_cast<std::size_t>(w) * h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(path.c_str(), w, h, 4, px.data(), w * 4) != 0;
}

void drawFrame(GLFWwindow* win, const std::function<void()>& body) {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (ImGuiIO& io = ImGui::GetIO(); !ImGui::IsMousePosValid(&io.MousePos)) {
    // issue 13: neither focused nor entered yet: the one window of the
    // panel is where the touch is
    double x = 0, y = 0;
    glfwGetCursorPos(win, &x, &y);
    io.MousePos = ImVec2(static_cast<float>(x), static_cast<float>(y));
  }
  ImGui::NewFrame();
  body();
  ImGui::Render();
  int fw, fh;
  glfwGetFramebufferSize(win, &fw, &fh);
  glViewport(0, 0, fw, fh);
  glClearColor(0.10f, 0.11f, 0.13f, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glfwSwapBuffers(win);
}

struct RecoveryRun {
  std::string damage;   // what SQLite said; empty: a rebuild begun before goes on
  std::string enrol_code, shot, hits_file, snapshot;
};

// The damaged-store screen (kiosk/recovery.hpp) and the rebuild behind it
// (sync/rebuild.hpp), until the person taps Continue (true) or Quit.
bool runRecovery(GLFWwindow* win, const bk::ui::KioskConfig& cfg, const bk::StoreOptions& so, bk::Entropy& entropy,
                 const bk::ui::Texts& texts, const bk::Catalog& cat, const RecoveryRun& run) {
  using Phase = bk::ui::RecoveryView::Phase;
  ImGuiIO& io = ImGui::GetIO();
  bk::ui::Metrics m;
  m.dpi = cfg.dpi;
  bk::ui::Fonts fonts;
  bk::ui::RecoveryScreen screen(m, texts, cat, fonts);
  bk::ui::RecoveryView view;
  view.damage = run.damage.empty() ? texts("recovery.title") : run.damage;
  view.kiosk = so.kiosk_id;
  view.hub_configured = !cfg.hub.empty();
  bk::sync::Rebuild rebuild(so, entropy, bk::sync::SyncOptions{cfg.hub, run.enrol_code, 200, 20'000, cfg.hub_ca},
                            [] { return bk::platform::nowMillis(); });
  std::thread worker;
  std::atomic<bool> cancel{false}, done{false};
  std::atomic<std::int64_t> pulled{0}, last{0};
  bk::sync::RebuildResult result;
  auto start = [&] {
    view.phase = Phase::Rebuilding;
    worker = std::thread([&] {
      result = rebuild.run([&](std::int64_t p, std::int64_t l) {
        pulled = p;
        last = l;
        glfwPostEmptyEvent();
      }, cancel);
      done = true;
      glfwPostEmptyEvent();
    });
  };
  if (run.damage.empty()) start();
  std::string glyphs;
  bool rendered = false, rebuilt = false;
  int frames = 0;
  while (!glfwWindowShouldClose(win)) {
    if (done.exchange(false)) {
      worker.join();
      view.phase = result.ok ? Phase::Rebuilt : result.needs_code ? Phase::NeedsCode : Phase::Failed;
      view.error = result.error;
      view.set_aside = result.set_aside;
      view.unsynced_file = result.unsynced_file;
      view.unsynced = result.unsynced;
      view.events = result.events;
      std::fprintf(stderr, "bay-kiosk: rebuild from the hub: %s\n", result.ok ? "done" : result.error.c_str());
    }
    view.pulled = pulled;
    view.hub_last = last;
    // the atlas holds what this screen shows (paths and messages included)
    if (const std::string g = bk::ui::RecoveryScreen::glyphText(texts, view); g != glyphs) {
      glyphs = g;
      bk::ui::buildFonts(io, m, glyphs, cfg.font, fonts);
      if (rendered) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
      }
    }
    bk::ui::RecoveryIntent intent = bk::ui::RecoveryIntent::None;
    drawFrame(win, [&] { intent = screen.frame(view); });
    rendered = true;
    if (!run.hits_file.empty()) writeHits(screen.hits(), run.hits_file);
    if (!run.snapshot.empty()) {
      const std::string tmp = run.snapshot + ".tmp.png";
      if (screenshot(win, tmp)) std::filesystem::rename(tmp, run.snapshot);
    }
    if (!run.shot.empty() && frames >= 4) {
      screenshot(win, run.shot);
      break;
    }
    if (intent == bk::ui::RecoveryIntent::Rebuild && !worker.joinable()) start();
    if (intent == bk::ui::RecoveryIntent::Quit) break;
    if (intent == bk::ui::RecoveryIntent::Continue) {
      rebuilt = true;
      break;
    }
    glfwWaitEventsTimeout(frames < 4 ? 0.02 : 0.25);
    ++frames;
  }
  cancel = true;
  if (worker.joinable()) worker.join();
  return rebuilt;
}

}  // namespace

static_assert(static_cast<int>(bk::sync::SyncFault::UpdateNeeded) == static_cast<int>(bk::ui::HubFault::UpdateNeeded) &&
              static_cast<int>(bk::sync::SyncFault::Unstable) == static_cast<int>(bk::ui::HubFault::Unstable) &&
              static_cast<int>(bk::sync::SyncFault::BadReply) == static_cast<int>(bk::ui::HubFault::BadReply));

int main(int argc, char** argv) {
  bk::ui::KioskConfig cfg;
  cfg.assets = BK_ASSETS_DIR;
  std::string config_file, hits_file, shot, tour_dir, snapshot, enrol_code;
  bool windowed = false, continuous = false;
  CLI::App cli{"Bay Kiosk (车间工位终端): the touchscreen app of a repair bay"};
  cli.set_config("--config", "", "configuration file (TOML/INI: key = value)");
  cli.add_option("--db", cfg.db, "this kiosk's store file")->capture_default_str();
  cli.add_option("--pepper", cfg.pepper, "PIN pepper file (outside the database)")->capture_default_str();
  cli.add_option("--assets", cfg.assets, "assets folder (translations, catalog)")->capture_default_str();
  cli.add_option("--font", cfg.font, "CJK font file")->capture_default_str();
  cli.add_option("--bay", cfg.bay, "the bay this kiosk stands in")->capture_default_str();
  cli.add_option("--kiosk-id", cfg.kiosk_id, "instance id (default: kiosk-<bay>)");
  cli.add_option("--hub", cfg.hub, "hub address, e.g. http://192.168.1.10:8600 or https://… (empty: standalone)");
  cli.add_option("--hub-ca", cfg.hub_ca, "for https: the hub's certificate or its CA (PEM); others are refused");
  bool insecureHttp = false;
  cli.add_flag("--insecure-http", insecureHttp, "allow http:// to a hub that is not on this machine (tokens in clear)");
  std::string enrol_code_file;
  cli.add_option("--enroll-code-file", enrol_code_file,
                 "file holding the one-time code from `bk-hub enroll-code` (- : read it from standard input); "
                 "used once to get this kiosk's token. Never on the command line, where ps shows it");
  cli.add_option("--lang", cfg.lang, "zh or en")->check(CLI::IsMember({"zh", "en"}))->capture_default_str();
  cli.add_option("--idle", cfg.idle_seconds, "sign out after this many idle seconds (default: the shop's policy)")
      ->check(CLI::Range(10, 3600));
  cli.add_option("--dpi", cfg.dpi, "screen DPI (sizes follow it)")->check(CLI::Range(60.0, 400.0))->capture_default_str();
  cli.add_option("--width", cfg.width, "window width (windowed mode)")->capture_default_str();
  cli.add_option("--height", cfg.height, "window height (windowed mode)")->capture_default_str();
  cli.add_option("--utc-offset", cfg.utc_offset_minutes, "the shop's local time, minutes from UTC (default: the shop's policy)");
  cli.add_option("--export-dir", cfg.export_dir, "where report CSVs and printed quality records are written")->capture_default_str();
  cli.add_option("--printer", cfg.printer, "CUPS queue for quality records (lp -d QUEUE); empty: no printing");
  cli.add_option("--print-command", cfg.print_command, "the command that prints a PDF (lp)")->capture_default_str();
  cli.add_option("--keep-days", cfg.keep_days, "days a delivered work order stays in memory (older: read when asked for)")
      ->check(CLI::Range(1, 3650))->capture_default_str();
  cli.add_option("--shop-name", cfg.shop_name, "the shop's name, in the heading of printed quality records");
  cli.add_flag("--windowed", windowed, "a window for desks instead of full-screen kiosk mode");
  cli.add_option("--hits-file", hits_file, "write tap targets (id, centre) as JSON after each frame (for tests)");
  cli.add_option("--screenshot", shot, "write a PNG of the first settled frame and exit");
  cli.add_option("--snapshot", snapshot, "keep a PNG of the screen here, refreshed at most every 10 s (headless demos)");
  cli.add_option("--tour", tour_dir, "write a PNG of every screen in both languages into this folder and exit");
  cli.add_flag("--continuous", continuous, "render every frame (benchmark baseline only)");
  bool firstFrameExit = false;
  cli.add_flag("--first-frame-exit", firstFrameExit, "print the wall clock (ms) at the first frame shown, then exit (benchmark)");
  CLI11_PARSE(cli, argc, argv);
  cfg.fullscreen = !windowed;
  if (!enrol_code_file.empty()) {
    std::ifstream file;
    if (enrol_code_file != "-") {
      file.open(enrol_code_file);
      if (!file) {
        std::fprintf(stderr, "bay-kiosk: cannot read the enrolment code file %s\n", enrol_code_file.c_str());
        return 2;
      }
    }
    std::istream& in = enrol_code_file == "-" ? std::cin : file;
    std::getline(in, enrol_code);
    while (!enrol_code.empty() && std::isspace(static_cast<unsigned char>(enrol_code.back()))) enrol_code.pop_back();
  }
  if (cfg.kiosk_id.empty()) cfg.kiosk_id = "kiosk-" + cfg.bay;
  if (cfg.hub.rfind("http://", 0) == 0 && !insecureHttp) {
    const std::string host = cfg.hub.substr(7, cfg.hub.find_first_of(":/", 7) - 7);
    if (host != "localhost" && host.rfind("127.", 0) != 0 && host != "[::1]") {
      std::fprintf(stderr, "bay-kiosk: %s is plain HTTP to another machine: use https:// with --hub-ca, "
                           "or --insecure-http to send the token in clear\n", cfg.hub.c_str());
      return 2;
    }
  }

  try {
    ::umask(077);  // the store, its WAL and anything exported: this user's only
    bk::platform::secureStateFolder(cfg.db);
    if (auto parent = std::filesystem::path(cfg.db).parent_path(); !parent.empty()) std::filesystem::create_directories(parent);
    bk::platform::SodiumEntropy entropy;
    bk::StoreOptions so;
    so.path = cfg.db;
    so.kiosk_id = cfg.kiosk_id;
    so.kept_days = cfg.keep_days;
    so.pepper = bk::platform::loadPepper(cfg.pepper);
    // A damaged store (SQLite says so) is not the end: the screen says what
    // happened and offers to rebuild it from the hub (issue 10)
    // Issue 16: the store opens (reads its working set) on a thread of its
    // own while the window is made, so a bay with years of history behind it
    // shows its first frame as soon as one with days. What opening it found
    // (damaged, or any other error) is taken before anything is decided, and
    // before a window error, as when it opened first.
    std::future<std::unique_ptr<bk::Store>> opening =
        std::async(std::launch::async, [&so, &entropy] { return std::make_unique<bk::Store>(so, entropy); });
    std::unique_ptr<bk::Store> opened;
    RecoveryRun recovery;
    bool recover = false;
    auto takeStore = [&] {
      if (!opening.valid()) return;
      try {
        opened = opening.get();
        if (bk::sync::rebuildPending(*opened)) {  // a rebuild begun before: on with it first
          opened.reset();
          recover = true;
        }
      } catch (const bk::sql::SqliteError& e) {
        if (!bk::damagedDatabase(e.code)) throw;
        recovery.damage = e.what();
        recover = true;
        std::fprintf(stderr, "bay-kiosk: the store %s is damaged: %s\n", cfg.db.c_str(), e.what());
      }
    };
    const bk::Catalog catalog = bk::Catalog::load(cfg.assets + "/catalog");
    bk::ui::Texts texts = bk::ui::Texts::load(cfg.assets + "/i18n");
    texts.lang = cfg.lang == "en" ? bk::ui::Lang::En : bk::ui::Lang::Zh;

    // why a window could not be had, in the log (a display gone, refused)
    glfwSetErrorCallback([](int code, const char* what) { std::fprintf(stderr, "bay-kiosk: GLFW error %d: %s\n", code, what); });
    if (!glfwInit()) {
      takeStore();
      throw std::runtime_error("cannot open a window (no display?)");
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    GLFWmonitor* monitor = cfg.fullscreen ? glfwGetPrimaryMonitor() : nullptr;
    int w = cfg.width, h = cfg.height;
    if (monitor) {
      const GLFWvidmode* mode = glfwGetVideoMode(monitor);
      w = mode->width;
      h = mode->height;
    }
    GLFWwindow* win = glfwCreateWindow(w, h, "Bay Kiosk 车间工位终端", monitor, nullptr);
    if (!win) {
      takeStore();
      throw std::runtime_error("cannot create an OpenGL 3.0 window");
    }
    glfwMakeContextCurrent(win);
    glfwSwapInterval(1);
    if (cfg.fullscreen) glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);  // touch: no pointer

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.Colors[ImGuiCol_WindowBg] = ImGui::ColorConvertU32ToFloat4(bk::ui::kWindowBg);
    style.WindowPadding = {12, 8};

    Loop loop;
    glfwSetWindowUserPointer(win, &loop);
    ImGui_ImplGlfw_InitForOpenGL(win, false);
    glfwSetMouseButtonCallback(win, onMouseButton);
    glfwSetCursorPosCallback(win, onCursor);
    glfwSetScrollCallback(win, onScroll);
    glfwSetKeyCallback(win, onKey);
    glfwSetCharCallback(win, onChar);
    glfwSetFramebufferSizeCallback(win, onResize);
    // Issue 13: touches are taken from the first one. The backend reads the
    // pointer only for a focused window or one it saw the pointer enter, so
    // both events are forwarded; the window takes X focus at start (the bay
    // runs it in an X session of its own, with no window manager to give it),
    // and drawFrame reads the pointer itself while the window has neither.
    glfwSetCursorEnterCallback(win, ImGui_ImplGlfw_CursorEnterCallback);
    glfwSetWindowFocusCallback(win, ImGui_ImplGlfw_WindowFocusCallback);
    glfwFocusWindow(win);
    ImGui_ImplOpenGL3_Init("#version 130");
    auto closeWindow = [&] {
      ImGui_ImplOpenGL3_Shutdown();
      ImGui_ImplGlfw_Shutdown();
      ImGui::DestroyContext();
      glfwDestroyWindow(win);
      glfwTerminate();
    };
    takeStore();
    if (recover) {
      recovery.enrol_code = enrol_code;
      recovery.shot = shot;
      recovery.hits_file = hits_file;
      recovery.snapshot = snapshot;
      if (!runRecovery(win, cfg, so, entropy, texts, catalog, recovery)) {
        closeWindow();
        if (!shot.empty()) return 0;
        std::fprintf(stderr, "bay-kiosk: the store was not rebuilt; the damaged file stays as it was\n");
        return 3;
      }
      opened = std::make_unique<bk::Store>(so, entropy);
    }
    bk::Store& store = *opened;
    bk::platform::secureDatabaseFiles(cfg.db);  // files of older versions were 0644
    std::mutex storeMu;  // the UI and the sync threads share the store

    bk::ui::App app(cfg, store, catalog, texts, entropy);
    style.ItemSpacing = {app.metrics().gap(), app.metrics().mm(1.5f)};
    bk::ui::buildFonts(io, app.metrics(), app.glyphText(), cfg.font, app.fonts());
    if (recover) {  // the recovery screen's atlas is in the GPU: replace it
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    loop.app = &app;
    std::unique_ptr<bk::sync::SyncClient> sync;
    // issue 14: the tour too, so its status bar shows the shop as it runs
    // (online, nothing waiting), not a kiosk on its own
    if (!cfg.hub.empty()) {
      sync = std::make_unique<bk::sync::SyncClient>(
          store, storeMu, so.pepper, bk::sync::SyncOptions{cfg.hub, enrol_code, 200, 20'000, cfg.hub_ca}, [] { return bk::platform::nowMillis(); },
          [&loop] {
            loop.news = true;
            glfwPostEmptyEvent();  // wake the frame loop: something to show
          });
      bk::sync::SyncClient* sc = sync.get();
      app.connectSync(&storeMu, [sc](bk::ui::SyncStatus& s) {
        const auto st = sc->state();
        s.hub_configured = st.configured;
        s.reachable = st.reachable;
        s.fault = static_cast<bk::ui::HubFault>(st.fault);  // the same order of kinds
        s.pending = st.pending;
        s.last_contact = st.last_contact;
        s.pulled = st.pulled;
        s.hub_last = st.hub_last;
        s.loading_snapshot = st.loading_snapshot;
        s.snapshot_got = st.snapshot_got;
        s.snapshot_total = st.snapshot_total;
      }, [sc] { sc->wake(); });
      // issue 16: a month before what this bay holds, asked of the hub
      app.connectHubReports([sc](bk::Millis from, bk::Millis to) { sc->askReport(from, to); }, [sc] {
        bk::sync::ReportAnswer a = sc->reportAnswer();
        return bk::ui::HubReport{a.from, a.to, a.done, std::move(a.report), std::move(a.error), a.unreachable};
      });
      app.connectHubHistory([sc](const std::string& vin) { sc->askHistory(vin); }, [sc] {
        bk::sync::HistoryAnswer a = sc->historyAnswer();
        return bk::ui::HubHistory{std::move(a.vin), a.done, std::move(a.visits), std::move(a.error), a.unreachable};
      });
      sync->start();
    }
    app.noteInput(bk::platform::nowMillis());

    bk::Millis lastSnapshot = 0;
    bool atlasInGpu = false;
    auto render = [&](bk::Millis now) {
      drawFrame(win, [&] { app.frame(now); });  // uploads the font atlas on the first frame
      if (!atlasInGpu) {
        // the atlas's pixels now live in the texture: free the CPU copies
        // (Alpha8 and RGBA32 of a CJK atlas, tens of MB); a rebuild makes them again
        io.Fonts->ClearTexData();
        atlasInGpu = true;
      }
      if (firstFrameExit) {
        glFinish();
        std::printf("first-frame %lld\n", static_cast<long long>(bk::platform::nowMillis()));
        std::fflush(stdout);
        std::_Exit(0);
      }
      if (app.afterFrame(now)) loop.frames_wanted = std::max(loop.frames_wanted, 3);
      // data with characters the atlas lacks (a new name, a new plate): rebuild it
      if (!app.fontsCoverData()) {
        bk::ui::buildFonts(io, app.metrics(), app.glyphText(), cfg.font, app.fonts());
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
        io.Fonts->ClearTexData();
      }
      if (!hits_file.empty()) writeHits(app.hits(), hits_file);
      if (!snapshot.empty() && now - lastSnapshot >= 10'000) {
        lastSnapshot = now;
        const std::string tmp = snapshot + ".tmp.png";
        if (screenshot(win, tmp)) std::filesystem::rename(tmp, snapshot);
      }
    };

    int rc = 0;
    if (!tour_dir.empty()) {
      // with a hub: caught up with it, and everything of ours taken, first
      for (int waited = 0; sync && waited < 1200; ++waited) {
        const auto st = sync->state();
        if (st.reachable && st.pending == 0 && st.hub_last > 0 && st.pulled >= st.hub_last) break;
        if (waited == 1199) std::fprintf(stderr, "tour: the hub did not answer in time; shown as it is\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      rc = bk::ui::runTour(app, texts, tour_dir, [&](const std::string& path) {
        for (int i = 0; i < 4; ++i) {
          glfwPollEvents();
          render(bk::platform::nowMillis());
        }
        return screenshot(win, path);
      }, [&] {
        glfwPollEvents();
        render(bk::platform::nowMillis());
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      });
    } else {
      bool shotDone = false;
      int settled = 0;
      bk::Millis wakeAt = 0;  // when the screen next changes by itself
      while (!glfwWindowShouldClose(win)) {
        const bk::Millis now = bk::platform::nowMillis();
        if (loop.news.exchange(false)) loop.frames_wanted = std::max(loop.frames_wanted, 2);
        if (continuous || loop.frames_wanted > 0 || now >= wakeAt) {
          render(now);
          wakeAt = app.nextWake(now);
          if (loop.frames_wanted > 0) --loop.frames_wanted;
          if (!shot.empty() && !shotDone && ++settled >= 4) {
            shotDone = screenshot(win, shot);
            break;
          }
        }
        if (continuous || loop.frames_wanted > 0) {
          glfwPollEvents();
        } else {
          // sleep until input or the next moment the screen changes
          const double wait = std::clamp((wakeAt - bk::platform::nowMillis()) / 1000.0, 0.0, 60.0);
          if (wait > 0) glfwWaitEventsTimeout(wait);
          else glfwPollEvents();
        }
      }
    }
    if (sync) sync->stop();
    closeWindow();
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bay-kiosk: %s\n", e.what());
    return 1;
  }
}
