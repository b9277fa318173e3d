#include "needlework/knowledge/loader.hpp"

#include <fmt/args.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <regex>
#include <set>

#include "tables.hpp"

namespace needlework::knowledge {
namespace fs = std::filesystem;
namespace {

// Inside the loader a problem stops the whole load, so it travels as an exception and becomes an Error at the
// public boundary (load_pack, load_pack_dir, list_packs).
struct LoadFailure {
  Error error;
};

[[noreturn]] void raise(ErrorCode code, std::string message, std::string where) {
  throw LoadFailure{Error{code, std::move(message), std::move(where)}};
}

std::string position(const std::string& file, const toml::source_region& src) {
  if (src.begin.line == 0) return file;
  return fmt::format("{}:{}:{}", file, src.begin.line, src.begin.column);
}

/// Reads one TOML table, remembering which keys were read so leftovers can be reported as unknown.
class Reader {
 public:
  Reader(const toml::table& table, std::string file, std::string context)
      : table_(table), file_(std::move(file)), context_(std::move(context)) {}

  [[nodiscard]] std::string where(std::string_view key = {}) const {
    const toml::node* n = key.empty() ? nullptr : table_.get(key);
    const auto& src = n != nullptr ? n->source() : table_.source();
    return key.empty() ? fmt::format("{}: {}", position(file_, src), context_)
                       : fmt::format("{}: {}.{}", position(file_, src), context_, key);
  }
  [[nodiscard]] std::string line() const { return fmt::format("{}:{}", file_, table_.source().begin.line); }

  bool has(std::string_view key) { return node(key) != nullptr; }

  std::string str(std::string_view key) {
    auto v = opt_str(key);
    if (!v) raise(ErrorCode::missing_field, "is required (a string)", where(key));
    return *v;
  }
  std::optional<std::string> opt_str(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_string()) raise(ErrorCode::invalid_value, "must be a string", where(key));
    auto s = n->value<std::string>().value_or("");
    if (s.empty()) raise(ErrorCode::invalid_value, "must not be empty", where(key));
    return s;
  }
  std::string str_or(std::string_view key, std::string fallback) { return opt_str(key).value_or(fallback); }

  std::string id(std::string_view key, const std::regex& pattern, std::string_view pattern_text) {
    auto s = str(key);
    if (!std::regex_match(s, pattern)) {
      raise(ErrorCode::invalid_value, fmt::format("'{}' is not a valid id ({})", s, pattern_text),
            where(key));
    }
    return s;
  }

  bool boolean_or(std::string_view key, bool fallback) {
    const toml::node* n = node(key);
    if (n == nullptr) return fallback;
    if (!n->is_boolean()) raise(ErrorCode::invalid_value, "must be true or false", where(key));
    return *n->value<bool>();
  }

