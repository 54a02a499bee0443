// bay-kiosk: the touchscreen app in each bay. GLFW + OpenGL3 around the App.
// The loop sleeps until input arrives or the screen needs its next second,
// renders a few frames to let ImGui settle, and sleeps again.
#include "sync/client.hpp"
#include "kiosk/app.hpp"
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
#include <fstream>
#include <iostream>
#include <cctype>

namespace {

struct Loop {
  bk::ui::App* app = nullptr;
  int frames_wanted = 3;            // frames to render before sleeping again
  std::atomic<bool> news{false};    // the sync client brought another bay's events
};

Loop* loopOf(GLFWwindow* w) { return static_cast<Loop*>(glfwGetWindowUserPointer(w)); }

void onMouseButton(GLFWwindow* w, int b, int a, int m) {
  ImGui_ImplGlfw_MouseButtonCallback(w, b, a, m);
  loopOf(w)->app->noteInput(bk::platform::nowMillis());
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
  if (action == GLFW_PRESS && (key == GLFW_KEY_ENTER || key == GLFW_KEY_KP_ENTER))
    loopOf(w)->app->onEnter(bk::platform::nowMillis());
  loopOf(w)->frames_wanted = 4;
}
void onChar(GLFWwindow* w, unsigned int c) {
  ImGui_ImplGlfw_CharCallback(w, c);
  loopOf(w)->app->onText(c, bk::platform::nowMillis());
  loopOf(w)->frames_wanted = 4;
}
void onResize(GLFWwindow* w, int, int) { loopOf(w)->frames_wanted = 3; }

void writeHits(const bk::ui::App& app, const std::string& path) {
  bk::json j = bk::json::array();
  for (auto& h : app.hits())
    j.push_back({{"id", h.id}, {"x", (h.min.x + h.max.x) / 2}, {"y", (h.min.y + h.max.y) / 2}, {"enabled", h.enabled}});
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

}  // namespace

static_assert(static_cast<int>(bk::sync::SyncFault::Unstable) == static_cast<int>(bk::ui::HubFault::Unstable) &&
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
  cli.add_option("--idle", cfg.idle_seconds, "sign out after this many idle seconds")->check(CLI::Range(10, 3600))->capture_default_str();
  cli.add_option("--dpi", cfg.dpi, "screen DPI (sizes follow it)")->check(CLI::Range(60.0, 400.0))->capture_default_str();
  cli.add_option("--width", cfg.width, "window width (windowed mode)")->capture_default_str();
  cli.add_option("--height", cfg.height, "window height (windowed mode)")->capture_default_str();
  cli.add_option("--utc-offset", cfg.utc_offset_minutes, "the shop's local time, minutes from UTC")->capture_default_str();
  cli.add_option("--export-dir", cfg.export_dir, "where report CSVs are written")->capture_default_str();
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
    so.pepper = bk::platform::loadPepper(cfg.pepper);
    bk::Store store(so, entropy);
    bk::platform::secureDatabaseFiles(cfg.db);  // files of older versions were 0644
    std::mutex storeMu;  // the UI and the sync threads share the store
    const bk::Catalog catalog = bk::Catalog::load(cfg.assets + "/catalog");
    bk::ui::Texts texts = bk::ui::Texts::load(cfg.assets + "/i18n");

    if (!glfwInit()) throw std::runtime_error("cannot open a window (no display?)");
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
    if (!win) throw std::runtime_error("cannot create an OpenGL 3.0 window");
    glfwMakeContextCurrent(win);
    glfwSwapInterval(1);
    if (cfg.fullscreen) glfwSetInputMode(win, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);  // touch: no pointer

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.Colors[ImGuiCol_WindowBg] = {0.10f, 0.11f, 0.13f, 1};
    style.WindowPadding = {12, 8};

    bk::ui::App app(cfg, store, catalog, texts, entropy);
    style.ItemSpacing = {app.metrics().gap(), app.metrics().mm(1.5f)};
    bk::ui::buildFonts(io, app.metrics(), app.glyphText(), cfg.font, app.fonts());

    Loop loop;
    loop.app = &app;
    std::unique_ptr<bk::sync::SyncClient> sync;
    if (!cfg.hub.empty() && tour_dir.empty()) {
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
      }, [sc] { sc->wake(); });
      sync->start();
    }
    glfwSetWindowUserPointer(win, &loop);
    ImGui_ImplGlfw_InitForOpenGL(win, false);
    glfwSetMouseButtonCallback(win, onMouseButton);
    glfwSetCursorPosCallback(win, onCursor);
    glfwSetScrollCallback(win, onScroll);
    glfwSetKeyCallback(win, onKey);
    glfwSetCharCallback(win, onChar);
    glfwSetFramebufferSizeCallback(win, onResize);
    ImGui_ImplOpenGL3_Init("#version 130");
    app.noteInput(bk::platform::nowMillis());

    bk::Millis lastSnapshot = 0;
    bool atlasInGpu = false;
    auto render = [&](bk::Millis now) {
      ImGui_ImplOpenGL3_NewFrame();  // uploads the font atlas on the first frame
      if (!atlasInGpu) {
        // the atlas's pixels now live in the texture: free the CPU copies
        // (Alpha8 and RGBA32 of a CJK atlas, tens of MB); a rebuild makes them again
        io.Fonts->ClearTexData();
        atlasInGpu = true;
      }
      ImGui_ImplGlfw_NewFrame();
      ImGui::NewFrame();
      app.frame(now);
      ImGui::Render();
      int fw, fh;
      glfwGetFramebufferSize(win, &fw, &fh);
      glViewport(0, 0, fw, fh);
      glClearColor(0.10f, 0.11f, 0.13f, 1);
      glClear(GL_COLOR_BUFFER_BIT);
      ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
      glfwSwapBuffers(win);
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
      if (!hits_file.empty()) writeHits(app, hits_file);
      if (!snapshot.empty() && now - lastSnapshot >= 10'000) {
        lastSnapshot = now;
        const std::string tmp = snapshot + ".tmp.png";
        if (screenshot(win, tmp)) std::filesystem::rename(tmp, snapshot);
      }
    };

    int rc = 0;
    if (!tour_dir.empty()) {
      rc = bk::ui::runTour(app, texts, tour_dir, [&](const std::string& path) {
        for (int i = 0; i < 4; ++i) {
          glfwPollEvents();
          render(bk::platform::nowMillis());
        }
        return screenshot(win, path);
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
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(win);
    glfwTerminate();
    return rc;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bay-kiosk: %s\n", e.what());
    return 1;
  }
}
