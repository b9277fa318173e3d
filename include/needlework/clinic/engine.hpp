#pragma once
/// The clinical engine: pure functions of their inputs and a knowledge pack. No I/O, no clock, no storage.
///   screen(intake)            → a decision per client and per area, every reason naming its rule and source
///   plan(intake, start)       → per area: needle band and device, the dated course, home maintenance,
///   warnings protocol(session)         → the timed checklist of the procedure aftercare(session)        →
///   the instruction sheet, with its time windows followup(observations, t) → normal / see a doctor, with
///   reasons
/// Safety rules live here, below every face: a face cannot get a plan the rules refuse.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "needlework/clinic/intake.hpp"
#include "needlework/physics/depth.hpp"
#include "needlework/physics/resealing.hpp"
#include "needlework/physics/skin.hpp"
#include "needlework/units/money.hpp"

namespace needlework::clinic {

using knowledge::Decision;
using knowledge::LengthRange;
using knowledge::Triage;

/// Why a rule fired: the rule, its source, what it decided, and a sentence for the person.
struct Reason {
  std::string rule;
  std::string source;
  std::string origin;  ///< pack layer of the rule
  Decision decision = Decision::cleared;
  std::string condition;           ///< the reported condition, if any
  std::vector<std::string> areas;  ///< areas the reason concerns (empty = the whole client)
  std::string message;
  bool refusal = false;  ///< a planning refusal (needle, device, depth), not a screening decision
};

struct AreaDecision {
  std::string area;
  Decision decision = Decision::cleared;
  std::vector<Reason> reasons;
};

struct Screening {
  std::string pack;                       ///< "seed@1.0.0"
  Decision decision = Decision::cleared;  ///< the most severe over every rule
  std::vector<Reason> reasons;            ///< every rule that bears on the decision
  std::vector<AreaDecision> areas;        ///< one per requested area
  std::vector<Reason> cautions;           ///< cleared, but expect more pain, bleeding, …
  std::vector<std::string> expected;      ///< expected reactions (S11, S14)
  std::optional<Date> rescreen_from;      ///< for dated deferrals: the first date screening may clear
  [[nodiscard]] bool cleared() const { return decision == Decision::cleared; }
};

[[nodiscard]] Screening screen(const Intake& intake, const Pack& pack);

struct Visit {
  int number = 0;
  Date date;
  bool review = false;       ///< the course's minimum length is reached: stop if the problem is solved
  bool conditional = false;  ///< only if the problem is not yet solved
};

struct AreaPlan {
  std::string area;
  std::vector<std::string> concerns;
  bool refused = false;
  std::vector<Reason> refusals;  ///< why (when refused)
  std::string band;              ///< band name
  std::string band_rule;
  LengthRange length;  ///< allowed needle length here: band ∩ area limits ∩ device
  std::vector<std::string> limit_rules;
  std::string device;
  std::string course_rule;
  int sessions_per_week = 0;
  std::chrono::days interval{0};
  Date review_date;
  Date end_date;
  std::vector<Visit> visits;
  std::vector<std::string> untreated_concerns;
  std::vector<std::string> warnings;
  std::string skin_region;  ///< the physics region the depth guard used, if any
  std::string depth_rule;   ///< the depth guard rule applied, if any
  std::optional<units::Length>
      max_safe_length;          ///< longest needle ending inside the dermis here (refuse rules)
  std::string depth_assurance;  ///< the words of the refusing rule's assurance
};

struct Maintenance {
  std::string rule;
  std::string device;
  int sessions_per_week = 0;
  Date start;
  std::vector<Date> first_month;
  std::string note;
};

/// A clinic day with every area treated on it.
struct CalendarDay {
  Date date;
  std::vector<std::string> areas;
};

struct PlanOptions {
  std::optional<int> sessions_per_week;             ///< a lower cadence than the pack's maximum
  std::optional<units::Money> session_price;        ///< the clinic's price per visit, for the course cost
  const physics::RegionCatalog* regions = nullptr;  ///< skin data for the pack's depth guard (data/skin)
};

struct Plan {
  std::string pack;
  Screening screening;
  Date start;
  std::vector<AreaPlan> areas;
  std::vector<CalendarDay> calendar;
  std::optional<Maintenance> maintenance;
  std::vector<std::string> warnings;
  std::optional<units::Money> home_device_price;
  std::optional<units::Money> course_cost_min;  ///< visits up to the review date × price
  std::optional<units::Money> course_cost_max;  ///< every visit × price
};

/// Plans the course. Refuses (ErrorCode::refused, naming the screening decision) a client that screening does
/// not clear for any requested area; areas the rules refuse are kept in the plan, marked refused with
/// reasons.
[[nodiscard]] Result<Plan> plan(const Intake& intake, const Pack& pack, Date start,
                                const PlanOptions& options = {});

/// Checks a proposed session date against earlier ones under the course rule: minimum gap and per-week
/// maximum.
[[nodiscard]] Result<void> check_interval(const std::vector<Date>& earlier, Date proposed,
                                          const knowledge::CourseRule& rule);

/// A professional session on the area of a home session, as the home-session check needs it: its day and the
/// course rule that governs its needle (the longest minimum interval when two could).
struct ProfessionalVisit {
  Date date;
  std::string rule;    ///< the course rule's id ("COURSE.default")
  std::string source;  ///< its source ("S8")
  std::chrono::days min_interval{0};
};

/// What a home session is checked against: the client's other home sessions and professional sessions on the
/// same or an overlapping area (the caller picks them).
struct HomeHistory {
  std::vector<Date> home;
  std::vector<ProfessionalVisit> professional;
};

/// Checks a home session on `proposed` under the pack's maintenance rule: never closer than the rule's
/// minimum interval to another home session, never more than its sessions a week in any 7 days, and (when
/// the rule `keeps_course_interval`) never within a professional session's course interval after it.
/// Refused (`ErrorCode::refused`, where "performed_on") with the rule's id, its source, its note and the
/// earliest date the rules allow.
[[nodiscard]] Result<void> check_home_session(const knowledge::Maintenance& rule, const HomeHistory& history,
                                              Date proposed);

/// The earliest date on or after `from` that `check_home_session` allows.
[[nodiscard]] Date earliest_home_session(const knowledge::Maintenance& rule, const HomeHistory& history,
                                         Date from);

/// The course rule that governs a band: a rule naming the band wins over a general one.
[[nodiscard]] const knowledge::CourseRule* course_rule_for(const Pack& pack, std::string_view band);

/// Bands whose range contains a needle length (0.5 mm lies in both short and medium).
[[nodiscard]] std::vector<const knowledge::Band*> bands_for_length(const Pack& pack, units::Length length);

/// The needle lengths the pack allows in an area: the intersection of every area limit on it or its
/// ancestors, with the rules that set it. Empty rules: no limit.
struct AreaAllowance {
  LengthRange length;
  std::vector<std::string> rules;
  std::vector<std::string> sources;
  bool empty = false;
};
[[nodiscard]] AreaAllowance allowance_for_area(const Pack& pack, std::string_view area);

/// One depth-guard rule's answer for a needle on an area (docs/physics.md "The depth guard").
struct DepthFinding {
  std::string rule;
  std::string source;
  knowledge::GuardAction action = knowledge::GuardAction::refuse;
  physics::DepthVerdict verdict;  ///< on the area's worst skin region, at the rule's assurance
  bool acknowledged = false;      ///< a warning the practitioner acknowledged for the session
  /// "DEPTH.thin_skin (S7): 1.50 mm on the cheek (zygoma): 62.3 % of punctures stay within the dermis for …"
  [[nodiscard]] std::string text() const;
};

/// Every depth-guard rule's answer for a needle on an area.
struct DepthCheck {
  std::vector<DepthFinding> findings;  ///< one per rule of the pack, in pack order
  physics::LayerFractions layers;      ///< where the punctures end on the worst region, at the first rule
  /// Warning rules the needle is outside of and that the session has not acknowledged.
  [[nodiscard]] std::vector<const DepthFinding*> unacknowledged() const;
};

struct ChecklistItem {
  int order = 0;
  std::string step;
  std::string title;
  std::string instruction;
  bool check = false;
  std::optional<knowledge::MinuteRange> duration;
  std::chrono::minutes starts_after_min{0};  ///< earliest start, from the session start
  std::chrono::minutes starts_after_max{0};  ///< latest start if every earlier step takes its longest
  std::string source;
};

struct Protocol {
  SessionInput session;
  std::string band;
  std::vector<ChecklistItem> items;
  std::chrono::minutes timed_min{0};
  std::chrono::minutes timed_max{0};
  std::vector<std::string> hygiene;  ///< hygiene requirements to confirm, with sources
  std::vector<Reason> cautions;
  std::vector<std::string> expected;
  std::vector<std::string> warnings;
  std::optional<physics::LayerFractions> layers;  ///< where the punctures end, when the depth guard ran
  std::string depth_rule;
  std::vector<DepthFinding> depth;  ///< every depth-guard rule's answer, when the guard ran
  /// Warning rules the needle is outside of and the session has not acknowledged: a store refuses to start
  /// the session until the practitioner acknowledges them.
  std::vector<std::string> unacknowledged;
};

/// The needle-length rules of an area, without a device: the area's limits (on it and its ancestors), a band
/// that contains the length, and that band indicated for the area. Refuses (`refused`, field
/// `needle_length_mm`) naming the rule; returns the bands. `protocol` applies these and the device's own
/// range.
[[nodiscard]] Result<std::vector<const knowledge::Band*>> check_length_for_area(const Pack& pack,
                                                                                std::string_view area,
                                                                                units::Length needle_length);

/// The pack's steps this session's protocol includes, in order: every step that is not optional, and an
/// optional one when its condition holds (the cocktail step with a cocktail).
[[nodiscard]] std::vector<const knowledge::Step*> protocol_steps(const SessionInput& session,
                                                                 const Pack& pack);

/// The checklist; refuses a needle the pack does not allow here, or (with `regions`) one that could end
/// beyond the dermis of the area's skin region.
[[nodiscard]] Result<Protocol> protocol(const SessionInput& session, const Pack& pack,
                                        const physics::RegionCatalog* regions = nullptr);

/// The depth guard for a needle on an area: every rule of the pack at its own assurance, on the worst of the
/// area's skin regions. A `refuse` rule the needle is outside of refuses (ErrorCode::refused, naming the
/// rule, the region and the margin); a `warn` rule's finding is returned, `acknowledged` when its id is in
/// `acknowledged`. Nothing when the pack has no guard, there is no skin data or the area has no skin region.
[[nodiscard]] Result<std::optional<DepthCheck>> check_depth(const Pack& pack,
                                                            const physics::RegionCatalog* regions,
                                                            std::string_view area,
                                                            const knowledge::Device& device,
                                                            units::Length needle_length,
                                                            std::span<const std::string> acknowledged = {});

struct AftercarePhaseSheet {
  knowledge::AftercarePhase phase;
  std::optional<DateTime> until;  ///< end of the phase when known
  std::string until_text;         ///< "24 h after the session", "2–3 days (short needles)"
  std::vector<std::string> avoid;
  std::vector<std::string> allow;
  std::vector<std::string> instructions;
  std::optional<int> spf;
  std::vector<std::string> rules;
};

struct AftercareSheet {
  SessionInput session;
  DateTime session_end;
  std::vector<AftercarePhaseSheet> phases;
  std::vector<std::string> expected;    ///< normal reactions
  std::vector<std::string> see_doctor;  ///< when to see a doctor
  std::vector<std::string> channels;    ///< which resealing output each window rests on, and how they compare
  std::vector<std::string> sources;
};

/// The sheet for a session that ended at `session_end`. With `resealing` (data/physics/resealing.toml), each
/// aftercare rule that names the resealing output it rests on (`rests_on`) gets a line in `channels`: that
/// output's time, uncovered and covered, against the rule's window; without it `channels` stays empty.
[[nodiscard]] Result<AftercareSheet> aftercare(const SessionInput& session, DateTime session_end,
                                               const Pack& pack,
                                               const physics::ResealingData* resealing = nullptr);
[[nodiscard]] std::string render_markdown(const AftercareSheet& sheet, const Pack& pack);
[[nodiscard]] std::string render_text(const AftercareSheet& sheet, const Pack& pack);
/// The sheet as an HTML fragment (headings, paragraphs, lists; every text escaped) for the e-mail's HTML
/// part.
[[nodiscard]] std::string render_html(const AftercareSheet& sheet, const Pack& pack);

struct FollowupResult {
  Triage triage = Triage::normal;
  std::chrono::minutes since_session{0};
  std::vector<Reason> reasons;       ///< one per observation (decision field unused)
  std::vector<Triage> triages;       ///< parallel to reasons
  std::vector<std::string> recheck;  ///< what to look at again later, and when
};

[[nodiscard]] FollowupResult followup(const FollowupInput& input, const Pack& pack);

}  // namespace needlework::clinic
