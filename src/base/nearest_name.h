// "Did you mean ...?" suggestions for unknown names.
#ifndef RAPPORT_BASE_NEAREST_NAME_H_
#define RAPPORT_BASE_NEAREST_NAME_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rapport {

size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name` by edit distance, or empty when none is close enough to be a typo.
std::string NearestName(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace rapport

#endif  // RAPPORT_BASE_NEAREST_NAME_H_
