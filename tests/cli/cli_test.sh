#!/usr/bin/env bash
# Tests of the `rapport` command-line tool, run by CTest: cli_test.sh RAPPORT_BINARY CASE
# Each case works in its own temporary directory and exits non-zero on the first failed check.
set -euo pipefail

RAPPORT=$1
CASE=$2
CLI_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rapport-cli-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() { echo "FAIL [$CASE]: $*" >&2; exit 1; }

# run EXPECTED_EXIT ARGS...: runs rapport, keeping stdout in $OUT and stderr in $ERR, and checks the exit code.
run() {
  local expected=$1 code=0
  shift
  "$RAPPORT" "$@" >out.txt 2>err.txt || code=$?
  OUT=$(cat out.txt)
  ERR=$(cat err.txt)
  if [[ $code != "$expected" ]]; then
    echo "--- stdout:" >&2; cat out.txt >&2; echo "--- stderr:" >&2; cat err.txt >&2
    fail "rapport $* exited with $code, expected $expected"
  fi
}

contains() {  # contains TEXT NEEDLE WHAT
  [[ $1 == *"$2"* ]] || fail "$3: expected to contain '$2', got: $1"
}
lacks() {
  [[ $1 != *"$2"* ]] || fail "$3: expected not to contain '$2', got: $1"
}
lines() { if [[ -z $1 ]]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

COMMANDS=(init import get search changes segment rfm cohorts funnel stage-funnel clv tick rules outbox tasks calendars demo)

case_help() {
  run 0 --help
  contains "$OUT" "Usage: rapport COMMAND" "rapport --help"
  local main_help=$OUT
  for c in "${COMMANDS[@]}"; do
    [[ $main_help =~ (^|$'\n')"  $c " ]] || fail "rapport --help does not list $c"
    run 0 "$c" --help
    contains "$OUT" "Usage: rapport $c" "rapport $c --help"
    [[ -z $ERR ]] || fail "rapport $c --help wrote to stderr: $ERR"
    run 0 "$c" -h
    contains "$OUT" "Usage: rapport $c" "rapport $c -h"
    run 0 help "$c"
    contains "$OUT" "Usage: rapport $c" "rapport help $c"
  done
  run 0 --version
  contains "$OUT" "rapport " "--version"
  # Help wins over missing arguments and touches nothing.
  run 0 demo never.db --help
  [[ ! -e never.db ]] || fail "demo --help created a database"
}

case_usage() {
  run 2
  contains "$ERR" "Usage: rapport" "no arguments"
  run 2 frobnicate
  contains "$ERR" "rapport: unknown command 'frobnicate'" "unknown command"
  run 2 init
  contains "$ERR" "rapport: missing arguments" "init without DB"
  run 2 init a.db b.db
  contains "$ERR" "rapport: unexpected argument 'b.db'" "init with two DBs"
  run 2 search x.db --bogus
  contains "$ERR" "rapport: unknown option '--bogus'" "unknown option"
  run 2 search x.db --limit
  contains "$ERR" "needs a value" "option without value"
  run 2 search x.db --limit abc
  contains "$ERR" "rapport: option '--limit'" "bad integer"
  run 2 search x.db --json --csv
  run 2 get x.db
  run 2 get x.db notanid
  run 2 get x.db 1 --external erp:1
  run 2 get x.db --external nocolon
  run 2 import x.db f.csv
  contains "$ERR" "--map" "import without --map"
  run 2 import x.db f.csv --map noequals
  run 2 changes x.db --ack
  run 2 changes x.db --consumer c --after 3
  run 2 demo x.db --customers -5
  for f in *.db; do [[ ! -e $f ]] || fail "a usage error created $f"; done
  # Every usage error names the command's help.
  run 2 changes x.db --limit 0
  contains "$ERR" "Try 'rapport changes --help'" "usage hint"
}

case_missing() {
  run 1 get missing.db 1
  contains "$ERR" "rapport: no database at" "get on a missing file"
  run 1 search missing.db
  run 1 changes missing.db
  run 1 segment missing.db 'region = "华东"'
  contains "$ERR" "rapport: no database at" "segment on a missing file"
  run 1 segment list missing.db
  run 1 segment refresh missing.db
  run 1 rfm missing.db
  contains "$ERR" "rapport: no database at" "rfm on a missing file"
  run 1 cohorts missing.db
  run 1 funnel missing.db --steps order,order --window 30d
  run 1 clv fit missing.db
  contains "$ERR" "rapport: no database at" "clv on a missing file"
  [[ ! -e missing.db ]] || fail "a read command created the database"
}

case_foreign() {
  printf 'name,email\nnot,a database\n' > foreign.db
  head -c 4096 /dev/urandom > random.db
  local files=(foreign.db random.db)
  if command -v sqlite3 >/dev/null; then
    sqlite3 other.db 'CREATE TABLE t (x); INSERT INTO t VALUES (1);'
    files+=(other.db)
  fi
  sha256sum "${files[@]}" > before.sum
  for f in "${files[@]}"; do
    run 1 init "$f"
    contains "$ERR" "rapport: $f: not a Rapport database" "init on $f"
    run 1 demo "$f" --customers 5
    contains "$ERR" "not a Rapport database" "demo on $f"
    run 1 search "$f"
    run 1 get "$f" 1
    run 1 changes "$f"
    printf 'n\nx\n' > rows.csv
    run 1 import "$f" rows.csv --map n=name
    for suffix in -wal -shm -journal; do [[ ! -e $f$suffix ]] || fail "opening $f left $f$suffix"; done
  done
  sha256sum --check --quiet before.sum || fail "a foreign file was changed"
}

case_roundtrip() {
  run 0 init crm.db
  contains "$OUT" "created crm.db" "init"
  run 0 init crm.db
  contains "$OUT" "already a Rapport database" "init twice"
  run 0 demo crm.db --customers 300 --seed 3
  contains "$OUT" "customers             300" "demo counts"
  contains "$OUT" "Last change seq:" "demo summary"
  contains "$OUT" "--name 科技" "demo sample search"
  local last
  last=$(sed -n 's/^Last change seq: //p' out.txt)
  [[ $last -gt 300 ]] || fail "last change seq $last"
  # The demo refuses a database that holds data.
  run 1 demo crm.db --customers 10
  contains "$ERR" "already holds data" "demo twice"

  # get: pretty JSON and timeline; --json; by external id; a missing customer.
  run 0 get crm.db 1
  contains "$OUT" '"id": 1,' "get 1"
  contains "$OUT" "Timeline (latest 20):" "get timeline"
  run 0 get crm.db 1 --json
  [[ $(lines "$OUT") == 1 ]] || fail "get --json is not one line"
  contains "$OUT" '{"customer":{' "get --json"
  contains "$OUT" '"timeline":[' "get --json timeline"
  local key
  key=$(grep -o '"system":"erp"' <<<"$OUT" >/dev/null && grep -o '"key":"C[0-9]*"' <<<"$OUT" | head -1 | cut -d'"' -f4 || true)
  if [[ -n $key ]]; then
    run 0 get crm.db --external "erp:$key" --json
    contains "$OUT" '"id":1,' "get --external"
  fi
  run 1 get crm.db --external erp:NOPE
  contains "$ERR" "rapport: " "get unknown external id"
  run 1 get crm.db 999999
  contains "$ERR" "not found" "get missing id"
  # An organisation shows its contacts, and orders appear in timelines.
  run 0 search crm.db --name 有限公司 --limit 1 --csv
  local org
  org=$(sed -n 2p out.txt | cut -d, -f1)
  [[ -n $org ]] || fail "no Chinese organisation in the demo"
  run 0 get crm.db "$org"
  contains "$OUT" '"kind": "organization"' "organisation kind"
  run 0 search crm.db --all --json
  [[ $(lines "$OUT") == 300 ]] || fail "search --all --json gave $(lines "$OUT") lines"
  local with_orders=0 id
  for id in $(seq 1 40); do
    run 0 get crm.db "$id"
    if [[ $OUT == *"  order     #"* ]]; then with_orders=1; break; fi
  done
  [[ $with_orders == 1 ]] || fail "no order in the first 40 customers' timelines"

  # search: table, CSV, JSON lines, criteria, paging.
  run 0 search crm.db --name 科技
  [[ $(sed -n 1p out.txt) =~ ^id\ +name\ +kind\ +email\ +phone\ +tags$ ]] || fail "table header: $(sed -n 1p out.txt)"
  contains "$OUT" "科技" "search by Chinese name"
  run 0 search crm.db --name 科技 --json --limit 1000
  [[ $(lines "$OUT") -ge 1 ]] || fail "no 科技 customer"
  while IFS= read -r line; do contains "$line" "科技" "search --name --json line"; done <<<"$OUT"
  run 0 search crm.db --tag vip --csv --limit 1000
  [[ $(sed -n 1p out.txt) == "id,name,kind,email,phone,tags" ]] || fail "CSV header: $(sed -n 1p out.txt)"
  [[ $(lines "$OUT") -ge 2 ]] || fail "no vip customer"
  tail -n +2 out.txt | while IFS= read -r line; do contains "$line" "vip" "search --tag vip"; done
  run 0 search crm.db --limit 5 --csv
  [[ $(lines "$OUT") == 6 ]] || fail "--limit 5 gave $(lines "$OUT") lines"
  contains "$ERR" "--after 5" "paging hint"
  run 0 search crm.db --limit 5 --after 5 --csv
  [[ $(sed -n 2p out.txt | cut -d, -f1) == 6 ]] || fail "--after 5 did not start at 6"
  run 0 search crm.db --owner 101 --json --limit 1000
  while IFS= read -r line; do contains "$line" '"owner":101' "search --owner"; done <<<"$OUT"
  run 0 search crm.db --field vip_level=5 --json --limit 1000
  while IFS= read -r line; do contains "$line" '"vip_level":5' "search --field"; done <<<"$OUT"
  run 0 search crm.db --name "no such name at all"
  contains "$OUT" "no customers found" "empty search"
  run 1 search crm.db --field nosuchfield=1
  contains "$ERR" "unknown custom field" "unknown custom field"

  # changes: JSON lines in seq order, --after/--limit, consumers with --ack.
  run 0 changes crm.db --limit 3
  [[ $(lines "$OUT") == 3 ]] || fail "changes --limit 3"
  [[ $(sed -n 1p out.txt) == '{"seq":1,'* ]] || fail "first change: $(sed -n 1p out.txt)"
  run 0 changes crm.db --after "$((last - 2))"
  [[ $(lines "$OUT") == 2 ]] || fail "changes --after"
  contains "$(sed -n 2p out.txt)" "\"seq\":$last," "last change"
  run 0 changes crm.db --consumer sync --limit 10 --ack
  [[ $(lines "$OUT") == 10 ]] || fail "consumer first batch"
  run 0 changes crm.db --consumer sync --limit 1
  [[ $(sed -n 1p out.txt) == '{"seq":11,'* ]] || fail "consumer did not resume after the ack: $OUT"
  run 0 changes crm.db --consumer sync --limit 1
  [[ $(sed -n 1p out.txt) == '{"seq":11,'* ]] || fail "reading without --ack moved the cursor"
  run 0 changes crm.db --exclude-origin nobody --limit 1
  [[ $(lines "$OUT") == 1 ]] || fail "changes --exclude-origin"
}

case_determinism() {
  run 0 demo a.db --customers 250 --seed 42
  run 0 demo b.db --customers 250 --seed 42
  run 0 demo c.db --customers 250 --seed 43
  for db in a b c; do
    "$RAPPORT" changes "$db.db" --limit 100000 > "$db.changes"
    "$RAPPORT" search "$db.db" --all --json > "$db.customers"
  done
  [[ $(wc -l < a.changes) -gt 1000 ]] || fail "few changes: $(wc -l < a.changes)"
  cmp -s a.changes b.changes || { diff a.changes b.changes | head -5 >&2; fail "same seed, different change feeds"; }
  cmp -s a.customers b.customers || fail "same seed, different customers"
  ! cmp -s a.customers c.customers || fail "different seeds gave the same customers"
  # The manual clock: the first change is at the fixed start.
  contains "$(head -1 a.changes)" '"at":"2025-01-01T00:00:00Z"' "demo clock start"
  # The names cover both scripts and both kinds.
  grep -q '"kind":"organization"' a.customers || fail "no organisation"
  grep -q '"kind":"person"' a.customers || fail "no person"
  grep -q '"name":"[^"]*有限公司"' a.customers || fail "no Chinese company"
  grep -q '"name":"[A-Z][a-z]' a.customers || fail "no Latin-script name"
  grep -q '"value":"+86' a.customers || fail "no CN phone"
  grep -q '"value":"+1' a.customers || fail "no US phone"
}

case_import() {
  run 0 init crm.db
  cat > people.csv <<'CSV'
Name,Email,Mobile,ERP,Tags,Kind
Alice Smith,alice@example.com,+1 650 253 0000,E1,vip;newsletter,person
Bob Broken,not-an-email,,E2,,person
王芳,wang.fang@example.cn,13800138000,E3,vip,person
杭州云栖科技有限公司,info@yunqi.example.cn,,E4,,organisation
CSV
  local maps=(--map Name=name --map Email=email --map Mobile=phone --map ERP=external_id:erp --map Tags=tags
              --map Kind=kind)
  # All or nothing: a bad row rejects the file.
  run 1 import crm.db people.csv "${maps[@]}" --region CN --all-or-nothing
  contains "$OUT" "NOT committed" "all-or-nothing summary"
  contains "$OUT" "row  field  reason" "error table"
  [[ $OUT =~ (^|$'\n')"2    email  " ]] || fail "row 2 email error not shown: $OUT"
  run 0 search crm.db
  contains "$OUT" "no customers found" "all-or-nothing left data behind"
  # Default: the good rows go in, the bad one is reported, exit code 1.
  run 1 import crm.db people.csv "${maps[@]}" --region CN
  contains "$OUT" "rows: 4  created: 3  updated: 0  failed: 1  committed" "import summary"
  contains "$OUT" "not-an-email" "row error reason"
  run 0 search crm.db --contact 13800138000 --region CN --csv
  contains "$OUT" "王芳" "CN mobile normalised with --region CN"
  contains "$OUT" "+8613800138000" "E.164 phone"
  run 0 get crm.db --external erp:E4 --json
  contains "$OUT" '"kind":"organization"' "organisation imported"
  # Upsert by external id updates instead of duplicating.
  printf 'ERP,Name,Region\nE1,Alice Smith-Jones,Europe\nE9,New Person,华东\n' > update.csv
  run 0 import crm.db update.csv --map ERP=external_id:erp --map Name=name --map Region=region --upsert erp
  contains "$OUT" "rows: 2  created: 1  updated: 1  failed: 0  committed" "upsert summary"
  run 0 get crm.db --external erp:E1 --json
  contains "$OUT" '"name":"Alice Smith-Jones"' "upsert updated the name"
  contains "$OUT" '"region":"Europe"' "upsert updated the region"
  # An unknown target is a per-row or file error, never a crash; a missing file is an error.
  run 1 import crm.db nofile.csv --map a=name
  contains "$ERR" "rapport: " "missing CSV"
  printf 'n\n' > empty_rows.csv
  run 0 import crm.db empty_rows.csv --map n=name
  contains "$OUT" "rows: 0" "header-only CSV"
}

case_segment() {
  run 0 init crm.db
  cat > people.csv <<'CSV'
Name,Region,Tags,ERP
Ann,华东,vip,E1
Bob,华东,,E2
Cai,华北,vip,E3
CSV
  run 0 import crm.db people.csv --map Name=name --map Region=region --map Tags=tags --map ERP=external_id:erp

  # Evaluation: table, CSV, JSON lines; nothing found.
  run 0 segment crm.db 'region = "华东"'
  [[ $(sed -n 1p out.txt) =~ ^id\ +name\ +kind\ +email\ +phone\ +tags$ ]] || fail "table header: $(sed -n 1p out.txt)"
  contains "$OUT" "Ann" "segment table"
  contains "$OUT" "Bob" "segment table"
  lacks "$OUT" "Cai" "segment table"
  contains "$OUT" "(2 customers)" "segment count"
  run 0 segment crm.db 'region = "华东"' --csv
  [[ $(sed -n 1p out.txt) == "id,name,kind,email,phone,tags" ]] || fail "CSV header: $(sed -n 1p out.txt)"
  [[ $(sed -n 2p out.txt) == "1,Ann,person,,,vip" ]] || fail "CSV row: $(sed -n 2p out.txt)"
  [[ $(lines "$OUT") == 3 ]] || fail "segment --csv gave $(lines "$OUT") lines"
  run 0 segment crm.db 'has_tag("vip")' --json
  [[ $(lines "$OUT") == 2 ]] || fail "segment --json gave $(lines "$OUT") lines"
  contains "$(sed -n 1p out.txt)" '"name":"Ann"' "segment --json first"
  contains "$(sed -n 2p out.txt)" '"name":"Cai"' "segment --json second"
  run 0 segment crm.db 'region = "nowhere"'
  contains "$OUT" "no customers found" "empty segment"
  run 0 segment crm.db 'days_since(created_at) >= 0' --as-of 2999-01-01 --csv
  [[ $(lines "$OUT") == 4 ]] || fail "segment --as-of"

  # SQL with parameters; values never in the SQL text.
  run 0 segment crm.db --sql 'region = "华东" and has_tag("vip")'
  contains "$OUT" "SELECT" "segment --sql"
  contains "$OUT" "-- params: [" "segment --sql params"
  contains "$OUT" '"华东"' "segment --sql params value"
  lacks "$(grep -v '^-- params' out.txt)" "华东" "segment --sql text"
  run 0 segment crm.db --sql 'region = "华东"' --json
  [[ $(lines "$OUT") == 1 ]] || fail "segment --sql --json is not one line"
  contains "$OUT" '{"sql":"' "segment --sql --json"
  contains "$OUT" 'SELECT c.id FROM customers' "segment --sql --json"
  contains "$OUT" '"params":[' "segment --sql --json params"
  contains "$OUT" ',"华东"]}' "segment --sql --json params"

  # Errors: the parse error with its caret, an unknown field with a suggestion; usage errors.
  local seq
  seq=$("$RAPPORT" changes crm.db --limit 100000 | tail -1 | sed 's/^{"seq":\([0-9]*\),.*/\1/')
  run 1 segment crm.db 'region = "华东" and and'
  [[ $(sed -n 1p err.txt) == "rapport: 1:19: "* ]] || fail "parse error: $ERR"
  [[ $(sed -n 2p err.txt) == 'region = "华东" and and' ]] || fail "parse error line: $ERR"
  [[ $(sed -n 3p err.txt) == "                    ^" ]] || fail "parse error caret: $ERR"
  run 1 segment crm.db 'regoin = "华东"'
  contains "$ERR" 'rapport: 1:1: unknown field "regoin"; did you mean "region"?' "unknown field"
  run 1 segment crm.db $'region = "华东"\n  and `名字` = 1'
  [[ $(sed -n 1p err.txt) == 'rapport: 2:7: unknown field "名字"'* ]] || fail "unknown field on line 2: $ERR"
  [[ $(sed -n 2p err.txt) == '  and `名字` = 1' && $(sed -n 3p err.txt) == '      ^' ]] || fail "caret on line 2: $ERR"
  run 1 segment crm.db --sql 'regoin = "华东"'
  contains "$ERR" 'unknown field "regoin"' "unknown field in --sql"
  run 1 segment crm.db 'in_segment("nope")'
  contains "$ERR" 'no saved segment named "nope"' "unknown saved segment"
  run 2 segment crm.db
  contains "$ERR" "missing arguments" "segment without EXPR"
  run 2 segment crm.db 'x = 1' extra
  contains "$ERR" "unexpected argument 'extra'" "segment with two EXPRs"
  run 2 segment crm.db 'x = 1' --json --csv
  run 2 segment crm.db 'x = 1' --static
  contains "$ERR" "option '--static' does not apply to 'rapport segment DB EXPR'" "option of another subcommand"
  run 2 segment crm.db 'x = 1' --as-of yesterday
  contains "$ERR" "--as-of" "bad --as-of"
  contains "$ERR" "Try 'rapport segment --help'" "usage hint"
  run 2 segment save crm.db hv
  contains "$ERR" "needs --expr" "dynamic without --expr"
  run 2 segment save crm.db hv --static --suppression
  run 2 segment save crm.db hv --static --expr 'x = 1'
  run 2 segment list crm.db --as-of 2025-01-01
  run 2 segment add crm.db fair abc
  contains "$ERR" "'abc' is not a customer id" "bad id"
  run 2 segment add crm.db fair
  run 2 segment drop crm.db
  run 1 segment save crm.db broken --expr 'monetary >'
  contains "$ERR" "rapport: expression: 1:11: " "save with a parse error"
  run 1 segment save crm.db broken --expr 'regoin = 1'
  contains "$ERR" 'expression: 1:1: unknown field "regoin"' "save with an unknown field"
  [[ $(sed -n 3p err.txt) == '^' ]] || fail "save: caret: $ERR"
  run 1 segment drop crm.db nope
  contains "$ERR" 'segment "nope": not found' "drop unknown"
  local seq_after
  seq_after=$("$RAPPORT" changes crm.db --limit 100000 | tail -1 | sed 's/^{"seq":\([0-9]*\),.*/\1/')
  [[ $seq == "$seq_after" ]] || fail "failed segment commands wrote changes ($seq -> $seq_after)"

  # Saved segments: dynamic, suppression and static lists.
  run 0 segment save crm.db 东部 --expr 'region="华东"' --description east
  [[ $OUT == 'saved dynamic segment "东部" (id 1): region = "华东"' ]] || fail "save: $OUT"
  run 0 segment save crm.db blocked --suppression
  contains "$OUT" 'saved suppression segment "blocked"' "save suppression"
  run 0 segment save crm.db fair --static --json
  contains "$OUT" '"kind":"static"' "save --json"
  contains "$OUT" '"refreshed_at":null' "save --json refreshed_at"
  run 0 segment add crm.db blocked 2
  [[ $OUT == "blocked: 1 member" ]] || fail "add: $OUT"
  run 0 segment add crm.db fair 1 3
  [[ $OUT == "fair: 2 members" ]] || fail "add two: $OUT"
  run 0 segment remove crm.db fair 3
  [[ $OUT == "fair: 1 member" ]] || fail "remove: $OUT"
  run 1 segment add crm.db fair 1 999
  contains "$ERR" "customer 999: not found" "add unknown customer"
  run 1 segment add crm.db 东部 1
  contains "$ERR" "dynamic; its members come from its expression" "add to a dynamic segment"
  run 0 segment members crm.db fair --csv
  [[ $(lines "$OUT") == 2 && $(sed -n 2p out.txt) == 1,Ann,* ]] || fail "fair after the failed add: $OUT"

  # Refresh: Bob is suppressed; Cai moves east later and enters.
  run 0 segment refresh crm.db 东部 --as-of 2025-01-10
  [[ $OUT == "东部: 1 entered, 0 left, 1 member (as of 2025-01-10T00:00:00Z)" ]] || fail "refresh: $OUT"
  run 0 segment members crm.db 东部 --csv
  [[ $(lines "$OUT") == 2 && $(sed -n 2p out.txt) == 1,Ann,* ]] || fail "members: $OUT"
  printf 'ERP,Region\nE3,华东\n' > move.csv
  run 0 import crm.db move.csv --map ERP=external_id:erp --map Region=region --upsert erp
  run 0 segment refresh crm.db --as-of 2025-02-01 --json
  [[ $OUT == '{"name":"东部","as_of":"2025-02-01T00:00:00Z","entered":[3],"left":[],"members":2}' ]] ||
    fail "refresh all --json: $OUT"
  run 0 segment members crm.db 东部 --as-of 2025-01-15 --json
  [[ $(lines "$OUT") == 1 ]] || fail "members --as-of: $OUT"
  contains "$OUT" '"name":"Ann"' "members --as-of"
  run 0 segment members crm.db 东部
  contains "$OUT" "(2 customers)" "members now"
  run 1 segment members crm.db 东部 --as-of 2024-12-31
  contains "$ERR" 'the membership of "东部" is known from 2025-01-10T00:00:00Z on' "members before the history"
  run 1 segment refresh crm.db 东部 --as-of 2025-01-20
  contains "$ERR" 'is before the last refresh of "东部"' "refresh back in time"
  run 1 segment refresh crm.db fair
  contains "$ERR" "has no expression to refresh" "refresh a list"
  # Refreshing all is one transaction: "west" is refreshed first, then "东部" fails; nothing stays.
  # A dynamic segment keeps which orders it counts; lists take no such options.
  run 0 segment save crm.db usd --expr 'monetary > 0' --currency USD --status completed --status shipped --json
  contains "$OUT" '"frame":{"order_statuses":["completed","shipped"],"currency":"USD"}' "save --currency"
  run 1 segment save crm.db eur --expr 'monetary > 0' --currency EURO
  contains "$ERR" 'frame.currency: "EURO" is not an ISO 4217 currency code' "save: bad currency"
  run 2 segment save crm.db lst --static --currency USD
  contains "$ERR" "--currency and --status are for dynamic segments" "save: list with --currency"
  run 0 segment drop crm.db usd
  run 0 segment save crm.db west --expr 'region = "华北"'
  run 0 segment refresh crm.db west --as-of 2025-01-20
  run 1 segment refresh crm.db --as-of 2025-01-25
  contains "$ERR" 'is before the last refresh of "东部"' "refresh all back in time"
  run 0 segment list crm.db --json
  contains "$OUT" '"name":"west"' "west listed"
  grep '"name":"west"' out.txt | grep -q '"refreshed_at":"2025-01-20T00:00:00Z"' || fail "a failed refresh of all kept a part: $OUT"
  run 0 segment drop crm.db west
  run 0 changes crm.db --after "$seq_after"
  contains "$OUT" '"entity":"segment"' "refresh in the change feed"
  contains "$OUT" '"op":"refresh"' "refresh op in the change feed"

  # in_segment() over saved segments; list; drop (not while used).
  run 0 segment crm.db 'in_segment("东部") and not in_segment("fair")' --csv
  [[ $(lines "$OUT") == 2 && $(sed -n 2p out.txt) == 3,Cai,* ]] || fail "in_segment: $OUT"
  run 0 segment save crm.db east-vip --expr 'in_segment("东部") and has_tag("vip")'
  run 0 segment list crm.db
  [[ $(sed -n 1p out.txt) =~ ^name\ +kind\ +members\ +refreshed_at\ +expression\ +description$ ]] ||
    fail "list header: $(sed -n 1p out.txt)"
  contains "$OUT" "2025-02-01T00:00:00Z" "list refreshed_at"
  contains "$OUT" "suppression" "list kinds"
  run 0 segment list crm.db --json
  [[ $(lines "$OUT") == 4 ]] || fail "list --json gave $(lines "$OUT") lines"
  contains "$OUT" '"name":"东部","kind":"dynamic","expression":"region = \"华东\"","description":"east"' "list --json"
  run 1 segment drop crm.db 东部
  contains "$ERR" 'segment "东部": used by segment "east-vip"' "drop while used"
  run 0 segment drop crm.db east-vip
  [[ $OUT == 'dropped segment "east-vip"' ]] || fail "drop: $OUT"
  run 0 segment drop crm.db 东部
  run 0 segment list crm.db --json
  [[ $(lines "$OUT") == 2 ]] || fail "list after drop"
  run 0 segment refresh crm.db
  contains "$OUT" "no dynamic segments to refresh" "refresh without dynamic segments"
}

# add_orders DB ROW...: writes orders straight into the orders table (the CLI has no order command);
# a ROW is "customer,amount_minor,currency,ordered_at,status" with ordered_at RFC 3339 or a date (UTC).
add_orders() {
  local db=$1
  shift
  /usr/bin/python3 - "$db" "$@" <<'PY'
import datetime, sqlite3, sys
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
con = sqlite3.connect(sys.argv[1])
for row in sys.argv[2:]:
    customer, minor, currency, at, status = row.split(",")
    t = datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    us = (t - epoch) // datetime.timedelta(microseconds=1)
    con.execute("INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", (int(customer), int(minor), currency, us, status, us))
con.commit()
PY
}

# six customers named C1..C6 (ids 1..6), regions for breakdowns
six_customers() {
  printf 'Name,Region\nC1,华东\nC2,华东\nC3,\nC4,华北\nC5,华南\nC6,华南\n' > six.csv
  run 0 init "$1"
  run 0 import "$1" six.csv --map Name=name --map Region=region
}

case_rfm() {
  six_customers crm.db
  # tests/cpp/analytics/rfm_test.cc (HandComputed...), days counted from 2025-01-01; as of day 100.
  add_orders crm.db 1,1000,CNY,2025-04-01,completed 1,2000,CNY,2025-04-06,completed \
    2,500,CNY,2025-04-11,completed 3,10000,CNY,2025-02-20,completed 3,99900,CNY,2025-04-12,completed \
    4,100,CNY,2025-04-12,completed 5,200,CNY,2025-01-11,completed 5,700,CNY,2025-04-10T12:00:00Z,completed \
    6,5000,CNY,2025-01-21,refunded
  run 0 rfm crm.db --as-of 2025-04-11 --csv
  [[ $(sed -n 1p out.txt) == "customer,recency_days,frequency,monetary,r,f,m,segment,tier" ]] || fail "rfm CSV header: $OUT"
  [[ $(lines "$OUT") == 5 ]] || fail "rfm rows: $OUT"
  [[ $(sed -n 2p out.txt) == "1,5,2,30,2,3,3,At risk,potential" ]] || fail "rfm row 1: $(sed -n 2p out.txt)"
  [[ $(sed -n 3p out.txt) == "2,0,1,5,3,1,1,About to sleep,general" ]] || fail "rfm row 2: $(sed -n 3p out.txt)"
  [[ $(sed -n 4p out.txt) == "3,50,1,100,1,1,4,Hibernating,high value" ]] || fail "rfm row 3: $(sed -n 4p out.txt)"
  [[ $(sed -n 5p out.txt) == "5,0,2,9,3,3,2,Need attention,general" ]] || fail "rfm row 5: $(sed -n 5p out.txt)"
  run 0 rfm crm.db --as-of 2025-04-11
  [[ $(sed -n 1p out.txt) =~ ^customer\ +recency_days\ +frequency\ +monetary\ +r\ +f\ +m\ +segment\ +tier$ ]] ||
    fail "rfm table header: $(sed -n 1p out.txt)"
  contains "$OUT" "30.00" "rfm table monetary"
  contains "$OUT" "(4 customers, as of 2025-04-11T00:00:00Z)" "rfm table footer"
  run 0 rfm crm.db --as-of 2025-04-11 --json
  [[ $(sed -n 1p out.txt) == '{"customer":1,"recency_days":5,"frequency":2,"monetary":30.0,"r":2,"f":3,"m":3,"segment":"At risk","tier":"potential"}' ]] ||
    fail "rfm JSON: $(sed -n 1p out.txt)"
  # Statuses: the refunded order makes customer 6 a buyer.
  run 0 rfm crm.db --as-of 2025-04-11 --status completed --status refunded --csv
  [[ $(lines "$OUT") == 6 && $(sed -n 6p out.txt) == 6,80,1,50,* ]] || fail "rfm --status: $OUT"

  # Views: summary, grid, tiers.
  run 0 rfm crm.db --as-of 2025-04-11 --summary
  [[ $(sed -n 1p out.txt) =~ ^segment\ +customers\ +customer_share\ +revenue ]] || fail "summary header: $OUT"
  [[ $(lines "$OUT") == 12 ]] || fail "summary lines: $OUT"
  [[ $OUT =~ About\ to\ sleep\ +1\ +25.0%\ +5.00\ +3.5% ]] || fail "summary row: $OUT"
  lacks "$OUT" "(no segment)" "summary without unsegmented customers"
  run 0 rfm crm.db --as-of 2025-04-11 --summary --csv
  contains "$OUT" $'\nAbout to sleep,1,0.25,5,0.034722222222222224,0,1,5\n' "summary CSV"
  contains "$OUT" $'\nChampions,0,0,0,0,,,\n' "summary CSV of an empty segment"
  run 0 rfm crm.db --as-of 2025-04-11 --summary --json
  [[ $(lines "$OUT") == 10 ]] || fail "summary JSON lines"
  contains "$OUT" '{"name":"Champions","customers":0,"customer_share":0.0,"revenue":0.0,"revenue_share":0.0,"mean_recency_days":null' "summary JSON"
  run 0 rfm crm.db --as-of 2025-04-11 --bins 3 --summary
  contains "$OUT" "(no segment)  4" "bins 3 has no segments"
  run 0 rfm crm.db --as-of 2025-04-11 --grid --csv
  [[ $OUT == $'r,f1,f2,f3,f4,f5\n5,0,0,0,0,0\n4,0,0,0,0,0\n3,1,0,1,0,0\n2,0,0,1,0,0\n1,1,0,0,0,0' ]] || fail "grid CSV: $OUT"
  run 0 rfm crm.db --as-of 2025-04-11 --grid
  [[ $(sed -n 1p out.txt) =~ ^R\\F\ +F1\ +F2 ]] || fail "grid table: $OUT"
  run 0 rfm crm.db --as-of 2025-04-11 --grid --json
  [[ $OUT == '{"as_of":"2025-04-11T00:00:00Z","bins":5,"grid":[[1,0,0,0,0],[0,0,1,0,0],[1,0,1,0,0],[0,0,0,0,0],[0,0,0,0,0]]}' ]] ||
    fail "grid JSON: $OUT"
  run 0 rfm crm.db --as-of 2025-04-11 --tiers --csv
  [[ $OUT == $'tier,customers,customer_share,revenue,revenue_share\nhigh value,1,0.25,100,0.6944444444444444\npotential,1,0.25,30,0.20833333333333334\ngeneral,2,0.5,14,0.09722222222222222' ]] ||
    fail "tiers CSV: $OUT"
  run 0 rfm crm.db --as-of 2025-04-11 --tiers --tier-mode revenue-share
  [[ $OUT =~ high\ value\ +1\ +25.0%\ +100.00 ]] || fail "tiers by revenue share: $OUT"
  run 0 rfm crm.db --as-of 2025-04-11 --tiers --tier-thresholds 0.5,1 --json
  contains "$(sed -n 1p out.txt)" '"tier":"high value","customers":2' "tier thresholds"
  run 0 rfm crm.db --as-of 2024-01-01
  contains "$OUT" "no customers with orders as of 2024-01-01T00:00:00Z" "rfm before any order"

  # Errors and usage errors.
  run 1 rfm crm.db --tiers --tier-thresholds 0.6,0.5
  contains "$ERR" "rapport: high: must be less than potential (0.5), got 0.6" "tier thresholds order"
  run 2 rfm crm.db --bins 11
  contains "$ERR" "option '--bins'" "bins range"
  run 2 rfm crm.db --summary --grid
  contains "$ERR" "at most one of --summary, --grid and --tiers" "two views"
  run 2 rfm crm.db --tier-mode median
  run 2 rfm crm.db --tier-thresholds 0.5
  run 2 rfm crm.db --as-of yesterday
  contains "$ERR" "--as-of" "bad --as-of"
  run 2 rfm crm.db --csv --json
  run 2 rfm crm.db extra
  # Several currencies: the core's message and a hint; --currency chooses.
  add_orders crm.db 6,700,USD,2025-03-01,completed
  run 1 rfm crm.db
  contains "$ERR" "rapport: currency: the orders use several currencies (CNY, USD)" "several currencies"
  contains "$ERR" "with --currency C" "currency hint"
  run 0 rfm crm.db --currency USD --as-of 2025-04-11 --csv
  [[ $OUT == $'customer,recency_days,frequency,monetary,r,f,m,segment,tier\n6,41,1,7,1,1,1,Hibernating,high value' ]] ||
    fail "rfm --currency: $OUT"
}

case_cohorts() {
  six_customers crm.db
  # tests/cpp/analytics/retention_test.cc, MonthsAcrossAYearBoundary
  add_orders crm.db 1,100,CNY,2024-11-15,completed 1,100,CNY,2024-12-01,completed 1,100,CNY,2025-01-20,completed \
    2,100,CNY,2024-12-31T23:59:59Z,completed 2,100,CNY,2025-01-01,completed \
    3,100,CNY,2024-12-05,completed 3,100,CNY,2024-12-20,completed 3,100,CNY,2025-02-01,completed \
    4,100,CNY,2025-02-10,completed 4,100,CNY,2025-03-01,completed 5,100,CNY,2025-03-02,completed
  local as_of=2025-02-28T12:00:00Z
  run 0 cohorts crm.db --as-of $as_of --counts --csv
  [[ $OUT == $'cohort,start,size,0,1,2,3\n2024-11,2024-11-01T00:00:00Z,1,1,1,1,0\n2024-12,2024-12-01T00:00:00Z,2,2,1,1,\n2025-02,2025-02-01T00:00:00Z,1,1,,,' ]] ||
    fail "cohorts --counts --csv: $OUT"
  run 0 cohorts crm.db --as-of $as_of --csv
  contains "$OUT" $'\n2024-12,2024-12-01T00:00:00Z,2,1,0.5,0.5,\n' "cohort rates CSV"
  run 0 cohorts crm.db --as-of $as_of
  [[ $(sed -n 1p out.txt) =~ ^cohort\ +size\ +0\ +1\ +2\ +3$ ]] || fail "cohorts header: $OUT"
  [[ $(sed -n 3p out.txt) =~ ^2024-12\ +2\ +100.0%\ +50.0%\ +50.0%$ ]] || fail "cohorts row: $(sed -n 3p out.txt)"
  contains "$OUT" "(share of each month cohort ordering k months after its first order, as of 2025-02-28T12:00:00Z)" "footer"
  run 0 cohorts crm.db --as-of $as_of --json
  [[ $(sed -n 2p out.txt) == '{"cohort":"2024-12","start":"2024-12-01T00:00:00Z","size":2,"counts":[2,1,1,null],"rates":[1.0,0.5,0.5,null]}' ]] ||
    fail "cohorts JSON: $OUT"
  run 0 cohorts crm.db --as-of $as_of --max-periods 2 --counts --csv
  [[ $(sed -n 3p out.txt) == "2024-12,2024-12-01T00:00:00Z,2,2,1" ]] || fail "max-periods: $OUT"
  run 0 cohorts crm.db --as-of $as_of --period quarter --counts --csv
  [[ $OUT == $'cohort,start,size,0,1\n2024-Q4,2024-10-01T00:00:00Z,3,3,3\n2025-Q1,2025-01-01T00:00:00Z,1,1,' ]] || fail "quarters: $OUT"
  run 0 cohorts crm.db --as-of 2025-01-07 --period week --counts --csv
  contains "$OUT" $'\n2024-W46,' "ISO week labels"
  run 0 cohorts crm.db --as-of 2020-01-01
  contains "$OUT" "no customers with orders" "cohorts before any order"
  # Repurchase within 15 days: 1, 2, 3 and 4 are eligible; 2 (a second later) and 3 (15 days exactly) repeat.
  run 0 cohorts crm.db --repurchase --window 15d --as-of $as_of
  [[ $(sed -n 2p out.txt) =~ ^15d\ +2\ +4\ +50.0%$ ]] || fail "repurchase: $OUT"
  run 0 cohorts crm.db --repurchase --window 15d --as-of $as_of --json
  [[ $OUT == '{"as_of":"2025-02-28T12:00:00Z","window":"15d","repeat_customers":2,"eligible_customers":4,"rate":0.5}' ]] ||
    fail "repurchase JSON: $OUT"
  # Churn in January: the base ordered in December (1, 2, 3); 3 ordered again on Feb 1 only (end excluded).
  run 0 cohorts crm.db --churn --start 2025-01-01 --end 2025-02-01 --lookback 31d --csv
  [[ $OUT == $'start,end,churned_customers,base_customers,rate\n2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,1,3,0.3333333333333333' ]] ||
    fail "churn CSV: $OUT"
  run 1 cohorts crm.db --churn --start 2025-02-01 --end 2025-01-01
  contains "$ERR" "rapport: end: must be after start" "churn end before start"
  run 2 cohorts crm.db --churn --start 2025-01-01
  contains "$ERR" "--churn needs --start TIME and --end TIME" "churn without end"
  run 2 cohorts crm.db --churn --repurchase
  run 2 cohorts crm.db --repurchase --counts
  contains "$ERR" "option '--counts' does not apply to --repurchase" "counts with repurchase"
  run 2 cohorts crm.db --window 30d
  contains "$ERR" "option '--window' applies to --repurchase only" "window without repurchase"
  run 2 cohorts crm.db --churn --start 2025-01-01 --end 2025-02-01 --as-of 2025-03-01
  run 2 cohorts crm.db --repurchase --window 0d
  run 2 cohorts crm.db --period day
  contains "$ERR" "--period is 'week', 'month' or 'quarter'" "bad period"
  run 2 cohorts crm.db --max-periods 0
  run 2 cohorts crm.db --json --csv
}

case_funnel() {
  six_customers crm.db
  # tests/cpp/analytics/event_funnel_test.cc, ShopEvents: visit -> signup -> purchase within 7 days
  cat > events.csv <<'CSV'
customer,kind,at,note
1,visit,1970-01-01T00:00:00Z,first
1,signup,3600000000,
1,purchase,1970-01-01T02:00:00Z,
2,visit,0,
2,signup,1970-01-04,
2,purchase,1970-01-09,
3,visit,1970-01-01T10:00:00Z,
4,signup,0,
4,purchase,1970-01-01T01:00:00Z,
5,visit,0,
5,purchase,1970-01-01T01:00:00Z,
5,signup,1970-01-01T02:00:00Z,
6,visit,,no time
CSV
  local f=(funnel crm.db --events events.csv --steps visit,signup,purchase --window 7d)
  run 0 "${f[@]}"
  [[ $(sed -n 1p out.txt) =~ ^step\ +kind\ +customers\ +from_previous\ +from_first\ +median_time\ +p90_time\ +mean_time$ ]] ||
    fail "funnel header: $OUT"
  [[ $(sed -n 3p out.txt) =~ ^2\ +signup\ +3\ +75.0%\ +75.0%\ +2h\ 0m\ +2d\ 10h\ +1d\ 1h$ ]] || fail "funnel step 2: $OUT"
  [[ $(sed -n 4p out.txt) =~ ^3\ +purchase\ +1\ +33.3%\ +25.0% ]] || fail "funnel step 3: $OUT"
  [[ $OUT =~ $'\n'step\ +kind\ +\<=1h\ +\<=1d\ +\<=7d\ +\<=30d\ +\>30d$'\n'2\ +signup\ +1\ +1\ +1\ +0\ +0 ]] || fail "histogram: $OUT"
  contains "$OUT" "(window 7d from step 1; 1 event without a time ignored)" "funnel footer"
  run 0 "${f[@]}" --csv
  [[ $(sed -n 1p out.txt) == "step,kind,customers,conversion_from_previous,conversion_from_first,seconds_median,seconds_p90,seconds_mean,<=1h,<=1d,<=7d,<=30d,>30d" ]] ||
    fail "funnel CSV header: $OUT"
  [[ $(sed -n 2p out.txt) == "1,visit,4,1,1,,,,,,,," ]] || fail "funnel CSV step 1: $OUT"
  [[ $(sed -n 3p out.txt) == "2,signup,3,0.75,0.75,7200,208800,90000,1,1,1,0,0" ]] || fail "funnel CSV step 2: $OUT"
  run 0 "${f[@]}" --json
  [[ $(lines "$OUT") == 1 ]] || fail "funnel JSON is not one line"
  contains "$OUT" '{"kind":"signup","customers":3,"conversion_from_previous":0.75,"conversion_from_first":0.75,"seconds_to_convert":{"count":3,"median":7200.0,"p90":208800.0,"mean":90000.0},"histogram":[1,1,1,0,0]}' "funnel JSON step"
  contains "$OUT" '"groups":[],"rows_missing_time":1}' "funnel JSON end"
  run 0 "${f[@]}" --buckets 2h --csv
  [[ $(sed -n 3p out.txt) == "2,signup,3,0.75,0.75,7200,208800,90000,2,1" ]] || fail "funnel --buckets: $OUT"
  run 0 "${f[@]}" --from 1970-01-01T01:00:00Z --csv
  [[ $(sed -n 2p out.txt) == 1,visit,1,* ]] || fail "funnel --from: $OUT"
  # A breakdown by a customer field: the groups of the region column, then "(none)".
  run 0 "${f[@]}" --by region
  [[ $OUT =~ Customers\ per\ step\ by\ region:$'\n'region\ +visit\ +signup\ +purchase$'\n'华东\ +2\ +2\ +1$'\n'华北\ +0\ +0\ +0$'\n'华南\ +1\ +1\ +0$'\n'\(none\)\ +1\ +0\ +0 ]] ||
    fail "funnel --by: $OUT"
  run 0 "${f[@]}" --by region --csv
  [[ $(sed -n 1p out.txt) == "group,step,kind,customers" && $(sed -n 2p out.txt) == "华东,1,visit,2" ]] || fail "--by CSV: $OUT"
  [[ $(lines "$OUT") == 13 && $(sed -n 13p out.txt) == ",3,purchase,0" ]] || fail "--by CSV null group: $OUT"
  run 1 "${f[@]}" --by nosuch
  contains "$ERR" 'rapport: --by: no customer field "nosuch"' "--by unknown field"
  run 1 "${f[@]}" --by tags
  contains "$ERR" "holds several values per customer" "--by a set"

  # Orders of the database as the step "order" (completed ones unless --status).
  add_orders crm.db 1,100,CNY,2025-04-01,completed 1,100,CNY,2025-04-06,completed 2,100,CNY,2025-04-11,completed \
    3,100,CNY,2025-02-20,completed 3,100,CNY,2025-04-12,completed 6,100,CNY,2025-01-21,refunded
  run 0 funnel crm.db --steps order,order --window 30d --csv
  [[ $(sed -n 2p out.txt) == 1,order,3,* && $(sed -n 3p out.txt) == 2,order,1,0.3333333333333333,0.3333333333333333,432000,* ]] ||
    fail "funnel order,order: $OUT"
  run 0 funnel crm.db --steps order,order --window 30d --status completed --status refunded --csv
  [[ $(sed -n 2p out.txt) == 1,order,4,* ]] || fail "funnel orders --status: $OUT"
  printf 'customer,kind,at\n1,visit,2025-03-30\n3,visit,2025-04-01\n' > visits.csv
  run 0 funnel crm.db --events visits.csv --steps visit,order --window 7d --csv
  [[ $(sed -n 2p out.txt) == 1,visit,2,* && $(sed -n 3p out.txt) == 2,order,1,* ]] || fail "visit,order: $OUT"

  # Errors: the core's messages, files, usage.
  run 1 funnel crm.db --events events.csv --steps visit --window 7d
  contains "$ERR" "rapport: steps: at least 2 are needed (got 1)" "one step"
  run 1 funnel crm.db --events events.csv --steps visit,signup --window 7d --from 2025-01-02 --to 2025-01-01
  contains "$ERR" "rapport: to: must be later than from" "to before from"
  run 1 funnel crm.db --events nofile.csv --steps a,b --window 1d
  contains "$ERR" "nofile.csv: cannot open the file" "missing events file"
  printf 'customer,kind,at\n1,visit,0\nx,visit,0\n' > bad.csv
  run 1 funnel crm.db --events bad.csv --steps a,b --window 1d
  contains "$ERR" "rapport: bad.csv: line 3: customer: 'x' is not an integer id" "bad id"
  printf 'customer,kind,at\n1,visit,yesterday\n' > bad.csv
  run 1 funnel crm.db --events bad.csv --steps a,b --window 1d
  contains "$ERR" 'line 2: at: "yesterday" is not a time' "bad time"
  printf 'customer,kind\n1,visit\n' > bad.csv
  run 1 funnel crm.db --events bad.csv --steps a,b --window 1d
  contains "$ERR" 'bad.csv: no column "at" in the header (expected customer,kind,at)' "missing column"
  run 2 funnel crm.db --steps a,b --window 1d
  contains "$ERR" "no events: give --events FILE.csv" "no events"
  run 2 funnel crm.db --events events.csv --window 1d
  contains "$ERR" "--steps A,B,... is required" "no steps"
  run 2 funnel crm.db --events events.csv --steps a,b
  contains "$ERR" "--window DURATION is required" "no window"
  run 2 funnel crm.db --events events.csv --steps a,b --window 30
  contains "$ERR" "'30' is not a duration" "window without a unit"
  run 2 funnel crm.db --events events.csv --steps a,b --window 1d --buckets 1h,soon
  run 2 funnel crm.db --events events.csv --steps a,b --window 1d --from never

  # Stage funnel (tests/cpp/analytics/stage_funnel_test.cc, Pipeline), no database.
  cat > deals.csv <<'CSV'
entity,stage,entered_at
1,Lead,1970-01-01
1,Qualified,1970-01-03
1,Proposal,1970-01-06
1,Won,1970-01-07
2,Lead,1970-01-01
2,Qualified,1970-01-02
2,Lost,1970-01-05
3,Lead,1970-01-02
4,Qualified,1970-01-01
4,Proposal,1970-01-04
4,Negotiation,1970-01-05
4,Won,1970-01-11
CSV
  local s=(stage-funnel --history deals.csv --stages Lead,Qualified,Proposal,Negotiation --won Won --lost Lost)
  run 0 "${s[@]}" --as-of 1970-01-12
  [[ $(sed -n 1p out.txt) =~ ^stage\ +entered\ +advanced\ +to_next\ +median_days\ +p90_days\ +mean_days\ +open\ +open_median_days$ ]] ||
    fail "stage-funnel header: $OUT"
  [[ $(sed -n 2p out.txt) =~ ^Lead\ +3\ +2\ +66.7%\ +1.5\ +1.9\ +1.5\ +1\ +10.0$ ]] || fail "stage Lead: $OUT"
  [[ $(sed -n 5p out.txt) =~ ^Negotiation\ +1\ +0\ +-\ +6.0 ]] || fail "stage Negotiation: $OUT"
  [[ $OUT =~ $'\n'Lead\ +66.7%\ +33.3%\ +0.0%$'\n'Qualified\ +66.7%\ +33.3% ]] || fail "reached: $OUT"
  contains "$OUT" "entities: 4  won: 2  lost: 1  win rate: 66.7%" "win rate"
  contains "$OUT" "cycle to won (days from the first visit): median 8.0  p90 9.6  mean 8.0" "cycle"
  run 0 "${s[@]}" --csv
  [[ $(sed -n 2p out.txt) == "Lead,3,2,0.6666666666666666,1.5,1.9,1.5,1,,," ]] || fail "stage CSV: $OUT"
  run 0 "${s[@]}" --json
  contains "$OUT" '"reached":[[0,2,1,0],[0,0,2,1],[0,0,0,1],[0,0,0,0]],"entities":4,"won":2,"lost":1,' "stage JSON"
  contains "$OUT" '{"as_of":null,' "stage JSON as_of"
  run 0 stage-funnel --history deals.csv --stages Lead,Qualified
  contains "$OUT" "ignored: 6 rows of other stages, 0 rows without a time" "ignored rows"
  run 1 stage-funnel --history deals.csv --stages Lead,Lead
  contains "$ERR" 'rapport: stages: "Lead" appears more than once' "duplicate stage"
  run 1 stage-funnel --history deals.csv --stages Lead --won Won --lost Won
  contains "$ERR" 'won_stages: "Won" is also a lost stage' "won and lost"
  run 1 stage-funnel --history nofile.csv --stages Lead
  run 2 stage-funnel --stages Lead
  contains "$ERR" "--history FILE.csv is required" "no history"
  run 2 stage-funnel --history deals.csv
  run 2 stage-funnel crm.db --history deals.csv --stages Lead
  contains "$ERR" "unexpected argument 'crm.db'" "stage-funnel takes no database"
}

# The published CDNOW data set (Fader, Hardie & Lee 2005): 2,357 customers (ids 1..2357, the sample's
# ids) and their 6,919 orders in USD, written straight into the orders table. Returns 1 when the
# reference data are absent.
cdnow_database() {
  local db=$1 data=${RAPPORT_SHARED_DATA:-$CLI_SOURCE_DIR/../../../shared/data}
  [[ -f $data/cdnow/CDNOW_sample.txt ]] || return 1
  run 0 init "$db"
  { echo name; for ((i = 1; i <= 2357; i++)); do echo "C$i"; done; } > names.csv
  run 0 import "$db" names.csv --map name=name
  /usr/bin/python3 - "$db" "$data/cdnow/CDNOW_sample.txt" <<'PY'
import datetime, sqlite3, sys
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
con = sqlite3.connect(sys.argv[1])
rows = []
for line in open(sys.argv[2]):
    _, customer, ymd, _, dollars = line.split()
    t = datetime.datetime.strptime(ymd, "%Y%m%d").replace(tzinfo=datetime.timezone.utc)
    us = (t - epoch) // datetime.timedelta(microseconds=1)
    rows.append((int(customer), round(float(dollars) * 100), "USD", us, "completed", us))
con.executemany("INSERT INTO orders (customer_id, amount_minor, currency, ordered_at, status, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)", rows)
con.commit()
PY
}

# json_check JSON PYTHON_EXPRESSION WHAT: the expression, over the parsed JSON `j` (or the lines `js`),
# must be true.
json_check() {
  printf '%s\n' "$1" | /usr/bin/python3 -c '
import json, sys
js = [json.loads(l) for l in sys.stdin.read().splitlines()]
j = js[0]
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" || fail "$3: $2 does not hold for: ${1:0:400}"
}

case_clv() {
  # Usage errors.
  run 2 clv
  contains "$ERR" "missing arguments" "clv without a subcommand"
  run 2 clv frobnicate x.db
  contains "$ERR" "unknown subcommand 'frobnicate' (expected fit, predict, check, save, apply, models, scores or drop)" \
    "unknown subcommand"
  run 2 clv fit
  contains "$ERR" "missing arguments" "clv fit without DB"
  run 2 clv fit x.db y.db
  contains "$ERR" "unexpected argument 'y.db'" "two databases"
  run 2 clv fit x.db --horizon 90d
  contains "$ERR" "option '--horizon' does not apply to 'rapport clv fit'" "predict option on fit"
  run 2 clv fit x.db --model gamma_gamma
  contains "$ERR" "--model is 'bg_nbd' or 'pareto_nbd', not 'gamma_gamma'" "bad model"
  run 2 clv fit x.db --unit months
  contains "$ERR" "--unit is 'weeks' or 'days', not 'months'" "bad unit"
  run 2 clv fit x.db --cutoff yesterday
  contains "$ERR" "--cutoff" "bad cutoff"
  run 2 clv fit x.db --csv --json
  run 2 clv predict x.db --periods 6
  contains "$ERR" "--periods sets up lifetime value: it needs --spend" "value option without --spend"
  run 2 clv predict x.db --horizon 0d
  contains "$ERR" "option '--horizon'" "zero horizon"
  run 2 clv predict x.db --spend --discount-rate -0.1
  contains "$ERR" "option '--discount-rate': '-0.1' is not a number >= 0" "negative discount rate"
  run 2 clv predict x.db --limit 0
  run 2 clv check x.db
  contains "$ERR" "check needs --holdout-end: the end of the period it predicts" "check without a holdout"
  run 2 clv check x.db --holdout-end 2025-01-01 --spend
  contains "$ERR" "option '--spend' does not apply to 'rapport clv check'" "spend on check"
  run 2 clv check x.db --holdout-end 2025-01-01 --max-frequency -1
  contains "$ERR" "option '--max-frequency'" "negative max frequency"
  run 2 clv save x.db
  contains "$ERR" "missing arguments" "save without a name"
  run 2 clv apply x.db q --spend
  contains "$ERR" "option '--spend' does not apply to 'rapport clv apply'" "fit option on apply"
  run 2 clv models x.db q
  contains "$ERR" "unexpected argument 'q'" "models takes no name"
  run 2 clv save x.db q --margin 0.3
  [[ ! -e x.db ]] || fail "a usage error created x.db"

  # Errors of the data, and nothing written.
  six_customers crm.db
  run 1 clv fit crm.db --cutoff 2025-01-01
  contains "$ERR" "rapport: cutoff: no customer has an order at or before 2025-01-01T00:00:00Z" "no customers"
  add_orders crm.db 1,1000,CNY,2025-01-05,completed 2,500,CNY,2025-01-06,completed 3,700,CNY,2025-01-06,completed
  sha256sum crm.db > before.sum
  run 1 clv fit crm.db --cutoff 2025-02-01
  contains "$ERR" "rapport: frequency: nobody repeated (every frequency is 0); the BG/NBD model cannot be identified" \
    "nobody repeated"
  run 1 clv predict crm.db --cutoff 2025-02-01 --model pareto_nbd
  contains "$ERR" "the Pareto/NBD model cannot be identified" "nobody repeated, Pareto/NBD"
  run 1 clv save crm.db q --cutoff 2025-02-01
  contains "$ERR" "nobody repeated" "save when nobody repeated"
  run 2 clv check crm.db --cutoff 2025-02-01 --holdout-end 2025-01-01
  contains "$ERR" "--holdout-end must be after the cut-off (2025-02-01T00:00:00Z)" "holdout before the cut-off"
  run 1 clv apply crm.db q
  contains "$ERR" 'rapport: CLV model "q": not found' "apply an unknown model"
  run 1 clv drop crm.db q
  contains "$ERR" 'rapport: CLV model "q": not found' "drop an unknown model"
  sha256sum --check --quiet before.sum || fail "clv changed the database"
  add_orders crm.db 1,700,USD,2025-01-07,completed
  run 1 clv fit crm.db
  contains "$ERR" "with --currency C" "currency hint"

  if ! cdnow_database cdnow.db; then
    echo "skipped the CDNOW checks: reference data not found (set RAPPORT_SHARED_DATA)" >&2
    return
  fi
  # Fader, Hardie & Lee (2005): r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4.
  run 0 clv fit cdnow.db --cutoff 1997-09-30 --json
  [[ $(lines "$OUT") == 1 ]] || fail "fit --json is one object: $OUT"
  contains "$OUT" '{"cutoff":"1997-09-30T00:00:00Z","unit":"weeks","model":"bg_nbd","params":{"r":' "fit JSON head"
  json_check "$OUT" 'abs(j["params"]["r"] - 0.243) <= 5e-4 and abs(j["params"]["alpha"] - 4.414) <= 5e-4' "BG/NBD r, alpha"
  json_check "$OUT" 'abs(j["params"]["a"] - 0.793) <= 5e-4 and abs(j["params"]["b"] - 2.426) <= 5e-4' "BG/NBD a, b"
  json_check "$OUT" 'abs(j["log_likelihood"] + 9582.4) <= 0.05 and j["customers"] == 2357 and j["spend"] is None' "BG/NBD LL"
  json_check "$OUT" 'len(j["covariance"]) == 4 and all(0 < j["std_errors"][k] < 1 for k in ("r", "a", "b"))' "std errors"
  run 0 clv fit cdnow.db --cutoff 1997-09-30
  [[ $(sed -n 1p out.txt) =~ ^model\ +parameter\ +value\ +std_error$ ]] || fail "fit table header: $OUT"
  [[ $(sed -n 2p out.txt) =~ ^bg_nbd\ +r\ +0\.24[0-9]{2}\ +0\.0[0-9]{3}$ ]] || fail "fit table row: $OUT"
  contains "$OUT" "(BG/NBD: log-likelihood -9582.4" "fit table footer"
  contains "$OUT" ", 2357 customers (" "fit table customers"
  contains "$OUT" "orders up to 1997-09-30T00:00:00Z, time in weeks)" "fit table cutoff"
  # Pareto/NBD: r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669, LL = -9595.0; Gamma-Gamma p = 6.25,
  # q = 3.74, gamma = 15.44 on the 946 repeat customers.
  run 0 clv fit cdnow.db --cutoff 1997-09-30 --model pareto_nbd --spend --json
  json_check "$OUT" 'j["model"] == "pareto_nbd" and abs(j["params"]["s"] - 0.606) <= 5e-4 and abs(j["params"]["beta"] - 11.669) <= 5e-4' "Pareto/NBD"
  json_check "$OUT" 'abs(j["log_likelihood"] + 9595.0) <= 0.05' "Pareto/NBD LL"
  json_check "$OUT" 'j["spend"]["model"] == "gamma_gamma" and abs(j["spend"]["params"]["q"] - 3.74) <= 5e-3 and j["spend"]["customers"] == 946' "Gamma-Gamma"
  run 0 clv fit cdnow.db --cutoff 1997-09-30 --spend --csv
  [[ $(sed -n 1p out.txt) == "model,parameter,value,std_error,log_likelihood,customers" ]] || fail "fit CSV header: $OUT"
  [[ $(lines "$OUT") == 8 && $(sed -n 6p out.txt) == gamma_gamma,p,6.2* && $(sed -n 8p out.txt) == *,946 ]] ||
    fail "fit CSV: $OUT"

  # Customer 1 is note 004's x = 2, t_x = 30.43, T = 38.86, who expects 1.226 purchases in 39 weeks.
  run 0 clv predict cdnow.db --cutoff 1997-09-30 --horizon 39w --limit 3 --csv
  [[ $(sed -n 1p out.txt) == "customer,x,t_x,T,p_alive,expected_purchases" ]] || fail "predict CSV header: $OUT"
  [[ $(lines "$OUT") == 4 && $(sed -n 2p out.txt) == 1,2,30.428571428571427,38.857142857142854,0.7* ]] ||
    fail "predict CSV rows: $OUT"
  json_check "$(sed -n 2p out.txt | cut -d, -f6)" 'abs(j - 1.226) <= 0.002' "note 004's conditional expectation"
  run 0 clv predict cdnow.db --cutoff 1997-09-30 --limit 5
  [[ $(sed -n 1p out.txt) =~ ^customer\ +x\ +t_x\ +T\ +p_alive\ +expected_purchases$ ]] || fail "predict table: $OUT"
  [[ $(sed -n 2p out.txt) =~ ^1\ +2\ +30\.43\ +38\.86\ +0\.[0-9]{3}\ +[0-9]\.[0-9]{3}$ ]] || fail "predict table row: $OUT"
  contains "$OUT" "(first 5 of 2357 customers; BG/NBD fitted to orders up to 1997-09-30T00:00:00Z, t_x and T in weeks; expected purchases in the next 90d)" "predict footer"
  run 0 clv predict cdnow.db --cutoff 1997-09-30 --unit days --spend --periods 6 --period 4w --json
  [[ $(lines "$OUT") == 2357 ]] || fail "predict JSON lines: $(lines "$OUT")"
  json_check "$OUT" 'js[0]["customer"] == 1 and js[0]["x"] == 2 and js[0]["t_x"] == 213 and js[0]["T"] == 272' "days"
  json_check "$OUT" 'all(r["clv"] > 0 for r in js) and all(0 <= r["p_alive"] <= 1 for r in js)' "clv"
  json_check "$OUT" 'all(r["p_alive"] == 1 for r in js if r["x"] == 0)' "P(alive) without repeat purchases"

  # Calibration against holdout (weeks 1-39 against 40-78): 1,411 customers never repeated; the 2,357
  # made 1,882 purchases in the holdout, of which the BG/NBD expects 1,654.
  run 0 clv check cdnow.db --cutoff 1997-09-30 --holdout-end 1998-06-30 --json
  json_check "$OUT" 'j["holdout_duration"] == 39 and [g["frequency"] for g in j["groups"]][-1] == "7+"' "check groups"
  json_check "$OUT" 'j["groups"][0]["customers"] == 1411 and sum(g["customers"] for g in j["groups"]) == 2357' "check customers"
  json_check "$OUT" 'round(sum(g["customers"] * g["actual"] for g in j["groups"])) == 1882' "check actual"
  run 0 clv check cdnow.db --cutoff 1997-09-30 --holdout-end 1998-06-30
  [[ $(sed -n 1p out.txt) =~ ^frequency\ +customers\ +actual\ +expected$ && $(sed -n 9p out.txt) =~ ^7\+\ +64\  ]] ||
    fail "check table: $OUT"
  contains "$OUT" "(39 weeks): 1882 made, 1653 expected)" "check footer"

  # Stored models: save, list, apply, scores in segments, drop.
  run 0 clv save cdnow.db q3 --cutoff 1997-09-30 --spend --json
  json_check "$OUT" 'j["name"] == "q3" and abs(j["params"]["r"] - 0.243) <= 5e-4 and j["spend"] is not None' "saved model"
  run 1 clv save cdnow.db q3 --cutoff 1997-09-30
  contains "$ERR" 'rapport: name: a CLV model named "q3" already exists' "a taken name"
  run 0 clv models cdnow.db
  [[ $(sed -n 2p out.txt) =~ ^q3\ +bg_nbd\ +gamma_gamma\ +1997-09-30T00:00:00Z\ +weeks ]] || fail "models table: $OUT"
  contains "$OUT" "(1 models)" "models footer"
  run 0 clv apply cdnow.db q3 --as-of 1998-06-30 --json
  json_check "$OUT" 'j == {"model": "q3", "as_of": "1998-06-30T00:00:00Z", "customers": 2357}' "apply report"
  run 0 clv scores cdnow.db --limit 2 --csv
  [[ $(lines "$OUT") == 3 && $(sed -n 1p out.txt) == "customer,p_alive,expected_purchases_90d,clv,churn_risk" ]] ||
    fail "scores CSV: $OUT"
  run 0 segment cdnow.db 'p_alive < 0.1' --json
  [[ $(lines "$OUT") -gt 100 ]] || fail "the scores are segment metrics: $(lines "$OUT") members"
  run 0 clv drop cdnow.db q3
  contains "$OUT" "dropped model 'q3' and its scores" "drop"
  run 0 clv scores cdnow.db
  contains "$OUT" "(no model applied yet: rapport clv apply DB NAME)" "no scores after drop"
}

case_rules() {
  run 0 init crm.db
  cat > welcome.json <<'JSON'
{"name": "welcome", "trigger": {"type": "event", "event": "customer_created"},
 "actions": [{"type": "notify", "channel": "email", "body": "Hello {{name}}"}]}
JSON
  cat > bad.json <<'JSON'
{"name": "bad", "trigger": {"type": "schedule", "every": "daily", "at": "25:00"}, "actions": [{"type": "add_tag", "tag": "x"}]}
JSON
  run 0 rules save crm.db welcome.json
  contains "$OUT" '"name":"welcome"' "rules save"
  run 1 rules save crm.db bad.json
  contains "$ERR" 'rapport: bad.json: trigger.at: "25:00" is not a time of day (HH:MM, 00:00 to 23:59)' "bad rule"
  run 0 rules list crm.db
  [[ $(lines "$OUT") == 1 ]] || fail "rules list: $OUT"
  printf 'n\nAnn\nBob\n' > people.csv
  run 0 import crm.db people.csv --map n=name
  run 2 tick crm.db
  contains "$ERR" "--now TIME is required" "tick without --now"
  run 0 tick crm.db --now 2030-01-01T00:00:00Z
  contains "$OUT" '"fired": 2' "tick report"
  run 0 tick crm.db --now 2030-01-01T00:00:00Z
  contains "$OUT" '"fired": 0' "tick again"
  run 1 tick crm.db --now 2029-01-01T00:00:00Z
  contains "$ERR" "time does not go backwards" "tick backwards"
  run 0 rules outcomes crm.db --rule welcome --status fired
  [[ $(lines "$OUT") == 2 ]] || fail "outcomes: $OUT"
  run 0 rules runs crm.db
  [[ $(lines "$OUT") == 2 ]] || fail "runs: $OUT"
  run 0 outbox claim crm.db --limit 1
  contains "$OUT" '"body":"Hello Ann"' "claim"
  contains "$OUT" '"status":"claimed"' "claim"
  run 0 outbox ack crm.db 1
  run 1 outbox ack crm.db 1
  contains "$ERR" "outbox message 1: is delivered, not claimed" "ack twice"
  run 0 outbox crm.db --status pending
  [[ $(lines "$OUT") == 1 ]] || fail "pending: $OUT"
  contains "$OUT" '"body":"Hello Bob"' "pending"
  run 0 rules show crm.db welcome
  contains "$OUT" '"event": "customer_created"' "rules show"
  run 0 rules drop crm.db welcome
  run 1 rules show crm.db welcome
  contains "$ERR" 'rule "welcome": not found' "dropped"
}

case_tasks() {
  run 0 init crm.db
  printf 'Name\nAnn\n' > people.csv
  run 0 import crm.db people.csv --map Name=name
  # Add: a table row, or the JSON form.
  run 0 tasks add crm.db "Call Ann back" --customer 1 --owner 7 --team sales --due 2000-01-03T09:00:00Z \
    --remind 2000-01-03T08:00:00Z --priority high
  contains "$OUT" "Call Ann back" "tasks add table"
  contains "$OUT" "2000-01-03T09:00:00Z" "tasks add due"
  run 0 tasks add crm.db "Send the quote" --owner 7 --due 2999-06-01 --json
  json_check "$OUT" 'j["id"] == 2 and j["owner"] == 7 and j["due"] == "2999-06-01T00:00:00Z" and j["status"] == "open" and j["priority"] == "normal"' "tasks add --json"
  run 0 tasks add crm.db "Tidy up" --team support
  # Lists: open tasks by due time (none last); overdue; the due list of a day; upcoming as of a time.
  run 0 tasks crm.db --json
  json_check "$OUT" '[x["title"] for x in js] == ["Call Ann back", "Send the quote", "Tidy up"]' "tasks list"
  run 0 tasks crm.db --overdue --owner 7 --json
  json_check "$OUT" '[x["id"] for x in js] == [1]' "tasks --overdue"
  run 0 tasks crm.db --due 2999-06-01
  contains "$OUT" "Send the quote" "tasks --due DAY"
  contains "$OUT" "(1 task)" "tasks --due DAY count"
  run 0 tasks crm.db --due 2999-05-31 --zone America/Los_Angeles --json
  json_check "$OUT" '[x["id"] for x in js] == [2]' "00:00 UTC on June 1 is May 31 in Los Angeles"
  run 0 tasks crm.db --upcoming 2 --as-of 2999-05-30T12:00:00Z --json
  json_check "$OUT" '[x["id"] for x in js] == [2]' "tasks --upcoming"
  run 0 tasks crm.db --upcoming 1 --as-of 2999-05-30T12:00:00Z
  contains "$OUT" "no tasks" "tasks --upcoming 1"
  run 0 tasks crm.db --team support --json
  json_check "$OUT" '[x["title"] for x in js] == ["Tidy up"]' "tasks --team"
  # Done and cancel; a closed task cannot close again; the change feed has it all.
  run 0 tasks done crm.db 1 --json
  json_check "$OUT" 'j["status"] == "done" and j["completed_at"] is not None' "tasks done"
  run 1 tasks cancel crm.db 1
  contains "$ERR" "rapport: status: task 1 is done; only open tasks can be cancelled" "cancel a done task"
  run 0 tasks cancel crm.db 3
  run 0 tasks crm.db --json
  json_check "$OUT" '[x["id"] for x in js] == [2]' "open tasks after done and cancel"
  run 0 changes crm.db
  json_check "$OUT" '[x["op"] for x in js if x["entity"] == "task"] == ["create"] * 3 + ["complete", "cancel"]' "task changes in the feed"
  # Errors, with nothing written.
  run 1 tasks add crm.db "   "
  contains "$ERR" "rapport: title: must not be empty" "blank title"
  run 1 tasks add crm.db "x" --customer 99
  contains "$ERR" "rapport: customer: customer 99 not found" "unknown customer"
  run 2 tasks add crm.db "x" --priority asap
  contains "$ERR" '--priority: "asap" is not one of low, normal, high, urgent' "bad priority"
  run 2 tasks add crm.db "x" --due tomorrow
  contains "$ERR" "is not a time" "bad due time"
  run 2 tasks crm.db --overdue --upcoming 3
  contains "$ERR" "give at most one of --due, --overdue and --upcoming" "two lists"
  run 2 tasks crm.db --overdue --zone Mars/Olympus
  contains "$ERR" "--zone: unknown time zone 'Mars/Olympus'" "bad zone"
  run 2 tasks done crm.db --priority high 2
  contains "$ERR" "option '--priority' does not apply to 'rapport tasks done'" "option of another form"
  run 1 tasks done crm.db 42
  contains "$ERR" "rapport: task 42 not found" "unknown task"
  run 0 tasks crm.db --json
  json_check "$OUT" 'len(js) == 1' "nothing written by failed calls"
}

case_calendars() {
  run 0 init crm.db
  cat > office.json <<'JSON'
{"time_zone": "Europe/Berlin",
 "hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
           "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]},
 "holidays": ["2026-12-25"]}
JSON
  cat > bad.json <<'JSON'
{"time_zone": "Mars/Olympus", "hours": {"mon": [["09:00", "17:00"]]}}
JSON
  run 0 calendars save crm.db office office.json
  run 1 calendars save crm.db mars bad.json
  contains "$ERR" 'rapport: bad.json: time_zone: unknown time zone "Mars/Olympus"' "bad calendar"
  run 0 calendars list crm.db
  [[ $(lines "$OUT") == 1 ]] || fail "calendars list: $OUT"
  json_check "$OUT" 'j["name"] == "office" and j["time_zone"] == "Europe/Berlin" and j["weekly_hours"] == 40' "calendars list"
  run 0 calendars show crm.db office
  contains "$OUT" '"2026-12-25"' "calendars show"
  # Thursday 24 December 15:00 in Berlin: two hours that day, Christmas and the weekend off, six on Monday.
  run 0 calendars add crm.db office --from 2026-12-24T15:00:00+01:00 --duration 8h
  contains "$OUT" "2026-12-28T14:00:00Z  (2026-12-28 15:00:00 Mon Europe/Berlin)" "calendars add"
  run 0 calendars between crm.db office --from 2026-12-24T15:00:00+01:00 --to 2026-12-28T15:00:00+01:00
  [[ $OUT == "8h" ]] || fail "calendars between: $OUT"
  run 0 calendars next crm.db office --at 2026-12-25T10:00:00+01:00
  contains "$OUT" "2026-12-28T08:00:00Z" "calendars next"
  run 2 calendars add crm.db office --from 2026-12-24T15:00:00Z
  contains "$ERR" "--duration D is required" "add without --duration"
  run 2 calendars add crm.db office --from 2026-12-24T15:00:00Z --duration -3h
  contains "$ERR" "option '--duration': '-3h' is not a duration" "negative duration"
  run 2 calendars add crm.db office --from tomorrow --duration 3h
  contains "$ERR" "--from: " "bad --from"
  contains "$ERR" "(use RFC 3339, e.g. 2025-01-31T08:00:00Z, or a date)" "bad --from"
  run 2 calendars show crm.db office --at 2026-12-24T15:00:00Z
  contains "$ERR" "--at applies to add, between and next only" "option of another subcommand"
  run 1 calendars show crm.db nowhere
  contains "$ERR" 'rapport: calendar "nowhere": not found' "unknown calendar"
  # A rule that counts business hours keeps its calendar.
  cat > sla.json <<'JSON'
{"name": "lead-sla", "trigger": {"type": "relative", "field": "created_at", "business_hours": 8, "calendar": "office"},
 "actions": [{"type": "add_tag", "tag": "late"}]}
JSON
  run 0 rules save crm.db sla.json
  run 1 calendars drop crm.db office
  contains "$ERR" 'rapport: name: calendar "office" is used by rule "lead-sla"; drop or change the rule first' "drop a used calendar"
  run 0 calendars list crm.db
  [[ $(lines "$OUT") == 1 ]] || fail "a refused drop removed the calendar: $OUT"
  run 0 rules drop crm.db lead-sla
  run 0 calendars drop crm.db office
  run 0 calendars list crm.db
  [[ -z $OUT ]] || fail "calendars after drop: $OUT"
}

"case_$CASE"
echo "ok [$CASE]"
