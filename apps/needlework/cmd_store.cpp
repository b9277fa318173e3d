// `needlework
// clients|users|intake|consent|course|appointment|roller|session|escalation|due|photo|outbox|audit|db`: the
// clinic records (needlework::store) from the command line. Every command opens the database named by --db
// (default $NEEDLEWORK_DB, else ./needlework.db), applies missing migrations, and stamps each write with
// --actor and --now (default: $USER and the system clock — the only place Needlework reads the clock).
// Exit codes: 0 ok; 3 bad input or a record not found; 4 the database cannot be opened, migrated or read;
// 5 refused by a rule (or: the recorded answer needs a person — not cleared, see a doctor, audit broken).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include "context.hpp"
#include "needlework/clinic/json.hpp"
#include "needlework/store/clinic_store.hpp"
#include "needlework/store/export.hpp"
#include "needlework/store/json.hpp"

namespace needlework::cli {
namespace {

using nlohmann::json;
using store::Actor;
using store::ClinicStore;
using store::Id;

/// Options shared by every store command (global: they may come before or after the subcommand).
struct StoreOptions {
  std::string db;      ///< --db
  std::string actor;   ///< --actor
  std::string now;     ///< --now
  std::string photos;  ///< --photos
};

std::string default_db() {
  if (const char* env = std::getenv("NEEDLEWORK_DB"); env != nullptr && *env != '\0') return env;
  return "needlework.db";
}

std::string default_actor() {
  if (const char* env = std::getenv("USER"); env != nullptr && *env != '\0') return env;
  return "cli";
}

/// Everything a store command works with, opened once.
struct Open {
  knowledge::Pack pack;
  physics::RegionCatalog regions;
  std::vector<physics::Device> devices;
  std::unique_ptr<store::Store> db;
  std::unique_ptr<ClinicStore> clinic;
  Actor actor;
};

/// Engine field names and the command-line options that set them, so an error names what the person typed.
using OptionNames = std::vector<std::pair<std::string, std::string>>;

/// A store failure: records not found and bad values are bad input (3), refusals 5, a broken database 4.
int report_store(const Context& ctx, Error e, const OptionNames& names = {}) {
  for (const auto& [field, option] : names) {
    if (e.where == field || e.where.starts_with(field + "[")) e.where = option;
  }
  const int code = report(ctx, e);
  if (e.code == ErrorCode::io_error || e.code == ErrorCode::pack_error || e.code == ErrorCode::database_error)
    return exit_pack;
  return code;
}

/// --now, or the system clock (the one place Needlework reads it); on a bad --now reports and sets ctx.exit_code.
std::optional<units::DateTime> now_of(Context& ctx, const StoreOptions& o) {
  if (o.now.empty()) return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto t = units::parse_date_time(o.now);
  if (!t) {
    ctx.exit_code = report(ctx, Error{t.error().code, t.error().message, "--now"});
    return std::nullopt;
  }
  return *t;
}

/// Opens the pack, the skin regions and the database; on failure reports and sets ctx.exit_code.
std::optional<Open> open_all(Context& ctx, const StoreOptions& o) {
  Open out;
  auto now = now_of(ctx, o);
  if (!now) return std::nullopt;
  const std::string actor = o.actor.empty() ? default_actor() : o.actor;
  out.actor = Actor{actor, *now};
  auto pack = load_selected_pack(ctx);
  if (!pack) {
    ctx.exit_code = report_data_error(ctx, pack.error());
    return std::nullopt;
  }
  out.pack = std::move(*pack);
  auto regions = load_skin_regions(ctx);
  if (!regions) {
    ctx.exit_code = report_data_error(ctx, regions.error());
    return std::nullopt;
  }
  out.regions = std::move(*regions);
  auto devices = load_devices(ctx.data_dir());
  if (!devices) {
    ctx.exit_code = report_data_error(ctx, devices.error());
    return std::nullopt;
  }
  out.devices = std::move(*devices);
  const std::string path = o.db.empty() ? default_db() : o.db;
  auto db = open_database(path);
  if (!db) {
    const int code = report(ctx, db.error());
    ctx.exit_code = code == exit_input ? exit_input : exit_pack;
    return std::nullopt;
  }
  out.db = std::move(*db);
  return out;
}

/// Registers a store subcommand whose callback runs `body(open)` and sets the exit code it returns.
template <class Body>
CLI::App* add(CLI::App& parent, Context& ctx, std::shared_ptr<StoreOptions> o, const std::string& name,
              const std::string& help, const std::string& example, Body body) {
  auto* cmd = parent.add_subcommand(name, help);
  cmd->footer("Example: " + example + "\n\n" + exit_codes_help);
  cmd->callback([&ctx, o, body] {
    auto opened = open_all(ctx, *o);
    if (!opened) return;
    // The ClinicStore refers to the pack and regions by address: build it once they have their final home.
    std::filesystem::path photo_dir = o->photos;
    const std::string db = o->db.empty() ? default_db() : o->db;
    if (photo_dir.empty()) photo_dir = default_photo_dir(db);
    opened->clinic = std::make_unique<ClinicStore>(*opened->db, opened->pack, &opened->regions, photo_dir,
                                                   &opened->devices);
    ctx.exit_code = body(*opened);
  });
  return cmd;
}

/// Prints a record: its JSON with --json, else `text`.
template <class Record>
int show(const Context& ctx, const Result<Record>& r, const std::function<void(const Record&)>& text,
         const OptionNames& names = {}) {
  if (!r) return report_store(ctx, r.error(), names);
  if (ctx.json) {
    print_json(store::to_json(*r));
  } else {
    text(*r);
  }
  return exit_ok;
}

std::string t(units::DateTime x) { return units::format_date_time(x); }

std::string opt_t(const std::optional<units::DateTime>& x) { return x ? t(*x) : std::string("—"); }

void print_session(const store::SessionRecord& s) {
  fmt::print("session {}  client {}  {}  {} {:g} mm  roller {}  started {}  finished {}\n", s.id, s.client_id,
             s.area, s.device, units::in_mm(s.needle_length), s.roller_id, t(s.started_at),
             opt_t(s.finished_at));
  if (s.passes || s.density || s.effective_depth) {
    fmt::print("  passes {}  density {} /cm²  effective depth {} mm\n",
               s.passes ? std::to_string(*s.passes) : "—",
               s.density ? fmt::format("{:g}", units::in_per_cm2(*s.density)) : "—",
               s.effective_depth ? fmt::format("{:g}", units::in_mm(*s.effective_depth)) : "—");
  }
  if (const auto directions = store::stroke_plan_directions(s); !directions.empty()) {
    fmt::print("  strokes: {} in turn\n", fmt::join(directions, ", "));
  }
  if (!s.notes.empty()) fmt::print("  notes: {}\n", s.notes);
}

void print_roller(const store::RollerRecord& r) {
  fmt::print("roller {}  lot {} serial {}  {} {} needles {:g} mm  expires {}  {}{}\n", r.id, r.lot, r.serial,
             r.device, r.needle_count, units::in_mm(r.needle_length), units::format_date(r.expiry),
             to_string(r.state), r.client_id.empty() ? std::string() : " (client " + r.client_id + ")");
}

Result<double> parse_double(const std::string& text, const char* option) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return fail(ErrorCode::invalid_value, fmt::format("'{}' is not a number", text), option);
}

}  // namespace

