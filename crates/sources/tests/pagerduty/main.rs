//! The PagerDuty source from the outside. One binary, one module per area:
//!
//! - `harness`: the simulator frozen at a scenario time, a source pointed at it, and the
//!   contract check of every response the source received
//! - `examples`: PagerDuty's own example payloads through the decoder and the mapping
//! - `polling`: the shared day: the first poll, incremental polls, the overlap window, and
//!   incidents resolved while nobody looked
//! - `paging`: a synthetic day with more incidents than one page holds
//! - `http`: the JSON client's retries and rate-limit handling against a scripted server
//! - `budget`: the request budget: the client's rate limiter as the simulator sees it, the
//!   vendor's rate-limit headers in `budget()`, and the quick poll for new pages

mod budget;
mod examples;
mod harness;
mod http;
mod paging;
mod polling;
