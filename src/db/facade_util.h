// Helpers shared by the Database facade's source files.
#ifndef RAPPORT_DB_FACADE_UTIL_H_
#define RAPPORT_DB_FACADE_UTIL_H_

#include <type_traits>

#include "db/core.h"
#include "model/customer_repository.h"

namespace rapport::internal {

// Runs fn(const WriteContext&) in a write transaction as `actor`.
template <typename F>
auto Mutate(Core& core, const Actor& actor, F&& fn) {
  return core.Write([&](Connection& conn) {
    std::shared_ptr<const FieldSchema> schema = core.schema();
    const WriteContext ctx{conn, core.Now(), actor, *schema, core.options().default_region};
    return fn(ctx);
  });
}

// Runs fn(Connection&, const FieldSchema&) in a read transaction.
template <typename F>
auto Query(const Core& core, F&& fn) {
  return core.Read([&](Connection& conn) {
    std::shared_ptr<const FieldSchema> schema = core.schema();
    return fn(conn, *schema);
  });
}

}  // namespace rapport::internal

#endif  // RAPPORT_DB_FACADE_UTIL_H_