  std::optional<double> opt_number(std::string_view key, double lo, double hi) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    return checked_number(*n, key, lo, hi);
  }
  double number(std::string_view key, double lo, double hi) {
    auto v = opt_number(key, lo, hi);
    if (!v) raise(ErrorCode::missing_field, "is required (a number)", where(key));
    return *v;
  }
  std::optional<int> opt_integer(std::string_view key, int lo, int hi) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    if (!n->is_integer()) raise(ErrorCode::invalid_value, "must be a whole number", where(key));
    const auto v = *n->value<std::int64_t>();
    if (v < lo || v > hi) {
      raise(ErrorCode::out_of_range, fmt::format("{} is outside {}–{}", v, lo, hi), where(key));
    }
    return static_cast<int>(v);
  }
  int integer(std::string_view key, int lo, int hi) {
    auto v = opt_integer(key, lo, hi);
    if (!v) raise(ErrorCode::missing_field, "is required (a whole number)", where(key));
    return *v;
  }

  /// `[lo, hi]` with lo ≤ hi, both inside [min, max].
  std::pair<double, double> range(std::string_view key, double min, double max) {
    const toml::node* n = node(key);
    if (n == nullptr) raise(ErrorCode::missing_field, "is required (a pair [low, high])", where(key));
    return checked_range(*n, key, min, max);
  }
  std::optional<std::pair<double, double>> opt_range(std::string_view key, double min, double max) {
    const toml::node* n = node(key);
    if (n == nullptr) return std::nullopt;
    return checked_range(*n, key, min, max);
  }
  std::pair<int, int> int_range(std::string_view key, int min, int max) {
    auto [lo, hi] = range(key, min, max);
    if (lo != static_cast<int>(lo) || hi != static_cast<int>(hi)) {
      raise(ErrorCode::invalid_value, "must be whole numbers", where(key));
    }
    return {static_cast<int>(lo), static_cast<int>(hi)};
  }

  std::vector<std::string> strings(std::string_view key) {
    const toml::node* n = node(key);
    std::vector<std::string> out;
    if (n == nullptr) return out;
    const auto* arr = n->as_array();
    if (arr == nullptr) raise(ErrorCode::invalid_value, "must be a list of strings", where(key));
    for (const auto& e : *arr) {
      if (!e.is_string() || e.value<std::string>()->empty()) {
        raise(ErrorCode::invalid_value, "must be a list of non-empty strings", where(key));
      }
      out.push_back(*e.value<std::string>());
    }
    return out;
  }

  const toml::array* array_of_tables(std::string_view key) {
    const toml::node* n = node(key);
    if (n == nullptr) return nullptr;
    const auto* arr = n->as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      raise(ErrorCode::invalid_value, fmt::format("must be an array of tables ([[{}]])", key), where(key));
    }
    return arr;
  }

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::string& context() const { return context_; }

  /// Every key not read is a typo or a field the format does not have.
  void finish() const {
    for (const auto& [k, v] : table_) {
      if (!used_.contains(std::string(k.str()))) {
        raise(ErrorCode::unknown_field,
              fmt::format("unknown key '{}' (see docs/knowledge-packs.md for the fields of this table)",
                          k.str()),
              fmt::format("{}: {}", position(file_, v.source()), context_));
      }
    }
  }

 private:
  const toml::node* node(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }
  double checked_number(const toml::node& n, std::string_view key, double lo, double hi) {
    if (!n.is_number()) raise(ErrorCode::invalid_value, "must be a number", where(key));
    const double v = *n.value<double>();
    if (!(v >= lo && v <= hi)) {
      raise(ErrorCode::out_of_range, fmt::format("{} is outside {}–{}", v, lo, hi), where(key));
    }
    return v;
  }
  std::pair<double, double> checked_range(const toml::node& n, std::string_view key, double min, double max) {
    const auto* arr = n.as_array();
    if (arr == nullptr || arr->size() != 2 || !(*arr)[0].is_number() || !(*arr)[1].is_number()) {
      raise(ErrorCode::invalid_value, "must be a pair of numbers [low, high]", where(key));
    }
    const double lo = checked_number((*arr)[0], key, min, max);
    const double hi = checked_number((*arr)[1], key, min, max);
    if (lo > hi) raise(ErrorCode::invalid_value, fmt::format("low {} is above high {}", lo, hi), where(key));
    return {lo, hi};
  }

  const toml::table& table_;
  std::string file_;
  std::string context_;
  std::set<std::string, std::less<>> used_;
};

const std::regex rule_id_pattern("[A-Za-z0-9_.-]+");
const std::regex vocab_id_pattern("[a-z0-9_]+");
const std::regex pack_id_pattern("[a-z0-9_-]+");

LengthRange length_range(Reader& r, std::string_view key) {
  auto [lo, hi] = r.range(key, min_needle_length_mm, max_needle_length_mm);
  return {units::millimetres(lo), units::millimetres(hi)};
}

Decision decision(Reader& r, std::string_view key, std::string fallback = {}) {
  auto text = fallback.empty() ? r.str(key) : r.str_or(key, fallback);
  auto d = decision_from_string(text);
  if (!d) {
    raise(ErrorCode::invalid_value,
          fmt::format("'{}' is not a decision (contraindicated, refer, defer, exclude_area, cleared)", text),
          r.where(key));
  }
  return *d;
}

std::string vocab(Reader& r, std::string_view key) { return r.id(key, vocab_id_pattern, "[a-z0-9_]+"); }

