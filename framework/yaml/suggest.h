// "Did you mean" suggestions for names in topology files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace streamapp::yaml {

// Optimal-string-alignment distance (Levenshtein plus adjacent
// transpositions, which are the most common typo: "fliter"), ASCII
// case-insensitive so that "MapValues" is close to "mapValues".
size_t TypoDistance(std::string_view a, std::string_view b);

// The candidate nearest to `name` when it is plausibly a typo of it
// (distance <= 2, and less than half the name for short names).
std::optional<std::string> Nearest(std::string_view name, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" or "" — appended to messages.
std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates);

// "a, b, c" for messages that list what is allowed.
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace streamapp::yaml
