// The OVSDB server: databases served over JSON-RPC (RFC 7047 and the Open
// vSwitch extensions its clients use), remotes, sessions, monitors, locks
// and the _Server database. Single-threaded on a PollLoop.
//
// Commits and what a client is told (storage.h has the file's side): a
// transaction's record is written to the file before it is installed, so
// everything acknowledged survives a crash of the process. A transaction
// with a durable "commit" is also fdatasync'ed before anything that reveals
// it goes out: from that commit on, every message to every client is held
// until the loop has dispatched everything that was ready in this
// poll-loop iteration; then one fdatasync covers all durable commits of
// those clients (group commit) and the held messages go out in order. A
// failed fdatasync stops the server without sending them.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ovsdb/database.h"
#include "ovsdb/monitor.h"
#include "ovsdb/storage.h"
#include "util/jsonrpc.h"
#include "util/poll_loop.h"

namespace xvs::ovsdb {

class Server {
public:
    explicit Server(PollLoop& loop);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Serves the database stored in 'storage', named by its schema.
    Status add_database(std::unique_ptr<Storage> storage);
    std::vector<std::string> database_names() const;

    // punix:, ptcp:, unix:, tcp: (active: connect out and serve the peer),
    // or db:DB,TABLE,COLUMN (remotes read from a column, kept current).
    Status add_remote(const std::string& spec);
    Status remove_remote(const std::string& spec);
    std::vector<std::string> remotes() const;
    // Bound addresses of passive remotes, e.g. "ptcp:6640:127.0.0.1" ->
    // "127.0.0.1:6640" (ephemeral ports resolved), for tests and logs.
    std::vector<std::string> listening() const;

    // Compacts one database file, or all with "".
    Status compact(const std::string& db);
    std::string memory_report() const;

private:
    struct Session;
    struct Db;
    struct Remote;
    struct Trigger;

    void accept(Remote& r);
    void start_session(std::unique_ptr<JsonRpcConnection> conn, Remote* remote);
    void end_session(Session* s);
    void forget_session_state(Session& s);
    void end_remote_sessions(Remote& r);
    void handle(Session& s, JsonRpcMessage&& msg);
    void send(Session& s, JsonRpcMessage&& m);
    // write_now: past the connection's coalescing (see accept()).
    void send_text(Session& s, std::string text, bool write_now = false);
    void hold_for_sync();
    void flush();
    void reply(Session& s, const Json& id, Json result);
    void reply_error(Session& s, const Json& id, Json error);

    void m_transact(Session& s, JsonRpcMessage&& msg);
    void m_monitor(Session& s, const JsonRpcMessage& msg, MonitorKind kind);
    void m_monitor_cond_change(Session& s, const JsonRpcMessage& msg);
    void m_monitor_cancel(Session& s, const JsonRpcMessage& msg);
    void send_cond_change_update(Session& s, const Monitor& m, const Db& d, const Json& u);
    void m_lock(Session& s, const JsonRpcMessage& msg, const std::string& mode);
    void m_cancel(Session& s, const JsonRpcMessage& msg);

    Db* find_db(const Json& name);
    bool run_trigger(Trigger& t);
    void retry_triggers(Db& db);
    void on_commit(Db& db, const std::shared_ptr<const TxnChanges>& changes);
    void release_locks(Session& s);
    void update_db_remotes();
    Status open_remote(const std::string& spec, const std::string& from_db);
    void register_server_row(const std::string& name, const Schema& schema);

    PollLoop& loop_;
    std::map<std::string, std::unique_ptr<Db>> dbs_;
    std::unique_ptr<Database> server_db_;  // _Server
    std::vector<std::unique_ptr<Remote>> remotes_;
    std::set<std::string> configured_;     // remotes added by add_remote
    std::vector<std::unique_ptr<Session>> sessions_;
    // Lock name -> sessions holding (front) and waiting for it.
    std::map<std::string, std::vector<Session*>> locks_;
    std::vector<std::unique_ptr<Trigger>> triggers_;
    Uuid server_id_;
    // Messages (their text) held for a durable commit's sync, in order
    // (see send()).
    std::vector<std::pair<Session*, std::string>> held_;
    bool holding_ = false;
};

}  // namespace xvs::ovsdb
