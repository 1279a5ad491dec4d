-- Rapport schema, version 3: fitted customer lifetime value models and the customer scores they give.

-- A fitted model (include/rapport/clv_store.h): a purchase model (BG/NBD or Pareto/NBD) with, optionally, a
-- Gamma-Gamma spend model, and the summary conventions and data cut-off it was fitted with.
CREATE TABLE clv_models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  model TEXT NOT NULL CHECK (model IN ('bg_nbd', 'pareto_nbd')),
  spec TEXT NOT NULL,            -- JSON: parameters, covariance, log-likelihood, summary and value options
  cutoff INTEGER NOT NULL,       -- the calibration end: orders after it were not seen by the fit
  fitted_at INTEGER NOT NULL,
  applied_at INTEGER             -- the as_of of the last apply
);

-- Each customer's latest scores, from the last model applied (applying a model replaces every row). A
-- customer without a purchase by the as_of has no row: the segment metrics are null for them.
CREATE TABLE customer_scores (
  customer_id INTEGER PRIMARY KEY REFERENCES customers (id) ON DELETE CASCADE,
  model_id INTEGER NOT NULL REFERENCES clv_models (id) ON DELETE CASCADE,
  as_of INTEGER NOT NULL,
  p_alive REAL,
  expected_purchases_90d REAL,
  clv REAL,
  churn_risk REAL
);

-- Dynamic segments remember which orders their order metrics count (FrameOptions as JSON:
-- {"order_statuses": [...], "currency": "..."}); NULL: the defaults.
ALTER TABLE segments ADD COLUMN frame TEXT;
