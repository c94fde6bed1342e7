#include "loader/map.h"

namespace xvs::loader {

Result<MapFd> MapFd::from_fd(int fd, std::string name) {
    MapFd m;
    m.fd_.reset(fd);
    m.name_ = std::move(name);
    __u32 len = sizeof(m.info_);
    if (bpf_map_get_info_by_fd(fd, &m.info_, &len))
        return make_error("cannot read info of map {}: {}", m.name_, errno_str(errno));
    return m;
}

Result<MapFd> MapFd::open_pinned(const std::string& path) {
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) return make_error("cannot open pinned map {}: {}", path, errno_str(errno));
    return from_fd(fd, path.substr(path.rfind('/') + 1));
}

Status MapFd::check_sizes(size_t key, size_t value) const {
    if (info_.key_size != key || info_.value_size != value)
        return make_error("map {} has key/value sizes {}/{}, this program expects {}/{} (ABI mismatch)",
                          name_, info_.key_size, info_.value_size, key, value);
    return {};
}

int possible_cpus() {
    static int n = libbpf_num_possible_cpus();
    return n > 0 ? n : 1;
}

}  // namespace xvs::loader