void read_base(Reader& r, RuleBase& b, bool vocabulary) {
  b.id = vocabulary ? vocab(r, "id") : r.id("id", rule_id_pattern, "[A-Za-z0-9_.-]+");
  b.source = r.str("source");
  b.note = r.str_or("note", "");
  b.overrides = r.str_or("overrides", "");
  b.file = r.line();
}

void read_rule(Reader& r, Area& a) {
  a.label = r.str("label");
  a.parent = r.str_or("parent", "");
  a.skin_regions = r.strings("skin_regions");
  const auto width = r.opt_number("zone_width_mm", 1.0, 1000.0);
  const auto height = r.opt_number("zone_height_mm", 1.0, 1000.0);
  if (width.has_value() != height.has_value()) {
    raise(ErrorCode::missing_field, "zone_width_mm and zone_height_mm go together",
          r.where(width ? "zone_height_mm" : "zone_width_mm"));
  }
  if (width) a.zone = std::pair{units::millimetres(*width), units::millimetres(*height)};
}
void read_rule(Reader& r, Condition& c) {
  c.label = r.str("label");
  const auto scope = r.str_or("scope", "systemic");
  if (scope != "systemic" && scope != "local") {
    raise(ErrorCode::invalid_value, fmt::format("'{}' is not a scope (systemic, local)", scope),
          r.where("scope"));
  }
  c.scope = scope == "local" ? ConditionScope::local : ConditionScope::systemic;
  c.dated = r.boolean_or("dated", false);
}
void read_rule(Reader& r, Concern& c) { c.label = r.str("label"); }
void read_rule(Reader& r, Observation& o) { o.label = r.str("label"); }

void read_rule(Reader& r, Device& d) {
  d.label = r.str("label");
  d.kind = r.str("kind");
  if (d.kind != "roller" && d.kind != "pen") {
    raise(ErrorCode::invalid_value, fmt::format("'{}' is not a device kind (roller, pen)", d.kind),
          r.where("kind"));
  }
  const auto setting = r.str_or("setting", "clinic");
  if (setting != "clinic" && setting != "home") {
    raise(ErrorCode::invalid_value, fmt::format("'{}' is not a setting (clinic, home)", setting),
          r.where("setting"));
  }
  d.setting = setting == "home" ? Setting::home : Setting::clinic;
  d.needles_min = r.integer("needles_min", 1, 100000);
  d.needles_max = r.opt_integer("needles_max", 1, 100000);
  if (d.needles_max && *d.needles_max < d.needles_min) {
    raise(ErrorCode::invalid_value, "needles_max is below needles_min", r.where("needles_max"));
  }
  d.needle_length = length_range(r, "needle_length_mm");
  d.needle_diameter = units::millimetres(r.number("needle_diameter_mm", 0.01, 1.0));
  d.material = r.str("material");
  d.areas = r.strings("areas");
  d.for_cocktail = r.boolean_or("for_cocktail", false);
  d.physics_devices = r.strings("physics_devices");
  if (auto usd = r.opt_number("price_usd", 0.0, 1e6)) {
    d.price = units::Money{static_cast<std::int64_t>(*usd * 100.0 + 0.5), "USD"};
  }
  d.efficacy = r.str_or("efficacy", "");
}

void read_rule(Reader& r, Band& b) {
  b.name = vocab(r, "name");
  b.length = length_range(r, "length_mm");
  const auto* arr = r.array_of_tables("indication");
  if (arr == nullptr || arr->empty()) {
    raise(ErrorCode::missing_field, "a band needs at least one [[band.indication]]", r.where());
  }
  int i = 0;
  for (const auto& node : *arr) {
    Reader ir(*node.as_table(), r.file(), fmt::format("{}.indication[{}]", r.context(), i++));
    Indication ind;
    ind.concern = vocab(ir, "concern");
    ind.areas = ir.strings("areas");
    if (ind.areas.empty()) raise(ErrorCode::missing_field, "needs at least one area", ir.where("areas"));
    ir.finish();
    b.indications.push_back(std::move(ind));
  }
}

void read_rule(Reader& r, AreaLimit& l) {
  l.area = vocab(r, "area");
  l.length = length_range(r, "length_mm");
}

