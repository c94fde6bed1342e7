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
// changed columns (with "_is_diff", set and map columns hold only the
// elements that changed; we read that form and write whole values); null
// deletes. Ephemeral columns are not written.
//
// Durability: a commit is written and fdatasync'ed before it is reported.
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

    // Writes and syncs one committed transaction (the database calls this
    // at each commit).
    Status append(const TxnChanges& changes);
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
    std::unique_ptr<Database> db_;
    std::vector<std::string> warnings_;
};

}  // namespace xvs::ovsdb
