// Typed handles on BPF maps. Sizes are checked against the kernel's view of
// the map when a handle is opened, so a C++/BPF layout drift is an error at
// open time rather than silent corruption.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/fd.h"
#include "util/result.h"

namespace xvs::loader {

inline std::string errno_str(int err) { return std::strerror(err < 0 ? -err : err); }

// An open map fd with its info.
class MapFd {
public:
    MapFd() = default;
    static Result<MapFd> from_fd(int fd, std::string name);
    static Result<MapFd> open_pinned(const std::string& path);

    int fd() const { return fd_.get(); }
    const bpf_map_info& info() const { return info_; }
    const std::string& name() const { return name_; }
    Status check_sizes(size_t key, size_t value) const;

private:
    UniqueFd fd_;
    bpf_map_info info_{};
    std::string name_;
};

int possible_cpus();

// Every key of a hash map.
template <typename K>
std::vector<K> map_keys(int fd) {
    std::vector<K> out;
    K cur{}, next{};
    const K* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        out.push_back(next);
        cur = next;
        prev = &cur;
    }
    return out;
}

template <typename K, typename V>
class Map {
public:
    using key_type = K;
    Map() = default;
    static Result<Map> open(MapFd m) {
        if (auto s = m.check_sizes(sizeof(K), sizeof(V)); !s) return s.error();
        Map out;
        out.m_ = std::move(m);
        return out;
    }
    int fd() const { return m_.fd(); }

    std::optional<V> lookup(const K& k) const {
        V v{};
        if (bpf_map_lookup_elem(fd(), &k, &v)) return std::nullopt;
        return v;
    }
    Status update(const K& k, const V& v, uint64_t flags = BPF_ANY) {
        if (bpf_map_update_elem(fd(), &k, &v, flags))
            return make_error("update of map {} failed: {}", m_.name(), errno_str(errno));
        return {};
    }
    Status remove(const K& k) {
        if (bpf_map_delete_elem(fd(), &k))
            return make_error("delete from map {} failed: {}", m_.name(), errno_str(errno));
        return {};
    }
    std::vector<K> keys() const { return map_keys<K>(fd()); }
    // Every entry, read in batches (a hash map's batch token is a bucket
    // number); entries changed meanwhile may be seen in either state.
    Status for_each(const std::function<void(const K&, const V&)>& fn) const {
        uint32_t n = 1024, token = 0;
        std::vector<K> ks(n);
        std::vector<V> vs(n);
        for (bool first = true;; first = false) {
            uint32_t count = n;
            int r = bpf_map_lookup_batch(fd(), first ? nullptr : &token, &token, ks.data(), vs.data(), &count, nullptr);
            int err = r < 0 ? -r : 0;
            if (err == ENOSPC && count == 0) {  // one bucket holds more than a batch
                n *= 2;
                ks.resize(n);
                vs.resize(n);
                continue;  // the token still names that bucket (0 = the first)
            }
            for (uint32_t i = 0; i < count; i++) fn(ks[i], vs[i]);
            if (err == ENOENT) return {};
            if (err) return make_error("batch lookup in map {} failed: {}", m_.name(), errno_str(err));
        }
    }

private:
    MapFd m_;
};

// A per-CPU map: the kernel stores one value per possible CPU, each rounded
// up to 8 bytes.
template <typename K, typename V>
class PerCpuMap {
public:
    using key_type = K;
    PerCpuMap() = default;
    static Result<PerCpuMap> open(MapFd m) {
        if (auto s = m.check_sizes(sizeof(K), sizeof(V)); !s) return s.error();
        PerCpuMap out;
        out.m_ = std::move(m);
        out.ncpus_ = possible_cpus();
        return out;
    }
    int fd() const { return m_.fd(); }
    int ncpus() const { return ncpus_; }

    std::optional<std::vector<V>> lookup(const K& k) const {
        std::vector<uint8_t> raw(stride() * ncpus_);
        if (bpf_map_lookup_elem(fd(), &k, raw.data())) return std::nullopt;
        std::vector<V> out(ncpus_);
        for (int i = 0; i < ncpus_; i++) std::memcpy(&out[i], raw.data() + i * stride(), sizeof(V));
        return out;
    }
    Status update_all(const K& k, const std::vector<V>& vals, uint64_t flags = BPF_ANY) {
        std::vector<uint8_t> raw(stride() * ncpus_);
        for (int i = 0; i < ncpus_; i++)
            std::memcpy(raw.data() + i * stride(), &vals[static_cast<size_t>(i) % vals.size()], sizeof(V));
        if (bpf_map_update_elem(fd(), &k, raw.data(), flags))
            return make_error("update of map {} failed: {}", m_.name(), errno_str(errno));
        return {};
    }
    Status remove(const K& k) {
        if (bpf_map_delete_elem(fd(), &k))
            return make_error("delete from map {} failed: {}", m_.name(), errno_str(errno));
        return {};
    }
    std::vector<K> keys() const { return map_keys<K>(fd()); }

private:
    size_t stride() const { return (sizeof(V) + 7) & ~size_t{7}; }
    MapFd m_;
    int ncpus_ = 1;
};

}  // namespace xvs::loader