void read_rule(Reader& r, Contraindication& c) {
  c.condition = vocab(r, "condition");
  c.decision = decision(r, "decision");
  if (c.decision == Decision::cleared) {
    raise(ErrorCode::invalid_value, "a contraindication cannot clear; use [[caution]]", r.where("decision"));
  }
  if (auto d = r.opt_integer("within_days", 1, 36500)) c.within = std::chrono::days{*d};
  c.clearance_resolves = r.boolean_or("clearance_resolves", false);
  c.refer_to = r.str_or("refer_to", "");
  if (c.decision == Decision::refer && c.refer_to.empty()) {
    raise(ErrorCode::missing_field, "a refer decision needs refer_to (who to refer to)", r.where());
  }
}

void read_rule(Reader& r, Caution& c) { c.condition = vocab(r, "condition"); }

void read_rule(Reader& r, Consultation& c) {
  c.with = r.str("with");
  c.when_missing = decision(r, "when_missing", "refer");
}

void read_rule(Reader& r, ScreeningValidity& v) {
  v.max_age = std::chrono::days{r.integer("max_age_days", 0, 3650)};
}

void read_rule(Reader& r, DepthGuard& g) {
  const auto action = r.str("action");
  if (action != "refuse" && action != "warn") {
    raise(ErrorCode::invalid_value, fmt::format("'{}' is not a guard action (refuse, warn)", action),
          r.where("action"));
  }
  g.action = action == "warn" ? GuardAction::warn : GuardAction::refuse;
  g.max_pressure = r.number("max_pressure", 0.0, 1.0);
  g.pressure_label = r.str_or("pressure_label", "");
  g.client_percentile = r.number("client_percentile", 0.1, 99.9);
  g.sex = r.str_or("sex", "any");
  if (g.sex != "any" && g.sex != "female" && g.sex != "male") {
    raise(ErrorCode::invalid_value, fmt::format("'{}' is not a sex (any, female, male)", g.sex),
          r.where("sex"));
  }
  g.tolerated_beyond_share = r.opt_number("tolerated_beyond_share", 0.0, 0.5).value_or(0.0);
}

void read_rule(Reader& r, CourseRule& c) {
  c.bands = r.strings("bands");
  std::tie(c.sessions_per_week_min, c.sessions_per_week_max) = r.int_range("sessions_per_week", 1, 7);
  c.min_interval = std::chrono::days{r.integer("min_interval_days", 1, 365)};
  std::tie(c.duration_months_min, c.duration_months_max) = r.int_range("duration_months", 1, 36);
  c.until_resolved = r.boolean_or("until_resolved", false);
}

void read_rule(Reader& r, Maintenance& m) {
  m.device = r.str("device");
  m.sessions_per_week = r.integer("sessions_per_week", 1, 7);
  m.min_interval = std::chrono::days{r.integer("min_interval_days", 1, 365)};
  m.keeps_course_interval = r.boolean_or("keeps_course_interval", false);
}

void read_rule(Reader& r, Step& s) {
  s.order = r.integer("order", 0, 100000);
  s.title = r.str("title");
  s.instruction = r.str_or("instruction", "");
  if (auto d = r.opt_range("duration_min", 0, 24 * 60)) {
    s.duration = MinuteRange{std::chrono::minutes{static_cast<int>(d->first)},
                             std::chrono::minutes{static_cast<int>(d->second)}};
  }
  s.optional = r.boolean_or("optional", false);
  s.when = r.str_or("when", "");
  s.check = r.boolean_or("check", false);
  if (s.optional && s.when.empty()) {
    raise(ErrorCode::missing_field, "an optional step needs `when` (the session option that switches it on)",
          r.where());
  }
}

void read_rule(Reader& r, Hygiene& h) {
  h.requirement = r.str("requirement");
  static const std::set<std::string, std::less<>> known{"new_or_sterilised", "single_client",
                                                        "medical_steel"};
  if (!known.contains(h.requirement)) {
    raise(ErrorCode::invalid_value,
          fmt::format("'{}' is not a requirement ({})", h.requirement, fmt::join(known, ", ")),
          r.where("requirement"));
  }
  h.text = r.str("text");
}

