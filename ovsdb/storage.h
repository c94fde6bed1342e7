// The Open vSwitch "standalone" database file, so that ovsdb-tool and
// ovsdb-server read our files and we read theirs (OVS's ovsdb(5)).
//
// The file is a series of records, each
//     OVSDB JSON <length> <sha1-hex>\n
//     <length bytes: one line of JSON, ending in \n>
// where the SHA-1 covers those bytes. The first record is the schema; each
// later one is a committed transaction:
//     {"<table>": {"<row uuid>": <row> | null, ...}, ..., "_date": <ms>,
//      "_comment": "...", "_is_diff": true}
// <row> holds an inserted row's non-default columns, or a modified row's
// changed columns; null deletes. With "_is_diff" (which we write whenever a
// record modifies a row, as OVS does), a modified row's set and map columns
// hold only the elements that changed (datum_diff). Ephemeral columns are
// not written.
//
// Durability, as Open vSwitch's ovsdb-server (standalone) gives it: each
// commit's record is written to the file (one pwrite) before the commit is
// installed and reported, so an acknowledged transaction survives the death
// of the process (SIGKILL, a crash): the data is in the kernel's page cache.
// Only a transaction with {"op": "commit", "durable": true} is also
// fdatasync'ed before it is reported, so it survives a power failure or a
// kernel crash too; other commits reach the disk when the kernel writes
// them back (or at the next durable commit or compaction, which sync the
// file). Without set_group_commit() a durable append() syncs at once; with
// it, the owner calls sync() before reporting durable commits, so that one
// fdatasync covers every commit written since the last one (the server does
// this once per poll-loop iteration; see server.h).
// Recovery: a record cut short or corrupted by a crash (bad header, short
// data, SHA-1 mismatch, bad JSON) ends the log; open() reports it and
// truncates the file there. A well-formed record that does not apply to the
// database is not a crash artifact, so open() refuses the file instead of
// discarding committed data.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovsdb/database.h"
#include "util/fd.h"
#include "util/result.h"

namespace xvs::ovsdb {

struct LogRecord {
    uint64_t offset = 0;  // of the header line
    uint64_t size = 0;    // header and data
    Json json;
};

struct LogContents {
    std::vector<LogRecord> records;  // every record before the first bad one
    uint64_t valid_bytes = 0;        // where the first bad record starts
    uint64_t file_size = 0;
    // Why reading stopped short of the end of the file.
    std::optional<std::string> tail_error;
};

// SHA-1 of 'data' in lowercase hex, as record headers carry it.
std::string sha1_hex(std::string_view data);
// One record: header line and data line.
std::string encode_record(const Json& json);
// Reads the records of a database file (for show-log, and open()).
Result<LogContents> read_log(const std::string& path);
// The file record for a committed transaction; nullopt when it changed only
// ephemeral columns, which are not written.
std::optional<Json> txn_record(const TxnChanges& changes);
// One record inserting every row of 'db' (compaction's snapshot).
Json snapshot_record(const Database& db, const std::string& comment);
// `ovsdb-tool show-log` style text: verbosity 0 lists records, 1 adds the
// rows each changes, 2 adds column values.
std::string format_show_log(const LogContents& log, int verbosity);

struct OpenOptions {
    // No lock, no repair, and commits fail: for inspecting a file in use.
    bool read_only = false;
};

class Storage final : private CommitLog {
public:
    // Creates a new file (it must not exist) holding an empty database.
    static Result<std::unique_ptr<Storage>> create(const std::string& path, const Schema& schema);
    // Opens a file and replays it. Takes the lock OVS uses
    // (".<name>.~lock~" beside the file), so ovsdb-tool and ovsdb-server
    // will not write it while we have it.
    static Result<std::unique_ptr<Storage>> open(const std::string& path, OpenOptions options = {});
    ~Storage() override;

    // The database, whose commits are written here. Replaced by convert().
    Database& database() { return *db_; }
    // What open() found and repaired (a torn tail), one message each.
    const std::vector<std::string>& warnings() const { return warnings_; }
    const std::string& path() const { return path_; }
    uint64_t file_size() const { return offset_; }

    // Writes one committed transaction (the database calls this at each
    // commit, before installing it); a durable one is also synced, unless
    // group commit is on. A failure leaves the file as it was.
    Status append(const TxnChanges& changes);
    // Group commit: durable appends leave the sync to sync().
    void set_group_commit(bool on) { group_commit_ = on; }
    // A durable commit has been written but not yet synced.
    bool sync_pending() const { return sync_pending_; }
    // fdatasync()s everything written so far (a no-op when nothing is).
    // After a failure the kernel may have dropped the unsynced pages, so the
    // file no longer matches the database in memory.
    Status sync();
    // Rewrites the file as the schema plus one snapshot record, synced and
    // renamed over the old file, so a crash leaves one or the other.
    Status compact();
    // Converts the database to 'schema' (see convert.h) and rewrites the
    // file the way compact() does; on failure nothing changes.
    Status convert(const Schema& schema);

private:
    Storage(std::string path, bool read_only) : path_(std::move(path)), read_only_(read_only) {}
    Status write(const TxnChanges& changes) override { return append(changes); }
    Status lock();
    Status replace_file(const Database& db);
    void attach(std::unique_ptr<Database> db);

    std::string path_;
    bool read_only_;
    UniqueFd fd_;
    UniqueFd lock_fd_;
    uint64_t offset_ = 0;  // end of the last good record: where the next goes
    bool group_commit_ = false;
    bool unsynced_ = false;      // written since the last fdatasync
    bool sync_pending_ = false;  // ...and one of those commits was durable
    std::unique_ptr<Database> db_;
    std::vector<std::string> warnings_;
};

}  // namespace xvs::ovsdb
