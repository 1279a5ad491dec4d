// Where the reference data sets live: $RAPPORT_SHARED_DATA, or ../shared/data beside the repository
// (found from the build directory upwards).
#ifndef RAPPORT_TESTS_CPP_SHARED_DATA_H_
#define RAPPORT_TESTS_CPP_SHARED_DATA_H_

#include <cstdlib>
#include <filesystem>

namespace rapport::testing {

inline std::filesystem::path SharedData() {
  if (const char* env = std::getenv("RAPPORT_SHARED_DATA")) return env;
  for (const char* candidate : {"../shared/data", "../../shared/data", "../../../shared/data", "../../../../shared/data"}) {
    if (std::filesystem::exists(std::filesystem::path(candidate) / "cdnow")) return candidate;
  }
  return "/work/shared/data";
}

}  // namespace rapport::testing

#endif  // RAPPORT_TESTS_CPP_SHARED_DATA_H_
