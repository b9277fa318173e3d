#pragma once
/// The ids of the refusals that apply no pack rule: the ONE list of them. A refusal (`ErrorCode::refused`)
/// carries the id of the rule it applies in `Error::rule` (units/error.hpp). Where that rule is a pack rule
/// (`HYG.single_client`, `DEPTH.thin_skin`, `COURSE.default`, a contraindication of the screening), the id is
/// the pack's, read from the pack; the ids here are for what no pack holds:
/// - `RECORD.*`: the invariants of clinic record-keeping (a consent before a session, one roller per client,
///   a session's steps recorded, …), the same under every pack;
/// - `PACK.not_covered`: the pack holds no rule that allows the request, and what a pack does not allow is
///   refused (a needle in no band of the pack, reuse of a roller without a sterilisation rule);
/// - `PHYSICS.beyond_dermis`: the physics engine's own check, outside any pack, that no puncture ends beyond
///   the dermis (`needlework simulate`).
/// docs/server.md and docs/store.md list them; a test checks each id appears in docs/server.md.

#include <array>
#include <string_view>

namespace needlework::refusals {

inline constexpr std::string_view not_screened = "RECORD.not_screened";
inline constexpr std::string_view screening_not_covering = "RECORD.screening_not_covering";
inline constexpr std::string_view not_cleared = "RECORD.not_cleared";
inline constexpr std::string_view screening_unreadable = "RECORD.screening_unreadable";
inline constexpr std::string_view older_intake = "RECORD.older_intake";
inline constexpr std::string_view consent_missing = "RECORD.consent_missing";
inline constexpr std::string_view consent_withdrawn = "RECORD.consent_withdrawn";
inline constexpr std::string_view roller_other_client = "RECORD.roller_other_client";
inline constexpr std::string_view roller_not_assigned = "RECORD.roller_not_assigned";
inline constexpr std::string_view roller_assigned_after_start = "RECORD.roller_assigned_after_start";
inline constexpr std::string_view roller_disposed = "RECORD.roller_disposed";
inline constexpr std::string_view roller_expired = "RECORD.roller_expired";
inline constexpr std::string_view roller_busy = "RECORD.roller_busy";
inline constexpr std::string_view lot_recalled = "RECORD.lot_recalled";
inline constexpr std::string_view home_roller_retired = "RECORD.home_roller_retired";
inline constexpr std::string_view nothing_to_acknowledge = "RECORD.nothing_to_acknowledge";
inline constexpr std::string_view session_finished = "RECORD.session_finished";
inline constexpr std::string_view session_unfinished = "RECORD.session_unfinished";
inline constexpr std::string_view step_not_in_protocol = "RECORD.step_not_in_protocol";
inline constexpr std::string_view steps_unrecorded = "RECORD.steps_unrecorded";
inline constexpr std::string_view backup_inconsistent = "RECORD.backup_inconsistent";
inline constexpr std::string_view not_covered = "PACK.not_covered";
inline constexpr std::string_view beyond_dermis = "PHYSICS.beyond_dermis";

/// One id and what it means, for the docs and the test that keeps them in step.
struct Refusal {
  std::string_view id;
  std::string_view meaning;
};

/// Every id above, with its one-line meaning.
inline constexpr std::array table{
    Refusal{not_screened, "the client has no screening in force at that time: record an intake first"},
    Refusal{screening_not_covering,
            "the screening in force did not include the area: record an intake that does"},
    Refusal{
        not_cleared,
        "the screening in force did not clear the area and names no pack rule for it (otherwise the rule is "
        "the contraindication's)"},
    Refusal{screening_unreadable,
            "the recorded intake no longer reads under the current pack: record it again"},
    Refusal{older_intake, "a later intake is on file, so an older one would never take effect"},
    Refusal{consent_missing, "the client had signed no consent by that time: record a consent first"},
    Refusal{consent_withdrawn, "the client withdrew the consent in force: a new consent is needed"},
    Refusal{
        roller_other_client,
        "the roller belongs to another client, under a pack with no single-client hygiene rule (otherwise "
        "the rule is that one)"},
    Refusal{roller_not_assigned, "the roller is not assigned to the client yet"},
    Refusal{roller_assigned_after_start, "the roller was assigned (or registered) after the session start"},
    Refusal{roller_disposed, "the roller was disposed of: take a new one"},
    Refusal{roller_expired, "the roller is past its expiry date: dispose of it, take a new one"},
    Refusal{roller_busy, "the roller is in another session that has not finished"},
    Refusal{
        lot_recalled,
        "the roller's lot is recalled: it is not registered, assigned, sterilised or used; dispose of it"},
    Refusal{home_roller_retired, "the home roller was retired: register the client's new one"},
    Refusal{nothing_to_acknowledge, "an acknowledged depth warning did not warn for this needle and area"},
    Refusal{session_finished, "the session has finished: nothing more is recorded in it"},
    Refusal{session_unfinished, "the session has not finished: finish it before a follow-up"},
    Refusal{step_not_in_protocol, "the step is not one of the session's protocol"},
    Refusal{steps_unrecorded,
            "protocol steps are not recorded: record them or give the reason they were not done"},
    Refusal{backup_inconsistent,
            "a backup whose audit chain is broken or does not match its records is not restored"},
    Refusal{not_covered,
            "the pack holds no rule that allows the request; what a pack does not allow is refused"},
    Refusal{beyond_dermis, "the physics engine's check (no pack): punctures could end beyond the dermis"},
};

}  // namespace needlework::refusals
