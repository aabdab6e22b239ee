//! Integration tests: the real server on 127.0.0.1 over a real database. Each test runs
//! against SQLite and, when `KC_TEST_DATABASE_URL` names a PostgreSQL server (scripts/test
//! starts one), against PostgreSQL too.

mod a11y;
mod a11y_console;
mod api_flow;
mod appeals;
mod articles;
mod audit_log;
mod case_view;
mod closing;
mod consult;
mod contract;
mod duties;
mod escalation;
mod expired_tokens;
mod files;
mod harness;
mod html;
mod input_errors;
mod merging;
mod new_user;
mod notices;
mod pages;
mod rechecks;
mod revoked_access;
mod roles;
mod security;
mod semantic;
mod stats;
