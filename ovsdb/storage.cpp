#include "ovsdb/storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ovsdb/convert.h"

namespace xvs::ovsdb {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

std::string dir_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// OVS's lock file for 'path': ".<basename>.~lock~" in the same directory.
std::string lock_path(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return "." + path + ".~lock~";
    return path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".~lock~";
}

// A rename or creation is durable only once its directory is synced.
Status sync_dir(const std::string& path) {
    std::string dir = dir_of(path);
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid() || ::fsync(fd.get()) != 0) return make_error("{}: cannot sync directory: {}", dir, errno_text());
    return {};
}

Status write_all(int fd, std::string_view data, uint64_t offset, const std::string& path) {
    while (!data.empty()) {
        ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return make_error("{}: write failed: {}", path, errno_text());
        }
        data.remove_prefix(static_cast<size_t>(n));
        offset += static_cast<uint64_t>(n);
    }
    return {};
}

Result<std::string> encode(const Json& json) {
    try {
        return encode_record(json);
    } catch (const Json::exception& e) {
        // Strings are checked to be UTF-8 when they enter the database, so
        // this is a bug, reported rather than written.
        return make_error("cannot encode record: {}", e.what());
    }
}

}  // namespace

Storage::~Storage() {
    // A durable commit whose sync the owner never ran (it stopped first):
    // its reply was never sent, but sync it anyway.
    if (sync_pending_ && fd_.valid()) (void)::fdatasync(fd_.get());
}

Status Storage::lock() {
    std::string name = lock_path(path_);
    lock_fd_.reset(::open(name.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock_fd_.valid()) return make_error("{}: cannot open lock file: {}", name, errno_text());
    // An open-file-description lock: it conflicts with OVS's fcntl lock on
    // the same file, and also with a second open of ours in this process.
    struct flock l {};
    l.l_type = F_WRLCK;
    l.l_whence = SEEK_SET;
    if (::fcntl(lock_fd_.get(), F_OFD_SETLK, &l) != 0) {
        if (errno == EAGAIN || errno == EACCES)
            return make_error("{}: database is locked by another user of {}", path_, name);
        return make_error("{}: cannot lock {}: {}", path_, name, errno_text());
    }
    return {};
}

void Storage::attach(std::unique_ptr<Database> db) {
    db_ = std::move(db);
    db_->set_commit_log(this);
}

Result<std::unique_ptr<Storage>> Storage::create(const std::string& path, const Schema& schema) {
    std::unique_ptr<Storage> st(new Storage(path, false));
    if (auto s = st->lock(); !s) return s.error();
    auto bytes = encode(schema.to_json());
    if (!bytes) return bytes.error();
    st->fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!st->fd_.valid()) return make_error("{}: cannot create: {}", path, errno_text());
    if (auto s = write_all(st->fd_.get(), *bytes, 0, path); !s) {
        ::unlink(path.c_str());
        return s.error();
    }
    if (::fdatasync(st->fd_.get()) != 0) {
        ::unlink(path.c_str());
        return make_error("{}: fsync failed: {}", path, errno_text());
    }
    if (auto s = sync_dir(path); !s) return s.error();
    st->offset_ = bytes->size();
    st->attach(std::make_unique<Database>(schema));
    return st;
}

