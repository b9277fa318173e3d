// `needlework pack list|show|validate|vocabulary`: what the knowledge packs hold, and whether they load.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <memory>

#include "context.hpp"
#include "needlework/clinic/catalog_json.hpp"
#include "needlework/knowledge/loader.hpp"

namespace needlework::cli {
namespace {

using knowledge::Pack;
using nlohmann::json;

std::string mm(const knowledge::LengthRange& r) {
  return fmt::format("{:g}–{:g} mm", units::in_mm(r.lo), units::in_mm(r.hi));
}

int list(Context& ctx) {
  auto packs = knowledge::list_packs(ctx.packs_dir());
  if (!packs) return report(ctx, packs.error());
  if (ctx.json) {
    print_json(clinic::pack_list_json(*packs));
    return exit_ok;
  }
  fmt::print("{:<12} {:<8} {:<10} {}\n", "pack", "version", "extends", "title");
  for (const auto& p : *packs) {
    fmt::print("{:<12} {:<8} {:<10} {}{}\n", p.id, p.version, p.extends.empty() ? "—" : p.extends, p.title,
               p.id == "seed" ? "  (default)" : "");
  }
  return exit_ok;
}

int show(Context& ctx, const std::string& id) {
  auto pack = knowledge::load_pack(ctx.packs_dir(), id.empty() ? ctx.pack_id : id);
  if (!pack) return report(ctx, pack.error());
  const Pack& p = *pack;
  if (ctx.json) {
    print_json(clinic::pack_json(p));
    return exit_ok;
  }
  fmt::print("Pack {} — {}\n\nLayers (base first):\n", p.label(), p.top().title);
  for (const auto& l : p.layers) {
    fmt::print("  {}@{}  {}{}  [{}]\n", l.id, l.version, l.title,
               l.extends.empty() ? "" : " (extends " + l.extends + ")", l.dir);
  }
  fmt::print("\nOverrides ({}):\n", p.overrides.size());
  if (p.overrides.empty()) fmt::print("  none\n");
  for (const auto& o : p.overrides) {
    fmt::print("  {} ({}) is replaced by {} ({})\n", o.replaced_id, o.replaced_origin, o.by_id, o.by_origin);
  }
  auto print_rules = [&](std::string_view title, const auto& rules, auto&& describe) {
    if (rules.empty()) return;
    fmt::print("\n{} ({}):\n", title, rules.size());
    for (const auto& r : rules) {
      fmt::print("  {:<30} {:<14} {}{}\n", r.id, r.source, describe(r),
                 r.origin == p.top().id && p.layers.size() > 1 ? "  [+" + r.origin + "]" : "");
    }
  };
  print_rules("Needle bands", p.bands,
              [&](const auto& b) { return fmt::format("{} {}", b.name, mm(b.length)); });
  print_rules("Area limits", p.area_limits,
              [&](const auto& l) { return fmt::format("{} {}", l.area, mm(l.length)); });
  print_rules("Devices", p.devices, [&](const auto& d) {
    return fmt::format("{} ({}, {}), {}{} needles, {}", d.label, d.kind, knowledge::to_string(d.setting),
                       d.needles_min, d.needles_max ? fmt::format("–{}", *d.needles_max) : "+",
                       mm(d.needle_length));
  });
  print_rules("Contraindications", p.contraindications, [&](const auto& c) {
    return fmt::format("{} → {}{}", c.condition, knowledge::to_string(c.decision),
                       c.within ? fmt::format(" (within {} days)", c.within->count()) : "");
  });
  print_rules("Cautions", p.cautions, [&](const auto& c) { return c.condition; });
  print_rules("Consultations", p.consultations, [&](const auto& c) {
    return fmt::format("{} (if missing: {})", c.with, knowledge::to_string(c.when_missing));
  });
  print_rules("Screening validity", p.screening_validity, [&](const auto& v) {
    return fmt::format("a screening counts for {} days", v.max_age.count());
  });
  print_rules("Course rules", p.courses, [&](const auto& c) {
    return fmt::format("{}: {}–{} a week, ≥ {} days apart, {}–{} months{}",
                       c.bands.empty() ? "all bands" : fmt::format("{}", fmt::join(c.bands, "+")),
                       c.sessions_per_week_min, c.sessions_per_week_max, c.min_interval.count(),
                       c.duration_months_min, c.duration_months_max,
                       c.until_resolved ? " or until resolved" : "");
  });
  print_rules("Home maintenance", p.maintenance,
              [&](const auto& m) { return fmt::format("{}, {} a week", m.device, m.sessions_per_week); });
  print_rules("Procedure steps", p.steps, [&](const auto& s) {
    return fmt::format(
        "{:>3}. {}{}{}", s.order, s.title,
        s.duration ? fmt::format(" ({}–{} min)", s.duration->lo.count(), s.duration->hi.count()) : "",
        s.optional ? " [optional: " + s.when + "]" : "");
  });
  print_rules("Hygiene", p.hygiene, [&](const auto& h) { return h.requirement; });
  print_rules("Aftercare", p.aftercare,
              [&](const auto& a) { return std::string(knowledge::to_string(a.phase)); });
  print_rules("Healing", p.healing,
              [&](const auto& h) { return fmt::format("{}: {}–{} days", h.band, h.days_min, h.days_max); });
  print_rules("Reactions", p.reactions, [&](const auto& r) { return r.label; });
  print_rules("Follow-up", p.followups, [&](const auto& f) {
    return fmt::format("{} → {}{}{}", f.observation, knowledge::to_string(f.triage),
                       f.from ? fmt::format(" from {} h", f.from->count()) : "",
                       f.until ? fmt::format(" until {} h", f.until->count()) : "");
  });
  print_rules("Mechanism", p.mechanisms, [&](const auto& m) { return m.text.substr(0, 60); });
  print_rules("Comparisons", p.comparisons,
              [&](const auto& c) { return fmt::format("{}: {}", c.versus, c.claim); });
  print_rules("Messages", p.messages,
              [&](const auto& m) { return fmt::format("{}: {}", knowledge::to_string(m.kind), m.subject); });
  fmt::print("\nSources ({}):\n", p.sources.size());
  for (const auto& s : p.sources) fmt::print("  {:<22} [{}] {}\n", s.id, s.confidence, s.citation);
  return exit_ok;
}

int validate(Context& ctx, const std::string& target) {
  std::filesystem::path as_dir = target;
  std::error_code ec;
  // A path (anything with a slash, or an existing folder) is validated as a folder; otherwise it is a pack
  // id.
  const bool is_path = target.find('/') != std::string::npos || target == "." || target == "..";
  auto pack = (!target.empty() && (is_path || std::filesystem::is_directory(as_dir, ec)))
                  ? knowledge::load_pack_dir(as_dir)
                  : knowledge::load_pack(ctx.packs_dir(), target.empty() ? ctx.pack_id : target);
  if (!pack) return report(ctx, pack.error());
  const auto warnings = knowledge::lint(*pack);
  if (ctx.json) {
    print_json({{"pack", pack->label()},
                {"valid", true},
                {"rules", pack->rule_index().size()},
                {"sources", pack->sources.size()},
                {"overrides", clinic::overrides_json(*pack)},
                {"warnings", warnings}});
    return exit_ok;
  }
  fmt::print("{}: valid — {} rules, {} sources, {} layer(s), {} override(s)\n", pack->label(),
             pack->rule_index().size(), pack->sources.size(), pack->layers.size(), pack->overrides.size());
  for (const auto& w : warnings) fmt::print("warning: {}\n", w);
  return exit_ok;
}

int vocabulary(Context& ctx, const std::string& kind) {
  auto pack = load_selected_pack(ctx);
  if (!pack) return report(ctx, pack.error());
  const Pack& p = *pack;
  auto out = clinic::vocabulary_json(p, kind);
  if (!out) return report(ctx, out.error());
  if (ctx.json) {
    print_json(*out);
    return exit_ok;
  }
  bool first = true;
  auto section = [&](std::string_view name, const auto& items, auto&& extra) {
    if (!out->contains(name)) return;
    fmt::print("{}{} ({}):\n", first ? "" : "\n", name, items.size());
    first = false;
    for (const auto& i : items) fmt::print("  {:<28} {}{}\n", i.id, i.label, extra(i));
  };
  section("areas", p.areas, [](const auto& a) {
    return a.parent.empty() ? std::string{} : fmt::format("  (in {})", a.parent);
  });
  section("conditions", p.conditions, [](const auto& c) {
    return fmt::format("  ({}{})", knowledge::to_string(c.scope), c.dated ? ", give `since`" : "");
  });
  section("concerns", p.concerns, [](const auto&) { return std::string{}; });
  section("observations", p.observations, [](const auto&) { return std::string{}; });
  section("devices", p.devices,
          [](const auto& d) { return fmt::format("  ({}, {})", d.kind, knowledge::to_string(d.setting)); });
  return exit_ok;
}

}  // namespace

void add_pack_commands(CLI::App& app, Context& ctx) {
  auto* pack = app.add_subcommand("pack", "Knowledge packs: list, show, validate, vocabulary");
  pack->require_subcommand(1);
  pack->footer(std::string("Examples:\n  needlework pack list\n  needlework pack show literature\n"
                           "  needlework --json pack validate literature\n"
                           "  needlework --pack literature pack vocabulary conditions\n\n") +
               exit_codes_help);

  pack->add_subcommand("list", "List the packs in the data directory")->callback([&ctx] {
    ctx.exit_code = list(ctx);
  });

  auto* show_cmd = pack->add_subcommand("show", "Show a pack: layers, overrides, every rule with its source");
  auto show_id = std::make_shared<std::string>();
  show_cmd->add_option("id", *show_id, "Pack id (default: --pack)");
  show_cmd->callback([&ctx, show_id] { ctx.exit_code = show(ctx, *show_id); });

  auto* validate_cmd =
      pack->add_subcommand("validate", "Load and validate a pack (by id or folder); exit 4 if broken");
  auto target = std::make_shared<std::string>();
  validate_cmd->add_option("pack", *target, "Pack id or a pack folder (default: --pack)");
  validate_cmd->callback([&ctx, target] { ctx.exit_code = validate(ctx, *target); });

  auto* vocab_cmd = pack->add_subcommand("vocabulary",
                                         "List the ids an intake may use: areas, conditions, concerns, "
                                         "observations, devices");
  auto kind = std::make_shared<std::string>();
  vocab_cmd->add_option("kind", *kind, "Only this kind (areas, conditions, concerns, observations, devices)");
  vocab_cmd->callback([&ctx, kind] { ctx.exit_code = vocabulary(ctx, *kind); });
}

}  // namespace needlework::cli
