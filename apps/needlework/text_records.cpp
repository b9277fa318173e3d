// Text renderers of clinic records, shared by the store command groups (with --json a command prints the
// record's JSON instead, store/json.hpp).

#include "text_records.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "needlework/store/json.hpp"

namespace needlework::cli {

std::string esc_lines(std::string_view text) {
  std::string out;
  while (true) {
    const auto nl = text.find('\n');
    out += esc(text.substr(0, nl));
    if (nl == std::string_view::npos) return out;
    out += '\n';
    text.remove_prefix(nl + 1);
  }
}

std::string t(units::DateTime x) { return units::format_date_time(x); }

std::string opt_t(const std::optional<units::DateTime>& x) { return x ? t(*x) : std::string("—"); }

void print_session(const store::SessionRecord& s) {
  fmt::print("session {}  client {}  {}  {} {:g} mm  roller {}  started {}  finished {}\n", s.id,
             esc(s.client_id), esc(s.area), esc(s.device), units::in_mm(s.needle_length), s.roller_id,
             t(s.started_at), opt_t(s.finished_at));
  if (s.passes || s.density || s.effective_depth) {
    fmt::print("  passes {}  density {} /cm²  effective depth {} mm\n",
               s.passes ? std::to_string(*s.passes) : "—",
               s.density ? fmt::format("{:g}", units::in_per_cm2(*s.density)) : "—",
               s.effective_depth ? fmt::format("{:g}", units::in_mm(*s.effective_depth)) : "—");
  }
  if (const auto directions = store::stroke_plan_directions(s); !directions.empty()) {
    fmt::print("  strokes: {} in turn\n", esc(fmt::format("{}", fmt::join(directions, ", "))));
  }
  // Notes may run over lines (each note is appended on its own): print them line by line, each escaped, so
  // a line of a note is indented under "notes:" and can never pass for a record of its own.
  std::string_view notes = s.notes, label = "  notes: ";
  while (!notes.empty()) {
    const auto nl = notes.find('\n');
    fmt::print("{}{}\n", label, esc(notes.substr(0, nl)));
    label = "         ";
    notes = nl == std::string_view::npos ? std::string_view() : notes.substr(nl + 1);
  }
  if (!s.acknowledged.empty()) {
    fmt::print("  warnings acknowledged at the start: {}\n",
               esc(fmt::format("{}", fmt::join(s.acknowledged, ", "))));
  }
}

void print_zone(const store::SessionZoneRecord& z) {
  fmt::print(
      "  zone {}: {} passes ({} in turn)  density {:.0f} /cm²  effective depth {:.2f} mm  ({}, seed {}, "
      "charted {})\n",
      esc(z.zone), z.passes, esc(fmt::format("{}", fmt::join(z.directions, ", "))),
      units::in_per_cm2(z.density), units::in_mm(z.effective_depth), esc(z.physics_device), z.seed,
      t(z.charted_at));
  const auto layers = nlohmann::json::parse(z.layers_json, nullptr, false);
  if (layers.is_object()) {
    std::vector<std::string> shares;
    for (const auto* layer : {"epidermis", "papillary_dermis", "reticular_dermis", "beyond_dermis"}) {
      if (layers.contains(layer) && layers[layer].is_number())
        shares.push_back(fmt::format("{} {:.1f} %", layer, 100 * layers[layer].get<double>()));
    }
    fmt::print("    depth by layer: {}\n", fmt::join(shares, ", "));
  }
}

void print_roller(const store::RollerRecord& r) {
  fmt::print("roller {}  lot {} serial {}  {} {} needles {:g} mm  expires {}  {}{}\n", r.id, esc(r.lot),
             esc(r.serial), esc(r.device), r.needle_count, units::in_mm(r.needle_length),
             units::format_date(r.expiry), to_string(r.state),
             r.client_id.empty() ? std::string() : " (client " + esc(r.client_id) + ")");
  if (r.assigned_at) fmt::print("  assigned {}\n", t(*r.assigned_at));
}

void print_history(const store::ClientHistory& h) {
  fmt::print(
      "client {} ({}){}\n", esc(h.client.id), esc(h.client.name),
      h.client.date_of_birth ? ", born " + units::format_date(*h.client.date_of_birth) : std::string());
  if (!h.client.email.empty()) fmt::print("  email {}\n", esc(h.client.email));
  if (!h.client.phone.empty()) fmt::print("  phone {}\n", esc(h.client.phone));
  if (!h.message_consents.empty()) {
    const auto& m = h.message_consents.back();  // the one in force
    fmt::print("  messages {}  ({} {} by {})\n", m.agreed ? "agreed" : "not agreed",
               store::enum_to_string(m.via), t(m.recorded_at), esc(m.recorded_by));
  }
  for (const auto& i : h.intakes) {
    std::vector<std::string> areas;
    for (const auto& a : i.areas) areas.push_back(esc(a.area) + " " + esc(a.decision));
    fmt::print("  intake {}  {}  {}  ({})  pack {}\n", i.id, units::format_date(i.intake_date),
               knowledge::to_string(i.decision), fmt::join(areas, ", "), esc(i.pack));
  }
  for (const auto& c : h.consents) {
    fmt::print("  consent {}  signed {} by {}{}\n", c.id, t(c.signed_at), esc(c.signer),
               c.withdrawn_at ? "  WITHDRAWN " + t(*c.withdrawn_at) : std::string());
  }
  for (const auto& c : h.courses) {
    fmt::print("  course {}  from {}  (intake {}, pack {})\n", c.id, units::format_date(c.start), c.intake_id,
               esc(c.pack));
  }
  for (const auto& a : h.appointments) {
    fmt::print("  appointment {}  {}  {} {:g} mm  {}\n", a.id, t(a.at), esc(a.area),
               units::in_mm(a.needle_length), to_string(a.state));
  }
  for (const auto& x : h.sessions) {
    fmt::print("  ");
    print_session(x);
  }
  for (const auto& f : h.followups) {
    fmt::print("  follow-up {}  session {}  {}  {}  ({})\n", f.id, f.session_id, t(f.observed_at),
               knowledge::to_string(f.triage), esc(fmt::format("{}", fmt::join(f.observations, ", "))));
  }
  for (const auto& e : h.escalations) {
    fmt::print("  escalation {}  {}  {}  {}\n", e.id, e.open() ? "OPEN" : "closed", t(e.opened_at),
               esc(e.reason));
  }
  for (const auto& p : h.photos) {
    fmt::print("  photo {}  {}  {}  {}{}\n", p.id, t(p.taken_at), store::to_string(p.kind), esc(p.sha256),
               p.session_id ? fmt::format("  session {}", *p.session_id) : std::string());
  }
}

void print_recall(const store::Recall& r) {
  fmt::print("lot {}: {} roller(s), {} session(s), {} client(s): {}\n", esc(r.lot), r.rollers.size(),
             r.sessions.size(), r.clients.size(), esc(fmt::format("{}", fmt::join(r.clients, ", "))));
  if (r.recall) {
    fmt::print("  RECALLED {} by {}: {}\n", units::format_date_time(r.recall->recalled_at),
               esc(r.recall->recorded_by), esc(r.recall->reason));
  } else {
    fmt::print("  not recalled\n");
  }
  for (const auto& x : r.rollers) {
    fmt::print("  ");
    print_roller(x);
  }
  for (const auto& x : r.sessions) {
    fmt::print("  ");
    print_session(x);
  }
}

}  // namespace needlework::cli
