// Row ids of one attempt at the commands: the "@name"s the command line
// gives rows (--id=@name), and the placeholder ids ("@N", see datum.h) of
// the rows it inserts. Both start afresh when the commands are retried.
#pragma once

#include <map>
#include <string>

namespace xvs::vsctl {

class Symbols {
public:
    // A placeholder for a row about to be inserted.
    std::string fresh() { return "@" + std::to_string(next_++); }
    // The row "@name" stands for; its first mention gives it a placeholder.
    const std::string& resolve(const std::string& name) {
        auto it = ids_.find(name);
        if (it == ids_.end()) it = ids_.emplace(name, fresh()).first;
        return it->second;
    }
    // nullptr when "@name" has not been mentioned.
    const std::string* find(const std::string& name) const {
        auto it = ids_.find(name);
        return it == ids_.end() ? nullptr : &it->second;
    }
    // "@name" stands for an existing row (get --id=@name).
    void bind(const std::string& name, std::string id) { ids_[name] = std::move(id); }
    const std::map<std::string, std::string>& all() const { return ids_; }

private:
    std::map<std::string, std::string> ids_;
    int next_ = 0;
};

}  // namespace xvs::vsctl
