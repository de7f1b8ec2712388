#!/usr/bin/env bash
# Starts the reference target against the standin hub the mutation run (or a
# user) names through STANDIN_<PROVIDER>_URL, on $PORT, with its test clock on
# so journeys can move its time with standin's. REFERENCE_DEFECTS passes through.
set -euo pipefail
cd "$(dirname "$0")/../.."
export REFERENCE_TEST_CLOCK=1 LOG_LEVEL="${LOG_LEVEL:-warn}"
export TWILIO_BASE_URL="${STANDIN_TWILIO_URL:-http://127.0.0.1:4701}"
export ALIGO_BASE_URL="${STANDIN_ALIGO_URL:-http://127.0.0.1:4702}"
export SENDGRID_BASE_URL="${STANDIN_SENDGRID_URL:-http://127.0.0.1:4703}"
export STRIPE_BASE_URL="${STANDIN_STRIPE_URL:-http://127.0.0.1:4704}"
export RAZORPAY_BASE_URL="${STANDIN_RAZORPAY_URL:-http://127.0.0.1:4705}"
export TOSS_BASE_URL="${STANDIN_TOSS_URL:-http://127.0.0.1:4706}"
exec node --import tsx reference-target/src/server.ts
