// Edit distance and "did you mean" suggestions for serde error messages.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamapp::serde {

// Levenshtein distance (insertions, deletions, substitutions), ASCII
// case-insensitive so that "JSON" is close to "json".
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, when it is close enough to be a plausible
// typo (distance at most max(1, name.size() / 3), capped at 3).
std::optional<std::string> NearestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace streamapp::serde
