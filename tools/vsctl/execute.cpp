#include "tools/vsctl/execute.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

#include "tools/vsctl/fatal.h"
#include "tools/vsctl/vswitch.h"

namespace xvs::vsctl {

namespace {

// How often wait-until looks again, and how often the wait for cur_cfg.
constexpr std::chrono::milliseconds kPollInterval{100};

struct CommitResult {
    std::map<std::string, std::string> uuids;  // placeholder -> the inserted row's uuid
    long long next_cfg = -1;                   // -1: nothing to wait for
};

bool has_changes(const Json& ops) {
    for (size_t i = 1; i < ops.size(); i++)
        if (ops[i]["op"] != "wait") return true;
    return false;
}

// Whether the reply says the commit must start over (a guard failed);
// other errors are fatal.
bool guard_failed(const Json& ops, const Json& res, bool dry_run) {
    for (size_t k = 0; k < res.size(); k++) {
        if (!res[k].is_object() || !res[k].contains("error")) continue;
        std::string err = res[k]["error"];
        if (k + 1 < ops.size() && ops[k + 1]["op"] == "wait" && err == "timed out") return true;
        if (dry_run && err == "aborted") return false;
        std::string details = res[k].value("details", "");
        fatal("transaction error: {{\"details\":{},\"error\":{}}}", Json(details).dump(), Json(err).dump());
    }
    return false;
}

// Commits what the commands changed, bumping next_cfg unless --no-wait;
// nullopt when the commands must run again.
std::optional<CommitResult> commit(DbClient& client, DbCopy& db, const GlobalOptions& opts) {
    std::vector<std::string> insert_order;
    Json ops = db.commit_ops(insert_order);
    CommitResult result;
    if (!has_changes(ops)) return result;
    if (!opts.no_wait && !db.inserted(ovs_row(db).uuid)) {
        ops.push_back({{"op", "mutate"},
                       {"table", "Open_vSwitch"},
                       {"where", Json::array()},
                       {"mutations", Json::array({Json::array({"next_cfg", "+=", 1})})}});
        ops.push_back({{"op", "select"},
                       {"table", "Open_vSwitch"},
                       {"where", Json::array()},
                       {"columns", Json::array({"next_cfg"})}});
    }
    if (opts.dry_run) ops.push_back({{"op", "abort"}});
    Json res = client.call("transact", ops);
    if (guard_failed(ops, res, opts.dry_run)) return std::nullopt;
    size_t k = 0;
    for (size_t oi = 1; oi < ops.size(); oi++) {
        if (ops[oi]["op"] == "insert") {
            if (k < insert_order.size() && res[oi - 1].contains("uuid"))
                result.uuids[insert_order[k]] = res[oi - 1]["uuid"][1];
            k++;
        }
        if (ops[oi]["op"] == "select" && ops[oi]["table"] == "Open_vSwitch" && oi + 1 == ops.size() && !opts.dry_run)
            result.next_cfg = res[oi - 1]["rows"][0]["next_cfg"].get<long long>();
    }
    return result;
}

// Runs every command once; false when a wait-until condition is unmet.
bool run_commands(DbClient& client, DbCopy& db, Symbols& symbols, const GlobalOptions& opts,
                  std::vector<Command>& commands) {
    db.load(client.call("transact", db.read_request()));
    Context ctx{db, symbols, opts.format};
    for (auto& c : commands) {
        c.output.clear();
        run_command(ctx, c);
    }
    if (ctx.wait_unmet) return false;
    for (auto& [name, id] : symbols.all())
        if (!db.known(id))
            fatal("row id \"{}\" is referenced but never created (e.g. with \"-- --id={} create ...\")", name, name);
    return true;
}

void print_outputs(const std::vector<Command>& commands, const CommitResult& result, bool one_line) {
    for (auto& c : commands) {
        std::string out = c.output;
        if (!out.empty() && out[0] == '\x01') {
            auto it = result.uuids.find(out.substr(1));
            out = (it == result.uuids.end() ? "" : it->second) + "\n";
        }
        if (one_line)
            std::printf("%s\n", oneline(out).c_str());
        else
            std::fputs(out.c_str(), stdout);
    }
    std::fflush(stdout);
}

void wait_for_cur_cfg(DbClient& client, long long next_cfg) {
    Json select = Json::array({"Open_vSwitch",
                               {{"op", "select"},
                                {"table", "Open_vSwitch"},
                                {"where", Json::array()},
                                {"columns", Json::array({"cur_cfg"})}}});
    for (;;) {
        Json r = client.call("transact", select);
        auto& rows = r[0]["rows"];
        if (!rows.empty() && rows[0]["cur_cfg"].get<long long>() >= next_cfg) return;
        client.pause(kPollInterval);
    }
}

}  // namespace

int execute(DbClient& client, const GlobalOptions& opts, std::vector<Command>& commands) {
    Schema schema = Schema::from_json(client.call("get_schema", Json::array({"Open_vSwitch"})));
    for (;;) {
        Symbols symbols;
        DbCopy db(schema, symbols);
        if (!run_commands(client, db, symbols, opts, commands)) {
            client.pause(kPollInterval);
            continue;
        }
        auto result = commit(client, db, opts);
        if (!result) continue;
        print_outputs(commands, *result, opts.oneline);
        if (result->next_cfg >= 0) wait_for_cur_cfg(client, result->next_cfg);
        return 0;
    }
}

}  // namespace xvs::vsctl
