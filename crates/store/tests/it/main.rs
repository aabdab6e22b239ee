//! The store's own tests, on SQLite and (with KC_TEST_DATABASE_URL) PostgreSQL.

mod appeals;
mod audit;
mod closures;
mod duties;
mod files;
mod imports;
mod merges;
mod notices;
mod privacy;
mod support;
mod users;
