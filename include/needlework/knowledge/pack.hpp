#pragma once
/// The knowledge pack model: the clinical content Needlework reasons with, as data. A pack is a folder of
/// TOML files (format in docs/knowledge-packs.md) with a manifest; a pack may `extend` another, adding rules
/// and overriding rules by id only where it says so. `load_pack` resolves the chain into one `Pack` whose
/// every rule remembers the layer it came from and its `source` (an article statement S1–S16 or a literature
/// reference). Nothing clinical is written in C++: the engines only evaluate what is here.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "needlework/units/money.hpp"
#include "needlework/units/quantity.hpp"

namespace needlework::knowledge {

/// The needle lengths a pack (or a session) may name at all, in mm: outside them a length is not
/// micro-needling but a typing error (S1: 0.2–3 mm; some pens step by 0.05 mm; pens reach 3 mm, FACTS §1).
inline constexpr double min_needle_length_mm = 0.05;
inline constexpr double max_needle_length_mm = 5.0;

using units::Length;

/// A closed range of needle lengths.
struct LengthRange {
  Length lo;
  Length hi;
  [[nodiscard]] bool contains(Length l) const { return lo <= l && l <= hi; }
};

/// A closed range of whole minutes (procedure step durations).
struct MinuteRange {
  std::chrono::minutes lo{0};
  std::chrono::minutes hi{0};
};

/// Fields every rule has.
struct RuleBase {
  std::string id;      ///< unique across the resolved pack, e.g. "CI.hemophilia"
  std::string source;  ///< a source id declared by a pack manifest ("S15", "F8.harris2015")
  std::string origin;  ///< id of the pack layer that defined it (filled by the loader)
  std::string note;    ///< free text shown to the user
  std::string file;    ///< where it was defined, "data/packs/seed/screening.toml:12" (filled by the loader)
  std::string overrides;  ///< in an extending pack: the base rule (same table) this one replaces
};

/// A citable source: an article statement or a published figure.
struct Source {
  std::string id;
  std::string citation;
  std::string quote;       ///< the words relied on, when short
  std::string confidence;  ///< H, M, L (FACTS.md scale) or "article"
  std::string origin;
};

// ---- vocabulary ---------------------------------------------------------------------------------------

struct Area : RuleBase {
  std::string label;
  std::string parent;  ///< a broader area ("cheek" → "face"), or empty
  /// Every skin region (data/skin/regions.toml) the area contains; the depth guard answers for the worst of
  /// them and names it. Empty: the physics engine cannot model the area.
  std::vector<std::string> skin_regions;
  /// The patch the physics engine simulates for a dose on this area (width × height), when the pack gives
  /// one.
  std::optional<std::pair<Length, Length>> zone;
};

enum class ConditionScope { systemic, local };

struct Condition : RuleBase {
  std::string label;
  ConditionScope scope = ConditionScope::systemic;  ///< local: applies where it is present
  bool dated = false;  ///< the intake should give the date of last exposure ("since")
};

struct Concern : RuleBase {
  std::string label;
};

struct Observation : RuleBase {
  std::string label;
};

// ---- devices and needle bands --------------------------------------------------------------------------

enum class Setting { clinic, home };

struct Device : RuleBase {
  std::string label;
  std::string kind;  ///< "roller" or "pen"
  Setting setting = Setting::clinic;
  int needles_min = 0;
  std::optional<int> needles_max;  ///< empty: "or more"
  LengthRange needle_length;
  Length needle_diameter;
  std::string material;
  std::vector<std::string> areas;  ///< areas this device is meant for (empty: any)
  bool for_cocktail = false;       ///< a mesoroller: used when a mesotherapy cocktail is applied
  std::optional<units::Money> price;
  std::string efficacy;  ///< e.g. "less efficient than a professional course"
  /// The devices of the physics catalog (data/devices) that model this one, the default first; a roller
  /// record's needle count picks among them (clinic::physics_target).
  std::vector<std::string> physics_devices;
};

/// One concern a band treats, and where.
struct Indication {
  std::string concern;
  std::vector<std::string> areas;
};

struct Band : RuleBase {
  std::string name;  ///< "short", "medium", "long"
  LengthRange length;
  std::vector<Indication> indications;
};

/// The longest (and shortest) needle allowed in an area; a band outside it is refused there.
struct AreaLimit : RuleBase {
  std::string area;
  LengthRange length;
};

// ---- screening -----------------------------------------------------------------------------------------

/// Screening decisions, least to most severe. A client's decision is the most severe over every rule.
enum class Decision { cleared, exclude_area, defer, refer, contraindicated };

struct Contraindication : RuleBase {
  std::string condition;
  Decision decision = Decision::contraindicated;
  std::optional<std::chrono::days> within;  ///< dated conditions: applies while last exposure is this recent
  bool clearance_resolves = false;          ///< a dermatologist clearance naming the condition lifts it
  std::string refer_to;                     ///< for decision = refer: "dermatologist", "doctor", …
};

/// A condition that does not stop treatment but changes what to expect (pain, bleeding).
struct Caution : RuleBase {
  std::string condition;
};

/// The consultation every client needs before the procedure (S10).
struct Consultation : RuleBase {
  std::string with;  ///< "dermatologist"
  Decision when_missing = Decision::refer;
};

/// How long a recorded screening counts: a session needs one no older than `max_age` (the intake's date to
/// the session's day). Without such a rule the pack sets no age limit.
struct ScreeningValidity : RuleBase {
  std::chrono::days max_age{0};
};

/// What a depth-guard rule does with a needle outside its assurance.
enum class GuardAction { refuse, warn };

/// A depth guardrail: a needle whose punctures could end beyond the dermis of an area's skin regions, for a
/// client at `client_percentile` of dermis thickness among clients of `sex` at any hand pressure up to
/// `max_pressure` (the physics engine's 0–1 scale, docs/physics.md), is refused or warned about (`action`). A
/// warning needs the practitioner's recorded acknowledgement of the rule id.
struct DepthGuard : RuleBase {
  GuardAction action = GuardAction::refuse;
  double max_pressure = 0.5;            ///< 0 light contact, 0.5 moderate, 1 firm (docs/physics.md)
  std::string pressure_label;           ///< the words the guard uses for max_pressure ("gentle")
  double client_percentile = 50.0;      ///< 0–100 (exclusive): the client the guard answers for
  std::string sex = "any";              ///< "any", "female" or "male"
  double tolerated_beyond_share = 0.0;  ///< share of punctures allowed past the dermis (0: none)
};

// ---- course, procedure, hygiene ------------------------------------------------------------------------

struct CourseRule : RuleBase {
  std::vector<std::string> bands;  ///< band names this applies to; empty = all (a specific rule wins)
  int sessions_per_week_min = 1;
  int sessions_per_week_max = 1;
  std::chrono::days min_interval{1};
  int duration_months_min = 1;
  int duration_months_max = 1;
  bool until_resolved = false;
};

struct Maintenance : RuleBase {
  std::string device;
  int sessions_per_week = 1;
  /// Never two home sessions on the same (or an overlapping) area closer than this.
  std::chrono::days min_interval{7};
  /// A home session on an area also keeps, after a professional session there, the minimum interval of the
  /// course rule that governs that session's needle.
  bool keeps_course_interval = false;
};

struct Step : RuleBase {
  int order = 0;
  std::string title;
  std::string instruction;
  std::optional<MinuteRange> duration;
  bool optional = false;
  std::string when;    ///< condition for an optional step ("cocktail")
  bool check = false;  ///< a check that must be confirmed (hygiene, consultation), not a timed action
};

struct Hygiene : RuleBase {
  std::string requirement;  ///< machine-readable: "new_or_sterilised", "single_client", "medical_steel"
  std::string text;
};

// ---- aftercare and follow-up ---------------------------------------------------------------------------

enum class AftercarePhase { first_day, while_healing, always };

struct AftercareRule : RuleBase {
  AftercarePhase phase = AftercarePhase::first_day;
  std::chrono::hours duration{0};  ///< for first_day: how long the phase lasts
  std::vector<std::string> avoid;
  std::vector<std::string> allow;
  std::string instruction;
  std::optional<int> spf;
  /// The resealing output the rule's window rests on: "barrier" (barrier recovery), "channels" (channel
  /// closure) or empty; the aftercare sheet compares the window with that output
  /// (data/physics/resealing.toml).
  std::string rests_on;
};

/// How long healing takes for a band (literature); sets the "while healing" window.
struct Healing : RuleBase {
  std::string band;
  int days_min = 0;
  int days_max = 0;
};

struct Reaction : RuleBase {
  std::string label;
  std::string observation;  ///< the observation id this reaction corresponds to, if any
  std::string when;         ///< a condition id that makes it expected ("sensitive_skin"), or empty
};

enum class Triage { normal, see_doctor };

struct FollowupRule : RuleBase {
  std::string observation;
  Triage triage = Triage::normal;
  std::optional<std::chrono::hours> from;   ///< applies when at least this long after the session
  std::optional<std::chrono::hours> until;  ///< applies when less than this long after the session
};

// ---- mechanism and comparison (S16) --------------------------------------------------------------------

struct Comparison : RuleBase {
  std::string versus;
  std::string claim;  ///< "more_effective", "comparable", "more_economical"
  std::string text;
};

struct Mechanism : RuleBase {
  std::string text;
};

// ---- messages to clients -------------------------------------------------------------------------------

/// What a message to a client is for.
enum class MessageKind { aftercare, reminder, followup_prompt, recall_notice, portal_link, home_aftercare };

/// The words of one kind of message to a client: a subject, a plain-text body and an optional HTML body, each
/// a template whose `{name}` fields the sender fills (`clinic::compose_message`; the names a kind may use are
/// `message_fields(kind)`, checked when the pack loads). The wording is the pack's, never the code's.
struct Message : RuleBase {
  MessageKind kind = MessageKind::aftercare;
  std::string subject;  ///< one line
  std::string text;     ///< the plain-text part
  std::string html;     ///< the HTML part (a fragment: the sender wraps it in a document); empty: text only
  /// The aftercare message only (required there, refused elsewhere): what `{next_visit}` says when no visit
  /// is booked, and the title of a visit in a calendar (its attachment, the portal's feed; field `{area}`).
  std::string no_next_visit;
  std::string visit_title;
};

/// The field names a message of `kind` may use, and every message may use "client" and "unsubscribe".
[[nodiscard]] std::vector<std::string_view> message_fields(MessageKind kind);

// ---- the resolved pack ---------------------------------------------------------------------------------

struct Layer {
  std::string id;
  std::string version;
  std::string title;
  std::string extends;
  std::string dir;
};

/// A rule of a base layer replaced by a later layer; listed by `pack show` so every difference is visible.
struct Override {
  std::string replaced_id;
  std::string replaced_origin;
  std::string by_id;
  std::string by_origin;
};

struct Pack {
  std::vector<Layer> layers;  ///< base first; the last is the pack that was asked for
  std::vector<Override> overrides;
  std::vector<Source> sources;