void read_rule(Reader& r, AftercareRule& a) {
  const auto phase = r.str("phase");
  if (phase == "first_day") {
    a.phase = AftercarePhase::first_day;
  } else if (phase == "while_healing") {
    a.phase = AftercarePhase::while_healing;
  } else if (phase == "always") {
    a.phase = AftercarePhase::always;
  } else {
    raise(ErrorCode::invalid_value,
          fmt::format("'{}' is not a phase (first_day, while_healing, always)", phase), r.where("phase"));
  }
  if (auto h = r.opt_integer("duration_hours", 1, 24 * 60)) a.duration = std::chrono::hours{*h};
  if (a.phase == AftercarePhase::first_day && a.duration.count() == 0) {
    raise(ErrorCode::missing_field, "a first_day rule needs duration_hours", r.where());
  }
  a.avoid = r.strings("avoid");
  a.allow = r.strings("allow");
  a.instruction = r.str_or("instruction", "");
  a.spf = r.opt_integer("spf", 1, 100);
  a.rests_on = r.str_or("rests_on", "");
  if (!a.rests_on.empty() && a.rests_on != "barrier" && a.rests_on != "channels") {
    raise(ErrorCode::invalid_value,
          fmt::format("'{}' is not a resealing output (barrier, channels)", a.rests_on), r.where("rests_on"));
  }
}

void read_rule(Reader& r, Healing& h) {
  h.band = vocab(r, "band");
  std::tie(h.days_min, h.days_max) = r.int_range("days", 0, 365);
}

void read_rule(Reader& r, Reaction& x) {
  x.label = r.str("label");
  x.observation = r.str_or("observation", "");
  x.when = r.str_or("when", "");
}

void read_rule(Reader& r, FollowupRule& f) {
  f.observation = vocab(r, "observation");
  const auto t = r.str("triage");
  if (t != "normal" && t != "see_doctor") {
    raise(ErrorCode::invalid_value, fmt::format("'{}' is not a triage (normal, see_doctor)", t),
          r.where("triage"));
  }
  f.triage = t == "normal" ? Triage::normal : Triage::see_doctor;
  if (auto h = r.opt_integer("from_hours", 0, 24 * 365)) f.from = std::chrono::hours{*h};
  if (auto h = r.opt_integer("until_hours", 1, 24 * 365)) f.until = std::chrono::hours{*h};
  if (f.from && f.until && *f.from >= *f.until) {
    raise(ErrorCode::invalid_value, "from_hours must be below until_hours", r.where("until_hours"));
  }
}

void read_rule(Reader& r, Comparison& c) {
  c.versus = r.str("versus");
  c.claim = r.str("claim");
  if (c.claim != "more_effective" && c.claim != "comparable" && c.claim != "more_economical") {
    raise(ErrorCode::invalid_value,
          fmt::format("'{}' is not a claim (more_effective, comparable, more_economical)", c.claim),
          r.where("claim"));
  }
  c.text = r.str("text");
}

void read_rule(Reader& r, Mechanism& m) { m.text = r.str("text"); }

/// A message template's field: every replacement field names one of `fields` (no positional `{}`, no
/// format spec), and the whole is a template fmt can fill — so a typing error in a pack is found when it
/// loads, not when a client's message is written.
std::string checked_template(Reader& r, std::string_view key, const std::vector<std::string_view>& fields,
                             std::string_view what_may, bool optional) {
  std::string tpl = optional ? r.str_or(key, "") : r.str(key);
  auto refuse = [&](std::string_view what) {
    const auto allowed =
        fields.empty() ? std::string("no field") : fmt::format("{{{}}}", fmt::join(fields, "}, {"));
    raise(ErrorCode::invalid_value, fmt::format("{}; {} may use {}", what, what_may, allowed), r.where(key));
  };
  fmt::dynamic_format_arg_store<fmt::format_context> args;
  for (auto f : fields) args.push_back(fmt::arg(f.data(), ""));
  for (std::size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] == '}') {
      if (i + 1 < tpl.size() && tpl[i + 1] == '}') ++i;
      continue;
    }
    if (tpl[i] != '{') continue;
    if (i + 1 < tpl.size() && tpl[i + 1] == '{') {
      ++i;
      continue;
    }
    const auto end = tpl.find('}', i);
    if (end == std::string::npos) refuse("a '{' is not closed (write '{{' for a brace)");
    const auto name = std::string_view(tpl).substr(i + 1, end - i - 1);
    if (std::find(fields.begin(), fields.end(), name) == fields.end()) {
      refuse(fmt::format("{{{}}} is not a field it can fill", name));
    }
    i = end;
  }
  try {
    (void)fmt::vformat(tpl, args);
  } catch (const fmt::format_error& e) {
    refuse(fmt::format("not a template: {}", e.what()));
  }
  return tpl;
}

