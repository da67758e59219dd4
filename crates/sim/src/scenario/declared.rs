//! What the top of a scenario declares (people, services, contexts, nodes), for checking the
//! references events make.

use std::collections::{BTreeMap, BTreeSet};

use super::error::ErrorKind;
use super::model::{Cluster, Person, Service};

pub(crate) struct Declared<'s> {
    me: &'s Person,
    people: &'s [Person],
    services: &'s [Service],
    /// Context -> its declared nodes; a context known only from a service has none.
    contexts: BTreeMap<&'s str, BTreeSet<&'s str>>,
}

impl<'s> Declared<'s> {
    pub fn new(
        me: &'s Person,
        people: &'s [Person],
        services: &'s [Service],
        clusters: &'s [Cluster],
    ) -> Self {
        let mut contexts: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for cluster in clusters {
            contexts
                .entry(cluster.context.as_str())
                .or_default()
                .extend(cluster.nodes.iter().map(String::as_str));
        }
        for k8s in services.iter().filter_map(|s| s.kubernetes.as_ref()) {
            contexts.entry(k8s.context.as_str()).or_default();
        }
        Declared {
            me,
            people,
            services,
            contexts,
        }
    }

    /// `me` or a declared email, as that person's email.
    pub fn person(&self, who: &str) -> Result<String, ErrorKind> {
        if who == "me" {
            return Ok(self.me.email.clone());
        }
        std::iter::once(self.me)
            .chain(self.people)
            .find(|p| p.email == who)
            .map(|p| p.email.clone())
            .ok_or_else(|| ErrorKind::UndeclaredPerson(who.to_owned()))
    }

    pub fn service(&self, name: &str) -> Result<&'s Service, ErrorKind> {
        self.services
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| ErrorKind::UndeclaredService(name.to_owned()))
    }

    pub fn context(&self, context: &str) -> Result<(), ErrorKind> {
        if self.contexts.contains_key(context) {
            Ok(())
        } else {
            Err(ErrorKind::UndeclaredContext(context.to_owned()))
        }
    }

    pub fn node(&self, context: &str, node: &str) -> Result<(), ErrorKind> {
        match self.contexts.get(context) {
            Some(nodes) if nodes.contains(node) => Ok(()),
            _ => Err(ErrorKind::UndeclaredNode {
                context: context.to_owned(),
                node: node.to_owned(),
            }),
        }
    }
}