void add_store_commands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<StoreOptions>();
  app.add_option("--db", o->db,
                 "Clinic database: a SQLite file, or PostgreSQL as postgresql://user@host:port/dbname or "
                 "'host=… dbname=…' (default: $NEEDLEWORK_DB, else ./needlework.db)");
  app.add_option("--actor", o->actor, "Who makes the change, for the audit log (default: $USER, else cli)");
  app.add_option("--now", o->now,
                 "The time of the change or query, YYYY-MM-DDTHH:MM:SSZ (default: the system clock)");
  app.add_option("--photos", o->photos,
                 "Folder of photo files kept by SHA-256 (default: photos/ beside --db)");

  // ---- users and clients -------------------------------------------------------------------------------
  auto* users = app.add_subcommand("users", "Staff users");
  users->require_subcommand(1);
  auto user_role = std::make_shared<std::pair<std::string, std::string>>();
  auto* user_add = add(*users, ctx, o, "add", "Add a staff user",
                       "needlework users add ana --role practitioner", [&ctx, user_role](Open& s) {
                         return show<store::UserRecord>(
                             ctx, s.clinic->add_user(s.actor, user_role->first, user_role->second),
                             [](const auto& u) { fmt::print("user {} ({}) added\n", u.name, u.role); },
                             OptionNames{{"role", "--role"}});
                       });
  user_add->add_option("name", user_role->first, "User name")->required();
  user_add->add_option("--role", user_role->second, "Role: practitioner, admin, …")->required();

  auto* clients = app.add_subcommand("clients", "Client records: add, find, show with history");
  clients->require_subcommand(1);
  struct ClientArgs {
    std::string id, name, born, text;
  };
  auto ca = std::make_shared<ClientArgs>();
  auto* client_add =
      add(*clients, ctx, o, "add", "Register a client",
          "needlework clients add C-0001 --name \"Ana Example\" --born 1988-03-14", [&ctx, ca](Open& s) {
            store::ClientRecord c;
            c.id = ca->id;
            c.name = ca->name;
            if (!ca->born.empty()) {
              auto d = units::parse_date(ca->born);
              if (!d) return report(ctx, Error{d.error().code, d.error().message, "--born"});
              c.date_of_birth = *d;
            }
            return show<store::ClientRecord>(
                ctx, s.clinic->add_client(s.actor, c),
                [](const auto& r) { fmt::print("client {} ({}) added\n", r.id, r.name); },
                OptionNames{{"name", "--name"}, {"date_of_birth", "--born"}});
          });
  client_add->add_option("id", ca->id, "Client id, as in intakes (C-0001)")->required();
  client_add->add_option("--name", ca->name, "Full name")->required();
  client_add->add_option("--born", ca->born, "Date of birth YYYY-MM-DD");

  auto* client_find = add(*clients, ctx, o, "find", "Find clients by id or name",
                          "needlework clients find ana", [&ctx, ca](Open& s) {
                            auto found = s.db->search_clients(ca->text);
                            if (!found) return report_store(ctx, found.error());
                            if (ctx.json) {
                              json out = json::array();
                              for (const auto& c : *found) out.push_back(store::to_json(c));
                              print_json(out);
                            } else {
                              if (found->empty()) fmt::print("no client matches '{}'\n", ca->text);
                              for (const auto& c : *found) fmt::print("{:<12} {}\n", c.id, c.name);
                            }
                            return static_cast<int>(exit_ok);
                          });
  client_find->add_option("text", ca->text, "Part of an id or a name")->required();

  auto* client_show =
      add(*clients, ctx, o, "show", "A client with every record: intakes, consents, sessions, …",
          "needlework clients show C-0001", [&ctx, ca](Open& s) {
            return show<store::ClientHistory>(ctx, s.clinic->history(ca->id), [](const auto& h) {
              fmt::print("client {} ({}){}\n", h.client.id, h.client.name,
                         h.client.date_of_birth ? ", born " + units::format_date(*h.client.date_of_birth)
                                                : std::string());
              for (const auto& i : h.intakes) {
                std::vector<std::string> areas;
                for (const auto& a : i.areas) areas.push_back(a.area + " " + a.decision);
                fmt::print("  intake {}  {}  {}  ({})  pack {}\n", i.id, units::format_date(i.intake_date),
                           knowledge::to_string(i.decision), fmt::join(areas, ", "), i.pack);
              }
              for (const auto& c : h.consents) {
                fmt::print("  consent {}  signed {} by {}{}\n", c.id, t(c.signed_at), c.signer,
                           c.withdrawn_at ? "  WITHDRAWN " + t(*c.withdrawn_at) : std::string());
              }
              for (const auto& c : h.courses) {
                fmt::print("  course {}  from {}  (intake {}, pack {})\n", c.id, units::format_date(c.start),
                           c.intake_id, c.pack);
              }
              for (const auto& a : h.appointments) {
                fmt::print("  appointment {}  {}  {} {:g} mm  {}\n", a.id, t(a.at), a.area,
                           units::in_mm(a.needle_length), to_string(a.state));
              }
              for (const auto& x : h.sessions) {
                fmt::print("  ");
                print_session(x);
              }
              for (const auto& f : h.followups) {
                fmt::print("  follow-up {}  session {}  {}  {}  ({})\n", f.id, f.session_id, t(f.observed_at),
                           knowledge::to_string(f.triage), fmt::join(f.observations, ", "));
              }
              for (const auto& e : h.escalations) {
                fmt::print("  escalation {}  {}  {}  {}\n", e.id, e.open() ? "OPEN" : "closed",
                           t(e.opened_at), e.reason);
              }
              for (const auto& p : h.photos) {
                fmt::print("  photo {}  {}  {}  {}{}\n", p.id, t(p.taken_at), store::to_string(p.kind),
                           p.sha256,
                           p.session_id ? fmt::format("  session {}", *p.session_id) : std::string());
              }
            });
          });
  client_show->add_option("id", ca->id, "Client id")->required();

  // ---- intake --------------------------------------------------------------------------------------------
  auto intake_path = std::make_shared<std::string>();
  auto* intake =
      add(app, ctx, o, "intake", "Screen an intake and record it with its decision (exit 5 if not cleared)",
          "needlework intake examples/intake-cleared.json --db clinic.db", [&ctx, intake_path](Open& s) {
            auto text = read_input(*intake_path);
            if (!text) return report(ctx, text.error());
            auto doc = parse_json(*text, *intake_path);
            if (!doc) return report(ctx, doc.error());
            auto in = clinic::parse_intake(*doc, s.pack);
            if (!in) {
              auto e = in.error();
              e.where = fmt::format("{}: {}", *intake_path == "-" ? "<stdin>" : *intake_path, e.where);
              return report(ctx, e);
            }
            auto r = s.clinic->record_intake(s.actor, *in, *doc);
            if (!r) return report_store(ctx, r.error());
            if (ctx.json) {
              print_json(store::to_json(*r));
            } else {
              std::vector<std::string> areas;
              for (const auto& a : r->areas) areas.push_back(a.area + " " + a.decision);
              fmt::print("intake {} recorded for client {}: {} ({}) — pack {}\n", r->id, r->client_id,
                         knowledge::to_string(r->decision), fmt::join(areas, ", "), r->pack);
            }
            return r->decision == knowledge::Decision::cleared ? static_cast<int>(exit_ok)
                                                               : static_cast<int>(exit_attention);
          });
  intake->add_option("intake", *intake_path, "Intake JSON file, or - for stdin")->required();

  // ---- consent -------------------------------------------------------------------------------------------
  auto* consent = app.add_subcommand("consent", "Consent: sign (the text's SHA-256 is kept), withdraw");
  consent->require_subcommand(1);
  struct ConsentArgs {
    std::string client, text_file, signer;
    Id id = 0;
  };
  auto cs = std::make_shared<ConsentArgs>();
  auto* sign = add(*consent, ctx, o, "sign", "Record a signed consent",
                   "needlework consent sign C-0001 --text-file consent.txt --signer \"Ana Example\"",
                   [&ctx, cs](Open& s) {
                     auto text = read_input(cs->text_file);
                     if (!text) {
                       auto e = text.error();
                       e.where = "--text-file " + e.where;
                       return report(ctx, e);
                     }
                     return show<store::ConsentRecord>(
                         ctx, s.clinic->record_consent(s.actor, cs->client, *text, cs->signer),
                         [](const auto& c) {
                           fmt::print("consent {} signed by {} at {} (text sha256 {})\n", c.id, c.signer,
                                      t(c.signed_at), c.text_sha256);
                         },
                         OptionNames{{"signer", "--signer"}, {"text", "--text-file"}});
                   });
  sign->add_option("client", cs->client, "Client id")->required();
  sign->add_option("--text-file", cs->text_file, "The consent text the client signed (or - for stdin)")
      ->required();
  sign->add_option("--signer", cs->signer, "Who signed")->required();
  auto* withdraw = add(*consent, ctx, o, "withdraw", "Withdraw a consent", "needlework consent withdraw 1",
                       [&ctx, cs](Open& s) {
                         return show<store::ConsentRecord>(
                             ctx, s.clinic->withdraw_consent(s.actor, cs->id), [](const auto& c) {
                               fmt::print("consent {} withdrawn at {}\n", c.id, t(*c.withdrawn_at));
                             });
                       });
  withdraw->add_option("consent", cs->id, "Consent id")->required();

  // ---- course --------------------------------------------------------------------------------------------
  auto* course = app.add_subcommand("course", "Treatment courses planned from the latest intake");
  course->require_subcommand(1);
  auto co = std::make_shared<std::pair<std::string, std::string>>();
  auto* course_add = add(
      *course, ctx, o, "add", "Plan a course from the client's latest intake and record it",
      "needlework course add C-0001 --start 2026-11-30", [&ctx, co](Open& s) {
        auto d = units::parse_date(co->second);
        if (!d) return report(ctx, Error{d.error().code, d.error().message, "--start"});
        return show<store::CourseRecord>(
            ctx, s.clinic->record_course(s.actor, co->first, *d), [](const auto& c) {
              fmt::print("course {} for client {} from {}\n", c.id, c.client_id, units::format_date(c.start));
            });
      });
  course_add->add_option("client", co->first, "Client id")->required();
  course_add->add_option("--start", co->second, "First session date YYYY-MM-DD")->required();

  // ---- appointments --------------------------------------------------------------------------------------
  auto* appt = app.add_subcommand("appointment", "Appointments, checked against the course's interval rules");
  appt->require_subcommand(1);
  struct ApptArgs {
    std::string client, area, at;
    double needle_mm = 0;
    Id course = 0, id = 0;
    CLI::Option* course_opt = nullptr;
  };
  auto ap = std::make_shared<ApptArgs>();
  auto* book =
      add(*appt, ctx, o, "book", "Book an appointment (exit 5 if the interval rules refuse the date)",
          "needlework appointment book C-0001 --area face --needle-mm 1.0 --at 2026-11-30T10:00:00Z",
          [&ctx, ap](Open& s) {
            auto at = units::parse_date_time(ap->at);
            if (!at) return report(ctx, Error{at.error().code, at.error().message, "--at"});
            std::optional<Id> course_id;
            if (ap->course_opt->count() > 0) course_id = ap->course;
            return show<store::AppointmentRecord>(
                ctx,
                s.clinic->book_appointment(s.actor, ap->client, ap->area, units::millimetres(ap->needle_mm),
                                           *at, course_id),
                [](const auto& a) {
                  fmt::print("appointment {} booked: client {}, {} {:g} mm, {}\n", a.id, a.client_id, a.area,
                             units::in_mm(a.needle_length), t(a.at));
                },
                OptionNames{{"area", "--area"},
                            {"needle_length_mm", "--needle-mm"},
                            {"course", "--course"},
                            {"date", "--at"}});
          });
  book->add_option("client", ap->client, "Client id")->required();
  book->add_option("--area", ap->area, "Area (a vocabulary id)")->required();
  book->add_option("--needle-mm", ap->needle_mm, "Planned needle length in mm (sets the interval rule)")
      ->required();
  book->add_option("--at", ap->at, "When, YYYY-MM-DDTHH:MM:SSZ")->required();
  ap->course_opt = book->add_option("--course", ap->course, "The course it belongs to");
  auto* cancel = add(*appt, ctx, o, "cancel", "Cancel a booked appointment",
                     "needlework appointment cancel 3", [&ctx, ap](Open& s) {
                       return show<store::AppointmentRecord>(
                           ctx, s.clinic->cancel_appointment(s.actor, ap->id),
                           [](const auto& a) { fmt::print("appointment {} cancelled\n", a.id); });
                     });
  cancel->add_option("appointment", ap->id, "Appointment id")->required();

  // ---- rollers -------------------------------------------------------------------------------------------
  auto* roller = app.add_subcommand(
      "roller", "Rollers and cartridges: register, assign, sterilise, dispose, recall (S9)");
  roller->require_subcommand(1);
  struct RollerArgs {
    store::RollerSpec spec;
    std::string needle_mm, expiry, client, reason, lot;
    Id id = 0;
  };
  auto ra = std::make_shared<RollerArgs>();
  auto* reg =
      add(*roller, ctx, o, "register", "Register a roller or cartridge as delivered",
          "needlework roller register --lot L-2026-11 --serial 0001 --device dermaroller --needles 192 "
          "--needle-mm 1.0 --expiry 2028-01-31 --udi \"(01)0123…\"",
          [&ctx, ra](Open& s) {
            auto mm = parse_double(ra->needle_mm, "--needle-mm");
            if (!mm) return report(ctx, mm.error());
            auto expiry = units::parse_date(ra->expiry);
            if (!expiry) return report(ctx, Error{expiry.error().code, expiry.error().message, "--expiry"});
            auto spec = ra->spec;
            spec.needle_length = units::millimetres(*mm);
            spec.expiry = *expiry;
            return show<store::RollerRecord>(ctx, s.clinic->register_roller(s.actor, spec), print_roller,
                                             OptionNames{{"lot", "--lot"},
                                                         {"serial", "--serial"},
                                                         {"device", "--device"},
                                                         {"needle_count", "--needles"},
                                                         {"needle_length_mm", "--needle-mm"},
                                                         {"expiry", "--expiry"}});
          });
  reg->add_option("--lot", ra->spec.lot, "Lot number")->required();
  reg->add_option("--serial", ra->spec.serial, "Serial number")->required();
  reg->add_option("--udi", ra->spec.udi, "UDI as printed on the label");
  reg->add_option("--device", ra->spec.device, "Device id of the pack (dermaroller, scalproller, …)")
      ->required();
  reg->add_option("--needles", ra->spec.needle_count, "Number of needles")->required();
  reg->add_option("--needle-mm", ra->needle_mm, "Needle length in mm")->required();
  reg->add_option("--expiry", ra->expiry, "Last day of use YYYY-MM-DD")->required();

  auto* assign =
      add(*roller, ctx, o, "assign", "Assign a new roller to a client; it is never used on another",
          "needlework roller assign 1 C-0001", [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->assign_roller(s.actor, ra->id, ra->client),
                                             print_roller);
          });
  assign->add_option("roller", ra->id, "Roller id")->required();
  assign->add_option("client", ra->client, "Client id")->required();
  auto* sterilise =
      add(*roller, ctx, o, "sterilise",
          "Sterilise a used roller for reuse on the same client (only if the pack allows it)",
          "needlework roller sterilise 1", [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->sterilise_roller(s.actor, ra->id), print_roller);
          });
  sterilise->add_option("roller", ra->id, "Roller id")->required();
  auto* dispose =
      add(*roller, ctx, o, "dispose", "Dispose of a roller", "needlework roller dispose 1 --reason used",
          [&ctx, ra](Open& s) {
            return show<store::RollerRecord>(ctx, s.clinic->dispose_roller(s.actor, ra->id, ra->reason),
                                             print_roller, OptionNames{{"reason", "--reason"}});
          });
  dispose->add_option("roller", ra->id, "Roller id")->required();
  dispose->add_option("--reason", ra->reason, "Why (single use, dropped, recall, …)")->required();
  auto* recall =
      add(*roller, ctx, o, "recall", "Every roller, session and client a lot touched",
          "needlework roller recall L-2026-11", [&ctx, ra](Open& s) {
            return show<store::Recall>(ctx, s.clinic->recall(ra->lot), [](const auto& r) {
              fmt::print("lot {}: {} roller(s), {} session(s), {} client(s): {}\n", r.lot, r.rollers.size(),
                         r.sessions.size(), r.clients.size(), fmt::join(r.clients, ", "));
              for (const auto& x : r.rollers) {
                fmt::print("  ");
                print_roller(x);
              }
              for (const auto& x : r.sessions) {
                fmt::print("  ");
                print_session(x);
              }
            });
          });
  recall->add_option("lot", ra->lot, "Lot number")->required();

  // ---- sessions ------------------------------------------------------------------------------------------
  auto* session = app.add_subcommand("session", "Treatment sessions: start, step, chart, finish, followup");
  session->require_subcommand(1);
  struct SessionArgs {
    store::SessionRequest req;
    Id appointment = 0, id = 0;
    CLI::Option* appointment_opt = nullptr;
    std::string step, density, depth, note;
    int passes = 0;
    CLI::Option* passes_opt = nullptr;
    bool dose_from_physics = false;
    std::vector<std::string> directions;
    std::uint64_t seed = 0;
    CLI::Option* seed_opt = nullptr;
    std::vector<std::string> observed;
  };
  auto sa = std::make_shared<SessionArgs>();
  auto* start = add(
      *session, ctx, o, "start",
      "Start a session: refused (exit 5) without a screening that cleared the area, a valid consent, the "
      "client's own roller, an allowed needle and a date inside the interval rules",
      "needlework session start C-0001 --area face --roller 1", [&ctx, sa](Open& s) {
        auto req = sa->req;
        if (sa->appointment_opt->count() > 0) req.appointment_id = sa->appointment;
        auto r = s.clinic->start_session(s.actor, req);
        if (!r) {
          return report_store(ctx, r.error(),
                              {{"area", "--area"},
                               {"conditions", "--condition"},
                               {"roller", "--roller"},
                               {"appointment", "--appointment"},
                               {"date", "--now"}});
        }
        if (ctx.json) {
          print_json({{"session", store::to_json(r->session)}, {"protocol", clinic::to_json(r->protocol)}});
        } else {
          print_session(r->session);
          fmt::print("  steps to record (`needlework session step {} STEP`):\n", r->session.id);
          for (const auto& i : r->protocol.items) fmt::print("    {:<24} {}\n", i.step, i.title);
        }
        return static_cast<int>(exit_ok);
      });
  start->add_option("client", sa->req.client_id, "Client id")->required();
  start->add_option("--area", sa->req.area, "Area treated")->required();
  start->add_option("--roller", sa->req.roller_id, "Roller id (assigned to this client)")->required();
  sa->appointment_opt =
      start->add_option("--appointment", sa->appointment, "The appointment this session keeps");
  start->add_flag("--cocktail", sa->req.cocktail, "A mesotherapy cocktail is applied");
  start->add_option("--condition", sa->req.conditions, "A condition on the day (sensitive_skin, stress, …)");

  auto* step = add(*session, ctx, o, "step", "Timestamp a protocol step (at --now)",
                   "needlework session step 1 STEP.cleanse", [&ctx, sa](Open& s) {
                     return show<store::StepRecord>(
                         ctx, s.clinic->record_step(s.actor, sa->id, sa->step), [](const auto& x) {
                           fmt::print("session {}: {} at {}\n", x.session_id, x.step, t(x.at));
                         });
                   });
  step->add_option("session", sa->id, "Session id")->required();
  step->add_option("step", sa->step, "Step id of the pack (STEP.cleanse, …)")->required();

  auto* chart =
      add(*session, ctx, o, "chart",
          "Chart what was done: passes, delivered dose (measured, or --dose-from-physics), notes",
          "needlework session chart 1 --passes 16 --dose-from-physics --note ok\n"
          "         needlework session chart 1 --passes 4 --density-per-cm2 61 --effective-depth-mm 0.35",
          [&ctx, sa](Open& s) {
            store::Chart c;
            if (sa->passes_opt->count() > 0) c.passes = sa->passes;
            c.dose_from_physics = sa->dose_from_physics;
            if (!sa->directions.empty()) c.directions = sa->directions;
            if (sa->seed_opt->count() > 0) c.seed = sa->seed;
            if (!sa->density.empty()) {
              auto v = parse_double(sa->density, "--density-per-cm2");
              if (!v) return report(ctx, v.error());
              c.density = units::per_square_centimetre(*v);
            }
            if (!sa->depth.empty()) {
              auto v = parse_double(sa->depth, "--effective-depth-mm");
              if (!v) return report(ctx, v.error());
              c.effective_depth = units::millimetres(*v);
            }
            if (!sa->note.empty()) c.notes = sa->note;
            return show<store::SessionRecord>(ctx, s.clinic->chart(s.actor, sa->id, c), print_session,
                                              OptionNames{{"passes", "--passes"},
                                                          {"density_per_cm2", "--density-per-cm2"},
                                                          {"effective_depth_mm", "--effective-depth-mm"},
                                                          {"dose", "--dose-from-physics"},
                                                          {"directions", "--directions"},
                                                          {"needle_count", "--dose-from-physics"},
                                                          {"needle_length_mm", "--dose-from-physics"},
                                                          {"area", "--dose-from-physics"}});
          });
  chart->add_option("session", sa->id, "Session id")->required();
  sa->passes_opt = chart->add_option("--passes", sa->passes, "Number of passes");
  chart->add_option("--density-per-cm2", sa->density, "Delivered punctures per cm²");
  chart->add_option("--effective-depth-mm", sa->depth, "Estimated effective depth in mm");
  chart->add_option("--note", sa->note, "A note (appended, signed with --actor and --now)");
  chart->add_option("--directions", sa->directions,
                    "Stroke directions used, in turn: horizontal, vertical, diagonal, anti_diagonal "
                    "(comma separated; charted as the stroke plan, and stroked so by --dose-from-physics)")
      ->delimiter(',');
  chart->add_flag("--dose-from-physics", sa->dose_from_physics,
                  "Compute the density and effective depth with the physics engine from the session's area, "
                  "roller and passes (docs/store.md)");
  sa->seed_opt = chart->add_option("--seed", sa->seed,
                                   "Random stream of that simulation (default: the session id)");

  auto* finish =
      add(*session, ctx, o, "finish", "End a session (at --now); its roller becomes used",
          "needlework session finish 1", [&ctx, sa](Open& s) {
            return show<store::SessionRecord>(ctx, s.clinic->finish_session(s.actor, sa->id), print_session);
          });
  finish->add_option("session", sa->id, "Session id")->required();

  auto* fu = add(
      *session, ctx, o, "followup",
      "Record follow-up observations (at --now) for a finished session; see a doctor opens an "
      "escalation (exit 5)",
      "needlework session followup 1 --observed redness --observed dryness", [&ctx, sa](Open& s) {
        auto r = s.clinic->record_followup(s.actor, sa->id, sa->observed);
        if (!r) return report_store(ctx, r.error(), {{"observations", "--observed"}});
        if (ctx.json) {
          json j{{"followup", store::to_json(r->followup)},
                 {"escalation", r->escalation ? store::to_json(*r->escalation) : json(nullptr)}};
          print_json(j);
        } else {
          fmt::print("follow-up {} of session {}: {}\n", r->followup.id, r->followup.session_id,
                     r->followup.triage == knowledge::Triage::normal ? "NORMAL" : "SEE A DOCTOR");
          for (std::size_t i = 0; i < r->result.reasons.size(); ++i) {
            fmt::print("  {:<11} {}  [{} · {}]\n", knowledge::to_string(r->result.triages[i]),
                       r->result.reasons[i].message, r->result.reasons[i].rule, r->result.reasons[i].source);
          }
          if (r->escalation) {
            fmt::print("  escalation {} opened; close it with `needlework escalation close {} --note …`\n",
                       r->escalation->id, r->escalation->id);
          }
        }
        return r->escalation ? static_cast<int>(exit_attention) : static_cast<int>(exit_ok);
      });
  fu->add_option("session", sa->id, "Session id")->required();
  fu->add_option("--observed", sa->observed, "An observation id (redness, swelling, dryness, …); repeat");

  // ---- escalations, due ----------------------------------------------------------------------------------
  auto* escalation = app.add_subcommand("escalation", "Escalations opened by a see-a-doctor follow-up");
  escalation->require_subcommand(1);
  auto ea = std::make_shared<std::pair<Id, std::string>>();
  auto* close =
      add(*escalation, ctx, o, "close", "Close an escalation, saying what was done",
          "needlework escalation close 1 --note \"seen by Dr. Roe, cold compress\" --actor ana",
          [&ctx, ea](Open& s) {
            return show<store::EscalationRecord>(
                ctx, s.clinic->close_escalation(s.actor, ea->first, ea->second),
                [](const auto& e) {
                  fmt::print("escalation {} closed by {} at {}\n", e.id, e.closed_by, t(*e.closed_at));
                },
                OptionNames{{"note", "--note"}, {"actor", "--actor"}});
          });
  close->add_option("escalation", ea->first, "Escalation id")->required();
  close->add_option("--note", ea->second, "What was done")->required();

  add(app, ctx, o, "due", "Follow-ups due by the end of today (--now) and open escalations",
      "needlework due --now 2026-11-24T09:00:00Z", [&ctx](Open& s) {
        auto items = s.clinic->due(s.actor.at);
        if (!items) return report_store(ctx, items.error());
        if (ctx.json) {
          json out = json::array();
          for (const auto& i : *items) out.push_back(store::to_json(i));
          print_json(out);
        } else {
          if (items->empty()) fmt::print("nothing due\n");
          for (const auto& i : *items) {
            fmt::print("{:<10} {:<20} client {:<10} {}{}\n", store::to_string(i.kind), t(i.due_at),
                       i.client_id, i.text, i.overdue ? "  (overdue)" : "");
          }
        }
        return static_cast<int>(exit_ok);
      });

  // ---- photos --------------------------------------------------------------------------------------------
  auto* photo = app.add_subcommand("photo", "Photos kept by SHA-256 with their metadata");
  photo->require_subcommand(1);
  struct PhotoArgs {
    store::PhotoInput in;
    std::string file;
    Id session = 0;
    CLI::Option* session_opt = nullptr;
  };
  auto ph = std::make_shared<PhotoArgs>();
  auto* photo_add = add(
      *photo, ctx, o, "add", "Keep a photo (JPEG or PNG) of a client, optionally of a session",
      "needlework photo add C-0001 before.jpg --kind before --session 1", [&ctx, ph](Open& s) {
        auto bytes = read_input(ph->file);
        if (!bytes) return report(ctx, bytes.error());
        auto in = ph->in;
        in.bytes = std::move(*bytes);
        in.original_name = std::filesystem::path(ph->file).filename().string();
        if (ph->session_opt->count() > 0) in.session_id = ph->session;
        return show<store::PhotoRecord>(
            ctx, s.clinic->add_photo(s.actor, in),
            [](const auto& p) {
              fmt::print("photo {} of client {} kept: {} {} bytes, sha256 {}\n", p.id, p.client_id,
                         p.media_type, p.size_bytes, p.sha256);
            },
            OptionNames{
                {"kind", "--kind"}, {"session", "--session"}, {"file", ph->file}, {"photo_dir", "--photos"}});
      });
  photo_add->add_option("client", ph->in.client_id, "Client id")->required();
  photo_add->add_option("file", ph->file, "Image file (JPEG or PNG)")->required();
  photo_add->add_option("--kind", ph->in.kind, "before, after, followup or other")->required();
  ph->session_opt = photo_add->add_option("--session", ph->session, "The session it shows");
  photo_add->add_option("--note", ph->in.note, "A note");
  auto* photo_check =
      add(*photo, ctx, o, "check", "Re-hash a client's photo files: exit 5 if one is missing or changed",
          "needlework photo check C-0001", [&ctx, ph](Open& s) {
            auto r = s.clinic->check_photos(ph->in.client_id);
            if (!r) return report_store(ctx, r.error());
            if (ctx.json) {
              json out = json::array();
              for (const auto& p : *r) {
                out.push_back({{"photo", store::to_json(p.photo)}, {"problem", p.problem}});
              }
              print_json(out);
            } else if (r->empty()) {
              fmt::print("every photo of client {} is intact\n", ph->in.client_id);
            } else {
              for (const auto& p : *r) fmt::print("photo {}: {}\n", p.photo.id, p.problem);
            }
            return r->empty() ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
          });
  photo_check->add_option("client", ph->in.client_id, "Client id")->required();

  // ---- outbox --------------------------------------------------------------------------------------------
  auto* outbox =
      app.add_subcommand("outbox", "Messages for clients (the aftercare sheet of each finished session)");
  outbox->require_subcommand(1);
  struct OutboxArgs {
    bool all = false;
    Id id = 0;
  };
  auto ob = std::make_shared<OutboxArgs>();
  auto* outbox_list =
      add(*outbox, ctx, o, "list", "Messages not yet sent (--all: every message)", "needlework outbox list",
          [&ctx, ob](Open& s) {
            auto r = s.clinic->outbox(ob->all);
            if (!r) return report_store(ctx, r.error());
            if (ctx.json) {
              json out = json::array();
              for (const auto& m : *r) out.push_back(store::to_json(m));
              print_json(out);
            } else {
              if (r->empty()) fmt::print("the outbox is empty\n");
              for (const auto& m : *r) {
                fmt::print("message {}  client {}  {}  {}{}\n", m.id, m.client_id, t(m.created_at), m.subject,
                           m.sent_at ? "  (sent " + t(*m.sent_at) + ")" : std::string());
              }
            }
            return static_cast<int>(exit_ok);
          });
  outbox_list->add_flag("--all", ob->all, "Include messages already sent");
  auto* outbox_show =
      add(*outbox, ctx, o, "show", "Print a message", "needlework outbox show 1", [&ctx, ob](Open& s) {
        auto r = s.db->find_message(ob->id);
        if (!r) return report_store(ctx, r.error());
        if (!*r) {
          return report(ctx, Error{ErrorCode::not_found, fmt::format("no message {} in the outbox", ob->id),
                                   "message"});
        }
        if (ctx.json) {
          print_json(store::to_json(**r));
        } else {
          fmt::print("To client {}: {}\n\n{}", (*r)->client_id, (*r)->subject, (*r)->body);
        }
        return static_cast<int>(exit_ok);
      });
  outbox_show->add_option("message", ob->id, "Message id")->required();
  auto* outbox_sent =
      add(*outbox, ctx, o, "sent", "Mark a message as handed over or sent (at --now, by --actor)",
          "needlework outbox sent 1", [&ctx, ob](Open& s) {
            return show<store::OutboxMessage>(ctx, s.clinic->mark_sent(s.actor, ob->id), [](const auto& m) {
              fmt::print("message {} sent at {} by {}\n", m.id, t(*m.sent_at), m.sent_by);
            });
          });
  outbox_sent->add_option("message", ob->id, "Message id")->required();

  // ---- audit and database --------------------------------------------------------------------------------
  auto* audit = app.add_subcommand("audit", "The hash-chained audit log");
  audit->require_subcommand(1);
  add(*audit, ctx, o, "verify", "Recompute the audit chain; exit 5 naming the first bad entry",
      "needlework audit verify --db clinic.db", [&ctx](Open& s) {
        auto r = s.db->verify_audit();
        if (!r) return report_store(ctx, r.error());
        if (ctx.json) {
          print_json(store::to_json(*r));
        } else if (r->ok) {
          fmt::print("audit log OK: {} entries\n", r->entries);
        } else {
          fmt::print("audit log BROKEN at entry {}: {}\n", r->first_bad_seq, r->problem);
        }
        return r->ok ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
      });
  add(*audit, ctx, o, "log", "Print the audit log", "needlework audit log --json", [&ctx](Open& s) {
    auto r = s.db->audit_log();
    if (!r) return report_store(ctx, r.error());
    if (ctx.json) {
      json out = json::array();
      for (const auto& e : *r) out.push_back(store::to_json(e));
      print_json(out);
    } else {
      for (const auto& e : *r) {
        fmt::print("{:>6} {} {:<10} {:<6} {}/{}\n", e.seq, t(e.at), e.actor, e.action, e.entity, e.entity_id);
      }
    }
    return static_cast<int>(exit_ok);
  });

  auto* dbcmd = app.add_subcommand("db", "The clinic database");
  dbcmd->require_subcommand(1);
  add(*dbcmd, ctx, o, "info", "Schema version and applied migrations (opening applies missing ones)",
      "needlework db info --db clinic.db", [&ctx](Open& s) {
        auto r = s.db->schema();
        if (!r) return report_store(ctx, r.error());
        if (ctx.json) {
          print_json({{"schema_version", r->version}, {"migrations", r->applied}});
        } else {
          fmt::print("schema version {}: {}\n", r->version, fmt::join(r->applied, ", "));
        }
        return static_cast<int>(exit_ok);
      });

  // ---- backup, restore, export ---------------------------------------------------------------------------
  struct CopyArgs {
    std::string file, format = "json", out;
    bool replace = false;
  };
  auto cp = std::make_shared<CopyArgs>();
  auto* backup = add(
      app, ctx, o, "backup",
      "Write a consistent copy of the database to a new file while the clinic keeps working (SQLite online "
      "backup; PostgreSQL: pg_dump, docs/store.md), then check the copy's audit chain",
      "needlework backup --db clinic.db clinic-2026-11-24.db", [&ctx, cp](Open& s) {
        ProgressBar bar(!ctx.json, "% copied");
        auto r = s.db->backup_to(cp->file, [&bar](double share) {
          bar.update(static_cast<std::int64_t>(share * 100.0), 100);
        });
        if (!r) return report_store(ctx, r.error(), {{"--db", "--db"}});
        // Read the copy back: it must open as a database of this build and its audit chain must verify.
        auto copy = store::open_sqlite(cp->file);
        if (!copy) return report_store(ctx, copy.error());
        auto check = (*copy)->verify_audit();
        auto schema = (*copy)->schema();
        if (!check || !schema) return report_store(ctx, !check ? check.error() : schema.error());
        std::error_code ec;
        const auto size = std::filesystem::file_size(cp->file, ec);
        if (ctx.json) {
          print_json({{"backup", cp->file},
                      {"size_bytes", ec ? 0 : size},
                      {"schema_version", schema->version},
                      {"audit", store::to_json(*check)}});
        } else {
          fmt::print("backup written to {} ({} bytes, schema version {}); audit log {}: {} entries\n", cp->file,
                     ec ? 0 : size, schema->version, check->ok ? "OK" : "BROKEN", check->entries);
        }
        return check->ok ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
      });
  backup->add_option("file", cp->file, "The backup file to write (must not exist)")->required();

  auto* restore = app.add_subcommand(
      "restore",
      "Replace the database (--db) with a backup: the backup is copied, migrated and its audit chain verified "
      "before it takes the database's place; the replaced database is kept beside it. Stop the clinic first.");
  restore->footer("Example: needlework restore --db clinic.db clinic-2026-11-24.db --replace\n\n" +
                  std::string(exit_codes_help));
  restore->add_option("file", cp->file, "The backup file (left unchanged)")->required();
  restore->add_flag("--replace", cp->replace, "Replace an existing database (kept as <db>.before-restore-<time>)");
  restore->callback([&ctx, o, cp] {
    const std::string db = o->db.empty() ? default_db() : o->db;
    if (store::names_postgres(db)) {
      ctx.exit_code = report(ctx, Error{ErrorCode::invalid_value,
                                        "restore a PostgreSQL database with pg_restore (docs/store.md)", "--db"});
      return;
    }
    const auto now = now_of(ctx, *o);
    if (!now) return;
    auto r = store::restore_sqlite(cp->file, db, cp->replace, *now);
    if (!r) {
      ctx.exit_code = report_store(ctx, r.error());
      return;
    }
    if (ctx.json) {
      print_json({{"restored", db},
                  {"from", cp->file},
                  {"schema_version", r->schema_version},
                  {"audit_entries", r->audit_entries},
                  {"previous", r->previous.string()}});
    } else {
      fmt::print("restored {} from {} (schema version {}, audit log OK: {} entries)\n", db, cp->file,
                 r->schema_version, r->audit_entries);
      if (!r->previous.empty()) fmt::print("the database it replaced is kept as {}\n", r->previous.string());
    }
    ctx.exit_code = exit_ok;
  });

  auto* exp = add(
      app, ctx, o, "export",
      "Export every record as one JSON document (stdout or --out FILE) or as CSV files, one per table, in the "
      "folder --out; a consistent snapshot with its audit check",
      "needlework export --format csv --out export/", [&ctx, cp](Open& s) {
        if (cp->format != "json" && cp->format != "csv") {
          return report(ctx, Error{ErrorCode::invalid_value,
                                   fmt::format("'{}' is not an export format (json, csv)", cp->format), "--format"});
        }
        if (cp->format == "csv" && cp->out.empty()) {
          return report(ctx, Error{ErrorCode::missing_field, "CSV export writes a folder: give --out DIR", "--out"});
        }
        ProgressBar bar(!ctx.json && !cp->out.empty(), "% of clients");
        auto doc = store::export_json(*s.db, s.actor, [&bar](double share) {
          bar.update(static_cast<std::int64_t>(share * 100.0), 100);
        });
        if (!doc) return report_store(ctx, doc.error());
        if (cp->format == "csv") {
          if (auto w = store::write_csv_export(*doc, cp->out); !w) return report_store(ctx, w.error());
        } else if (cp->out.empty() || cp->out == "-") {
          print_json(*doc);
          return (*doc)["audit"].value("ok", false) ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
        } else {
          std::ofstream out(cp->out, std::ios::binary | std::ios::trunc);
          out << doc->dump(2, ' ', false, json::error_handler_t::replace) << '\n';
          out.flush();
          if (!out) return report(ctx, Error{ErrorCode::io_error, "cannot write the export file", cp->out});
        }
        json counts = json::object();
        for (const auto& [table, rows] : (*doc)["tables"].items()) counts[table] = rows.size();
        if (ctx.json) {
          print_json({{"out", cp->out}, {"format", cp->format}, {"records", counts}, {"audit", (*doc)["audit"]}});
        } else {
          fmt::print("exported to {} ({}):", cp->out, cp->format);
          for (const auto& [table, n] : counts.items()) fmt::print(" {} {}", n.get<std::size_t>(), table);
          fmt::print("\naudit log {}\n", (*doc)["audit"].value("ok", false) ? "OK" : "BROKEN");
        }
        return (*doc)["audit"].value("ok", false) ? static_cast<int>(exit_ok) : static_cast<int>(exit_attention);
      });
  exp->add_option("--format", cp->format, "json (default) or csv");
  exp->add_option("--out", cp->out, "JSON: a file (default: stdout); CSV: a folder (created)");
}

}  // namespace needlework::cli