std::string message_template(Reader& r, std::string_view key, MessageKind kind, bool optional) {
  return checked_template(r, key, message_fields(kind), fmt::format("a {} message", to_string(kind)),
                          optional);
}

void read_rule(Reader& r, Message& m) {
  const auto kind = r.str("kind");
  const auto k = message_kind_from_string(kind);
  if (!k) {
    raise(ErrorCode::invalid_value,
          fmt::format("'{}' is not a message kind (aftercare, reminder, followup_prompt, recall_notice, "
                      "portal_link, home_aftercare)",
                      kind),
          r.where("kind"));
  }
  m.kind = *k;
  m.subject = message_template(r, "subject", m.kind, false);
  if (m.subject.find_first_of("\r\n") != std::string::npos) {
    raise(ErrorCode::invalid_value, "a subject is one line", r.where("subject"));
  }
  m.text = message_template(r, "text", m.kind, false);
  m.html = message_template(r, "html", m.kind, true);
  // The aftercare's two phrases: the next visit when none is booked, and a visit's title in a calendar.
  if (m.kind == MessageKind::aftercare) {
    auto one_line = [&](std::string_view key, const std::vector<std::string_view>& fields) {
      auto tpl = checked_template(r, key, fields, key, false);
      if (tpl.find_first_of("\r\n") != std::string::npos) {
        raise(ErrorCode::invalid_value, fmt::format("{} is one line", key), r.where(key));
      }
      return tpl;
    };
    m.no_next_visit = one_line("no_next_visit", {});
    m.visit_title = one_line("visit_title", {"area"});
  } else {
    for (const auto* key : {"no_next_visit", "visit_title"}) {
      if (r.has(key)) {
        raise(ErrorCode::invalid_value, fmt::format("only the aftercare message has {}", key), r.where(key));
      }
    }
  }
}

template <class T>
constexpr bool is_vocabulary =
    std::is_same_v<T, Area> || std::is_same_v<T, Condition> || std::is_same_v<T, Concern> ||
    std::is_same_v<T, Observation> || std::is_same_v<T, Device>;

std::string display_path(const fs::path& p) {
  std::error_code ec;
  auto rel = fs::relative(p, fs::current_path(ec), ec);
  return (!ec && !rel.empty() && *rel.begin() != "..") ? rel.string() : p.string();
}

toml::table parse_toml_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) raise(ErrorCode::not_found, "file not found", display_path(path));
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    raise(ErrorCode::parse_error, std::string(e.description()), position(display_path(path), e.source()));
  }
}

/// One layer as read from its folder, before merging.
struct RawLayer {
  Layer layer;
  Pack rules;  // only the rule vectors and sources are used
};

