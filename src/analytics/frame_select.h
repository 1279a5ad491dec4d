// Part of a CustomerFrame: some rows and some columns, as a frame of its own.
#ifndef RAPPORT_ANALYTICS_FRAME_SELECT_H_
#define RAPPORT_ANALYTICS_FRAME_SELECT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "rapport/frame.h"

namespace rapport::internal {

// The frame's `rows` (ascending row numbers) with the named columns (names it lacks are skipped).
// Dictionaries are copied whole, so codes keep their meaning.
CustomerFrame SelectRows(const CustomerFrame& frame, const std::vector<uint32_t>& rows,
                         const std::vector<std::string>& columns);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_FRAME_SELECT_H_
