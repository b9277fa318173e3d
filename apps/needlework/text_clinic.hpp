#pragma once
// Text renderers of the clinical engine's answers (with --json a command prints their JSON instead,
// clinic/json.hpp).

#include "needlework/clinic/engine.hpp"

namespace needlework::cli {

/// A screening: the decision, its reasons with their rules and sources, the requested areas and the cautions.
void print_screening(const clinic::Intake& in, const clinic::Screening& s);

/// A course plan: per area the band, device and dated visits, the calendar, the home maintenance and the
/// cost.
void print_plan(const clinic::Intake& in, const clinic::Plan& p);

/// A session's timed checklist.
void print_protocol(const clinic::Protocol& p);

/// A follow-up triage with its reasons.
void print_followup(const clinic::FollowupResult& f);

}  // namespace needlework::cli