RawLayer read_layer(const fs::path& dir, std::string_view expected_id) {
  const auto manifest_path = dir / "pack.toml";
  const auto manifest_file = display_path(manifest_path);
  const toml::table manifest = parse_toml_file(manifest_path);
  Reader m(manifest, manifest_file, "pack");
  RawLayer raw;
  raw.layer.id = m.id("id", pack_id_pattern, "[a-z0-9_-]+");
  if (!expected_id.empty() && raw.layer.id != expected_id) {
    raise(ErrorCode::pack_error,
          fmt::format("pack id '{}' does not match its folder '{}'", raw.layer.id, expected_id),
          m.where("id"));
  }
  raw.layer.version = m.str("version");
  static const std::regex semver("[0-9]+\\.[0-9]+\\.[0-9]+");
  if (!std::regex_match(raw.layer.version, semver)) {
    raise(ErrorCode::invalid_value, "must be a version MAJOR.MINOR.PATCH", m.where("version"));
  }
  raw.layer.title = m.str("title");
  raw.layer.extends = m.str_or("extends", "");
  raw.layer.dir = display_path(dir);
  const auto files = m.strings("files");
  if (const auto* sources = m.array_of_tables("source")) {
    int i = 0;
    for (const auto& node : *sources) {
      Reader s(*node.as_table(), manifest_file, fmt::format("source[{}]", i++));
      Source src;
      src.id = s.id("id", rule_id_pattern, "[A-Za-z0-9_.-]+");
      src.citation = s.str("citation");
      src.quote = s.str_or("quote", "");
      src.confidence = s.str("confidence");
      if (src.confidence != "article" && src.confidence != "H" && src.confidence != "M" &&
          src.confidence != "L") {
        raise(ErrorCode::invalid_value, "must be article, H, M or L", s.where("confidence"));
      }
      src.origin = raw.layer.id;
      s.finish();
      raw.rules.sources.push_back(std::move(src));
    }
  }
  m.finish();

  for (const auto& name : files) {
    const auto path = dir / name;
    const auto file = display_path(path);
    const toml::table doc = parse_toml_file(path);
    for (const auto& [key, value] : doc) {
      bool known = false;
      for_each_table(raw.rules, [&](std::string_view table, auto& rules) {
        if (key.str() != table) return;
        known = true;
        using Rule = typename std::decay_t<decltype(rules)>::value_type;
        const auto* arr = value.as_array();
        if (arr == nullptr || !arr->is_array_of_tables()) {
          raise(ErrorCode::invalid_value, fmt::format("must be written as [[{}]] tables", table),
                fmt::format("{}: {}", position(file, value.source()), table));
        }
        int i = 0;
        for (const auto& node : *arr) {
          Reader r(*node.as_table(), file, fmt::format("{}[{}]", table, i++));
          Rule rule;
          read_base(r, rule, is_vocabulary<Rule>);
          read_rule(r, rule);
          r.finish();
          rule.origin = raw.layer.id;
          rules.push_back(std::move(rule));
        }
      });
      if (!known) {
        raise(ErrorCode::unknown_field,
              fmt::format("unknown table '{}' (see docs/knowledge-packs.md for the tables)", key.str()),
              position(file, value.source()));
      }
    }
  }
  return raw;
}

/// Lays `raw` over `pack`: adds its sources and rules, applying and recording its overrides.
void merge_layer(Pack& pack, RawLayer raw) {
  const bool is_base = pack.layers.empty();
  for (auto& s : raw.rules.sources) {
    if (pack.find_source(s.id) != nullptr) {
      raise(ErrorCode::pack_error, fmt::format("source '{}' is declared twice", s.id),
            raw.layer.dir + "/pack.toml");
    }
    pack.sources.push_back(std::move(s));
  }
  for_each_table_member([&](std::string_view table, auto member) {
    auto& mine = pack.*member;
    for (auto& rule : raw.rules.*member) {
      const auto where = fmt::format("{}: {} '{}'", rule.file, table, rule.id);
      if (!rule.overrides.empty()) {
        if (is_base)
          raise(ErrorCode::pack_error, "`overrides` is only allowed in a pack that extends another", where);
        auto it =
            std::find_if(mine.begin(), mine.end(), [&](const auto& r) { return r.id == rule.overrides; });
        if (it == mine.end()) {
          raise(ErrorCode::pack_error,
                fmt::format("overrides '{}', but no base {} rule has that id", rule.overrides, table), where);
        }
        pack.overrides.push_back(Override{it->id, it->origin, rule.id, rule.origin});
        mine.erase(it);
      }
      mine.push_back(std::move(rule));
    }
  });
  pack.layers.push_back(std::move(raw.layer));
}

