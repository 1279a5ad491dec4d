// DuckDB peer of the analytics benchmarks (benchmarks/ANALYTICS.md has the task definitions).
//
//   node benchmarks/peers/duckdb_bench.mjs DATADIR [--runs 3] [--tasks rfm,segment_cold,...] [--threads 2]
//
// DATADIR is written by bench_datagen. Loading (read_csv into in-memory tables) is not timed; each task
// runs --runs times as SQL through @duckdb/node-api (npm ci --prefix benchmarks/peers). A task's time
// ends when its result is materialised: small results are read into JavaScript, the per-customer RFM
// table is created as a temporary table. Digests are computed afterwards in SQL, untimed. Prints one
// JSON line per task: {"engine": "duckdb", "task": ..., "seconds": [...], "digest": ...}.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, version } from '@duckdb/node-api';

const ALL_TASKS = ['rfm', 'segment_cold', 'segment_warm', 'event_funnel', 'stage_funnel', 'cohort'];

function parseArgs(argv) {
  const args = { runs: 3, tasks: ALL_TASKS, threads: 2, datadir: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--runs') args.runs = Number(argv[++i]);
    else if (a === '--tasks') args.tasks = argv[++i].split(',');
    else if (a === '--threads') args.threads = Number(argv[++i]);
    else if (!args.datadir) args.datadir = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!args.datadir) throw new Error('usage: duckdb_bench.mjs DATADIR [--runs N] [--tasks a,b] [--threads N]');
  return args;
}

