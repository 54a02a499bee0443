#pragma once
// One screen per file. Each draws from a View and appends Intents; none
// touches the store.
#include "kiosk/state.hpp"

namespace bk::ui {

void drawStatusBar(Ui& ui, const View& v, Intents& out);   // chrome.cpp
void drawNavBar(Ui& ui, const View& v, Intents& out);      // chrome.cpp
void drawMessage(Ui& ui, const View& v);                    // chrome.cpp
void drawSignDialog(Ui& ui, const View& v, Intents& out);  // sign_dialog.cpp
void drawBoard(Ui& ui, const View& v, Intents& out);       // board.cpp
void drawSignIn(Ui& ui, const View& v, Intents& out);      // signin.cpp
void drawWork(Ui& ui, const View& v, Intents& out);        // work.cpp
void drawInspect(Ui& ui, const View& v, Intents& out);     // inspect.cpp
void drawAddOn(Ui& ui, const View& v, Intents& out);       // addon.cpp
void drawHistory(Ui& ui, const View& v, Intents& out);     // history.cpp (issue 15)
void drawApprovals(Ui& ui, const View& v, Intents& out);   // approvals.cpp
void drawFloor(Ui& ui, const View& v, Intents& out);       // floor.cpp
void drawFinal(Ui& ui, const View& v, Intents& out);       // final.cpp
void drawReport(Ui& ui, const View& v, Intents& out);      // report.cpp
void drawReviews(Ui& ui, const View& v, Intents& out);     // reviews.cpp
void drawDelivery(Ui& ui, const View& v, Intents& out);    // delivery.cpp
// Issue 12: the delivery the form would sign now (customer's strokes sealed).
DeliverWorkOrder formDelivery(const View& v);

// Shared pieces.
void startInspection(const View& v, const Catalog& cat, InspectionKind kind, const Id& wo, std::optional<Id> op,
                     std::optional<Id> downstream);
// The inspection the form would sign now (id "draft"; made on signing).
Inspection formInspection(const View& v, const Catalog& cat);
// The screens a person's roles open, in nav-bar order.
std::vector<Screen> screensFor(const Person& p);
// A row describing one operation: title, who, phase chip, live timer.
void operationRow(Ui& ui, const View& v, const Operation& op, float width);
ImVec2 contentSize();
}  // namespace bk::ui
