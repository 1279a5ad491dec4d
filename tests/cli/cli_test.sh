#!/usr/bin/env bash
# Tests of the `rapport` command-line tool, run by CTest: cli_test.sh RAPPORT_BINARY CASE
# Each case works in its own temporary directory and exits non-zero on the first failed check.
set -euo pipefail

RAPPORT=$1
CASE=$2
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

COMMANDS=(init import get search changes segment demo)

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

"case_$CASE"
echo "ok [$CASE]"
