-- Accounts and sessions. Money is in minor units; credits are integers.
CREATE TABLE users (
  id text PRIMARY KEY,
  phone text NOT NULL UNIQUE,
  display_name text,
  birth_date date,
  gender text,
  bio text,
  email text,
  credits integer NOT NULL DEFAULT 0,
  premium_until timestamptz,
  created_at timestamptz NOT NULL
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

-- One row per code sent; rate limits count these rows.
CREATE TABLE otp_challenges (
  id text PRIMARY KEY,
  phone text NOT NULL,
  ip text NOT NULL,
  code_hash text NOT NULL,
  provider text,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  verified_at timestamptz
);
CREATE INDEX otp_challenges_phone ON otp_challenges (phone, created_at);
CREATE INDEX otp_challenges_ip ON otp_challenges (ip, created_at);

CREATE TABLE sms_messages (
  id text PRIMARY KEY,
  provider text NOT NULL,
  to_phone text NOT NULL,
  purpose text NOT NULL,
  provider_message_id text,
  status text NOT NULL,
  error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX sms_messages_provider_id ON sms_messages (provider, provider_message_id);

CREATE TABLE company_verifications (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  company_name text NOT NULL,
  email text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  status text NOT NULL,
  failure_reason text,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  verified_at timestamptz
);
CREATE INDEX company_verifications_email ON company_verifications (email);

CREATE TABLE notifications (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  kind text NOT NULL,
  message text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Append-only: every credit change is one row; ref makes a grant happen once.
CREATE TABLE credit_ledger (
  id serial PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  delta integer NOT NULL,
  balance_after integer NOT NULL,
  reason text NOT NULL,
  ref text UNIQUE,
  created_at timestamptz NOT NULL
);
CREATE INDEX credit_ledger_user ON credit_ledger (user_id, id);

CREATE TABLE payments (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  purpose text NOT NULL,
  package_id text,
  credits integer NOT NULL,
  amount integer NOT NULL,
  currency text NOT NULL,
  provider text NOT NULL,
  method text NOT NULL,
  status text NOT NULL,
  provider_ref text,
  provider_order_id text,
  checkout_url text,
  client_secret text,
  failure_code text,
  failure_message text,
  details jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  succeeded_at timestamptz,
  refunded_at timestamptz
);
CREATE INDEX payments_user ON payments (user_id, created_at);
CREATE INDEX payments_provider_ref ON payments (provider, provider_ref);
CREATE INDEX payments_order ON payments (provider, provider_order_id);
CREATE INDEX payments_status ON payments (status, updated_at);

-- Every outbound provider call and its outcome: the app's own journal.
CREATE TABLE provider_calls (
  id serial PRIMARY KEY,
  provider text NOT NULL,
  operation text NOT NULL,
  idempotency_key text,
  attempt integer NOT NULL,
  outcome text NOT NULL,
  status integer,
  error text,
  duration_ms integer NOT NULL,
  at timestamptz NOT NULL
);

CREATE TABLE webhook_events (
  id serial PRIMARY KEY,
  provider text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  payload jsonb NOT NULL,
  raw text NOT NULL,
  received_at timestamptz NOT NULL,
  processed_at timestamptz
);
CREATE UNIQUE INDEX webhook_events_dedupe ON webhook_events (provider, event_id);

-- The durable job table (outbox): nothing is lost on restart.
CREATE TABLE jobs (
  id serial PRIMARY KEY,
  type text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  run_at timestamptz NOT NULL,
  locked_until timestamptz,
  last_error text,
  dedupe_key text UNIQUE,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE likes (
  from_user text NOT NULL REFERENCES users(id),
  to_user text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (from_user, to_user)
);

CREATE TABLE matches (
  id text PRIMARY KEY,
  user_a text NOT NULL REFERENCES users(id),
  user_b text NOT NULL REFERENCES users(id),
  created_at timestamptz NOT NULL,
  UNIQUE (user_a, user_b)
);

CREATE TABLE chat_messages (
  id text PRIMARY KEY,
  match_id text NOT NULL REFERENCES matches(id),
  sender_id text NOT NULL REFERENCES users(id),
  body text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX chat_messages_match ON chat_messages (match_id, created_at);

CREATE TABLE gift_cards (
  id text PRIMARY KEY,
  code text NOT NULL UNIQUE,
  payment_id text NOT NULL UNIQUE REFERENCES payments(id),
  purchaser_id text NOT NULL REFERENCES users(id),
  initial_credits integer NOT NULL,
  balance integer NOT NULL CHECK (balance >= 0),
  recipient_email text NOT NULL,
  recipient_phone text,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE gift_card_redemptions (
  id text PRIMARY KEY,
  gift_card_id text NOT NULL REFERENCES gift_cards(id),
  user_id text NOT NULL REFERENCES users(id),
  credits integer NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE calls (
  id text PRIMARY KEY,
  caller_id text NOT NULL REFERENCES users(id),
  callee_id text NOT NULL REFERENCES users(id),
  type text NOT NULL,
  rate integer NOT NULL,
  status text NOT NULL,
  requested_at timestamptz NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  end_reason text,
  billed_minutes integer NOT NULL DEFAULT 0,
  billed_credits integer NOT NULL DEFAULT 0
);
CREATE INDEX calls_caller ON calls (caller_id, requested_at);
CREATE INDEX calls_callee ON calls (callee_id, requested_at);

CREATE TABLE subscriptions (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  provider text NOT NULL,
  status text NOT NULL,
  provider_subscription_id text,
  provider_customer_id text,
  billing_key text,
  customer_key text,
  amount integer NOT NULL,
  currency text NOT NULL,
  current_period_end timestamptz,
  grace_until timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, created_at);
CREATE INDEX subscriptions_provider_id ON subscriptions (provider, provider_subscription_id);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);