  std::vector<Area> areas;
  std::vector<Condition> conditions;
  std::vector<Concern> concerns;
  std::vector<Observation> observations;
  std::vector<Device> devices;
  std::vector<Band> bands;
  std::vector<AreaLimit> area_limits;
  std::vector<Contraindication> contraindications;
  std::vector<Caution> cautions;
  std::vector<Consultation> consultations;
  std::vector<ScreeningValidity> screening_validity;
  std::vector<DepthGuard> depth_guards;
  std::vector<CourseRule> courses;
  std::vector<Maintenance> maintenance;
  std::vector<Step> steps;
  std::vector<Hygiene> hygiene;
  std::vector<AftercareRule> aftercare;
  std::vector<Healing> healing;
  std::vector<Reaction> reactions;
  std::vector<FollowupRule> followups;
  std::vector<Comparison> comparisons;
  std::vector<Mechanism> mechanisms;
  std::vector<Message> messages;

  [[nodiscard]] const Layer& top() const { return layers.back(); }
  [[nodiscard]] std::string label() const { return top().id + "@" + top().version; }

  [[nodiscard]] const Area* find_area(std::string_view id) const;
  [[nodiscard]] const Condition* find_condition(std::string_view id) const;
  [[nodiscard]] const Concern* find_concern(std::string_view id) const;
  [[nodiscard]] const Observation* find_observation(std::string_view id) const;
  [[nodiscard]] const Device* find_device(std::string_view id) const;
  [[nodiscard]] const Band* find_band(std::string_view name) const;
  [[nodiscard]] const Source* find_source(std::string_view id) const;
  /// The pack's message of this kind (at most one: `validate`), or nothing.
  [[nodiscard]] const Message* find_message(MessageKind kind) const;

  /// True when `area` is `ancestor` or lies inside it (cheek is inside face).
  [[nodiscard]] bool area_within(std::string_view area, std::string_view ancestor) const;

  /// Every rule id with the kind of table it lives in, in pack order ("contraindication", "CI.hemophilia").
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> rule_index() const;

  /// Removes the rule with this id wherever it is; returns false if no rule has it. Used by tests that prove
  /// a behaviour depends on a rule.
  bool erase_rule(std::string_view id);
};

[[nodiscard]] std::string_view to_string(Decision d) noexcept;
[[nodiscard]] std::optional<Decision> decision_from_string(std::string_view s) noexcept;
[[nodiscard]] std::string_view to_string(Triage t) noexcept;
[[nodiscard]] std::string_view to_string(Setting s) noexcept;
[[nodiscard]] std::string_view to_string(AftercarePhase p) noexcept;
[[nodiscard]] std::string_view to_string(ConditionScope s) noexcept;
[[nodiscard]] std::string_view to_string(MessageKind k) noexcept;
[[nodiscard]] std::optional<MessageKind> message_kind_from_string(std::string_view s) noexcept;

}  // namespace needlework::knowledge
