// Updating a customer frame in place with fresh rows for some customers (incremental refresh).
#ifndef RAPPORT_ANALYTICS_FRAME_UPDATE_H_
#define RAPPORT_ANALYTICS_FRAME_UPDATE_H_

#include <cstdint>
#include <vector>

#include "rapport/frame.h"

namespace rapport::internal {

// Replaces the rows of the `affected` customers (ascending ids) by their rows in `fresh` (same
// columns): rows missing from `fresh` are removed, new ones appended. Returns false, leaving `frame`
// unchanged, when the update cannot be applied in place (different columns, or a new id lower than
// the frame's last); the caller then reloads.
bool UpdateRows(CustomerFrame& frame, const CustomerFrame& fresh, const std::vector<int64_t>& affected);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_FRAME_UPDATE_H_