Pack load_chain(const fs::path& dir, std::string_view expected_id) {
  std::vector<RawLayer> chain;
  std::set<std::string, std::less<>> seen;
  auto current_dir = dir;
  std::string expected(expected_id);
  for (;;) {
    auto raw = read_layer(current_dir, expected);
    if (!seen.insert(raw.layer.id).second) {
      raise(ErrorCode::pack_error,
            fmt::format("packs extend each other in a cycle through '{}'", raw.layer.id),
            raw.layer.dir + "/pack.toml");
    }
    const auto base = raw.layer.extends;
    chain.push_back(std::move(raw));
    if (base.empty()) break;
    current_dir = current_dir.parent_path() / base;
    std::error_code ec;
    if (!fs::is_directory(current_dir, ec)) {
      raise(ErrorCode::pack_error,
            fmt::format("extends '{}', but there is no pack folder {}", base, display_path(current_dir)),
            chain.back().layer.dir + "/pack.toml");
    }
    expected = base;
  }
  Pack pack;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) merge_layer(pack, std::move(*it));
  return pack;
}

/// A problem inside a pack's files makes the pack bad: pack_error, whatever the reader's own code, which the
/// message keeps ("… [unknown_field]") for the person fixing the pack. A pack the caller names that does not
/// exist is reported before any file is read, with its own code (not_found, invalid_value).
Error as_pack_error(Error e) {
  if (e.code != ErrorCode::pack_error) {
    e.message = fmt::format("{} [{}]", e.message, to_string(e.code));
    e.code = ErrorCode::pack_error;
  }
  return e;
}

/// The one boundary where the loader's exceptions become values: the field readers below raise()
/// a LoadFailure from deep inside nested table walks (and toml++ throws its parse_error), which would need an
/// early return after every one of several hundred reads if they returned Result; LoadFailure never leaves
/// this file.
template <class F>
Result<std::invoke_result_t<F>> guarded(F&& f) {
  try {
    return f();
  } catch (const LoadFailure& e) {
    return std::unexpected(as_pack_error(e.error));
  } catch (const fs::filesystem_error& e) {
    return fail(ErrorCode::io_error, e.what(), e.path1().string());
  }
}

}  // namespace

Result<std::vector<PackSummary>> list_packs(const fs::path& packs_dir) {
  std::error_code ec;
  if (!fs::is_directory(packs_dir, ec)) {
    return fail(ErrorCode::not_found,
                fmt::format("no packs folder at {} (set --data or NEEDLEWORK_DATA)", packs_dir.string()),
                "--data");
  }
  return guarded([&] {
    std::vector<PackSummary> out;
    for (const auto& entry : fs::directory_iterator(packs_dir)) {
      if (!entry.is_directory() || !fs::exists(entry.path() / "pack.toml")) continue;
      const toml::table manifest = parse_toml_file(entry.path() / "pack.toml");
      out.push_back(PackSummary{manifest["id"].value_or(std::string{}),
                                manifest["version"].value_or(std::string{}),
                                manifest["title"].value_or(std::string{}),
                                manifest["extends"].value_or(std::string{}), entry.path()});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
  });
}

Result<Pack> load_pack(const fs::path& packs_dir, const std::string& id) {
  if (!std::regex_match(id, pack_id_pattern)) {
    return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a pack id", id), "--pack");
  }
  std::error_code ec;
  if (!fs::is_directory(packs_dir, ec)) {
    return fail(ErrorCode::not_found,
                fmt::format("no packs folder at {} (set --data or NEEDLEWORK_DATA)", packs_dir.string()),
                "--data");
  }
  if (!fs::is_directory(packs_dir / id, ec)) {
    return fail(ErrorCode::not_found, fmt::format("no pack '{}' in {}", id, display_path(packs_dir)),
                "--pack");
  }
  NW_TRY(pack, guarded([&] { return load_chain(packs_dir / id, id); }));
  NW_CHECK(validate(pack));
  return pack;
}

Result<Pack> load_pack_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return fail(ErrorCode::not_found, fmt::format("no pack folder at {}", dir.string()), "pack");
  }
  auto canonical = fs::weakly_canonical(dir, ec);
  NW_TRY(pack, guarded([&] { return load_chain(canonical, canonical.filename().string()); }));
  NW_CHECK(validate(pack));
  return pack;
}

}  // namespace needlework::knowledge
