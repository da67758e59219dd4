//! Observers: every request the server answers and its response, as data, for contract tests
//! that validate all simulator traffic against the vendor's spec.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;

use crate::faults::Fault;

/// One request and the response served to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: String,
    pub path_and_query: String,
    /// The request's body parsed as JSON; `None` when empty or not JSON.
    pub request_body: Option<Value>,
    pub status: u16,
    /// The response's body parsed as JSON; `None` when empty or not JSON.
    pub body: Option<Value>,
    /// The injected fault that shaped this response, if any.
    pub fault: Option<Fault>,
}

pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

#[derive(Clone, Default)]
pub(crate) struct Observers {
    list: Arc<Mutex<Vec<Observer>>>,
}

impl Observers {
    pub(crate) fn add(&self, observer: Observer) {
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(observer);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    pub(crate) fn notify(&self, exchange: &Exchange) {
        // Called without the lock held, so an observer may add another.
        let list: Vec<Observer> = self
            .list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for observer in list {
            observer(exchange);
        }
    }
}
