//! A request's query string as name/value pairs in the order sent, for every simulated
//! vendor's own reading of it (PagerDuty's `name[]=` lists, Alertmanager's repeated `filter`,
//! Grafana's first-value-wins, GitHub's pagination links).

#[derive(Debug, Clone, Default)]
pub(crate) struct QueryString {
    pairs: Vec<(String, String)>,
}

impl QueryString {
    pub(crate) fn parse(raw: Option<&str>) -> QueryString {
        let pairs = raw
            .map(|raw| {
                url::form_urlencoded::parse(raw.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        QueryString { pairs }
    }

    /// The last value given for `name`.
    pub(crate) fn last(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every pair, in the order sent.
    pub(crate) fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The first value given for `name`.
    pub(crate) fn first(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value whose name `wanted` accepts, in the order sent.
    pub(crate) fn all_where(&self, wanted: impl Fn(&str) -> bool) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| wanted(k))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}
