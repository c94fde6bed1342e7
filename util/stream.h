// Byte streams named by Open vSwitch connection methods:
//   active   unix:PATH   tcp:IP:PORT   tcp:[IPv6]:PORT
//   passive  punix:PATH  ptcp:PORT[:IP]  ptcp:PORT:[IPv6]
// Everything is non-blocking: connect and accept never wait, writes that
// the socket does not take are queued (the queue length is the caller's
// backpressure signal), reads return what is there.
// ssl:/pssl: are recognised only to say that they are not supported.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/fd.h"
#include "util/result.h"

namespace xvs {

struct StreamSpecDefaults {
    // Used when a tcp:/ptcp: spec leaves out the port (OVSDB: 6640,
    // OpenFlow: 6653); without one such a spec is an error.
    std::optional<uint16_t> port;
    // Relative unix:/punix: paths are taken relative to this directory,
    // as OVS takes them relative to its rundir; empty: relative to the cwd.
    std::string rundir;
};

struct StreamSpec {
    enum class Kind { Unix, Tcp };
    Kind kind = Kind::Unix;
    bool passive = false;
    std::string path;         // Unix: the socket file
    sockaddr_storage addr{};  // Tcp: address and port, network byte order
    socklen_t addr_len = 0;
    std::string text;  // the spec as written, for messages
};

// Parses a connection method; errors name the spec and what is wrong with it.
Result<StreamSpec> parse_stream_spec(std::string_view spec, const StreamSpecDefaults& defaults = {});

// "192.0.2.1:6640" or "[2001:db8::1]:6640".
std::string format_sockaddr(const sockaddr_storage& ss);

class Stream {
public:
    enum class State { Connecting, Connected, Closed };

    // Starts connecting to an active spec; the result may still be
    // Connecting (see poll_connect). A connection refused at once is an
    // error here; sys_error, if given, gets its errno (0 for other errors).
    static Result<std::unique_ptr<Stream>> open(const StreamSpec& spec, int* sys_error = nullptr);
    static Result<std::unique_ptr<Stream>> open(std::string_view spec, const StreamSpecDefaults& defaults = {});

    // Adopts a non-blocking socket.
    Stream(UniqueFd fd, std::string name, State state);
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& name() const { return name_; }
    State state() const { return state_; }
    // Why the stream closed; empty while it is open.
    const std::string& error() const { return error_; }
    // The stream closed because the peer closed its end (not an error).
    bool closed_by_peer() const { return closed_by_peer_; }

    // Finishes a connection in progress if the socket says it is done;
    // call when the fd polls writable (calling early is harmless).
    State poll_connect();

    // Appends at most max bytes that are available now to buf and returns
    // how many. 0 means nothing is available or the stream closed (state()).
    size_t recv(std::string& buf, size_t max);

    // Queues data behind what is already queued and writes what the socket
    // takes now. A write error closes the stream (state(), error()).
    void send(std::string_view data);
    // Queues data behind what is already queued without writing anything
    // (flush() writes it), so that several messages go out in one write.
    void enqueue(std::string_view data);
    // Writes queued bytes the socket takes now; returns the bytes left.
    size_t flush();
    // Bytes queued but not yet taken by the socket.
    size_t backlog() const { return out_.size() - out_off_; }

    // Poll events this stream needs: POLLOUT while connecting or while
    // bytes are queued, POLLIN when the caller wants to read.
    short wanted_events(bool want_read) const;

    // Closes the socket now; queued bytes are dropped.
    void close(std::string reason);

private:
    void fail(int err, std::string_view what);

    UniqueFd fd_;
    std::string name_;
    State state_;
    std::string error_;
    bool closed_by_peer_ = false;
    std::string out_;
    size_t out_off_ = 0;
};

class Listener {
public:
    static Result<std::unique_ptr<Listener>> open(const StreamSpec& spec);
    static Result<std::unique_ptr<Listener>> open(std::string_view spec, const StreamSpecDefaults& defaults = {});
    // Removes the socket file of a punix: listener, unless another process
    // has replaced it meanwhile.
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    int fd() const { return fd_.get(); }
    const std::string& name() const { return name_; }
    // ptcp: the port bound, which is the kernel's choice for port 0.
    uint16_t port() const { return port_; }
    // punix: the socket file.
    const std::string& path() const { return path_; }

    // The next pending connection, or nullptr when none is pending.
    Result<std::unique_ptr<Stream>> accept();

private:
    Listener() = default;
    UniqueFd fd_;
    std::string name_;
    std::string path_;
    uint16_t port_ = 0;
    dev_t dev_ = 0;
    ino_t ino_ = 0;
};

}  // namespace xvs
