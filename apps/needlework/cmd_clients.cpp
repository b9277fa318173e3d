// `needlework users|clients`: staff users, and client records with their whole history.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "store_command.hpp"
#include "text_records.hpp"

namespace needlework::cli {

using nlohmann::json;
using store::Id;

void register_users(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* users = app.add_subcommand("users", "Staff users");
  users->require_subcommand(1);
  group_examples(*users, {"needlework users add ana --role practitioner", "needlework users list",
                          "needlework --json users list"});
  auto user_role = std::make_shared<std::pair<std::string, std::string>>();
  auto* user_add =
      add(*users, ctx, o, Needs::records, "add", "Add a staff user",
          "needlework users add ana --role practitioner", [&ctx, user_role](Open& s) {
            return show<store::UserRecord>(
                ctx, s.clinic->add_user(s.actor, user_role->first, user_role->second),
                [](const auto& u) { fmt::print("user {} ({}) added\n", esc(u.name), esc(u.role)); },
                OptionNames{{"role", "--role"}});
          });
  user_add->add_option("name", user_role->first, "User name")->required();
  add(*users, ctx, o, Needs::records, "list", "The staff users: name, role, since when",
      "needlework users list\n         needlework users list --json", [&ctx](Open& s) {
        return show_list<store::UserRecord>(
            ctx, s.db->users(),
            [](const auto& u) {
              fmt::print("{:<20} {:<13} since {}\n", esc(u.name), esc(u.role), t(u.created_at));
            },
            "no users; add one with `needlework users add NAME --role practitioner`");
      });
  user_add->add_option("--role", user_role->second, "Role: admin, practitioner, reception or auditor")
      ->required();
}

void register_clients(CLI::App& app, Context& ctx, const std::shared_ptr<StoreOptions>& o) {
  auto* clients = app.add_subcommand("clients", "Client records: add, find, show with history");
  clients->require_subcommand(1);
  group_examples(*clients, {"needlework clients add C-0001 --name \"Ana Example\" --born 1988-03-14",
                            "needlework clients find ana", "needlework clients show C-0001"});
  struct ClientArgs {
    std::string id, name, born, text;
  };
  auto ca = std::make_shared<ClientArgs>();
  auto* client_add =
      add(*clients, ctx, o, Needs::records, "add", "Register a client",
          "needlework clients add C-0001 --name \"Ana Example\" --born 1988-03-14", [&ctx, ca](Open& s) {
            store::ClientRecord c;
            c.id = ca->id;
            c.name = ca->name;
            if (!ca->born.empty()) {
              auto d = parse_date_option(ca->born, "--born");
              if (!d) return report(ctx, d.error());
              c.date_of_birth = *d;
            }
            return show<store::ClientRecord>(
                ctx, s.clinic->add_client(s.actor, c),
                [](const auto& r) { fmt::print("client {} ({}) added\n", esc(r.id), esc(r.name)); },
                OptionNames{{"name", "--name"}, {"date_of_birth", "--born"}});
          });
  client_add->add_option("id", ca->id, "Client id, as in intakes (C-0001)")->required();
  client_add->add_option("--name", ca->name, "Full name")->required();
  client_add->add_option("--born", ca->born, "Date of birth YYYY-MM-DD");

  auto* client_find = add(*clients, ctx, o, Needs::records, "find", "Find clients by id or name",
                          "needlework clients find ana", [&ctx, ca](Open& s) {
                            auto found = s.db->search_clients(ca->text);
                            if (!found) return report_store(ctx, found.error());
                            if (ctx.json) {
                              json out = json::array();
                              for (const auto& c : *found) out.push_back(store::to_json(c));
                              print_json(out);
                            } else {
                              if (found->empty())
                                fmt::print("no client matches '{}'\n", units::excerpt(ca->text));
                              for (const auto& c : *found) fmt::print("{:<12} {}\n", esc(c.id), esc(c.name));
                            }
                            return static_cast<int>(exit_ok);
                          });
  client_find->add_option("text", ca->text, "Part of an id or a name")->required();

  auto* client_show = add(*clients, ctx, o, Needs::records, "show",
                          "A client with every record: intakes, consents, sessions, …",
                          "needlework clients show C-0001", [&ctx, ca](Open& s) {
                            return show<store::ClientHistory>(ctx, s.clinic->history(ca->id), print_history);
                          });
  client_show->add_option("id", ca->id, "Client id")->required();
}

}  // namespace needlework::cli