const q = (s) => `'${String(s).replaceAll("'", "''")}'`;
const M = 2147483647;
// Sum of row hashes (ANALYTICS.md, "Digests") of BIGINT expressions, as text.
function digestSql(exprs) {
  let h = '0::BIGINT';
  for (const e of exprs) h = `((${h}) * 1000003 + (${e})::BIGINT) % ${M}`;
  return `coalesce(sum(((${h}) * (${h})) % ${M}), 0)::VARCHAR`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const meta = JSON.parse(readFileSync(join(args.datadir, 'meta.json'), 'utf8'));
  const instance = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
  const conn = await instance.connect();
  const rows = async (sql) => (await conn.runAndReadAll(sql)).getRowsJS();
  const asOf = `TIMESTAMP ${q(meta.as_of)}`;
  const daysSince = (col) => `(epoch_us(${asOf}) - epoch_us(${col})) // 86400000000`;

  // --- Load (untimed).
  const t0 = performance.now();
  const csv = (name, columns) =>
    `read_csv(${q(join(args.datadir, name + '.csv'))}, header = true, columns = {${Object.entries(columns)
      .map(([k, v]) => `${q(k)}: ${q(v)}`)
      .join(', ')}})`;
  await conn.run(`CREATE TABLE customers AS SELECT * FROM ${csv('customers', { id: 'BIGINT', industry: 'VARCHAR', region: 'VARCHAR', created_at: 'TIMESTAMP' })}`);
  await conn.run(`CREATE TABLE tags AS SELECT * FROM ${csv('tags', { customer_id: 'BIGINT', tag: 'VARCHAR' })}`);
  await conn.run(`CREATE TABLE orders AS SELECT * FROM ${csv('orders', { customer_id: 'BIGINT', ordered_at: 'TIMESTAMP', amount_cents: 'BIGINT' })}`);
  await conn.run(`CREATE TABLE events AS SELECT * FROM ${csv('events', { customer_id: 'BIGINT', kind: 'VARCHAR', at: 'TIMESTAMP' })}`);
  await conn.run(`CREATE TABLE stages AS SELECT * FROM ${csv('stages', { entity_id: 'BIGINT', stage: 'VARCHAR', entered_at: 'TIMESTAMP' })}`);
  const [[nOrders]] = await rows('SELECT count(*) FROM orders');
  if (Number(nOrders) !== meta.orders) throw new Error(`orders.csv has ${nOrders} rows, meta.json says ${meta.orders}`);
  let warmReady = false;
  process.stderr.write(`duckdb ${version()}, ${args.threads} threads: loaded ${meta.customers} customers in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  const rules = meta.rfm_rules;
  const segmentCase = `CASE ${rules.map(([name, r0, r1, f0, f1]) => `WHEN r BETWEEN ${r0} AND ${r1} AND f BETWEEN ${f0} AND ${f1} THEN ${q(name)}`).join(' ')} END`;
  const segmentIndex = `CASE segment ${rules.map(([name], i) => `WHEN ${q(name)} THEN ${i}`).join(' ')} ELSE -1 END`;
  const score = (order) => `1 + (5 * (rank() OVER (ORDER BY ${order}) - 1)) // count(*) OVER ()`;
  const segmentFilter = (t) =>
    `${t}industry IN (${meta.segment_industries.map(q).join(', ')}) AND ${t}region = ${q(meta.segment_region)}`;
  const segmentDigest = async (ids) => {
    const list = ids.map((r) => Number(r[0]));
    const [[h]] = list.length
      ? await rows(`SELECT ${digestSql(['id'])} FROM (SELECT unnest([${list.join(',')}]::BIGINT[]) AS id)`)
      : [['0']];
    return `members=${list.length} hash=${h} first=${list.slice(0, 3).join(',')}`;
  };

  const tasks = {
    // (a) RFM: per-customer table with scores and segments, kept as a temporary table.
    rfm: {
      run: () => conn.run(`CREATE OR REPLACE TEMP TABLE rfm AS
        WITH a AS (
          SELECT customer_id, max(ordered_at) AS last_order_at, count(*) AS frequency, sum(amount_cents) AS monetary
          FROM orders WHERE ordered_at <= ${asOf} GROUP BY customer_id),
        b AS (SELECT *, ${daysSince('last_order_at')} AS recency_days FROM a),
        s AS (SELECT *, ${score('recency_days DESC')} AS r, ${score('frequency')} AS f, ${score('monetary')} AS m FROM b)
        SELECT *, ${segmentCase} AS segment FROM s`),
      digest: async () => {
        const [[n, h]] = await rows(`SELECT count(*)::VARCHAR, ${digestSql(['customer_id', 'recency_days', 'frequency', 'monetary', 'r', 'f', 'm', segmentIndex])} FROM rfm`);
        const counts = async (expr, k, base) => {
          const got = new Map((await rows(`SELECT ${expr} AS v, count(*) FROM rfm GROUP BY v`)).map(([v, c]) => [Number(v), Number(c)]));
          return Array.from({ length: k }, (_, i) => got.get(i + base) ?? 0).join(',');
        };
        return `rows=${n} hash=${h} segments=${await counts(segmentIndex, rules.length, 0)} r=${await counts('r', 5, 1)} f=${await counts('f', 5, 1)} m=${await counts('m', 5, 1)}`;
      },
    },
    // (b) Segment from the raw tables: candidates by category and tag, then their order aggregates.
    segment_cold: {
      run: () => rows(`
        WITH cand AS (
          SELECT c.id FROM customers c
          WHERE ${segmentFilter('c.')}
            AND EXISTS (SELECT 1 FROM tags t WHERE t.customer_id = c.id AND t.tag = ${q(meta.segment_tag)})),
        agg AS (
          SELECT o.customer_id AS id, sum(o.amount_cents) AS monetary, max(o.ordered_at) AS last_order_at
          FROM orders o JOIN cand ON o.customer_id = cand.id GROUP BY o.customer_id)
        SELECT id FROM agg
        WHERE monetary > ${meta.segment_min_monetary_cents} AND ${daysSince('last_order_at')} <= ${meta.segment_max_days}
        ORDER BY id`),
      digest: segmentDigest,
    },
    // (b) Segment on a prepared per-customer table (attributes, tag list, order aggregates).
    segment_warm: {
      prepare: async () => {
        if (warmReady) return;
        await conn.run(`CREATE TABLE cust AS
          SELECT c.id, c.industry, c.region, c.created_at, coalesce(t.tags, []) AS tags,
                 coalesce(o.frequency, 0) AS frequency, coalesce(o.monetary, 0) AS monetary, o.last_order_at
          FROM customers c
          LEFT JOIN (SELECT customer_id, list(tag ORDER BY tag) AS tags FROM tags GROUP BY customer_id) t ON t.customer_id = c.id
          LEFT JOIN (SELECT customer_id, count(*) AS frequency, sum(amount_cents) AS monetary, max(ordered_at) AS last_order_at
                     FROM orders GROUP BY customer_id) o ON o.customer_id = c.id
          ORDER BY c.id`);
        warmReady = true;
      },
      run: () => rows(`
        SELECT id FROM cust
        WHERE ${segmentFilter('')} AND list_contains(tags, ${q(meta.segment_tag)})
          AND monetary > ${meta.segment_min_monetary_cents} AND ${daysSince('last_order_at')} <= ${meta.segment_max_days}
        ORDER BY id`),
      digest: segmentDigest,
    },
    // (c) Event funnel: each step's earliest qualifying event, joined step by step.
    event_funnel: {
      run: () => {
        const k = meta.event_kinds;
        const window = `to_microseconds(${meta.funnel_window_us})`;
        let sql = `WITH s1 AS (SELECT customer_id, min("at") AS t1, min("at") AS t FROM events WHERE kind = ${q(k[0])} GROUP BY customer_id)`;
        for (let i = 1; i < k.length; ++i) {
          sql += `, s${i + 1} AS (SELECT e.customer_id, s.t1, min(e."at") AS t FROM events e JOIN s${i} s USING (customer_id)
                    WHERE e.kind = ${q(k[i])} AND e."at" > s.t AND e."at" <= s.t1 + ${window} GROUP BY e.customer_id, s.t1)`;
        }
        sql += ` SELECT ${k.map((_, i) => `(SELECT count(*) FROM s${i + 1})`).join(', ')}`;
        return rows(sql);
      },
      digest: async (r) => `steps=${r[0].map(Number).join(',')}`,
    },
    // (d) Stage funnel: entered, advanced, conversion, median time in stage (next row of the entity).
    stage_funnel: {
      run: () => {
        const ord = meta.stages.slice(0, meta.ordered_stages).map((s, i) => `(${q(s)}, ${i})`).join(', ');
        return rows(`
          WITH ord(stage, ord) AS (VALUES ${ord}),
          h AS (SELECT stage, entered_at, lead(entered_at) OVER (PARTITION BY entity_id ORDER BY entered_at) AS next_at FROM stages),
          time_in AS (SELECT stage, count(next_at) AS closed, quantile_cont(epoch(next_at - entered_at), 0.5) AS median_s
                      FROM h GROUP BY stage),
          visits AS (SELECT s.entity_id, o.ord, s.entered_at FROM stages s JOIN ord o USING (stage)),
          first AS (SELECT entity_id, ord, min(entered_at) AS first_at FROM visits GROUP BY entity_id, ord),
          adv AS (SELECT f.ord, count(DISTINCT f.entity_id) AS advanced
                  FROM first f JOIN visits v ON v.entity_id = f.entity_id AND v.ord > f.ord AND v.entered_at > f.first_at
                  GROUP BY f.ord),
          ent AS (SELECT ord, count(*) AS entered FROM first GROUP BY ord)
          SELECT o.stage, coalesce(ent.entered, 0) AS entered, coalesce(adv.advanced, 0) AS advanced,
                 coalesce(adv.advanced, 0) / ent.entered AS conversion, coalesce(t.closed, 0) AS closed, t.median_s
          FROM ord o LEFT JOIN ent USING (ord) LEFT JOIN adv USING (ord) LEFT JOIN time_in t USING (stage)
          ORDER BY o.ord`);
      },
      digest: async (r) =>
        r.map(([stage, entered, advanced, , closed, median]) =>
          `${stage}=${entered}/${advanced}/${closed}/${Number(closed) === 0 ? 'nan' : Math.round(median * 1000)}`).join(' '),
    },
    // (e) Cohort retention matrix by first-order month.
    cohort: {
      run: () => rows(`
        WITH om AS (SELECT DISTINCT customer_id, date_trunc('month', ordered_at) AS month FROM orders),
        c AS (SELECT customer_id, min(month) AS cohort FROM om GROUP BY customer_id)
        SELECT year(c.cohort) * 100 + month(c.cohort) AS cohort, date_diff('month', c.cohort, om.month) AS k, count(*) AS customers
        FROM om JOIN c USING (customer_id) GROUP BY ALL`),
      digest: async (r) => {
        const values = r.map(([c, k, n]) => `(${c}, ${k}, ${n})`).join(', ');
        const [[h]] = await rows(`SELECT ${digestSql(['c', 'k', 'n'])} FROM (VALUES ${values}) v(c, k, n)`);
        const cohorts = new Set(r.map(([c]) => Number(c))).size;
        const total = r.reduce((s, [, , n]) => s + Number(n), 0);
        return `cohorts=${cohorts} cells=${r.length} total=${total} hash=${h}`;
      },
    },
  };

  for (const name of args.tasks) {
    const task = tasks[name];
    if (!task) throw new Error(`unknown task ${name}`);
    if (task.prepare) await task.prepare();
    const seconds = [];
    let result;
    for (let i = 0; i < args.runs; ++i) {
      const t = performance.now();
      result = await task.run();
      seconds.push((performance.now() - t) / 1000);
    }
    const digest = await task.digest(result);
    process.stdout.write(JSON.stringify({ engine: 'duckdb', task: name, seconds, digest }) + '\n');
  }
  // The process's peak resident memory (loading included); maxRSS is in KiB.
  process.stdout.write(JSON.stringify({ engine: 'duckdb', peak_rss_bytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
  conn.closeSync?.();
}

main().catch((e) => {
  process.stderr.write(`duckdb_bench: ${e.stack || e}\n`);
  process.exit(1);
});