Result<std::unique_ptr<Storage>> Storage::open(const std::string& path, OpenOptions options) {
    std::unique_ptr<Storage> st(new Storage(path, options.read_only));
    if (!options.read_only)
        if (auto s = st->lock(); !s) return s.error();
    auto log = read_log(path);
    if (!log) return log.error();
    if (log->records.empty())
        return make_error("{}: not an OVSDB database file: {}", path, log->tail_error.value_or("the file is empty"));
    auto schema = Schema::from_json(log->records[0].json);
    if (!schema) return make_error("{}: bad schema record: {}", path, schema.error().to_string());
    auto db = std::make_unique<Database>(std::move(*schema));
    for (size_t i = 1; i < log->records.size(); i++) {
        if (auto s = db->replay(log->records[i].json); !s)
            return make_error("{}: record {} at offset {} does not apply to the database ({}); refusing to discard it",
                              path, i, log->records[i].offset, s.error().to_string());
    }
    st->fd_.reset(::open(path.c_str(), (options.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC));
    if (!st->fd_.valid()) return make_error("{}: cannot open: {}", path, errno_text());
    if (log->tail_error) {
        uint64_t lost = log->file_size - log->valid_bytes;
        if (options.read_only) {
            st->warnings_.push_back(fmt::format("{}: {}; ignoring the last {} bytes", path, *log->tail_error, lost));
        } else {
            // What a crash cut short was never reported committed.
            if (::ftruncate(st->fd_.get(), static_cast<off_t>(log->valid_bytes)) != 0 || ::fdatasync(st->fd_.get()))
                return make_error("{}: cannot truncate a damaged tail: {}", path, errno_text());
            st->warnings_.push_back(
                fmt::format("{}: {}; truncated the last {} bytes of the file", path, *log->tail_error, lost));
        }
    }
    st->offset_ = log->valid_bytes;
    st->attach(std::move(db));
    return st;
}

Status Storage::append(const TxnChanges& changes) {
    if (read_only_) return make_error("{}: opened read-only", path_);
    auto record = txn_record(changes);
    if (!record) return {};
    auto bytes = encode(*record);
    if (!bytes) return bytes.error();
    Status s = write_all(fd_.get(), *bytes, offset_, path_);
    // Without group commit a durable commit is synced here, before it can
    // be installed; a failure then still fails the transaction.
    if (s && changes.durable && !group_commit_ && ::fdatasync(fd_.get()) != 0)
        s = make_error("{}: fsync failed: {}", path_, errno_text());
    if (!s) {
        // The transaction fails, so its record must not survive to be
        // replayed; nothing more can be done if this fails too.
        if (::ftruncate(fd_.get(), static_cast<off_t>(offset_)) == 0) (void)::fdatasync(fd_.get());
        return s;
    }
    offset_ += bytes->size();
    if (changes.durable && !group_commit_) {
        unsynced_ = false;
    } else {
        unsynced_ = true;
        sync_pending_ |= changes.durable;
    }
    return {};
}

Status Storage::sync() {
    if (!unsynced_) return {};
    if (::fdatasync(fd_.get()) != 0) return make_error("{}: fsync failed: {}", path_, errno_text());
    unsynced_ = false;
    sync_pending_ = false;
    return {};
}

Status Storage::replace_file(const Database& db) {
    if (read_only_) return make_error("{}: opened read-only", path_);
    auto schema = encode(db.schema().to_json());
    if (!schema) return schema.error();
    auto snapshot = encode(snapshot_record(db, "compacting database online"));
    if (!snapshot) return snapshot.error();
    std::string tmp = path_ + ".tmp";
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return make_error("{}: cannot remove: {}", tmp, errno_text());
    struct stat st {};
    mode_t mode = ::fstat(fd_.get(), &st) == 0 ? (st.st_mode & 07777) : 0640;
    UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (!fd.valid()) return make_error("{}: cannot create: {}", tmp, errno_text());
    std::string bytes = *schema + *snapshot;
    Status s = write_all(fd.get(), bytes, 0, tmp);
    if (s && ::fdatasync(fd.get()) != 0) s = make_error("{}: fsync failed: {}", tmp, errno_text());
    if (s && ::rename(tmp.c_str(), path_.c_str()) != 0)
        s = make_error("cannot rename {} to {}: {}", tmp, path_, errno_text());
    if (!s) {
        ::unlink(tmp.c_str());
        return s;
    }
    // The new file is in place (commits go to it from now on, even if the
    // directory sync fails); syncing the directory makes the rename survive
    // a crash (before that, either file is a valid database).
    fd_ = std::move(fd);
    offset_ = bytes.size();
    // The new file holds everything, synced.
    unsynced_ = false;
    sync_pending_ = false;
    return sync_dir(path_);
}

Status Storage::compact() {
    return replace_file(*db_);
}

Status Storage::convert(const Schema& schema) {
    auto converted = convert_database(*db_, schema);
    if (!converted) return make_error("{}: cannot convert: {}", path_, converted.error().to_string());
    if (auto s = replace_file(**converted); !s) return s;
    attach(std::move(*converted));
    return {};
}

}  // namespace xvs::ovsdb
