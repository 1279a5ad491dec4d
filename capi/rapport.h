/*
 * rapport.h — the C ABI of Rapport, an embeddable CRM core.
 *
 * One self-contained C99 header. Stable within a major version (soname librapport.so.1): functions,
 * enum values and options-struct fields are only ever appended.
 *
 * CONVENTIONS
 * - Every fallible function returns a rapport_code (RAPPORT_OK == 0) and takes an optional
 *   `rapport_error **err` as its LAST argument. On failure, when `err` is not NULL, `*err` receives a
 *   new error object owned by the caller (free it with rapport_error_free). On success `*err` is not
 *   touched. `*err` is overwritten, not freed: initialise it to NULL and free it after each failure.
 * - A NULL handle or a NULL required pointer gives RAPPORT_INVALID_ARGUMENT with a message naming
 *   the function and the argument; never a crash. Input strings that are not well-formed UTF-8 give
 *   RAPPORT_INVALID_ARGUMENT. A failed call leaves the database unchanged.
 * - Strings in and out are UTF-8 and NUL-terminated. Timestamps are int64_t microseconds since the
 *   Unix epoch, UTC. Ids are int64_t row ids (> 0).
 * - Handles are opaque. Each handle type has exactly one free/close function, which accepts NULL.
 * - Strings returned as `const char *` are BORROWED: they belong to the handle they came from and
 *   stay valid until that handle is freed (records are immutable snapshots, so later calls on the
 *   same handle do not invalidate them), unless a function says otherwise.
 *   Strings returned through `char **out` are OWNED by the caller: free them with rapport_string_free.
 * - Accessors of a record handle (rapport_customer_name, rapport_change_list_seq, ...) cannot fail:
 *   given a NULL handle or an index out of range they return 0 / NULL.
 * - Options structs start with `uint32_t struct_size`; initialise them with their `_init` function
 *   (which sets struct_size to the caller's sizeof), then set the fields you need. Passing NULL for an
 *   options pointer means "all defaults".
 * - Callbacks take `void *user_data` last; a non-zero return value stops iteration / cancels.
 * - Booleans are `int` (0 false, non-zero true).
 * - No C++ exception crosses this boundary: unexpected failures map to RAPPORT_INTERNAL, memory
 *   exhaustion to RAPPORT_RESOURCE_EXHAUSTED.
 *
 * THREAD SAFETY
 * A rapport_db handle may be used from several threads at once (writes are serialised, reads run
 * concurrently on file databases in WAL mode), except that a transaction opened with rapport_db_begin
 * belongs to the thread that opened it. Every other handle (customers, lists, reports, errors) must be
 * used by one thread at a time.
 *
 * JSON FORMS (inputs)
 * Customer draft (rapport_customer_create_json, rapport_customer_upsert_json), either
 *   structured: {"fields": {"name": "Acme", "kind": "organization", "<custom>": ...},
 *                "contact_points": [{"kind": "email"|"phone", "value": "...", "label": "work",
 *                                    "primary": true, "opted_out": false, "invalid": false}],
 *                "tags": ["vip", ...],
 *                "external_ids": [{"system": "erp", "key": "C-1"}]}
 *   (an object with a "fields" member; only these four members are allowed), or
 *   flat: {"name": "Alice", "industry": "retail", "email": "a@x.com", "phone": ["+1 ...", ...],
 *          "tags": [...], "external_ids": [...], "contact_points": [...], "<custom>": ...}
 *   (any object without a "fields" member): "email"/"phone" (a string or an array of strings) become
 *   contact points (the first of each kind primary), "tags", "external_ids" and "contact_points" are
 *   as above, every other member is a field. Use the structured form to set a custom field named
 *   "email", "phone", "tags", "external_ids", "contact_points" or "fields".
 * Field values: null (clears), true/false, integers, numbers, strings, arrays of strings (multi-enum),
 *   money {"minor": 1234, "currency": "CNY"} or {"amount": "12.34", "currency": "CNY"}. Core fields:
 *   "kind" ("person" | "organization"), "name", "industry", "region", "size", "source", "owner"
 *   (a user id), "birthday" ("YYYY-MM-DD"), "lifecycle_stage".
 * Customer patch (rapport_customer_update_json): an object of fields, {"industry": "retail",
 *   "region": null}.
 * Custom field definition: {"name": "tier", "type": "text"|"integer"|"decimal"|"money"|"date"|
 *   "time"|"bool"|"enum"|"multi_enum", "label": "", "required": false, "unique": false,
 *   "indexed": false, "min": 1, "max": 10, "pattern": "RE2", "options": ["a", "b"], "currency": "CNY"};
 *   only "name" is required ("type" defaults to "text").
 * Order: {"customer_id": 1 (or "customer"), "amount": {"minor": 1234, "currency": "CNY"} (or
 *   "amount_minor" + "currency"), "ordered_at": <micros> or "2025-01-31T08:00:00Z",
 *   "status": "completed", "external_ref": "SO-1",
 *   "items": [{"sku": "A", "name": "Apple", "quantity": 2, "unit_price_minor": 617}]}.
 *
 * JSON FORMS (outputs), the same as the C++ and Python faces and the CLI print: times are RFC 3339 UTC
 * text ("2025-01-31T08:00:00Z"), money as "amount_minor" + "currency" (+ "amount" as decimal text).
 * Customer: see rapport_customer_to_json. Order: {"id", "customer_id", "amount_minor", "amount",
 *   "currency", "ordered_at", "status", "external_ref", "items", "created_at"}.
 * Activity: {"id", "customer_id", "kind", "at", "owner", "outcome", "text", "created_at"}.
 * Custom field definition: the input form with every member present.
 */
#ifndef RAPPORT_H_
#define RAPPORT_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(RAPPORT_BUILDING)
#define RAPPORT_API __declspec(dllexport)
#else
#define RAPPORT_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define RAPPORT_API __attribute__((visibility("default")))
#else
#define RAPPORT_API
#endif

/* C++ callers see the functions as noexcept: none of them throws. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define RAPPORT_NOEXCEPT noexcept
#elif defined(__cplusplus)
#define RAPPORT_NOEXCEPT throw()
#else
#define RAPPORT_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The major version of the C ABI this header declares (the soname: librapport.so.1). The library's
 * release version is rapport_version(). */
#define RAPPORT_ABI_VERSION 1

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------- */

/* Result codes; the numbering of absl::StatusCode. */
typedef enum rapport_code {
  RAPPORT_OK = 0,
  RAPPORT_CANCELLED = 1,
  RAPPORT_UNKNOWN = 2,
  RAPPORT_INVALID_ARGUMENT = 3, /* bad input; the message names the field and the rule */
  RAPPORT_DEADLINE_EXCEEDED = 4,
  RAPPORT_NOT_FOUND = 5,
  RAPPORT_ALREADY_EXISTS = 6,      /* unique key, external id */
  RAPPORT_PERMISSION_DENIED = 7,
  RAPPORT_RESOURCE_EXHAUSTED = 8,  /* out of memory */
  RAPPORT_FAILED_PRECONDITION = 9, /* illegal transition, wrong state */
  RAPPORT_ABORTED = 10,            /* version conflict (stale expected_version) */
  RAPPORT_OUT_OF_RANGE = 11,
  RAPPORT_UNIMPLEMENTED = 12,
  RAPPORT_INTERNAL = 13,
  RAPPORT_UNAVAILABLE = 14, /* database busy */
  RAPPORT_DATA_LOSS = 15    /* corrupt file */
} rapport_code;

/* An error: a code and a message. Owned by the caller; free with rapport_error_free. */
typedef struct rapport_error rapport_error;

/* The code of `err`; RAPPORT_OK for NULL. */
RAPPORT_API rapport_code rapport_error_code(const rapport_error *err) RAPPORT_NOEXCEPT;
/* The message of `err` (borrowed, valid until rapport_error_free); "" for NULL. */
RAPPORT_API const char *rapport_error_message(const rapport_error *err) RAPPORT_NOEXCEPT;
/* Frees `err`; NULL is allowed. */
RAPPORT_API void rapport_error_free(rapport_error *err) RAPPORT_NOEXCEPT;

/* The name of a code, e.g. "INVALID_ARGUMENT" (static storage); "UNKNOWN_CODE" for other values. */
RAPPORT_API const char *rapport_code_name(rapport_code code) RAPPORT_NOEXCEPT;

/* The library version, "MAJOR.MINOR.PATCH" (static storage). */
RAPPORT_API const char *rapport_version(void) RAPPORT_NOEXCEPT;

/* Money (ISO 4217, ICU's data): the digits of a currency's minor unit (2 for CNY, 0 for JPY);
 * INVALID_ARGUMENT for a code that is not a current currency. */
