//! Integration tests: the real server on a random port, a fresh database per test (a SQLite
//! file, or a new database on the throwaway PostgreSQL cluster `make test` starts), and a
//! real HTTP client. Every test runs on both engines.

mod accounts;
mod catalogue;
mod change;
mod claims;
mod claims_service;
mod common;
mod demo;
mod dispute_edges;
mod disputes;
mod hostile;
mod import;
mod lookup;
mod matrix;
mod owners;
mod pages;
mod partners;
mod police;
mod recall_admin;
mod scan;
mod scope;
mod security;
mod sessions;
mod signals;
mod staff;
mod staff_desk;
mod storage;