RAPPORT_API rapport_code rapport_currency_digits(const char *currency, int32_t *out_digits,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;

/* Decimal text in major units to minor units: "12.34" CNY -> 1234. More decimals than the currency
 * has, exponents, overflow and unknown currencies are INVALID_ARGUMENT. */
RAPPORT_API rapport_code rapport_money_parse(const char *amount, const char *currency, int64_t *out_minor,
                                             rapport_error **err) RAPPORT_NOEXCEPT;

/* Minor units to decimal text: 1234 CNY -> "12.34"; `*out` is owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_money_format(int64_t minor, const char *currency, char **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;

/* Frees a string returned through a `char **out` argument; NULL is allowed. */
RAPPORT_API void rapport_string_free(char *str) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Databases
 * ------------------------------------------------------------------------------------------- */

/* An open database, acting as one actor. Close with rapport_db_close. */
typedef struct rapport_db rapport_db;

typedef enum rapport_clock_kind {
  RAPPORT_CLOCK_SYSTEM = 0, /* wall-clock time */
  RAPPORT_CLOCK_MANUAL = 1  /* moves only with rapport_db_set_time / rapport_db_advance_time */
} rapport_clock_kind;

typedef struct rapport_open_options {
  uint32_t struct_size;      /* sizeof(rapport_open_options), set by rapport_open_options_init */
  int32_t clock_kind;        /* a rapport_clock_kind; default RAPPORT_CLOCK_SYSTEM */
  int64_t clock_start;       /* manual clock: the initial time (micros); default 0 (the epoch) */
  const char *default_region; /* ISO 3166 region for phone numbers without a country code;
                                 NULL: "US" */
  int64_t actor_user_id;     /* the user the handle acts as; 0 or negative: the system */
  const char *actor_origin;  /* the origin recorded in the change feed (e.g. "erp"); NULL: "" */
  int32_t create_if_missing; /* default 1 */
  int32_t busy_timeout_ms;   /* default 5000 */
  int32_t reader_connections; /* file databases: connections for concurrent reads; default 4 */
} rapport_open_options;

/* Sets every field of `opts` to its default (struct_size included). NULL is ignored. */
RAPPORT_API void rapport_open_options_init(rapport_open_options *opts) RAPPORT_NOEXCEPT;

/* Opens (creating if allowed) the database file `path`, or ":memory:". `opts` may be NULL.
 * On success `*out` is a new handle owned by the caller (close with rapport_db_close).
 * A file that is not a Rapport database gives INVALID_ARGUMENT (the file is untouched); one written by
 * a newer Rapport gives FAILED_PRECONDITION. */
RAPPORT_API rapport_code rapport_db_open(const char *path, const rapport_open_options *opts,
                                         rapport_db **out, rapport_error **err) RAPPORT_NOEXCEPT;

/* Closes the handle; the database closes when its last handle (see rapport_db_with_actor) is closed.
 * A transaction still open on the handle is rolled back (call it on the thread that began it). NULL is allowed. Handles returned by this
 * handle (customers, lists, ...) stay valid: they are snapshots. */
RAPPORT_API void rapport_db_close(rapport_db *db) RAPPORT_NOEXCEPT;

/* A new handle on the same open database acting as user `user_id` (0 or negative: the system) with
 * change-feed origin `origin` (NULL: ""). It shares the clock; it has its own transaction slot.
 * `*out` is owned by the caller and closed independently of `db`. */
RAPPORT_API rapport_code rapport_db_with_actor(rapport_db *db, int64_t user_id, const char *origin,
                                               rapport_db **out, rapport_error **err) RAPPORT_NOEXCEPT;

/* The database's current time (micros). */
RAPPORT_API rapport_code rapport_db_now(rapport_db *db, int64_t *out_micros,
                                        rapport_error **err) RAPPORT_NOEXCEPT;

/* Sets / advances the manual clock (shared by all handles of the database). FAILED_PRECONDITION
 * unless the database was opened with RAPPORT_CLOCK_MANUAL. */
RAPPORT_API rapport_code rapport_db_set_time(rapport_db *db, int64_t micros,
                                             rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_advance_time(rapport_db *db, int64_t micros,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;

/* The schema version of the open database file. */
RAPPORT_API rapport_code rapport_db_schema_version(rapport_db *db, int *out,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;

/* Transactions. rapport_db_begin opens a transaction on the handle (at most one per handle, and one
 * per thread across all handles: FAILED_PRECONDITION otherwise). Every call made on the same thread,
 * through any handle of the database, joins it until commit or rollback; other threads' writes wait.
 * The transaction belongs to the thread that began it: commit, roll back (or close the handle) on
 * that thread; from another thread commit/rollback give FAILED_PRECONDITION. commit/rollback without
 * an open transaction give FAILED_PRECONDITION. rapport_db_close on the beginning thread rolls back a
 * transaction left open; closing such a handle from another thread leaves the database locked. */
RAPPORT_API rapport_code rapport_db_begin(rapport_db *db, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_commit(rapport_db *db, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_rollback(rapport_db *db, rapport_error **err) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Customers
 * ------------------------------------------------------------------------------------------- */

/* A snapshot of one customer record with its contact points, tags and external ids. Immutable.
 * Free with rapport_customer_free (except those borrowed from a rapport_customer_list). */
typedef struct rapport_customer rapport_customer;

/* A page of customers from rapport_customer_search. Free with rapport_customer_list_free. */
typedef struct rapport_customer_list rapport_customer_list;

typedef enum rapport_kind {
  RAPPORT_KIND_PERSON = 0,
  RAPPORT_KIND_ORGANIZATION = 1
} rapport_kind;

typedef enum rapport_contact_kind {
  RAPPORT_CONTACT_EMAIL = 0,
  RAPPORT_CONTACT_PHONE = 1
} rapport_contact_kind;

/* Creates a customer from a JSON draft (see JSON FORMS). `out` may be NULL; otherwise `*out` is a
 * new customer owned by the caller. Validation errors are INVALID_ARGUMENT naming the field; a
 * duplicate external id is ALREADY_EXISTS. */
RAPPORT_API rapport_code rapport_customer_create_json(rapport_db *db, const char *json,
                                                      rapport_customer **out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;

/* Reads customer `id` (NOT_FOUND when absent, or deleted and !include_deleted). `*out` is owned by
 * the caller. */
RAPPORT_API rapport_code rapport_customer_get(rapport_db *db, int64_t id, int include_deleted,
                                              rapport_customer **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;

/* Updates fields of customer `id` from a JSON object of fields (null clears a field). With
 * `expected_version` >= 0 the update fails with ABORTED (changing nothing) unless the stored record
 * has that version; pass -1 to skip the check. `out` may be NULL; otherwise `*out` receives the
 * updated customer, owned by the caller. */
RAPPORT_API rapport_code rapport_customer_update_json(rapport_db *db, int64_t id,
                                                      const char *fields_json,
                                                      int64_t expected_version,
                                                      rapport_customer **out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;

/* Creates the customer with external id (system, key) from the JSON draft, or updates its fields
 * (contact points and tags in the draft are added when missing). `out` and `created` may be NULL;
 * `*created` is set to 1 when a customer was created, 0 when updated. */
RAPPORT_API rapport_code rapport_customer_upsert_json(rapport_db *db, const char *system,
                                                      const char *key, const char *json,
                                                      rapport_customer **out, int *created,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;

/* The customer with external id (system, key); NOT_FOUND when none. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_customer_find_by_external_id(rapport_db *db, const char *system,
                                                              const char *key,
                                                              rapport_customer **out,
                                                              rapport_error **err) RAPPORT_NOEXCEPT;

/* Soft-deletes customer `id` (restorable). `expected_version`: as in rapport_customer_update_json. */
RAPPORT_API rapport_code rapport_customer_delete(rapport_db *db, int64_t id,
                                                 int64_t expected_version,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* Restores a soft-deleted customer. */
RAPPORT_API rapport_code rapport_customer_restore(rapport_db *db, int64_t id,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;
/* Removes the customer and everything attached for good and redacts personal data from its earlier
 * change entries; leaves a "purge" change entry without personal data. */
RAPPORT_API rapport_code rapport_customer_purge(rapport_db *db, int64_t id,
                                                rapport_error **err) RAPPORT_NOEXCEPT;

/* Which customers rapport_customer_search lists. All given criteria must hold. NULL or "" strings and
 * zero ids mean "any". Results are ordered by id. */
typedef struct rapport_customer_query {
  uint32_t struct_size;      /* set by rapport_customer_query_init */
  const char *name_contains; /* substring, case- and width-insensitive */
  const char *contact;       /* an email or phone, matched after normalisation */
  const char *const *tags;   /* has all of these `tag_count` tags */
  size_t tag_count;
  int64_t owner;             /* owner user id; 0: any */
  const char *lifecycle_stage;
  int32_t include_deleted;   /* default 0 */
  int64_t after;             /* keyset paging: ids greater than this; 0: from the start */
  int32_t limit;             /* default 50 */
  const char *external_id_system; /* with external_id_key: the customer with this external id */
  const char *external_id_key;
  const char *custom_field_name;  /* with custom_field_value_json: custom field equals value */
  const char *custom_field_value_json;
} rapport_customer_query;

/* Sets every field of `query` to its default. NULL is ignored. */
RAPPORT_API void rapport_customer_query_init(rapport_customer_query *query) RAPPORT_NOEXCEPT;

/* Lists customers matching `query` (NULL: defaults). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_customer_search(rapport_db *db, const rapport_customer_query *query,
                                                 rapport_customer_list **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;

/* Number of customers in the page. */
RAPPORT_API size_t rapport_customer_list_count(const rapport_customer_list *list) RAPPORT_NOEXCEPT;
/* Customer `index` of the page: BORROWED, valid until the list is freed; do not free it. */
RAPPORT_API const rapport_customer *rapport_customer_list_at(const rapport_customer_list *list,
                                                             size_t index) RAPPORT_NOEXCEPT;
/* The `after` value for the next page; 0 at the end. */
RAPPORT_API int64_t rapport_customer_list_next_after(const rapport_customer_list *list) RAPPORT_NOEXCEPT;
/* Frees the list and the customers borrowed from it; NULL is allowed. */
RAPPORT_API void rapport_customer_list_free(rapport_customer_list *list) RAPPORT_NOEXCEPT;

/* Frees a customer returned to the caller; NULL is allowed. Never pass a customer borrowed from a
 * list. */
RAPPORT_API void rapport_customer_free(rapport_customer *customer) RAPPORT_NOEXCEPT;

/* Typed accessors. Strings are BORROWED (valid until the customer, or its list, is freed); NULL when
 * the field is unset. */
RAPPORT_API int64_t rapport_customer_id(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_kind rapport_customer_kind(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_name(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_industry(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_region(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_size(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_source(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API int rapport_customer_has_owner(const rapport_customer *c) RAPPORT_NOEXCEPT;
/* The owner's user id; 0 when there is none. */
RAPPORT_API int64_t rapport_customer_owner(const rapport_customer *c) RAPPORT_NOEXCEPT;
/* "YYYY-MM-DD", or NULL. */
RAPPORT_API const char *rapport_customer_birthday(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_lifecycle_stage(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_customer_created_at(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_customer_updated_at(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API int rapport_customer_is_deleted(const rapport_customer *c) RAPPORT_NOEXCEPT;
/* When it was deleted; 0 when not deleted (check rapport_customer_is_deleted). */
RAPPORT_API int64_t rapport_customer_deleted_at(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_customer_version(const rapport_customer *c) RAPPORT_NOEXCEPT;

/* Contact points, by index in [0, count). */
RAPPORT_API size_t rapport_customer_contact_point_count(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_customer_contact_point_id(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_contact_kind rapport_customer_contact_point_kind(const rapport_customer *c,
                                                                    size_t index) RAPPORT_NOEXCEPT;
/* Normalised value ("alice@example.com", "+8613800138000"). */
RAPPORT_API const char *rapport_customer_contact_point_value(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
/* The value as given. */
RAPPORT_API const char *rapport_customer_contact_point_raw(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_contact_point_label(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API int rapport_customer_contact_point_primary(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API int rapport_customer_contact_point_opted_out(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API int rapport_customer_contact_point_invalid(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;

/* Tags (sorted), by index. */
RAPPORT_API size_t rapport_customer_tag_count(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_tag(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;

/* External ids, by index. */
RAPPORT_API size_t rapport_customer_external_id_count(const rapport_customer *c) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_external_id_system(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_customer_external_id_key(const rapport_customer *c, size_t index) RAPPORT_NOEXCEPT;

/* A core or custom field as JSON text (`"retail"`, `42`, `{"minor":1234,"currency":"CNY"}`), or NULL
 * when unset or unknown. BORROWED: valid until the customer is freed. */
RAPPORT_API const char *rapport_customer_field_json(const rapport_customer *c, const char *field) RAPPORT_NOEXCEPT;
/* The whole record as a JSON object. BORROWED: valid until the customer is freed. */
RAPPORT_API const char *rapport_customer_to_json(const rapport_customer *c) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Contact points, tags, external ids, organisation contacts
 * ------------------------------------------------------------------------------------------- */

typedef struct rapport_contact_point_draft {
  uint32_t struct_size; /* set by rapport_contact_point_draft_init */
  int32_t kind;         /* a rapport_contact_kind; default RAPPORT_CONTACT_EMAIL */
  const char *value;    /* required */
  const char *label;    /* NULL: "" */
  int32_t primary;
  int32_t opted_out;
  int32_t invalid;
} rapport_contact_point_draft;

RAPPORT_API void rapport_contact_point_draft_init(rapport_contact_point_draft *draft) RAPPORT_NOEXCEPT;

/* Adds a contact point (normalised on write) to customer `customer_id`. `out_id` may be NULL. */
RAPPORT_API rapport_code rapport_contact_point_add(rapport_db *db, int64_t customer_id,
                                                   const rapport_contact_point_draft *draft,
                                                   int64_t *out_id,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;

/* Changes to a contact point: NULL label and negative flags keep the stored value. */
typedef struct rapport_contact_point_patch {
  uint32_t struct_size; /* set by rapport_contact_point_patch_init */
  const char *label;    /* default NULL (keep) */
  int32_t primary;      /* default -1 (keep); 0 or 1 */
  int32_t opted_out;    /* default -1 */
  int32_t invalid;      /* default -1 */
} rapport_contact_point_patch;

RAPPORT_API void rapport_contact_point_patch_init(rapport_contact_point_patch *patch) RAPPORT_NOEXCEPT;

RAPPORT_API rapport_code rapport_contact_point_update(rapport_db *db, int64_t contact_point_id,
                                                      const rapport_contact_point_patch *patch,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_contact_point_remove(rapport_db *db, int64_t contact_point_id,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;

RAPPORT_API rapport_code rapport_tag_add(rapport_db *db, int64_t customer_id, const char *tag,
                                         rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_tag_remove(rapport_db *db, int64_t customer_id, const char *tag,
                                            rapport_error **err) RAPPORT_NOEXCEPT;

/* Adds external id (system, key) to a customer; ALREADY_EXISTS when another record has it. */
RAPPORT_API rapport_code rapport_external_id_add(rapport_db *db, int64_t customer_id,
                                                 const char *system, const char *key,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_external_id_remove(rapport_db *db, const char *system,
                                                    const char *key,
                                                    rapport_error **err) RAPPORT_NOEXCEPT;

/* Links person `person_id` to organisation `organization_id` with a role ("purchaser"; NULL: ""). */
RAPPORT_API rapport_code rapport_contact_link(rapport_db *db, int64_t organization_id,
                                              int64_t person_id, const char *role,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_contact_unlink(rapport_db *db, int64_t organization_id,
                                                int64_t person_id,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* The contacts of an organisation / the organisations of a person, as a JSON array of
 * {"organization": id, "person": id, "role": "..."}. `*out_json` is owned by the caller
 * (rapport_string_free). */
RAPPORT_API rapport_code rapport_contact_list_json(rapport_db *db, int64_t organization_id,
                                                   char **out_json,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_organization_list_json(rapport_db *db, int64_t person_id,
                                                        char **out_json,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Custom fields
 * ------------------------------------------------------------------------------------------- */

/* Defines a custom field from a JSON definition (see JSON FORMS). */
RAPPORT_API rapport_code rapport_custom_field_define_json(rapport_db *db, const char *json,
                                                          rapport_error **err) RAPPORT_NOEXCEPT;
/* All definitions as a JSON array of definition objects. `*out_json` is owned by the caller. */
RAPPORT_API rapport_code rapport_custom_field_list_json(rapport_db *db, char **out_json,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* Drops a definition and removes its values from every customer (a later definition of the same
 * name starts empty). */
RAPPORT_API rapport_code rapport_custom_field_drop(rapport_db *db, const char *name,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Orders, activities, timeline
 * ------------------------------------------------------------------------------------------- */

typedef struct rapport_order_draft {
  uint32_t struct_size;     /* set by rapport_order_draft_init */
  int64_t customer_id;
  int64_t amount_minor;     /* in minor units of `currency` */
  const char *currency;     /* ISO 4217, required */
  int64_t ordered_at;       /* micros */
  const char *status;       /* NULL: "completed" */
  const char *external_ref; /* the order's key in the source system; NULL: none */
} rapport_order_draft;

RAPPORT_API void rapport_order_draft_init(rapport_order_draft *draft) RAPPORT_NOEXCEPT;

/* Adds an order (without items) from a struct. `out_id` may be NULL. */
RAPPORT_API rapport_code rapport_order_add(rapport_db *db, const rapport_order_draft *draft,
                                           int64_t *out_id, rapport_error **err) RAPPORT_NOEXCEPT;
/* Adds an order (with items) from JSON (see JSON FORMS). `out_id` may be NULL. */
RAPPORT_API rapport_code rapport_order_add_json(rapport_db *db, const char *json, int64_t *out_id,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* Order `id` as JSON; `*out_json` is owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_order_get_json(rapport_db *db, int64_t id, char **out_json,
                                                rapport_error **err) RAPPORT_NOEXCEPT;

typedef enum rapport_activity_kind {
  RAPPORT_ACTIVITY_CALL = 0,
  RAPPORT_ACTIVITY_VISIT = 1,
  RAPPORT_ACTIVITY_EMAIL = 2,
  RAPPORT_ACTIVITY_NOTE = 3,
  RAPPORT_ACTIVITY_MESSAGE = 4
} rapport_activity_kind;

typedef struct rapport_activity_draft {
  uint32_t struct_size; /* set by rapport_activity_draft_init */
  int64_t customer_id;
  int32_t kind;         /* a rapport_activity_kind; default RAPPORT_ACTIVITY_NOTE */
  int64_t at;           /* micros */
  int64_t owner;        /* user id; 0 or negative: none */
  const char *outcome;  /* NULL: "" */
  const char *text;     /* NULL: "" */
} rapport_activity_draft;

RAPPORT_API void rapport_activity_draft_init(rapport_activity_draft *draft) RAPPORT_NOEXCEPT;

/* Adds an activity. `out_id` may be NULL. */
RAPPORT_API rapport_code rapport_activity_add(rapport_db *db, const rapport_activity_draft *draft,
                                              int64_t *out_id, rapport_error **err) RAPPORT_NOEXCEPT;

/* A customer's orders and activities, newest first. Free with rapport_timeline_free. */
typedef struct rapport_timeline rapport_timeline;

typedef enum rapport_timeline_item_kind {
  RAPPORT_TIMELINE_ORDER = 0,
  RAPPORT_TIMELINE_ACTIVITY = 1
} rapport_timeline_item_kind;

typedef struct rapport_timeline_query {
  uint32_t struct_size; /* set by rapport_timeline_query_init */
  int32_t limit;        /* default 20 */
  int32_t has_before;   /* default 0; when non-zero only items strictly older than `before` */
  int64_t before;       /* micros */
  int32_t include_items; /* default 0: orders without their items (rapport_order_get_json has them) */
} rapport_timeline_query;

RAPPORT_API void rapport_timeline_query_init(rapport_timeline_query *query) RAPPORT_NOEXCEPT;

/* The timeline of customer `customer_id`. `query` may be NULL. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_timeline_get(rapport_db *db, int64_t customer_id,
                                              const rapport_timeline_query *query,
                                              rapport_timeline **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_timeline_count(const rapport_timeline *t) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_timeline_item_kind rapport_timeline_item_kind_at(const rapport_timeline *t,
                                                                     size_t index) RAPPORT_NOEXCEPT;
/* The time of the item (ordered_at of an order, at of an activity). */
RAPPORT_API int64_t rapport_timeline_item_at(const rapport_timeline *t, size_t index) RAPPORT_NOEXCEPT;
/* The order id or activity id. */
RAPPORT_API int64_t rapport_timeline_item_id(const rapport_timeline *t, size_t index) RAPPORT_NOEXCEPT;
/* The order or activity as JSON, BORROWED (valid until the timeline is freed). */
RAPPORT_API const char *rapport_timeline_item_json(const rapport_timeline *t, size_t index) RAPPORT_NOEXCEPT;
/* The whole timeline as a JSON array of {"type": "order"|"activity", "at": micros, "order"|"activity":
 * {...}}, BORROWED (valid until the timeline is freed). */
RAPPORT_API const char *rapport_timeline_to_json(const rapport_timeline *t) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_timeline_free(rapport_timeline *t) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Import
 * ------------------------------------------------------------------------------------------- */

/* Called every `progress_every` rows and at the end; return non-zero to cancel the import (which then
 * commits nothing). */
typedef int (*rapport_progress_fn)(int64_t rows_done, void *user_data);

typedef struct rapport_import_options {
  uint32_t struct_size;        /* set by rapport_import_options_init */
  const char *mapping_json;    /* required: {"CSV header": "target", ...}; targets: a core or custom
                                  field name, "email", "phone", "tags", "external_id:<system>" */
  const char *upsert_system;   /* upsert rows by their "external_id:<system>" column; NULL: create */
  int32_t all_or_nothing;      /* reject the whole file if any row is bad; default 0 */
  int32_t delimiter;           /* an ASCII character; default ',' */
  const char *tag_separator;   /* NULL: ";" */
  rapport_progress_fn progress; /* may be NULL */
  void *progress_user_data;    /* passed to `progress` */
  int64_t progress_every;      /* default 10000 */
  int32_t worker_threads;      /* threads validating rows a batch ahead of the writer (they end with
                                  the call); 0: all on the calling thread; default 1 */
} rapport_import_options;

RAPPORT_API void rapport_import_options_init(rapport_import_options *opts) RAPPORT_NOEXCEPT;

/* The outcome of an import. Free with rapport_import_report_free. */
typedef struct rapport_import_report rapport_import_report;

/* Imports customers from CSV text (header row first). `*out` is owned by the caller. Bad rows do not
 * fail the call: they are reported (and, with all_or_nothing, make it commit nothing). A cancel from
 * the progress callback gives RAPPORT_CANCELLED and commits nothing. */
RAPPORT_API rapport_code rapport_import_csv(rapport_db *db, const char *csv_text,
                                            const rapport_import_options *opts,
                                            rapport_import_report **out,
                                            rapport_error **err) RAPPORT_NOEXCEPT;
/* The same, reading the file at `path`. */
RAPPORT_API rapport_code rapport_import_csv_file(rapport_db *db, const char *path,
                                                 const rapport_import_options *opts,
                                                 rapport_import_report **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;

RAPPORT_API int64_t rapport_import_report_rows(const rapport_import_report *r) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_import_report_created(const rapport_import_report *r) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_import_report_updated(const rapport_import_report *r) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_import_report_failed(const rapport_import_report *r) RAPPORT_NOEXCEPT;
/* 0 when all_or_nothing rejected the file. */
RAPPORT_API int rapport_import_report_committed(const rapport_import_report *r) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_import_report_error_count(const rapport_import_report *r) RAPPORT_NOEXCEPT;
/* The 1-based data row of error `index` (the header is row 0). */
RAPPORT_API int64_t rapport_import_report_error_row(const rapport_import_report *r, size_t index) RAPPORT_NOEXCEPT;
/* BORROWED strings, valid until the report is freed. */
RAPPORT_API const char *rapport_import_report_error_field(const rapport_import_report *r, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_import_report_error_reason(const rapport_import_report *r, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_import_report_free(rapport_import_report *r) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Change feed
 * ------------------------------------------------------------------------------------------- */

/* A page of the change log, oldest first. Free with rapport_change_list_free. */
typedef struct rapport_change_list rapport_change_list;

/* Changes with seq > `after_seq`, at most `limit` (<= 0: 1000), skipping those whose origin is
 * `exclude_origin` (NULL or "": skip none). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_changes_list(rapport_db *db, int64_t after_seq, int32_t limit,
                                              const char *exclude_origin,
                                              rapport_change_list **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
/* The seq of the newest change (0 for an empty log). */
RAPPORT_API rapport_code rapport_changes_last_seq(rapport_db *db, int64_t *out,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;

RAPPORT_API size_t rapport_change_list_count(const rapport_change_list *l) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_change_list_seq(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_change_list_at(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* 0 when the change was made by the system. */
RAPPORT_API int rapport_change_list_has_actor(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* The acting user id; 0 for the system. */
RAPPORT_API int64_t rapport_change_list_actor(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* BORROWED strings, valid until the list is freed. */
RAPPORT_API const char *rapport_change_list_origin(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* "customer", "contact_point", "order", "activity", "custom_field", ... */
RAPPORT_API const char *rapport_change_list_entity(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_change_list_entity_id(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* "create", "update", "delete", "restore", "purge", "import", ... */
RAPPORT_API const char *rapport_change_list_op(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* The changed field names as a JSON array of strings. */
RAPPORT_API const char *rapport_change_list_fields_json(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
/* JSON objects of the changed fields before / after; "" when absent. */
RAPPORT_API const char *rapport_change_list_before(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_change_list_after(const rapport_change_list *l, size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_change_list_free(rapport_change_list *l) RAPPORT_NOEXCEPT;

/* Named consumers keep a durable cursor in the database: create one, read changes after its cursor,
 * acknowledge what was processed. */
RAPPORT_API rapport_code rapport_consumer_create(rapport_db *db, const char *name,
                                                 int64_t start_after_seq,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_consumer_cursor(rapport_db *db, const char *name, int64_t *out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_consumer_ack(rapport_db *db, const char *name, int64_t seq,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_consumer_drop(rapport_db *db, const char *name,
                                               rapport_error **err) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Segments
 *
 * The segment language (docs/segments.md) selects customers, e.g.
 *   industry in ("Manufacturing", "Retail") and region = "East" and monetary > 5000
 *     and days_since(last_order_at) <= 90 and has_tag("vip") and not in_segment("blocked")
 * An expression has a text form and a JSON form that round-trip. docs/c-api-segments.md shows the
 * C functions below at work.
 *
 * Id arrays come in two forms:
 * - CALLER-OWNED: `int64_t *ids` with `capacity` elements and `size_t *out_count`. On success the
 *   `*out_count` matching ids (ascending) are in ids[0 .. *out_count). When they do not fit, the call
 *   fails with RAPPORT_OUT_OF_RANGE, sets `*out_count` to the number needed and writes nothing to
 *   `ids`. `ids` may be NULL when `capacity` is 0: the call then only reports the count (RAPPORT_OK).
 *   `*out_count` is the one output written on that failure; on other failures it is not touched.
 * - LIBRARY-OWNED (functions ending in _alloc): `int64_t **out_ids` receives a malloc'ed array of
 *   `*out_count` ids (never NULL on success, even when the count is 0) owned by the caller: free it
 *   with rapport_ids_free.
 * Arrays borrowed from a handle (rapport_segment_delta_list_entered) belong to that handle.
 * ------------------------------------------------------------------------------------------- */

/* "Now" (the database clock) wherever a segment function takes an `as_of` time. */
#define RAPPORT_AS_OF_NOW (-9223372036854775807LL - 1)

/* Frees an id array returned by an _alloc function; NULL is allowed. */
RAPPORT_API void rapport_ids_free(int64_t *ids) RAPPORT_NOEXCEPT;

/* A parsed segment expression. Immutable; free with rapport_expr_free. */
typedef struct rapport_expr rapport_expr;

/* Parses the text form. A syntax error is INVALID_ARGUMENT with the message
 * "<line>:<column>: <problem>", then the offending line and a caret line under the column, e.g.
 *   "1:7: unexpected 'b' (expected 'and', 'or' or the end)\na = 1 b\n      ^".
 * `*out` is owned by the caller. Names are checked against a database only when it is used. */
RAPPORT_API rapport_code rapport_expr_parse(const char *text, rapport_expr **out,
                                            rapport_error **err) RAPPORT_NOEXCEPT;
/* Reads the JSON form; errors (INVALID_ARGUMENT) name the JSON path of the bad part. */
RAPPORT_API rapport_code rapport_expr_from_json(const char *json, rapport_expr **out,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* The canonical text form (reparsing it gives an equal expression). `*out` is owned by the caller
 * (rapport_string_free). */
RAPPORT_API rapport_code rapport_expr_to_text(const rapport_expr *expr, char **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
/* The JSON form. `*out` is owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_expr_to_json(const rapport_expr *expr, char **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_expr_free(rapport_expr *expr) RAPPORT_NOEXCEPT;

/* How an expression is evaluated against a database. */
typedef struct rapport_segment_options {
  uint32_t struct_size;  /* set by rapport_segment_options_init */
  int64_t as_of;         /* "now" for days_since, recency_days, ...; default RAPPORT_AS_OF_NOW */
  const char *currency;  /* orders in this currency count in order metrics; NULL or "": the one
                            currency the orders use (FAILED_PRECONDITION when they use several) */
  const char *const *order_statuses; /* orders with these statuses count; with order_status_count */
  size_t order_status_count;         /* 0: "completed" only */
} rapport_segment_options;

/* Sets every field of `opts` to its default. NULL is ignored. */
RAPPORT_API void rapport_segment_options_init(rapport_segment_options *opts) RAPPORT_NOEXCEPT;

/* The live customers (ascending ids) for which expression `expr` (text form) holds. `opts` may be
 * NULL. A syntax error is as in rapport_expr_parse; an unknown field or a type error is
 * INVALID_ARGUMENT with the position ("1:1: unknown field \"regoin\"; did you mean \"region\"?");
 * in_segment() of an unknown saved segment is NOT_FOUND. Ids: CALLER-OWNED (see above). */
RAPPORT_API rapport_code rapport_db_segment(rapport_db *db, const char *expr,
                                            const rapport_segment_options *opts, int64_t *ids,
                                            size_t capacity, size_t *out_count,
                                            rapport_error **err) RAPPORT_NOEXCEPT;
/* The same with LIBRARY-OWNED ids (free with rapport_ids_free). */
RAPPORT_API rapport_code rapport_db_segment_alloc(rapport_db *db, const char *expr,
                                                  const rapport_segment_options *opts,
                                                  int64_t **out_ids, size_t *out_count,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;
/* rapport_db_segment and rapport_db_segment_alloc for a parsed expression. */
RAPPORT_API rapport_code rapport_db_segment_expr(rapport_db *db, const rapport_expr *expr,
                                                 const rapport_segment_options *opts, int64_t *ids,
                                                 size_t capacity, size_t *out_count,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_segment_expr_alloc(rapport_db *db, const rapport_expr *expr,
                                                       const rapport_segment_options *opts,
                                                       int64_t **out_ids, size_t *out_count,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;

/* The expression as one SQL SELECT of matching customer ids (ascending) over this database's
 * tables, with `?` placeholders, and the values to bind to them in order as a JSON array (text,
 * numbers, booleans, null). Values are never pasted into the SQL. `*out_sql` and `*out_params_json`
 * are owned by the caller (rapport_string_free); `out_params_json` may be NULL. */
RAPPORT_API rapport_code rapport_db_segment_sql(rapport_db *db, const char *expr,
                                                const rapport_segment_options *opts, char **out_sql,
                                                char **out_params_json,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_segment_sql_expr(rapport_db *db, const rapport_expr *expr,
                                                     const rapport_segment_options *opts,
                                                     char **out_sql, char **out_params_json,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;

/* Saved segments: named dynamic segments (an expression, materialised by a refresh), static lists
 * and suppression lists (explicit members; no dynamic segment contains a suppressed customer), with
 * membership history. in_segment("name") in any expression reads a saved segment's members. */
typedef enum rapport_segment_kind {
  RAPPORT_SEGMENT_DYNAMIC = 0,
  RAPPORT_SEGMENT_STATIC = 1,
  RAPPORT_SEGMENT_SUPPRESSION = 2
} rapport_segment_kind;

typedef struct rapport_segment_def {
  uint32_t struct_size;    /* set by rapport_segment_def_init */
  const char *name;        /* required; unique, up to 100 characters */
  int32_t kind;            /* a rapport_segment_kind; default RAPPORT_SEGMENT_DYNAMIC */
  const char *expression;  /* dynamic segments: required, the text form; lists: NULL */
  const char *description; /* NULL: "" */
  /* Dynamic segments: the orders their order metrics count, used by every refresh (a
   * rapport_frame_options, declared below; NULL: "completed" orders in the one currency they use).
   * Lists: NULL. Checked when saved (INVALID_ARGUMENT "frame.currency: ...", ...). */
  const struct rapport_frame_options *frame;
} rapport_segment_def;

RAPPORT_API void rapport_segment_def_init(rapport_segment_def *def) RAPPORT_NOEXCEPT;

/* A snapshot of a saved segment's definition and state. Immutable; free with rapport_segment_free. */
typedef struct rapport_segment rapport_segment;

/* Creates the segment, or updates the one of that name (its kind cannot change). The expression is
 * checked against the current fields and saved segments: errors are INVALID_ARGUMENT prefixed with
 * "expression: " (a reference to an unknown segment is NOT_FOUND, a cycle INVALID_ARGUMENT). `out`
 * may be NULL; otherwise `*out` is the saved segment, owned by the caller. */
RAPPORT_API rapport_code rapport_segment_save(rapport_db *db, const rapport_segment_def *def,
                                              rapport_segment **out,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
/* Drops a segment and its history; NOT_FOUND when absent, FAILED_PRECONDITION when another
 * segment's expression refers to it. */
RAPPORT_API rapport_code rapport_segment_drop(rapport_db *db, const char *name,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
/* The segment named `name` (NOT_FOUND when absent). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_segment_get(rapport_db *db, const char *name, rapport_segment **out,
                                             rapport_error **err) RAPPORT_NOEXCEPT;
/* Every saved segment, by name, as a JSON array of the objects of rapport_segment_to_json.
 * `*out_json` is owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_segment_list_json(rapport_db *db, char **out_json,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;

RAPPORT_API int64_t rapport_segment_id(const rapport_segment *s) RAPPORT_NOEXCEPT;
/* BORROWED strings, valid until the segment is freed. The expression is the canonical text form
 * ("" for lists). */
RAPPORT_API const char *rapport_segment_name(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_segment_kind rapport_segment_kind_of(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_segment_expression(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_segment_description(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_segment_created_at(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_segment_updated_at(const rapport_segment *s) RAPPORT_NOEXCEPT;
/* Dynamic segments: the as_of of the last refresh; 0 (and has_ 0) when never refreshed. */
RAPPORT_API int rapport_segment_has_refreshed_at(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_segment_refreshed_at(const rapport_segment *s) RAPPORT_NOEXCEPT;
/* Membership as of earlier times is unknown; 0 (and has_ 0) when there is no history yet. */
RAPPORT_API int rapport_segment_has_history_from(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_segment_history_from(const rapport_segment *s) RAPPORT_NOEXCEPT;
/* The number of current members. */
RAPPORT_API int64_t rapport_segment_member_count(const rapport_segment *s) RAPPORT_NOEXCEPT;
/* The orders a dynamic segment counts (rapport_segment_def.frame): its currency ("" when the one
 * the orders use) and order statuses. BORROWED strings, valid until the segment is freed. */
RAPPORT_API const char *rapport_segment_currency(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_segment_order_status_count(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_segment_order_status(const rapport_segment *s, size_t index) RAPPORT_NOEXCEPT;
/* The segment as a JSON object {"id", "name", "kind": "dynamic"|"static"|"suppression",
 * "expression", "description", "frame": {"order_statuses", "currency"}, "created_at", "updated_at",
 * "refreshed_at", "history_from", "members"} (times RFC 3339 text or null). BORROWED: valid until the segment is freed. */
RAPPORT_API const char *rapport_segment_to_json(const rapport_segment *s) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_segment_free(rapport_segment *s) RAPPORT_NOEXCEPT;

/* What refreshes changed: one delta per refreshed segment. Free with rapport_segment_delta_list_free. */
typedef struct rapport_segment_delta_list rapport_segment_delta_list;

/* Evaluates dynamic segment `name` as of `as_of` (RAPPORT_AS_OF_NOW: now; never before its last
 * refresh: INVALID_ARGUMENT), stores its members, records who entered and who left (also in the
 * change feed: entity "segment", op "refresh"). A list is FAILED_PRECONDITION. `out` may be NULL;
 * otherwise `*out` holds one delta and is owned by the caller. */
RAPPORT_API rapport_code rapport_segment_refresh(rapport_db *db, const char *name, int64_t as_of,
                                                 rapport_segment_delta_list **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* Refreshes every dynamic segment, those another one refers to first, in one transaction (a failure
 * leaves every segment as it was; inside the caller's transaction the refreshes join it). `*out`
 * (may be NULL) holds a delta per segment in that order. */
RAPPORT_API rapport_code rapport_segment_refresh_all(rapport_db *db, int64_t as_of,
                                                     rapport_segment_delta_list **out,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;

RAPPORT_API size_t rapport_segment_delta_list_count(const rapport_segment_delta_list *l) RAPPORT_NOEXCEPT;
/* BORROWED, valid until the list is freed. */
RAPPORT_API const char *rapport_segment_delta_list_name(const rapport_segment_delta_list *l,
                                                        size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_segment_delta_list_as_of(const rapport_segment_delta_list *l,
                                                     size_t index) RAPPORT_NOEXCEPT;
/* The number of members after the refresh. */
RAPPORT_API int64_t rapport_segment_delta_list_members(const rapport_segment_delta_list *l,
                                                       size_t index) RAPPORT_NOEXCEPT;
/* The customers who entered / left (ascending ids): BORROWED arrays of _count elements, valid until
 * the list is freed (NULL when the count is 0). */
RAPPORT_API size_t rapport_segment_delta_list_entered_count(const rapport_segment_delta_list *l,
                                                            size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API const int64_t *rapport_segment_delta_list_entered(const rapport_segment_delta_list *l,
                                                              size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_segment_delta_list_left_count(const rapport_segment_delta_list *l,
                                                         size_t index) RAPPORT_NOEXCEPT;
RAPPORT_API const int64_t *rapport_segment_delta_list_left(const rapport_segment_delta_list *l,
                                                           size_t index) RAPPORT_NOEXCEPT;
/* The deltas as a JSON array of {"name", "as_of", "entered": [ids], "left": [ids], "members"}
 * (as_of as RFC 3339 text). BORROWED: valid until the list is freed. */
RAPPORT_API const char *rapport_segment_delta_list_to_json(const rapport_segment_delta_list *l) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_segment_delta_list_free(rapport_segment_delta_list *l) RAPPORT_NOEXCEPT;

/* Static and suppression lists: adds / removes `count` customers (`ids` may be NULL when `count` is
 * 0). Every id must be a live customer, or nothing changes (NOT_FOUND). A dynamic segment is
 * FAILED_PRECONDITION. */
RAPPORT_API rapport_code rapport_segment_add(rapport_db *db, const char *name, const int64_t *ids,
                                             size_t count, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_segment_remove(rapport_db *db, const char *name, const int64_t *ids,
                                                size_t count, rapport_error **err) RAPPORT_NOEXCEPT;

/* The members (ascending ids) of segment `name` now (`as_of` RAPPORT_AS_OF_NOW), or as of a past
 * time within its history (FAILED_PRECONDITION before it). Ids: CALLER-OWNED / LIBRARY-OWNED as
 * described at the top of this section. */
RAPPORT_API rapport_code rapport_segment_members(rapport_db *db, const char *name, int64_t as_of,
                                                 int64_t *ids, size_t capacity, size_t *out_count,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_segment_members_alloc(rapport_db *db, const char *name,
                                                       int64_t as_of, int64_t **out_ids,
                                                       size_t *out_count,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Analytics: RFM, value tiers, cohort retention, repurchase, churn, event and stage funnels
 *
 * The analyses of docs/analytics-rfm.md and docs/analytics-funnels.md (which define every number)
 * run on FRAMES: immutable columnar copies of orders, events or stage history, built from the
 * caller's arrays or (orders) loaded from a database. Computing never touches a database.
 * docs/c-api-analytics.md shows these functions at work.
 *
 * - Frames and results are immutable handles, freed with their _free function (NULL allowed).
 *   Unlike other handles they may be read by several threads at once: an analysis only reads its
 *   frame, and accessors only read their result.
 * - Times are int64_t microseconds since the Unix epoch (UTC); RAPPORT_NULL_TIME is a missing time
 *   (rows with it are skipped) and, in options, "not given". Frames have no clock: `as_of` is an
 *   explicit time (RAPPORT_NULL_TIME gives "as_of: must be a time, got none").
 * - Ratios, shares and means are doubles, NaN where they are undefined (0 / 0, an empty set).
 * - Columns and matrices are copied into CALLER-OWNED arrays as for segment ids: `T *out` with
 *   `capacity` elements and `size_t *out_count`; when the values do not fit the call fails with
 *   RAPPORT_OUT_OF_RANGE ("<function>: N values do not fit in capacity M"), sets `*out_count` to the
 *   number needed and writes nothing; `out == NULL` with `capacity == 0` only reports the count.
 *   Matrices are row-major.
 * - Result structs filled through an out-parameter (rapport_rfm_summary, ...) start with
 *   `uint32_t struct_size` like options structs: initialise them with their _init function; the
 *   library writes only the members that fit in struct_size. `const char *` members are BORROWED
 *   from the result handle.
 * - Options are checked by the core; errors are INVALID_ARGUMENT "<argument>: <problem>", e.g.
 *   "bins: must be between 2 and 10, got 1", "window: must be positive (got 0)". Names that occur in
 *   no row (event kinds, stages) are not errors: they match nothing.
 * ------------------------------------------------------------------------------------------- */

/* A missing time in frames; "not given" for optional times in analytics options. */
#define RAPPORT_NULL_TIME (-9223372036854775807LL - 1)

/* Orders (or any transactions): customer, time, amount in major units of one currency. */
typedef struct rapport_order_frame rapport_order_frame;

/* Copies `rows` orders from the caller's arrays (they may be NULL when rows is 0). A NaN amount
 * counts as an order that adds nothing to monetary; RAPPORT_NULL_TIME rows are skipped by every
 * analysis. Rows in (customer, at) order are read in place; any other order makes each analysis
 * sort a private copy (the results are the same). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_order_frame_create(const int64_t *customer, const int64_t *at,
                                                    const double *amount, size_t rows,
                                                    rapport_order_frame **out,
                                                    rapport_error **err) RAPPORT_NOEXCEPT;

/* Which orders of a database a frame holds. */
typedef struct rapport_frame_options {
  uint32_t struct_size;  /* set by rapport_frame_options_init */
  const char *currency;  /* orders in this currency; NULL or "": the one currency the orders use
                            (FAILED_PRECONDITION when they use several) */
  const char *const *order_statuses; /* orders with these statuses; with order_status_count */
  size_t order_status_count;         /* 0: "completed" only */
} rapport_frame_options;

RAPPORT_API void rapport_frame_options_init(rapport_frame_options *opts) RAPPORT_NOEXCEPT;

/* The orders of live customers that count (`opts` may be NULL), in (customer, ordered_at) order,
 * amounts in major units of the currency. `*out` is owned by the caller; it is a snapshot. */
RAPPORT_API rapport_code rapport_db_order_frame(rapport_db *db, const rapport_frame_options *opts,
                                                rapport_order_frame **out,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_order_frame_rows(const rapport_order_frame *frame) RAPPORT_NOEXCEPT;
/* Copies the columns (CALLER-OWNED, `capacity` elements each); any of the three may be NULL to skip
 * it. With all three NULL the call only reports the row count. */
RAPPORT_API rapport_code rapport_order_frame_columns(const rapport_order_frame *frame, int64_t *customer,
                                                     int64_t *at, double *amount, size_t capacity,
                                                     size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_order_frame_free(rapport_order_frame *frame) RAPPORT_NOEXCEPT;

/* Events of customers' histories (visits, sign-ups, orders, ...) for event funnels. */
typedef struct rapport_event_frame rapport_event_frame;

/* Copies `rows` events; kind[i] is the event kind (UTF-8; NULL: a missing kind, which matches no
 * step). The arrays may be NULL when rows is 0. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_event_frame_create(const int64_t *customer, const char *const *kind,
                                                    const int64_t *at, size_t rows,
                                                    rapport_event_frame **out,
                                                    rapport_error **err) RAPPORT_NOEXCEPT;
/* The same with kinds as codes into `dictionary` (`dictionary_size` strings; -1: a missing kind).
 * A code outside [-1, dictionary_size) is INVALID_ARGUMENT
 * "events: kind code C at row R is not in the dictionary". */
RAPPORT_API rapport_code rapport_event_frame_create_coded(const int64_t *customer, const int32_t *kind_codes,
                                                          const char *const *dictionary,
                                                          size_t dictionary_size, const int64_t *at,
                                                          size_t rows, rapport_event_frame **out,
                                                          rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_event_frame_rows(const rapport_event_frame *frame) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_event_frame_free(rapport_event_frame *frame) RAPPORT_NOEXCEPT;

/* Stage history: when an entity (a deal, a lead, a customer) entered a stage. */
typedef struct rapport_stage_history_frame rapport_stage_history_frame;

/* Copies `rows` entries; stage[i] NULL: a missing stage (the row is ignored). */
RAPPORT_API rapport_code rapport_stage_history_frame_create(const int64_t *entity, const char *const *stage,
                                                            const int64_t *entered_at, size_t rows,
                                                            rapport_stage_history_frame **out,
                                                            rapport_error **err) RAPPORT_NOEXCEPT;
/* Stages as codes into `dictionary` (-1: missing); a code outside it is INVALID_ARGUMENT
 * "history: stage code C at row R is not in the dictionary". */
RAPPORT_API rapport_code rapport_stage_history_frame_create_coded(const int64_t *entity,
                                                                  const int32_t *stage_codes,
                                                                  const char *const *dictionary,
                                                                  size_t dictionary_size,
                                                                  const int64_t *entered_at, size_t rows,
                                                                  rapport_stage_history_frame **out,
                                                                  rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_stage_history_frame_rows(const rapport_stage_history_frame *frame) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_stage_history_frame_free(rapport_stage_history_frame *frame) RAPPORT_NOEXCEPT;

/* A group label per customer, for funnel breakdowns. */
typedef struct rapport_customer_groups rapport_customer_groups;

/* customer[i] belongs to group[i] (UTF-8; NULL: the null group). Customer ids must be distinct
 * (checked when a funnel uses the groups: "breakdown: customer ID appears more than once");
 * customers not listed belong to the null group. Groups are numbered by first appearance. */
RAPPORT_API rapport_code rapport_customer_groups_create(const int64_t *customer, const char *const *group,
                                                        size_t rows, rapport_customer_groups **out,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_customer_groups_free(rapport_customer_groups *groups) RAPPORT_NOEXCEPT;

/* Median, 90th percentile (linear interpolation between closest ranks) and mean of durations in the
 * unit the member holding it names; NaN when count is 0. This struct never changes. */
typedef struct rapport_duration_summary {
  int64_t count;
  double median;
  double p90;
  double mean;
} rapport_duration_summary;

/* -- RFM ------------------------------------------------------------------------------------ */

/* A named region of the R-by-F grid, inclusive on both ends; the first rule containing a customer's
 * (R, F) names its segment. This struct never changes. */
typedef struct rapport_rfm_segment_rule {
  const char *name; /* UTF-8, not empty, unique */
  int32_t r_min;
  int32_t r_max;
  int32_t f_min;
  int32_t f_max;
} rapport_rfm_segment_rule;

typedef struct rapport_rfm_options {
  uint32_t struct_size;    /* set by rapport_rfm_options_init */
  int32_t bins;            /* score levels, 2..10; default 5 */
  int32_t custom_segments; /* 0 (default): the classic map of 10 segments with 5 bins (see
                              docs/analytics-rfm.md), none with other bins; non-zero: `segments` */
  const rapport_rfm_segment_rule *segments; /* custom_segments: the rules (none when count is 0) */
  size_t segment_count;
  int32_t threads;         /* 0 (default): automatic; 1: the calling thread; results never depend on it */
} rapport_rfm_options;

RAPPORT_API void rapport_rfm_options_init(rapport_rfm_options *opts) RAPPORT_NOEXCEPT;

/* RFM as of a time: one row per customer with at least one order at or before `as_of`, by
 * ascending id. Scores: 1 + floor(bins * (rank_min - 1) / n), recent, frequent, big spenders
 * score `bins`. */
typedef struct rapport_rfm rapport_rfm;

RAPPORT_API rapport_code rapport_rfm_compute(const rapport_order_frame *orders, int64_t as_of,
                                             const rapport_rfm_options *opts, rapport_rfm **out,
                                             rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_rfm_rows(const rapport_rfm *rfm) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_rfm_as_of(const rapport_rfm *rfm) RAPPORT_NOEXCEPT;
RAPPORT_API int32_t rapport_rfm_bins(const rapport_rfm *rfm) RAPPORT_NOEXCEPT;
/* Columns, one element per row (CALLER-OWNED). */
RAPPORT_API rapport_code rapport_rfm_customers(const rapport_rfm *rfm, int64_t *out, size_t capacity,
                                               size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* floor((as_of - last order) / 1 day) */
RAPPORT_API rapport_code rapport_rfm_recency_days(const rapport_rfm *rfm, int32_t *out, size_t capacity,
                                                  size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* Orders counted. */
RAPPORT_API rapport_code rapport_rfm_frequency(const rapport_rfm *rfm, int64_t *out, size_t capacity,
                                               size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* Sum of their amounts. */
RAPPORT_API rapport_code rapport_rfm_monetary(const rapport_rfm *rfm, double *out, size_t capacity,
                                              size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* The R, F and M scores (1..bins); any of r, f, m may be NULL to skip it. */
RAPPORT_API rapport_code rapport_rfm_scores(const rapport_rfm *rfm, uint8_t *r, uint8_t *f, uint8_t *m,
                                            size_t capacity, size_t *out_count,
                                            rapport_error **err) RAPPORT_NOEXCEPT;
/* Segment codes: indexes of rapport_rfm_segment_name, -1 where no rule matched. */
RAPPORT_API rapport_code rapport_rfm_segment_codes(const rapport_rfm *rfm, int16_t *out, size_t capacity,
                                                   size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* The segments (one per rule, in rule order). Names are BORROWED, valid until the result is freed. */
RAPPORT_API size_t rapport_rfm_segment_count(const rapport_rfm *rfm) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_rfm_segment_name(const rapport_rfm *rfm, size_t index) RAPPORT_NOEXCEPT;

/* One segment's share of the customers and of their revenue. */
typedef struct rapport_rfm_summary {
  uint32_t struct_size;     /* set by rapport_rfm_summary_init */
  const char *name;         /* BORROWED; "" for the customers no rule matched */
  int64_t customers;
  double customer_share;    /* of all rows */
  double revenue;           /* sum of monetary */
  double revenue_share;     /* of all rows' revenue; NaN when that total is not positive */
  double mean_recency_days; /* means: NaN for an empty segment */
  double mean_frequency;
  double mean_monetary;
} rapport_rfm_summary;

RAPPORT_API void rapport_rfm_summary_init(rapport_rfm_summary *summary) RAPPORT_NOEXCEPT;
/* The summary of segment `index` (< rapport_rfm_segment_count; empty segments included), or with
 * index == rapport_rfm_segment_count of the customers no rule matched. OUT_OF_RANGE beyond. */
RAPPORT_API rapport_code rapport_rfm_summary_at(const rapport_rfm *rfm, size_t index, rapport_rfm_summary *out,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* Customers per (R, F) cell: bins x bins, row-major by R: out[(r - 1) * bins + (f - 1)]. */
RAPPORT_API rapport_code rapport_rfm_grid(const rapport_rfm *rfm, int64_t *out, size_t capacity,
                                          size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* The result as JSON: {"as_of": RFC 3339, "bins", "rows": [{"customer", "recency_days",
 * "frequency", "monetary", "r", "f", "m", "segment": name or null}], "segments": [summary],
 * "unsegmented": summary, "grid": [[customers of F1..Fbins] for R1..Rbins]}; a summary is {"name",
 * "customers", "customer_share", "revenue", "revenue_share", "mean_recency_days", "mean_frequency",
 * "mean_monetary"}; NaN is null. `*out` is owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_rfm_to_json(const rapport_rfm *rfm, char **out,
                                             rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_rfm_free(rapport_rfm *rfm) RAPPORT_NOEXCEPT;

/* -- Value tiers ---------------------------------------------------------------------------- */

typedef enum rapport_value_tier_mode {
  /* By rank: p = (buyers who spent strictly more) / buyers; tier 0 when p < high, 1 when
   * p < potential, else 2. Defaults 0.2 and 0.5. */
  RAPPORT_VALUE_TIERS_QUANTILE = 0,
  /* By share of revenue of the buyers who spent strictly more; defaults 0.5 and 0.8. */
  RAPPORT_VALUE_TIERS_REVENUE_SHARE = 1
} rapport_value_tier_mode;

typedef struct rapport_value_tier_options {
  uint32_t struct_size;  /* set by rapport_value_tier_options_init */
  int32_t mode;          /* a rapport_value_tier_mode; default RAPPORT_VALUE_TIERS_QUANTILE */
  double high;           /* thresholds, 0 < high < potential <= 1; 0 (default): the mode's default */
  double potential;
  const char *names[3];  /* tier names; NULL (default): "high value", "potential", "general" */
  int32_t threads;       /* 0 (default): automatic */
} rapport_value_tier_options;

RAPPORT_API void rapport_value_tier_options_init(rapport_value_tier_options *opts) RAPPORT_NOEXCEPT;

/* Three tiers of the customers with orders at or before `as_of` (the rows of RFM), by what they
 * spent. By revenue share the total must be positive. */
typedef struct rapport_value_tiers rapport_value_tiers;

RAPPORT_API rapport_code rapport_value_tiers_compute(const rapport_order_frame *orders, int64_t as_of,
                                                     const rapport_value_tier_options *opts,
                                                     rapport_value_tiers **out,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_value_tiers_rows(const rapport_value_tiers *tiers) RAPPORT_NOEXCEPT;
/* Columns (CALLER-OWNED): customers (ascending), monetary, and tier codes 0..2. */
RAPPORT_API rapport_code rapport_value_tiers_customers(const rapport_value_tiers *tiers, int64_t *out,
                                                       size_t capacity, size_t *out_count,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_value_tiers_monetary(const rapport_value_tiers *tiers, double *out,
                                                      size_t capacity, size_t *out_count,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_value_tiers_codes(const rapport_value_tiers *tiers, int8_t *out,
                                                   size_t capacity, size_t *out_count,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;
/* Per tier (0..2): its name (BORROWED), customers and revenue (sum of monetary); NULL / 0 beyond. */
RAPPORT_API const char *rapport_value_tiers_name(const rapport_value_tiers *tiers, int32_t tier) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_value_tiers_tier_customers(const rapport_value_tiers *tiers,
                                                       int32_t tier) RAPPORT_NOEXCEPT;
RAPPORT_API double rapport_value_tiers_tier_revenue(const rapport_value_tiers *tiers, int32_t tier) RAPPORT_NOEXCEPT;
/* {"as_of", "mode": "quantile"|"revenue_share", "tiers": [{"name", "customers", "revenue"}],
 * "rows": [{"customer", "monetary", "tier": name}]}; `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_value_tiers_to_json(const rapport_value_tiers *tiers, char **out,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_value_tiers_free(rapport_value_tiers *tiers) RAPPORT_NOEXCEPT;

/* -- Retention ------------------------------------------------------------------------------ */

/* Calendar periods (UTC). Weeks are ISO weeks (Monday; "2026-W01" starts on 2025-12-29). */
typedef enum rapport_cohort_period {
  RAPPORT_COHORT_WEEK = 0,
  RAPPORT_COHORT_MONTH = 1,
  RAPPORT_COHORT_QUARTER = 2
} rapport_cohort_period;

typedef struct rapport_cohort_options {
  uint32_t struct_size; /* set by rapport_cohort_options_init */
  int32_t period;       /* a rapport_cohort_period; default RAPPORT_COHORT_MONTH */
  int32_t max_periods;  /* at most this many columns; 0 (default): no limit */
  int32_t threads;      /* 0 (default): automatic */
} rapport_cohort_options;

RAPPORT_API void rapport_cohort_options_init(rapport_cohort_options *opts) RAPPORT_NOEXCEPT;

/* Customers by the period of their first order at or before as_of (their cohort), and how many of
 * them ordered in each later period: one row per cohort with customers, oldest first; columns
 * k = 0..periods-1 (k = 0 is the cohort period, so its count is the cohort size). */
typedef struct rapport_cohorts rapport_cohorts;

RAPPORT_API rapport_code rapport_cohorts_compute(const rapport_order_frame *orders, int64_t as_of,
                                                 const rapport_cohort_options *opts, rapport_cohorts **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* Rows (cohorts) and columns (periods). */
RAPPORT_API size_t rapport_cohorts_count(const rapport_cohorts *cohorts) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_cohorts_periods(const rapport_cohorts *cohorts) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_cohort_period rapport_cohorts_period(const rapport_cohorts *cohorts) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_cohorts_as_of(const rapport_cohorts *cohorts) RAPPORT_NOEXCEPT;
/* "2025-01", "2025-W03", "2025-Q1": BORROWED, valid until the result is freed; NULL beyond. */
RAPPORT_API const char *rapport_cohorts_label(const rapport_cohorts *cohorts, size_t index) RAPPORT_NOEXCEPT;
/* Per cohort (CALLER-OWNED): the first microsecond of its period, and its size. */
RAPPORT_API rapport_code rapport_cohorts_starts(const rapport_cohorts *cohorts, int64_t *out, size_t capacity,
                                               size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_cohorts_sizes(const rapport_cohorts *cohorts, int64_t *out, size_t capacity,
                                              size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* cohorts x periods, row-major (CALLER-OWNED): customers of cohort c with an order in period c + k,
 * -1 where that period lies after the one containing as_of; rates = counts / size, NaN there. */
RAPPORT_API rapport_code rapport_cohorts_counts(const rapport_cohorts *cohorts, int64_t *out, size_t capacity,
                                               size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_cohorts_rates(const rapport_cohorts *cohorts, double *out, size_t capacity,
                                              size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* {"period": "week"|"month"|"quarter", "as_of", "periods", "cohorts": [{"label", "start", "size",
 * "counts": [n or null], "rates": [x or null]}]} (null after as_of). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_cohorts_to_json(const rapport_cohorts *cohorts, char **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_cohorts_free(rapport_cohorts *cohorts) RAPPORT_NOEXCEPT;

typedef struct rapport_repurchase_options {
  uint32_t struct_size; /* set by rapport_repurchase_options_init */
  int64_t window;       /* micros, > 0; default 90 days */
  int32_t threads;      /* 0 (default): automatic */
} rapport_repurchase_options;

RAPPORT_API void rapport_repurchase_options_init(rapport_repurchase_options *opts) RAPPORT_NOEXCEPT;

/* Among customers whose first order is at least `window` before as_of (eligible), those whose second
 * order came within the window of the first (repeat). */
typedef struct rapport_repurchase_rate {
  uint32_t struct_size;        /* set by rapport_repurchase_rate_init */
  int64_t repeat_customers;
  int64_t eligible_customers;
  double rate;                 /* NaN when nobody is eligible */
} rapport_repurchase_rate;

RAPPORT_API void rapport_repurchase_rate_init(rapport_repurchase_rate *rate) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_repurchase_rate_compute(const rapport_order_frame *orders, int64_t as_of,
                                                         const rapport_repurchase_options *opts,
                                                         rapport_repurchase_rate *out,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;

/* Churn in [start, end): the base is the customers with an order in [start - lookback, start); the
 * churned are those of the base without an order in [start, end). */
typedef struct rapport_churn_options {
  uint32_t struct_size; /* set by rapport_churn_options_init */
  int64_t start;        /* required; default RAPPORT_NULL_TIME ("start: must be a time, got none") */
  int64_t end;          /* required, > start */
  int64_t lookback;     /* micros, > 0; default 90 days */
  int32_t threads;      /* 0 (default): automatic */
} rapport_churn_options;

RAPPORT_API void rapport_churn_options_init(rapport_churn_options *opts) RAPPORT_NOEXCEPT;

typedef struct rapport_churn_rate {
  uint32_t struct_size;     /* set by rapport_churn_rate_init */
  int64_t churned_customers;
  int64_t base_customers;
  double rate;              /* NaN when the base is empty */
} rapport_churn_rate;

RAPPORT_API void rapport_churn_rate_init(rapport_churn_rate *rate) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_churn_compute(const rapport_order_frame *orders, const rapport_churn_options *opts,
                                               rapport_churn_rate *out, rapport_error **err) RAPPORT_NOEXCEPT;

/* -- Funnels -------------------------------------------------------------------------------- */

typedef struct rapport_event_funnel_options {
  uint32_t struct_size;      /* set by rapport_event_funnel_options_init */
  const char *const *steps;  /* event kinds in funnel order, at least 2 (a kind may repeat) */
  size_t step_count;
  int64_t window;            /* micros, > 0: every later step at or before step 1 + window */
  int64_t from;              /* step-1 events with from <= at < to start the funnel; */
  int64_t to;                /* RAPPORT_NULL_TIME (default): no bound */
  const int64_t *bucket_edges; /* upper edges (micros, positive, increasing) of the time-to-convert
                                  histogram; NULL with count 0 (default): 1 hour, 1 day, 7 days,
                                  30 days; a non-NULL array with count 0: no edges (one bucket) */
  size_t bucket_edge_count;
  int32_t threads;           /* 0 (default): automatic */
} rapport_event_funnel_options;

RAPPORT_API void rapport_event_funnel_options_init(rapport_event_funnel_options *opts) RAPPORT_NOEXCEPT;

/* Per customer: t1 = the earliest step-1 event (in [from, to)); step k = the earliest event of kind
 * steps[k] strictly after step k-1 and at or before t1 + window. */
typedef struct rapport_event_funnel rapport_event_funnel;

/* `breakdown` may be NULL; with it, the result has per-group counts. */
RAPPORT_API rapport_code rapport_event_funnel_compute(const rapport_event_frame *events,
                                                      const rapport_event_funnel_options *opts,
                                                      const rapport_customer_groups *breakdown,
                                                      rapport_event_funnel **out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_event_funnel_step_count(const rapport_event_funnel *funnel) RAPPORT_NOEXCEPT;

typedef struct rapport_event_funnel_step {
  uint32_t struct_size;            /* set by rapport_event_funnel_step_init */
  const char *kind;                /* BORROWED */
  int64_t customers;               /* customers who reached this step */
  double conversion_from_previous; /* customers / the previous step's; step 1: 1 (NaN when 0) */
  double conversion_from_first;    /* customers / step 1's */
  rapport_duration_summary seconds_to_convert; /* t_k - t1 in seconds; count 0 for step 1 */
} rapport_event_funnel_step;

RAPPORT_API void rapport_event_funnel_step_init(rapport_event_funnel_step *step) RAPPORT_NOEXCEPT;
/* Step `index` (0-based); OUT_OF_RANGE beyond the steps. */
RAPPORT_API rapport_code rapport_event_funnel_step_at(const rapport_event_funnel *funnel, size_t index,
                                                      rapport_event_funnel_step *out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
/* Customers per step (CALLER-OWNED, step_count elements). */
RAPPORT_API rapport_code rapport_event_funnel_customers(const rapport_event_funnel *funnel, int64_t *out,
                                                        size_t capacity, size_t *out_count,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* The histogram edges, as given (micros). */
RAPPORT_API rapport_code rapport_event_funnel_bucket_edges(const rapport_event_funnel *funnel, int64_t *out,
                                                           size_t capacity, size_t *out_count,
                                                           rapport_error **err) RAPPORT_NOEXCEPT;
/* The time-to-convert histogram of step `step` (edges + 1 counts: bucket i holds durations d with
 * edges[i-1] < d <= edges[i], the last d > every edge); 0 counts for step 0. OUT_OF_RANGE for a step
 * beyond the steps. */
RAPPORT_API rapport_code rapport_event_funnel_histogram(const rapport_event_funnel *funnel, size_t step,
                                                        int64_t *out, size_t capacity, size_t *out_count,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* With a breakdown: one group per distinct label, in order of first appearance in the groups, then
 * the null group (always listed); 0 groups without a breakdown. The label is BORROWED, NULL for the
 * null group (and beyond the groups). */
RAPPORT_API size_t rapport_event_funnel_group_count(const rapport_event_funnel *funnel) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_event_funnel_group_label(const rapport_event_funnel *funnel,
                                                         size_t group) RAPPORT_NOEXCEPT;
/* Customers of group `group` per step (CALLER-OWNED, step_count elements); OUT_OF_RANGE beyond. */
RAPPORT_API rapport_code rapport_event_funnel_group_customers(const rapport_event_funnel *funnel, size_t group,
                                                              int64_t *out, size_t capacity,
                                                              size_t *out_count,
                                                              rapport_error **err) RAPPORT_NOEXCEPT;
/* Events with a missing time (ignored). */
RAPPORT_API int64_t rapport_event_funnel_rows_missing_time(const rapport_event_funnel *funnel) RAPPORT_NOEXCEPT;
/* {"steps": [{"kind", "customers", "conversion_from_previous", "conversion_from_first",
 * "seconds_to_convert": {"count", "median", "p90", "mean"}, "histogram": [n]}],
 * "bucket_edges_micros": [n], "groups": [{"label": text or null, "customers": [n per step]}],
 * "rows_missing_time"}; NaN is null. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_event_funnel_to_json(const rapport_event_funnel *funnel, char **out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_event_funnel_free(rapport_event_funnel *funnel) RAPPORT_NOEXCEPT;

typedef struct rapport_stage_funnel_options {
  uint32_t struct_size;           /* set by rapport_stage_funnel_options_init */
  const char *const *stages;      /* the pipeline's stages in order; at least 1, none twice */
  size_t stage_count;
  const char *const *won_stages;  /* terminal stages (in the order or not); may be NULL when the */
  size_t won_stage_count;         /* count is 0 */
  const char *const *lost_stages;
  size_t lost_stage_count;
  int64_t as_of;                  /* RAPPORT_NULL_TIME (default): open visits get no age */
  int32_t threads;                /* 0 (default): automatic */
} rapport_stage_funnel_options;

RAPPORT_API void rapport_stage_funnel_options_init(rapport_stage_funnel_options *opts) RAPPORT_NOEXCEPT;

/* Per entity, its visits in time order (ties in row order): which stages it entered and advanced
 * from, how long visits lasted, whether it was won or lost (its first terminal visit decides). */
typedef struct rapport_stage_funnel rapport_stage_funnel;

RAPPORT_API rapport_code rapport_stage_funnel_compute(const rapport_stage_history_frame *history,
                                                      const rapport_stage_funnel_options *opts,
                                                      rapport_stage_funnel **out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_stage_funnel_stage_count(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;

typedef struct rapport_stage_funnel_stage {
  uint32_t struct_size;      /* set by rapport_stage_funnel_stage_init */
  const char *stage;         /* BORROWED */
  int64_t entered;           /* entities with a visit */
  int64_t advanced;          /* entities that visited a later stage of the order after their first entry */
  double conversion_to_next; /* advanced / entered; NaN for the last stage */
  rapport_duration_summary days_in_stage; /* closed visits, in days */
  int64_t open_visits;       /* entities' last visits */
  rapport_duration_summary open_age_days; /* with as_of: ages of open visits, in days */
} rapport_stage_funnel_stage;

RAPPORT_API void rapport_stage_funnel_stage_init(rapport_stage_funnel_stage *stage) RAPPORT_NOEXCEPT;
/* Stage `index` of the order; OUT_OF_RANGE beyond. */
RAPPORT_API rapport_code rapport_stage_funnel_stage_at(const rapport_stage_funnel *funnel, size_t index,
                                                       rapport_stage_funnel_stage *out,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* stages x stages, row-major (CALLER-OWNED): reached[i * K + j], i < j, entities that entered stage
 * i and later stage j (0 where j <= i); shares: reached / entered(i), NaN where j <= i or nobody
 * entered i. */
RAPPORT_API rapport_code rapport_stage_funnel_reached(const rapport_stage_funnel *funnel, int64_t *out,
                                                      size_t capacity, size_t *out_count,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_stage_funnel_reached_shares(const rapport_stage_funnel *funnel, double *out,
                                                             size_t capacity, size_t *out_count,
                                                             rapport_error **err) RAPPORT_NOEXCEPT;
/* Entities with at least one visit; won / lost among those that reached a terminal stage;
 * win rate = won / (won + lost) (NaN when none; 0 for a NULL handle). */
RAPPORT_API int64_t rapport_stage_funnel_entities(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_stage_funnel_won(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_stage_funnel_lost(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;
RAPPORT_API double rapport_stage_funnel_win_rate(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;
/* Won entities: days from their first visit to the won one. `out` NULL is ignored; a NULL funnel
 * gives count 0 and NaN. */
RAPPORT_API void rapport_stage_funnel_cycle_days(const rapport_stage_funnel *funnel,
                                                 rapport_duration_summary *out) RAPPORT_NOEXCEPT;
/* Rows whose stage is neither in the order nor terminal (or missing); rows with a missing time. */
RAPPORT_API int64_t rapport_stage_funnel_ignored_rows(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_stage_funnel_rows_missing_time(const rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;
/* {"as_of": RFC 3339 or null, "stages": [{"stage", "entered", "advanced", "conversion_to_next",
 * "days_in_stage": summary, "open_visits", "open_age_days": summary}], "reached": [[n]],
 * "entities", "won", "lost", "win_rate", "cycle_days": summary, "ignored_rows",
 * "rows_missing_time"}; NaN is null. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_stage_funnel_to_json(const rapport_stage_funnel *funnel, char **out,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_stage_funnel_free(rapport_stage_funnel *funnel) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Customer lifetime value: BG/NBD, Pareto/NBD, Gamma-Gamma, BG/BB
 *
 * The probability models of repeat buying of docs/clv.md (which gives every formula and its
 * source), fitted by maximum likelihood, and their per-customer predictions. docs/c-api-clv.md
 * shows these functions at work on CDNOW.
 *
 * - A SUMMARY (rapport_clv_summary) turns a transaction log (caller arrays, an order frame or a
 *   database's orders) into the per-customer columns the models read: frequency x (repeat
 *   purchases), recency t_x (first to last purchase), age T (first purchase to the calibration end),
 *   the mean repeat spend, and optionally the purchases of a holdout period. Times are in the
 *   caller's time unit (weeks by default).
 * - A MODEL (rapport_clv_model) is fitted to such columns or made from known parameters. Models and
 *   summaries are immutable: like analytics results they may be read by several threads at once.
 * - Input arrays hold `rows` elements each and are only read during the call; they may be NULL when
 *   `rows` is 0. `weights` may always be NULL (one customer per row); otherwise non-negative counts
 *   of the customers a row stands for (fits compress identical rows themselves).
 * - Predictions are written to a CALLER-OWNED `double *out` of `capacity` elements: one value per
 *   input element. When `capacity` is smaller the call fails with RAPPORT_OUT_OF_RANGE
 *   ("<function>: N values do not fit in capacity M"). On every failure `out` is left untouched.
 * - Bad input is INVALID_ARGUMENT with the core's message "<argument>: <problem>", naming the row and
 *   value where one is at fault: "recency: must not exceed age (38.86) (row 3: 40)", "frequency: is
 *   NaN (row 0: nan)", "t: must be finite and >= 0, got -1". A model of the wrong kind for a function
 *   is INVALID_ARGUMENT "model: ...". A fit that does not converge, or data that cannot identify the
 *   model, is FAILED_PRECONDITION ("fit: the BG/NBD likelihood did not converge ...").
 * ------------------------------------------------------------------------------------------- */

/* Time units for rapport_clv_summary_options.time_unit and merge_period (microseconds). */
#define RAPPORT_MICROS_PER_DAY 86400000000LL
#define RAPPORT_MICROS_PER_WEEK 604800000000LL

/* The models. Values are stable; 0 is no model (what rapport_clv_model_kind gives for NULL). */
typedef enum rapport_clv_kind {
  RAPPORT_CLV_BG_NBD = 1,      /* purchases in continuous time; parameters r, alpha, a, b */
  RAPPORT_CLV_PARETO_NBD = 2,  /* purchases in continuous time; parameters r, alpha, s, beta */
  RAPPORT_CLV_GAMMA_GAMMA = 3, /* spend per purchase; parameters p, q, gamma */
  RAPPORT_CLV_BG_BB = 4,       /* purchases at discrete opportunities; alpha, beta, gamma, delta */
  /* Not a kind: makes every int a value of the type, so a wrong value passed by a caller is an
   * INVALID_ARGUMENT error ("kind: unknown model kind 99 ..."), not undefined behaviour. */
  RAPPORT_CLV_KIND_INT_MAX_ = 0x7FFFFFFF
} rapport_clv_kind;

/* The name of a kind as the CLI and the database spell it: "bg_nbd", "pareto_nbd", "gamma_gamma",
 * "bg_bb" (static storage); NULL for other values. */
RAPPORT_API const char *rapport_clv_kind_name(rapport_clv_kind kind) RAPPORT_NOEXCEPT;

/* -- Summary -------------------------------------------------------------------------------- */

typedef struct rapport_clv_summary_options {
  uint32_t struct_size;     /* set by rapport_clv_summary_options_init */
  int64_t calibration_end;  /* required: purchases at or before it are the calibration period;
                               default RAPPORT_NULL_TIME ("calibration_end: must be a time, got none") */
  int64_t observation_end;  /* RAPPORT_NULL_TIME (default): no holdout; otherwise purchases in
                               (calibration_end, observation_end] are the holdout period */
  int64_t time_unit;        /* microseconds per model time unit, > 0; default RAPPORT_MICROS_PER_WEEK */
  int64_t merge_period;     /* a customer's purchases in one period [k * merge_period + merge_offset,
                               ...) count as one, at the first one's time, amounts summed; default
                               RAPPORT_MICROS_PER_DAY (UTC days); 0: every order is a purchase */
  int64_t merge_offset;     /* default 0; e.g. -8 hours for calendar days in UTC+8 */
  int32_t threads;          /* 0 (default): automatic; results never depend on it */
} rapport_clv_summary_options;

RAPPORT_API void rapport_clv_summary_options_init(rapport_clv_summary_options *opts) RAPPORT_NOEXCEPT;

/* One row per customer with a purchase at or before calibration_end, by ascending id. */
typedef struct rapport_clv_summary rapport_clv_summary;

/* From `rows` orders in the caller's arrays (as rapport_order_frame_create reads them: a NaN amount
 * adds nothing, RAPPORT_NULL_TIME rows are skipped). `opts` is required (calibration_end).
 * `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_clv_summary_from_orders(const int64_t *customer, const int64_t *at,
                                                         const double *amount, size_t rows,
                                                         const rapport_clv_summary_options *opts,
                                                         rapport_clv_summary **out,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;
/* From an order frame (rapport_order_frame_create, rapport_db_order_frame). */
RAPPORT_API rapport_code rapport_clv_summary_from_frame(const rapport_order_frame *orders,
                                                        const rapport_clv_summary_options *opts,
                                                        rapport_clv_summary **out,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* From the orders of a database's live customers that count (`frame_opts` as for
 * rapport_db_order_frame; may be NULL), amounts in major units of their currency. */
RAPPORT_API rapport_code rapport_clv_summary_from_db(rapport_db *db, const rapport_frame_options *frame_opts,
                                                     const rapport_clv_summary_options *opts,
                                                     rapport_clv_summary **out,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_clv_summary_rows(const rapport_clv_summary *summary) RAPPORT_NOEXCEPT;
/* Columns, one element per row (CALLER-OWNED, as for analytics results). */
RAPPORT_API rapport_code rapport_clv_summary_customers(const rapport_clv_summary *summary, int64_t *out,
                                                       size_t capacity, size_t *out_count,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* x: repeat purchases in the calibration period (the first purchase is not counted), a whole number. */
RAPPORT_API rapport_code rapport_clv_summary_frequency(const rapport_clv_summary *summary, double *out,
                                                       size_t capacity, size_t *out_count,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* t_x: time units from the first purchase to the last one (0 when x = 0). */
RAPPORT_API rapport_code rapport_clv_summary_recency(const rapport_clv_summary *summary, double *out,
                                                     size_t capacity, size_t *out_count,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;
/* T: time units from the first purchase to calibration_end. */
RAPPORT_API rapport_code rapport_clv_summary_age(const rapport_clv_summary *summary, double *out,
                                                 size_t capacity, size_t *out_count,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* The mean amount of the x repeat purchases; NaN when x = 0. */
RAPPORT_API rapport_code rapport_clv_summary_monetary(const rapport_clv_summary *summary, double *out,
                                                      size_t capacity, size_t *out_count,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
/* Non-zero when the summary has a holdout period (observation_end was given). */
RAPPORT_API int rapport_clv_summary_has_holdout(const rapport_clv_summary *summary) RAPPORT_NOEXCEPT;
/* The holdout's length in time units (the same for every customer); 0 without a holdout. */
RAPPORT_API double rapport_clv_summary_holdout_duration(const rapport_clv_summary *summary) RAPPORT_NOEXCEPT;
/* Purchases in the holdout period and their mean amount (NaN when none); without a holdout these
 * columns have no values (`*out_count` 0). */
RAPPORT_API rapport_code rapport_clv_summary_holdout_frequency(const rapport_clv_summary *summary, double *out,
                                                               size_t capacity, size_t *out_count,
                                                               rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_clv_summary_holdout_monetary(const rapport_clv_summary *summary, double *out,
                                                              size_t capacity, size_t *out_count,
                                                              rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_clv_summary_free(rapport_clv_summary *summary) RAPPORT_NOEXCEPT;

/* -- Models --------------------------------------------------------------------------------- */

/* A fitted model, or one made from known parameters. Immutable; free with rapport_clv_model_free. */
typedef struct rapport_clv_model rapport_clv_model;

typedef struct rapport_clv_fit_options {
  uint32_t struct_size;    /* set by rapport_clv_fit_options_init */
  const double *initial;   /* starting parameters in the model's order (rapport_clv_model_param_name),
                              each finite and > 0; NULL with initial_count 0 (default): 1, 1, 1(, 1) */
  size_t initial_count;    /* 0 or the model's parameter count */
  double tolerance;        /* stop when an iteration improves the mean log-likelihood per customer
                              by less than this (finite, >= 0); default 1e-13 */
  int32_t max_evaluations; /* likelihood evaluations at most, >= 1; default 5000 */
  int32_t threads;         /* 0 (default): automatic; 1: the calling thread; results never depend on it */
} rapport_clv_fit_options;

RAPPORT_API void rapport_clv_fit_options_init(rapport_clv_fit_options *opts) RAPPORT_NOEXCEPT;

/* Fits a purchase model (RAPPORT_CLV_BG_NBD, RAPPORT_CLV_PARETO_NBD, RAPPORT_CLV_BG_BB) to `rows`
 * customers (x, t_x, T) and optional weights. For BG/BB, `age` is the number of opportunities n
 * and `recency` the opportunity of the last purchase (whole numbers). RAPPORT_CLV_GAMMA_GAMMA is
 * INVALID_ARGUMENT (it is fitted with rapport_clv_fit_spend). `opts` may be NULL. `*out` is owned by
 * the caller. */
RAPPORT_API rapport_code rapport_clv_fit(rapport_clv_kind kind, const double *frequency, const double *recency,
                                         const double *age, const double *weights, size_t rows,
                                         const rapport_clv_fit_options *opts, rapport_clv_model **out,
                                         rapport_error **err) RAPPORT_NOEXCEPT;
/* Fits a Gamma-Gamma spend model to (x, mean repeat spend) and optional weights; rows with x = 0
 * carry no spend information and are skipped (their monetary is not read); the others need
 * monetary finite and > 0. */
RAPPORT_API rapport_code rapport_clv_fit_spend(const double *frequency, const double *monetary,
                                               const double *weights, size_t rows,
                                               const rapport_clv_fit_options *opts, rapport_clv_model **out,
                                               rapport_error **err) RAPPORT_NOEXCEPT;
/* Fits any kind to a summary's columns: frequency, recency and age, or for Gamma-Gamma frequency
 * and monetary. */
RAPPORT_API rapport_code rapport_clv_fit_summary(rapport_clv_kind kind, const rapport_clv_summary *summary,
                                                 const rapport_clv_fit_options *opts, rapport_clv_model **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* A model of `kind` with known parameters (`count` of them in the model's order, each finite and
 * > 0): "params: expected 4 values, got 3", "alpha: must be finite and > 0, got -1". It has no fit
 * information (see rapport_clv_model_fitted). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_clv_model_create(rapport_clv_kind kind, const double *params, size_t count,
                                                  rapport_clv_model **out, rapport_error **err) RAPPORT_NOEXCEPT;

/* The kind; 0 for NULL. */
RAPPORT_API rapport_clv_kind rapport_clv_model_kind(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
/* Non-zero for a fitted model, 0 for one made from parameters (and NULL). */
RAPPORT_API int rapport_clv_model_fitted(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
/* The number of parameters (4, or 3 for Gamma-Gamma) and their names ("r", "alpha", ...; static
 * storage; NULL beyond the count). */
RAPPORT_API size_t rapport_clv_model_param_count(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_clv_model_param_name(const rapport_clv_model *model,
                                                     size_t index) RAPPORT_NOEXCEPT;
/* The parameters (CALLER-OWNED, param_count elements). */
RAPPORT_API rapport_code rapport_clv_model_params(const rapport_clv_model *model, double *out, size_t capacity,
                                                  size_t *out_count, rapport_error **err) RAPPORT_NOEXCEPT;
/* The covariance of the fitted parameters (the inverse of the negative Hessian of the
 * log-likelihood at the optimum), param_count x param_count, row-major; and the standard errors,
 * the square roots of its diagonal (CALLER-OWNED). A model made from parameters has none:
 * `*out_count` 0. */
RAPPORT_API rapport_code rapport_clv_model_covariance(const rapport_clv_model *model, double *out,
                                                      size_t capacity, size_t *out_count,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_clv_model_std_errors(const rapport_clv_model *model, double *out,
                                                      size_t capacity, size_t *out_count,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
/* Fit information: the total (weighted) log-likelihood at the optimum (NaN when not fitted or
 * NULL), likelihood evaluations, input rows, distinct rows after compression, customers (the sum of
 * the weights; for Gamma-Gamma the repeat customers) (0 when not fitted or NULL). */
RAPPORT_API double rapport_clv_model_log_likelihood(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
RAPPORT_API int32_t rapport_clv_model_evaluations(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_clv_model_rows(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_clv_model_distinct_rows(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
RAPPORT_API double rapport_clv_model_customers(const rapport_clv_model *model) RAPPORT_NOEXCEPT;
/* The model as JSON (the members `rapport clv fit --json` prints besides "cutoff", "unit" and
 * "spend"): {"model": "bg_nbd", "params":
 * {"r": 0.2426, ...}, "std_errors": {...}, "covariance": [[...]], "log_likelihood", "evaluations",
 * "rows", "distinct_rows", "customers"}; the fit members are null for a model made from parameters.
 * `*out` is owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_clv_model_to_json(const rapport_clv_model *model, char **out,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_clv_model_free(rapport_clv_model *model) RAPPORT_NOEXCEPT;

/* -- Predictions ---------------------------------------------------------------------------- */

/* E[X(t)]: expected repeat purchases of a new customer in (0, t], for each of `count` times (finite,
 * >= 0). BG/BB: E[X(n)] in the first n opportunities. Not for Gamma-Gamma. */
RAPPORT_API rapport_code rapport_clv_expected_purchases(const rapport_clv_model *model, const double *t,
                                                        size_t count, double *out, size_t capacity,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* E[Y(t) | x, t_x, T]: expected purchases of each customer in (T, T + t]. BG/BB: in the next t
 * opportunities (x, t_x, n as for rapport_clv_fit). Not for Gamma-Gamma. */
RAPPORT_API rapport_code rapport_clv_conditional_expected_purchases(const rapport_clv_model *model, double t,
                                                                    const double *frequency,
                                                                    const double *recency, const double *age,
                                                                    size_t rows, double *out, size_t capacity,
                                                                    rapport_error **err) RAPPORT_NOEXCEPT;
/* P(alive at T | x, t_x, T) of each customer. BG/BB: P(alive at opportunity n + 1). Not for
 * Gamma-Gamma. */
RAPPORT_API rapport_code rapport_clv_probability_alive(const rapport_clv_model *model, const double *frequency,
                                                       const double *recency, const double *age, size_t rows,
                                                       double *out, size_t capacity,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* P(X(t) = n): the probability that a new customer makes n repeat purchases in (0, t], for each of
 * `count` whole numbers n >= 0. BG/BB: in the first t opportunities. Not for Gamma-Gamma. */
RAPPORT_API rapport_code rapport_clv_purchase_count_probability(const rapport_clv_model *model, double t,
                                                                const double *n, size_t count, double *out,
                                                                size_t capacity,
                                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* Gamma-Gamma only: E[M | x, mean repeat spend] of each customer; x = 0 gets the population mean
 * p gamma / (q - 1) (its monetary is not read). NaN where the mean does not exist (p x + q <= 1). */
RAPPORT_API rapport_code rapport_clv_conditional_expected_spend(const rapport_clv_model *model,
                                                                const double *frequency, const double *monetary,
                                                                size_t rows, double *out, size_t capacity,
                                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* BG/NBD and Pareto/NBD: P(alive) of one customer over time. `purchase_times` are the repeat
 * purchases (ascending, > 0, in time units from the first purchase; NULL when purchase_count is 0);
 * at each of the `at_count` times u in `at` (>= 0) the customer's (x, t_x, T) is the purchases at or
 * before u, the last of them, and u. `out` gets at_count values. */
RAPPORT_API rapport_code rapport_clv_alive_history(const rapport_clv_model *model, const double *purchase_times,
                                                   size_t purchase_count, const double *at, size_t at_count,
                                                   double *out, size_t capacity,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;

/* Lifetime value: discounted expected purchases times expected spend (docs/clv.md). */
typedef struct rapport_clv_value_options {
  uint32_t struct_size;  /* set by rapport_clv_value_options_init */
  int32_t periods;       /* the horizon in periods, >= 1; default 12 */
  double period_length;  /* required: one period in model time units (> 0), e.g. 30.0 / 7 for
                            months of a model in weeks; default 0 ("period_length: must be finite
                            and > 0, got 0") */
  double discount_rate;  /* per period, >= 0; default 0.01 */
  double margin;         /* the share of spend that is profit; default 1 */
} rapport_clv_value_options;

RAPPORT_API void rapport_clv_value_options_init(rapport_clv_value_options *opts) RAPPORT_NOEXCEPT;

/* CLV = margin * E[M] * sum_{k=1..periods} (E[Y(k d)] - E[Y((k-1) d)]) / (1 + discount_rate)^k of each
 * customer, d = period_length: `purchases` a BG/NBD or Pareto/NBD model, `spend` a Gamma-Gamma
 * model, the customers' (x, t_x, T) and mean repeat spend (`monetary`; not read where x = 0, which
 * gets the population mean). `opts` is required (period_length). */
RAPPORT_API rapport_code rapport_clv_value(const rapport_clv_model *purchases, const rapport_clv_model *spend,
                                           const double *frequency, const double *recency, const double *age,
                                           const double *monetary, size_t rows,
                                           const rapport_clv_value_options *opts, double *out, size_t capacity,
                                           rapport_error **err) RAPPORT_NOEXCEPT;

/* -- Model checking (docs/clv.md, "Model checking") ----------------------------------------- */

/* Calibration against holdout (the figure of conditional expectations of Fader, Hardie & Lee 2005):
 * the customers of `summary`, which needs a holdout period (made with an observation_end), grouped by
 * their calibration repeat purchases x = 0, 1, ..., max_frequency - 1, the last group holding x >=
 * max_frequency (0 <= max_frequency <= 100000; the figure uses 7). For the group of x = g, element g
 * of `customers` gets its customers, of `actual` their mean purchases in the holdout period and of
 * `expected` the mean of E[Y(holdout) | x, t_x, T] under `model` (BG/NBD or Pareto/NBD, fitted in the
 * summary's time unit); NaN in `actual` and `expected` for an empty group. Each array is CALLER-OWNED
 * and needs max_frequency + 1 elements (`capacity`; OUT_OF_RANGE otherwise). Nothing is written on
 * failure. */
RAPPORT_API rapport_code rapport_clv_calibration_holdout(const rapport_clv_model *model,
                                                         const rapport_clv_summary *summary, int32_t max_frequency,
                                                         double *customers, double *actual, double *expected,
                                                         size_t capacity, rapport_error **err) RAPPORT_NOEXCEPT;

/* The frequency/recency matrix of a BG/NBD or Pareto/NBD model for customers of age T = `age`: row i
 * is x = i repeat purchases (i = 0..max_frequency), column j the last of them at t_x = recency[j]
 * (each in [0, age]; recency_count >= 1). `expected` gets E[Y(horizon) | x, t_x, T] and `p_alive`
 * P(alive | x, t_x, T), row-major: (max_frequency + 1) * recency_count elements each (`capacity`;
 * at most 10,000,000 cells). Cells of x = 0 and t_x > 0 describe nobody and hold NaN. Nothing is
 * written on failure. */
RAPPORT_API rapport_code rapport_clv_frequency_recency_matrix(const rapport_clv_model *model, double age,
                                                              int32_t max_frequency, const double *recency,
                                                              size_t recency_count, double horizon,
                                                              double *expected, double *p_alive, size_t capacity,
                                                              rapport_error **err) RAPPORT_NOEXCEPT;

/* ---------------------------------------------------------------------------------------------
 * Stored CLV models: fitted on the database's orders (or elsewhere), kept in the database with their
 * data cut-off, and applied later to score every customer
 *
 * A stored model is a BG/NBD or Pareto/NBD purchase model, optionally with a Gamma-Gamma spend model,
 * plus the summary conventions it was fitted with and its lifetime-value options. It crosses this
 * boundary as its JSON form (docs/clv.md, "Stored models"): {"id", "name", "model": "bg_nbd" |
 * "pareto_nbd", "params": {"r", "alpha", "a", "b"} (Pareto/NBD: "r", "alpha", "s", "beta"), "fit":
 * {"log_likelihood", "std_errors": {name: x}, "covariance": [[x]], "customers", "evaluations", "rows",
 * "distinct_rows"}, "spend": {"params": {"p", "q", "gamma"}, "fit": {...}} or null, "summary":
 * {"cutoff", "time_unit_us", "merge_period_us", "merge_offset_us", "order_statuses", "currency"},
 * "value": {"periods", "period_length", "discount_rate", "margin"}, "fitted_at", "applied_at"} (times
 * RFC 3339, unknown values null).
 *
 * Applying a model replaces every row of the stored scores in one transaction: each customer with a
 * purchase at or before `as_of` gets p_alive, expected_purchases_90d, clv (NaN without a spend model
 * or where undefined) and churn_risk = 1 - p_alive; segments read them as metrics. Errors are
 * "<member>: <problem>"; a failed call writes nothing. docs/c-api-clv-store.md shows these at work.
 * ------------------------------------------------------------------------------------------- */

typedef enum rapport_db_clv_model_kind {
  RAPPORT_DB_CLV_BG_NBD = 0,
  RAPPORT_DB_CLV_PARETO_NBD = 1
} rapport_db_clv_model_kind;

/* How rapport_db_clv_fit summarises the orders and fits. */
typedef struct rapport_db_clv_fit_options {
  uint32_t struct_size;   /* set by rapport_db_clv_fit_options_init */
  int32_t model;          /* a rapport_db_clv_model_kind; default RAPPORT_DB_CLV_BG_NBD */
  int64_t cutoff;         /* the calibration end (micros); default RAPPORT_AS_OF_NOW: the database clock */
  int64_t time_unit;      /* micros per model time unit, > 0; default one week */
  int64_t merge_period;   /* orders of a customer in one period are one purchase; default one day; 0: none */
  int64_t merge_offset;   /* shifts the merge periods (e.g. -8 h for days in UTC+8); default 0 */
  const char *currency;   /* NULL or "": the one currency the orders use (kept with the model) */
  const char *const *order_statuses; /* orders with these statuses count; with order_status_count */
  size_t order_status_count;         /* 0: "completed" only */
  int32_t spend;          /* non-zero (default): also fit Gamma-Gamma on the repeat customers */
  int32_t periods;        /* lifetime value horizon in periods, >= 1; default 12 */
  double period_length;   /* one period in model time units; 0 (default): 30 days */
  double discount_rate;   /* per period, >= 0; default 0.01 */
  double margin;          /* share of spend that is profit; default 1 */
  double tolerance;       /* stop when the mean log-likelihood improves less; default 1e-13 */
  int32_t max_evaluations; /* default 5000 */
  int32_t threads;        /* 0 (default): automatic */
} rapport_db_clv_fit_options;

RAPPORT_API void rapport_db_clv_fit_options_init(rapport_db_clv_fit_options *opts) RAPPORT_NOEXCEPT;

/* Fits a model to the summary of the database's orders at the cut-off and stores it as `name`
 * (`opts` may be NULL). ALREADY_EXISTS when the name is taken ("name: a CLV model named \"m\"
 * already exists"); FAILED_PRECONDITION when no customer bought by the cut-off, nobody repeated or a
 * fit does not converge; nothing is stored then. `out_json` may be NULL; otherwise `*out_json` is the
 * stored model's JSON, owned by the caller (rapport_string_free). */
RAPPORT_API rapport_code rapport_db_clv_fit(rapport_db *db, const char *name,
                                            const rapport_db_clv_fit_options *opts, char **out_json,
                                            rapport_error **err) RAPPORT_NOEXCEPT;
/* Stores a model fitted elsewhere from its JSON form ("name", "model", "params" and
 * "summary"."cutoff" required; "fit", "spend", "value" optional; "id" and "applied_at" ignored;
 * "fitted_at" defaults to now). Every member is validated ("params.alpha: must be finite and > 0,
 * got -1"). `out_json` (may be NULL) receives the stored model, owned by the caller. */
RAPPORT_API rapport_code rapport_db_clv_save_json(rapport_db *db, const char *spec_json, char **out_json,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;
/* The stored model `name` as JSON (NOT_FOUND "CLV model \"m\": not found"). `*out_json` is owned by
 * the caller. */
RAPPORT_API rapport_code rapport_db_clv_model_json(rapport_db *db, const char *name, char **out_json,
                                                   rapport_error **err) RAPPORT_NOEXCEPT;
/* Every stored model, by name, as a JSON array. `*out_json` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_clv_model_list_json(rapport_db *db, char **out_json,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* Deletes the model and the scores it gave (NOT_FOUND for an unknown name). */
RAPPORT_API rapport_code rapport_db_clv_model_delete(rapport_db *db, const char *name,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;
/* Scores every customer with a purchase at or before `as_of` (RAPPORT_AS_OF_NOW: the database clock)
 * with the model, replacing all stored scores; logs one change (entity "clv_scores", op "apply").
 * INVALID_ARGUMENT when as_of is before the model's cut-off. `out_scored` (may be NULL) receives
 * the number of customers scored. */
RAPPORT_API rapport_code rapport_db_clv_apply(rapport_db *db, const char *name, int64_t as_of,
                                              int64_t *out_scored, rapport_error **err) RAPPORT_NOEXCEPT;

/* A snapshot of the stored scores, by ascending customer id. Immutable; free with
 * rapport_db_clv_scores_free. */
typedef struct rapport_db_clv_scores rapport_db_clv_scores;

/* The four scores of each customer, for rapport_db_clv_scores_column. */
typedef enum rapport_db_clv_score {
  RAPPORT_DB_CLV_P_ALIVE = 0,
  RAPPORT_DB_CLV_EXPECTED_PURCHASES_90D = 1,
  RAPPORT_DB_CLV_CLV = 2,
  RAPPORT_DB_CLV_CHURN_RISK = 3
} rapport_db_clv_score;

/* Reads the stored scores. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_clv_scores_load(rapport_db *db, rapport_db_clv_scores **out,
                                                    rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API size_t rapport_db_clv_scores_rows(const rapport_db_clv_scores *scores) RAPPORT_NOEXCEPT;
/* The model that gave them: its name (BORROWED, "" when there are no scores) and id (0 then). */
RAPPORT_API const char *rapport_db_clv_scores_model(const rapport_db_clv_scores *scores) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_db_clv_scores_model_id(const rapport_db_clv_scores *scores) RAPPORT_NOEXCEPT;
/* The as_of of the apply; RAPPORT_NULL_TIME when there are no scores. */
RAPPORT_API int64_t rapport_db_clv_scores_as_of(const rapport_db_clv_scores *scores) RAPPORT_NOEXCEPT;
/* The customer ids (CALLER-OWNED array, as for analytics columns). */
RAPPORT_API rapport_code rapport_db_clv_scores_customers(const rapport_db_clv_scores *scores, int64_t *out,
                                                         size_t capacity, size_t *out_count,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;
/* One score column (a rapport_db_clv_score; NaN where missing), CALLER-OWNED. */
RAPPORT_API rapport_code rapport_db_clv_scores_column(const rapport_db_clv_scores *scores, int32_t which,
                                                      double *out, size_t capacity, size_t *out_count,
                                                      rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_db_clv_scores_free(rapport_db_clv_scores *scores) RAPPORT_NOEXCEPT;

/* ------------------------------------------------------------------------------------------------
 * Lifecycle models and stages (docs/lifecycle.md, docs/c-api-lifecycle.md).
 * Models cross as their JSON form. Every `char **out_json` result is OWNED by the caller
 * (rapport_string_free). Times are int64 microseconds UTC.
 * ---------------------------------------------------------------------------------------------- */

typedef enum rapport_stage_move_source {
  RAPPORT_STAGE_MOVE_AUTO = 0, /* made by evaluation; callers cannot ask for it */
  RAPPORT_STAGE_MOVE_MANUAL = 1,
  RAPPORT_STAGE_MOVE_RULE = 2,
  RAPPORT_STAGE_MOVE_SOURCE_INT_MAX_ = 0x7FFFFFFF
} rapport_stage_move_source;

typedef enum rapport_distribution_step {
  RAPPORT_DISTRIBUTION_DAY = 0,
  RAPPORT_DISTRIBUTION_WEEK = 1,
  RAPPORT_DISTRIBUTION_MONTH = 2,
  RAPPORT_DISTRIBUTION_STEP_INT_MAX_ = 0x7FFFFFFF
} rapport_distribution_step;

typedef struct rapport_stage_move_request {
  uint32_t struct_size; /* set by rapport_stage_move_request_init */
  int32_t source;       /* a rapport_stage_move_source; default RAPPORT_STAGE_MOVE_MANUAL */
  const char *reason;   /* required for manual moves */
  const char *rule;     /* the rule's name, required for rule moves */
} rapport_stage_move_request;

RAPPORT_API void rapport_stage_move_request_init(rapport_stage_move_request *req) RAPPORT_NOEXCEPT;

/* The model that ships (prospect, new, active, won_back, at_risk, dormant, churned) as JSON. */
RAPPORT_API rapport_code rapport_lifecycle_model_default_json(char **out_json, rapport_error **err) RAPPORT_NOEXCEPT;
/* Creates or replaces a model from its JSON form. Errors name the member ("stages[2].condition:
 * unknown field \"foo\"") and nothing is stored. `out_json` (may be NULL) receives the stored model. */
RAPPORT_API rapport_code rapport_db_lifecycle_model_save(rapport_db *db, const char *json, char **out_json,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;
/* The model `name` as JSON (NOT_FOUND "lifecycle model \"m\": not found"). */
RAPPORT_API rapport_code rapport_db_lifecycle_model_get(rapport_db *db, const char *name, char **out_json,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* Every model, highest precedence first, as a JSON array. */
RAPPORT_API rapport_code rapport_db_lifecycle_model_list(rapport_db *db, char **out_json,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;
/* Deletes a model; its customers keep their stage text and history. */
RAPPORT_API rapport_code rapport_db_lifecycle_model_drop(rapport_db *db, const char *name,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;
/* Moves a customer to a stage of its governing model (req NULL: a manual move without a reason,
 * which is refused). `out_json` (may be NULL) receives the move: {"customer_id", "model", "from"
 * (null for none), "to", "at", "source", "reason", "rule"}. */
RAPPORT_API rapport_code rapport_db_customer_stage_move(rapport_db *db, int64_t customer_id, const char *stage,
                                                        const rapport_stage_move_request *req, char **out_json,
                                                        rapport_error **err) RAPPORT_NOEXCEPT;
/* Evaluates every governed customer as of `as_of` (RAPPORT_AS_OF_NOW: the clock). `out_json` (may be
 * NULL): {"as_of", "evaluated", "moves": [move...], "stages": [{"model", "stage", "customers"}...]}. */
RAPPORT_API rapport_code rapport_db_lifecycle_evaluate(rapport_db *db, int64_t as_of, char **out_json,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* A customer's moves, oldest first: a JSON array of moves with "time_in_stage" (microseconds) and
 * "current". */
RAPPORT_API rapport_code rapport_db_customer_stage_history(rapport_db *db, int64_t customer_id, char **out_json,
                                                           rapport_error **err) RAPPORT_NOEXCEPT;
/* The stage of every customer at `at`, as columns: {"customer_id": [...], "model": [...],
 * "stage": [...], "since": [...]} (ascending ids). */
RAPPORT_API rapport_code rapport_db_stages_as_of(rapport_db *db, int64_t at, char **out_json,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* Customers per stage per period in [from, to): {"periods": [starts...], "stages": [...],
 * "counts": [[per period] per stage]}. `step` a rapport_distribution_step; `zone` an IANA name
 * (NULL or "": UTC). */
RAPPORT_API rapport_code rapport_db_stage_distribution(rapport_db *db, int64_t from, int64_t to, int32_t step,
                                                       const char *zone, char **out_json,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* ---- Business calendars (docs/calendars.md, docs/c-api-calendars.md) ----
 * Working time in a time zone: weekly hours (several ranges a day), holidays and extra working days
 * (e.g. China's adjusted working weekends), defined by a JSON document:
 *   {"time_zone": "Asia/Shanghai",
 *    "hours": {"mon": [["09:00", "12:00"], ["13:00", "18:00"]], ...},
 *    "holidays": ["2026-10-01", ["2026-10-02", "2026-10-07"]],
 *    "working_days": ["2026-09-20", {"date": "2026-10-10", "as": "fri"}]}
 * Instants are int64 microseconds UTC; durations int64 microseconds. Hours are local wall-clock
 * time: a working day that holds a DST change inside its hours is an hour shorter or longer. */

/* A checked calendar. Immutable: may be shared across threads; free with rapport_calendar_free. */
typedef struct rapport_calendar rapport_calendar;

/* Builds a calendar from its JSON form. INVALID_ARGUMENT naming the member at fault, e.g.
 * "time_zone: unknown time zone \"Mars/Base\"", "hours.mon[1]: 09:00-13:30 overlaps hours.mon[0]
 * (13:00-18:00)", "hours: a calendar needs working time in at least one weekday". `*out` is owned by
 * the caller. */
RAPPORT_API rapport_code rapport_calendar_from_json(const char *json, rapport_calendar **out,
                                                    rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_calendar_free(rapport_calendar *cal) RAPPORT_NOEXCEPT;
/* The canonical JSON form (ranges and holidays sorted; every member present). BORROWED: valid until
 * the calendar is freed; NULL for a NULL calendar. */
RAPPORT_API const char *rapport_calendar_to_json(const rapport_calendar *cal) RAPPORT_NOEXCEPT;
/* `*out` = the earliest instant by which `duration` of working time has passed since `start`:
 * `start` itself for 0, the end of a working range (Friday 17:00, not Monday 09:00) when the
 * duration runs out there. INVALID_ARGUMENT for a negative duration or one over 100 years, a start
 * outside the years 1-9999, or a result after 9999-12-31. */
RAPPORT_API rapport_code rapport_calendar_add(const rapport_calendar *cal, int64_t start, int64_t duration,
                                              int64_t *out, rapport_error **err) RAPPORT_NOEXCEPT;
/* `*out` = working time in [a, b) in microseconds; negative when b is before a. */
RAPPORT_API rapport_code rapport_calendar_between(const rapport_calendar *cal, int64_t a, int64_t b,
                                                  int64_t *out, rapport_error **err) RAPPORT_NOEXCEPT;
/* `*out` = `t` when it is working time, else the start of the next working range. */
RAPPORT_API rapport_code rapport_calendar_next_working(const rapport_calendar *cal, int64_t t, int64_t *out,
                                                       rapport_error **err) RAPPORT_NOEXCEPT;
/* `*out` = 1 when `t` is working time, else 0. */
RAPPORT_API rapport_code rapport_calendar_is_working(const rapport_calendar *cal, int64_t t, int *out,
                                                     rapport_error **err) RAPPORT_NOEXCEPT;

/* Stores `cal` as `name` (1-100 characters), replacing the definition of a calendar of that name;
 * logged in the change feed (entity "calendar", op "create" or "update"). */
RAPPORT_API rapport_code rapport_db_calendar_save(rapport_db *db, const char *name, const rapport_calendar *cal,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;
/* The calendar stored as `name` (NOT_FOUND when absent). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_calendar_get(rapport_db *db, const char *name, rapport_calendar **out,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
/* Every stored calendar, by name, as a JSON array of {"name", "calendar": <its JSON form>,
 * "created_at", "updated_at"} (times RFC 3339 text). `*out_json` is owned by the caller
 * (rapport_string_free). */
RAPPORT_API rapport_code rapport_db_calendar_list(rapport_db *db, char **out_json,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;
/* Deletes the calendar stored as `name` (NOT_FOUND when absent; op "delete" in the change feed). */
RAPPORT_API rapport_code rapport_db_calendar_drop(rapport_db *db, const char *name,
                                                  rapport_error **err) RAPPORT_NOEXCEPT;

/* ---- Automation rules, ticks and the outbox (docs/rules.md, docs/c-api-rules.md) ----
 * Rules cross the boundary as JSON (the form docs/rules.md describes). Every `char **out_json` is
 * OWNED by the caller (rapport_string_free). Times are int64_t microseconds UTC. */

/* Creates the rule, or replaces the one of that name. Invalid definitions are INVALID_ARGUMENT with a
 * message naming the member ("trigger.day: 0 is not a day of the month (1 to 31)", "condition: ...");
 * nothing is stored then. `out_json` may be NULL; otherwise it receives the stored rule. */
RAPPORT_API rapport_code rapport_db_rule_save(rapport_db *db, const char *rule_json, char **out_json,
                                              rapport_error **err) RAPPORT_NOEXCEPT;
/* The rule `name` as JSON (with "id", "created_at", "updated_at"); NOT_FOUND for an unknown name. */
RAPPORT_API rapport_code rapport_db_rule_get(rapport_db *db, const char *name, char **out_json,
                                             rapport_error **err) RAPPORT_NOEXCEPT;
/* Every rule, by name, as a JSON array. */
RAPPORT_API rapport_code rapport_db_rule_list(rapport_db *db, char **out_json, rapport_error **err) RAPPORT_NOEXCEPT;
/* Deletes the rule and its ledger; NOT_FOUND for an unknown name. */
RAPPORT_API rapport_code rapport_db_rule_drop(rapport_db *db, const char *name, rapport_error **err) RAPPORT_NOEXCEPT;
/* Enables (non-zero) or disables the rule. A re-enabled rule starts from now. */
RAPPORT_API rapport_code rapport_db_rule_enable(rapport_db *db, const char *name, int enabled,
                                                rapport_error **err) RAPPORT_NOEXCEPT;

/* One deterministic pass of the automation engine as of `now`. The report is a JSON object: run_id,
 * now, events, fired, failed, skipped, notifications, tasks_created, reminders, rules (per rule
 * counts), outcomes (at most 1000) and outcomes_truncated. `now` before the last tick's now is
 * INVALID_ARGUMENT and nothing is done. `out_report_json` may be NULL. */
RAPPORT_API rapport_code rapport_db_tick(rapport_db *db, int64_t now, char **out_report_json,
                                         rapport_error **err) RAPPORT_NOEXCEPT;

/* The tenant's time zone (IANA name, "UTC" until set): schedules and annual triggers use it. */
RAPPORT_API rapport_code rapport_db_time_zone_set(rapport_db *db, const char *zone, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_time_zone_get(rapport_db *db, char **out_zone, rapport_error **err) RAPPORT_NOEXCEPT;

typedef enum rapport_rule_outcome_status {
  RAPPORT_RULE_OUTCOME_ANY = -1, /* a query filter: every status */
  RAPPORT_RULE_OUTCOME_FIRED = 0,
  RAPPORT_RULE_OUTCOME_RETRYING = 1,
  RAPPORT_RULE_OUTCOME_FAILED = 2, /* given up after the rule's max attempts */
  RAPPORT_RULE_OUTCOME_SKIPPED = 3, /* held back by the rule's limit */
  RAPPORT_RULE_OUTCOME_INT_MAX_ = 0x7FFFFFFF
} rapport_rule_outcome_status;

typedef struct rapport_rule_outcome_query {
  uint32_t struct_size; /* set by rapport_rule_outcome_query_init */
  const char *rule;     /* NULL or "": every rule */
  int64_t customer;     /* 0: every customer */
  int32_t status;       /* a rapport_rule_outcome_status; default RAPPORT_RULE_OUTCOME_ANY */
  int64_t since;        /* outcomes whose last attempt is at or after this; default RAPPORT_NULL_TIME (any) */
  int64_t after_id;     /* paging: outcomes with ids greater than this; default 0 */
  int32_t limit;        /* default 1000 */
} rapport_rule_outcome_query;

RAPPORT_API void rapport_rule_outcome_query_init(rapport_rule_outcome_query *query) RAPPORT_NOEXCEPT;
/* The ledger: what fired, for whom, why, as a JSON array of {id, rule, customer, occurrence, trigger,
 * status, attempts, error, first_at, last_at, next_retry_at}. `query` may be NULL (defaults). */
RAPPORT_API rapport_code rapport_db_rule_outcomes(rapport_db *db, const rapport_rule_outcome_query *query,
                                                  char **out_json, rapport_error **err) RAPPORT_NOEXCEPT;
/* The last `limit` ticks, newest first, as a JSON array. */
RAPPORT_API rapport_code rapport_db_rule_runs(rapport_db *db, int32_t limit, char **out_json,
                                              rapport_error **err) RAPPORT_NOEXCEPT;

typedef enum rapport_outbox_status {
  RAPPORT_OUTBOX_ANY = -1, /* a query filter: every status */
  RAPPORT_OUTBOX_PENDING = 0,
  RAPPORT_OUTBOX_CLAIMED = 1,
  RAPPORT_OUTBOX_DELIVERED = 2,
  RAPPORT_OUTBOX_FAILED = 3,
  RAPPORT_OUTBOX_INT_MAX_ = 0x7FFFFFFF
} rapport_outbox_status;

/* Outbox messages with ids greater than `after_id` (status a rapport_outbox_status filter), at most
 * `limit`, as a JSON array of {id, channel, recipient_kind, recipient, customer, subject, body, source,
 * occurrence, created_at, status, attempts, error, claimed_at, delivered_at}. */
RAPPORT_API rapport_code rapport_db_outbox_list(rapport_db *db, int32_t status, int64_t after_id, int32_t limit,
                                                char **out_json, rapport_error **err) RAPPORT_NOEXCEPT;
/* The drain protocol: claim takes up to `limit` pending messages (oldest first) and marks them claimed,
 * so no later claim returns them; deliver them, then ack the delivered ids, or fail one (`retry`
 * non-zero puts it back to pending, zero marks it failed for good). Ack and fail of a message that is
 * not claimed are FAILED_PRECONDITION (nothing changes); unknown ids NOT_FOUND. */
RAPPORT_API rapport_code rapport_db_outbox_claim(rapport_db *db, int32_t limit, char **out_json,
                                                 rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_outbox_ack(rapport_db *db, const int64_t *ids, size_t count,
                                               rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_outbox_fail(rapport_db *db, int64_t id, const char *error, int retry,
                                                rapport_error **err) RAPPORT_NOEXCEPT;
/* ---------------------------------------------------------------------------------------------
 * Tasks and reminders (docs/tasks.md, docs/c-api-tasks.md)
 *
 * A task is work someone has to do: a title, optionally a customer, a reference to a lead, deal or
 * ticket, an owner (user id) or team, a due time and a reminder time. Tasks are open, then done or
 * cancelled (one way). Every write logs a change (entity "task"; ops "create", "update",
 * "complete", "cancel", "remind"); a failed call changes nothing.
 * - Ids and user ids are positive; 0 means "none" in drafts, patches and accessors.
 * - Times are int64_t microseconds UTC; RAPPORT_NULL_TIME means "none" (no due time, no reminder)
 *   in drafts, patches and accessors.
 * - rapport_task handles are immutable snapshots, freed with rapport_task_free. A rapport_task_list
 *   owns its tasks: rapport_task_list_at BORROWS one, valid until the list is freed.
 * ------------------------------------------------------------------------------------------- */

/* Values are stable. The _INT_MAX_ members are not values: they make every int a value of the type,
 * so a wrong value from a caller is an INVALID_ARGUMENT error, not undefined behaviour. */
typedef enum rapport_task_priority {
  RAPPORT_TASK_PRIORITY_LOW = 0,
  RAPPORT_TASK_PRIORITY_NORMAL = 1,
  RAPPORT_TASK_PRIORITY_HIGH = 2,
  RAPPORT_TASK_PRIORITY_URGENT = 3,
  RAPPORT_TASK_PRIORITY_INT_MAX_ = 0x7FFFFFFF
} rapport_task_priority;

typedef enum rapport_task_status {
  RAPPORT_TASK_OPEN = 0,
  RAPPORT_TASK_DONE = 1,
  RAPPORT_TASK_CANCELLED = 2,
  RAPPORT_TASK_STATUS_INT_MAX_ = 0x7FFFFFFF
} rapport_task_status;

/* What a task refers to besides its customer (leads, deals and tickets are later entities: the
 * reference is stored, not checked for existence). */
typedef enum rapport_task_ref_kind {
  RAPPORT_TASK_REF_NONE = 0,
  RAPPORT_TASK_REF_LEAD = 1,
  RAPPORT_TASK_REF_DEAL = 2,
  RAPPORT_TASK_REF_TICKET = 3,
  RAPPORT_TASK_REF_KIND_INT_MAX_ = 0x7FFFFFFF
} rapport_task_ref_kind;

typedef struct rapport_task rapport_task;
typedef struct rapport_task_list rapport_task_list;

typedef struct rapport_task_draft {
  uint32_t struct_size;           /* set by rapport_task_draft_init */
  const char *title;              /* required: non-empty, at most 500 characters */
  int64_t customer;               /* 0: none; otherwise a live customer (NOT_FOUND "customer: ...") */
  rapport_task_ref_kind ref_kind; /* default RAPPORT_TASK_REF_NONE */
  int64_t ref_id;                 /* positive when ref_kind is set */
  int64_t owner;                  /* a user id; 0: none */
  const char *team;               /* a team key; NULL or "": none */
  int64_t due;                    /* RAPPORT_NULL_TIME (default): none */
  int64_t remind_at;              /* RAPPORT_NULL_TIME (default): no reminder */
  rapport_task_priority priority; /* default RAPPORT_TASK_PRIORITY_NORMAL */
  const char *notes;              /* NULL: "" */
  const char *created_by_rule;    /* the rule that made it; NULL or "": made by hand */
} rapport_task_draft;

RAPPORT_API void rapport_task_draft_init(rapport_task_draft *draft) RAPPORT_NOEXCEPT;

/* The members a patch changes: `set` is an OR of these; members not named are ignored. To clear a
 * member, name it and give "none" (0, NULL / "", RAPPORT_NULL_TIME, RAPPORT_TASK_REF_NONE). */
#define RAPPORT_TASK_SET_TITLE 0x001u
#define RAPPORT_TASK_SET_CUSTOMER 0x002u
#define RAPPORT_TASK_SET_REF 0x004u /* ref_kind and ref_id */
#define RAPPORT_TASK_SET_OWNER 0x008u
#define RAPPORT_TASK_SET_TEAM 0x010u
#define RAPPORT_TASK_SET_DUE 0x020u
#define RAPPORT_TASK_SET_REMIND_AT 0x040u
#define RAPPORT_TASK_SET_PRIORITY 0x080u
#define RAPPORT_TASK_SET_NOTES 0x100u

typedef struct rapport_task_patch {
  uint32_t struct_size; /* set by rapport_task_patch_init */
  uint32_t set;         /* RAPPORT_TASK_SET_* bits; default 0 (nothing) */
  const char *title;
  int64_t customer;
  rapport_task_ref_kind ref_kind;
  int64_t ref_id;
  int64_t owner;
  const char *team;
  int64_t due;
  /* A different reminder time re-arms the reminder (it fires again); the stored time changes nothing. */
  int64_t remind_at;
  rapport_task_priority priority;
  const char *notes;
  /* Non-zero: when the due time moves and remind_at is not set, a reminder that has not fired moves
   * by the same amount. Default 0: the reminder stays. */
  int move_reminder_with_due;
  int64_t expected_version; /* >= 0: ABORTED unless the task has this version; default -1 (any) */
} rapport_task_patch;

RAPPORT_API void rapport_task_patch_init(rapport_task_patch *patch) RAPPORT_NOEXCEPT;

/* Creates a task. `out` may be NULL; otherwise `*out` is the stored task, owned by the caller.
 * Errors: INVALID_ARGUMENT "<member>: <problem>" (e.g. "title: must not be empty"), NOT_FOUND
 * "customer: customer 42 not found". */
RAPPORT_API rapport_code rapport_db_task_create(rapport_db *db, const rapport_task_draft *draft,
                                                rapport_task **out, rapport_error **err) RAPPORT_NOEXCEPT;
/* Task `id` (NOT_FOUND "task 42 not found"). `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_task_get(rapport_db *db, int64_t id, rapport_task **out,
                                             rapport_error **err) RAPPORT_NOEXCEPT;
/* Changes an open task (FAILED_PRECONDITION for done or cancelled ones). A patch that changes
 * nothing writes nothing. `out` may be NULL. */
RAPPORT_API rapport_code rapport_db_task_update(rapport_db *db, int64_t id, const rapport_task_patch *patch,
                                                rapport_task **out, rapport_error **err) RAPPORT_NOEXCEPT;
/* Moves an open task to done / cancelled (FAILED_PRECONDITION otherwise). `expected_version` >= 0:
 * ABORTED unless the task has that version; -1: any. `out` may be NULL. */
RAPPORT_API rapport_code rapport_db_task_complete(rapport_db *db, int64_t id, int64_t expected_version,
                                                  rapport_task **out, rapport_error **err) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_code rapport_db_task_cancel(rapport_db *db, int64_t id, int64_t expected_version,
                                                rapport_task **out, rapport_error **err) RAPPORT_NOEXCEPT;

/* A filter over all tasks; results by due time (none last), then id. */
typedef struct rapport_task_query {
  uint32_t struct_size; /* set by rapport_task_query_init */
  int64_t owner;        /* 0: any */
  const char *team;     /* NULL: any */
  int64_t customer;     /* 0: any */
  uint32_t statuses;    /* OR of (1u << rapport_task_status); 0 (default): every status */
  int64_t due_after;    /* due >= due_after; RAPPORT_NULL_TIME (default): no bound */
  int64_t due_before;   /* due < due_before; RAPPORT_NULL_TIME (default): no bound */
  int32_t limit;        /* 1 ..= 100000; default 1000 */
} rapport_task_query;

RAPPORT_API void rapport_task_query_init(rapport_task_query *query) RAPPORT_NOEXCEPT;
/* `query` NULL: the defaults. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_tasks(rapport_db *db, const rapport_task_query *query,
                                          rapport_task_list **out, rapport_error **err) RAPPORT_NOEXCEPT;

/* The lists people work from: open tasks of an owner and/or team (neither: everyone's), by due time. */
typedef enum rapport_task_list_kind {
  /* due on the local day of as_of in time_zone (also those earlier that day, which are overdue),
   * or, with window > 0, due in [as_of, as_of + window) */
  RAPPORT_TASK_LIST_DUE = 0,
  RAPPORT_TASK_LIST_OVERDUE = 1,  /* due before as_of */
  /* due from as_of to the end of the local day `days` days after the day of as_of */
  RAPPORT_TASK_LIST_UPCOMING = 2,
  RAPPORT_TASK_LIST_KIND_INT_MAX_ = 0x7FFFFFFF
} rapport_task_list_kind;

typedef struct rapport_task_list_options {
  uint32_t struct_size;        /* set by rapport_task_list_options_init */
  rapport_task_list_kind kind; /* default RAPPORT_TASK_LIST_DUE */
  int64_t owner;               /* 0: any */
  const char *team;            /* NULL: any */
  int64_t as_of;               /* RAPPORT_AS_OF_NOW (default): the database clock */
  const char *time_zone;       /* an IANA name ("Asia/Shanghai"); NULL: "UTC" */
  int64_t window;              /* microseconds, due list only; 0 (default): the local day */
  int32_t days;                /* upcoming list: 0 ..= 3660; default 7 */
  int32_t limit;               /* 1 ..= 100000; default 1000 */
} rapport_task_list_options;

RAPPORT_API void rapport_task_list_options_init(rapport_task_list_options *opts) RAPPORT_NOEXCEPT;
/* `opts` NULL: the defaults (today's due list of everyone). An unknown time zone is
 * INVALID_ARGUMENT "time_zone: unknown time zone \"...\"". `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_task_list(rapport_db *db, const rapport_task_list_options *opts,
                                              rapport_task_list **out, rapport_error **err) RAPPORT_NOEXCEPT;

/* For hosts that deliver reminders themselves (a host running automation rules lets its tick claim
 * them into the outbox instead): marks every open task whose reminder is due at `now`
 * (RAPPORT_AS_OF_NOW: the database clock) and has not fired as reminded, and returns them ordered
 * by (remind_at, id). Each reminder is claimed once. `*out` is owned by the caller. */
RAPPORT_API rapport_code rapport_db_task_claim_reminders(rapport_db *db, int64_t now, rapport_task_list **out,
                                                         rapport_error **err) RAPPORT_NOEXCEPT;

RAPPORT_API size_t rapport_task_list_count(const rapport_task_list *list) RAPPORT_NOEXCEPT;
/* BORROWED, valid until the list is freed; NULL when index >= count. */
RAPPORT_API const rapport_task *rapport_task_list_at(const rapport_task_list *list, size_t index) RAPPORT_NOEXCEPT;
/* The list as a JSON array of rapport_task_to_json objects. BORROWED, valid until the list is freed. */
RAPPORT_API const char *rapport_task_list_to_json(const rapport_task_list *list) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_task_list_free(rapport_task_list *list) RAPPORT_NOEXCEPT;

/* Accessors (NULL task: 0, NULL or RAPPORT_NULL_TIME). Strings are BORROWED, valid until the task
 * (or the list that owns it) is freed; absent text is "". Absent ids are 0, absent times
 * RAPPORT_NULL_TIME. */
RAPPORT_API int64_t rapport_task_id(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_task_title(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_customer(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_task_ref_kind rapport_task_ref_kind_of(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_ref_id(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_owner(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_task_team(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_due(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_remind_at(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_task_priority rapport_task_priority_of(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_task_notes(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API const char *rapport_task_created_by_rule(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API rapport_task_status rapport_task_status_of(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_created_at(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_updated_at(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_completed_at(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_cancelled_at(const rapport_task *task) RAPPORT_NOEXCEPT;
/* When the reminder was claimed; RAPPORT_NULL_TIME while it has not fired (or was re-armed). */
RAPPORT_API int64_t rapport_task_reminded_at(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API int64_t rapport_task_version(const rapport_task *task) RAPPORT_NOEXCEPT;
/* The task as a JSON object {"id", "title", "customer", "ref": {"kind", "id"} | null, "owner",
 * "team", "due", "remind_at", "priority": "low"|"normal"|"high"|"urgent", "notes",
 * "created_by_rule", "status": "open"|"done"|"cancelled", "created_at", "updated_at",
 * "completed_at", "cancelled_at", "reminded_at", "version"} (times RFC 3339 text or null; absent
 * ids, team and rule null). BORROWED, valid until the task is freed. */
RAPPORT_API const char *rapport_task_to_json(const rapport_task *task) RAPPORT_NOEXCEPT;
RAPPORT_API void rapport_task_free(rapport_task *task) RAPPORT_NOEXCEPT;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* RAPPORT_H_ */
