//! Matching concrete request paths to the spec's path templates.

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// A segment with a parameter and literal text around it, e.g. `{name}.json`.
    Mixed {
        prefix: String,
        suffix: String,
    },
    Param,
}

impl Segment {
    fn parse(raw: &str) -> Segment {
        match (raw.find('{'), raw.rfind('}')) {
            (Some(0), Some(end)) if end == raw.len() - 1 => Segment::Param,
            (Some(start), Some(end)) if start < end => Segment::Mixed {
                prefix: raw[..start].to_string(),
                suffix: raw[end + 1..].to_string(),
            },
            _ => Segment::Literal(raw.to_string()),
        }
    }

    /// How specific a match on this segment is: literal text beats a parameter.
    fn rank(&self) -> u8 {
        match self {
            Segment::Literal(_) => 2,
            Segment::Mixed { .. } => 1,
            Segment::Param => 0,
        }
    }

    fn matches(&self, concrete: &str) -> bool {
        match self {
            Segment::Literal(text) => text == concrete,
            Segment::Mixed { prefix, suffix } => {
                concrete.len() > prefix.len() + suffix.len()
                    && concrete.starts_with(prefix.as_str())
                    && concrete.ends_with(suffix.as_str())
            }
            Segment::Param => !concrete.is_empty(),
        }
    }
}

/// The path templates of one spec, in document order.
#[derive(Debug, Default)]
pub(crate) struct PathMatcher {
    templates: Vec<Vec<Segment>>,
}

impl PathMatcher {
    pub(crate) fn new<'a>(templates: impl IntoIterator<Item = &'a str>) -> PathMatcher {
        PathMatcher {
            templates: templates
                .into_iter()
                .map(|t| segments(t).map(Segment::parse).collect())
                .collect(),
        }
    }

    /// Index of the template `path` matches, preferring literal segments left to right
    /// (`/users/me` before `/users/{id}`). `path` carries no query string.
    pub(crate) fn find(&self, path: &str) -> Option<usize> {
        let concrete: Vec<&str> = segments(path).collect();
        self.templates
            .iter()
            .enumerate()
            .filter(|(_, template)| {
                template.len() == concrete.len()
                    && template.iter().zip(&concrete).all(|(s, c)| s.matches(c))
            })
            .max_by(|(ia, a), (ib, b)| {
                let rank = |t: &Vec<Segment>| t.iter().map(Segment::rank).collect::<Vec<_>>();
                // On a tie the earlier template wins, hence the reversed index comparison.
                rank(a).cmp(&rank(b)).then(ib.cmp(ia))
            })
            .map(|(index, _)| index)
    }
}

/// Segments of a path, ignoring a trailing slash.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.trim_start_matches('/')
        .trim_end_matches('/')
        .split('/')
}

/// Splits `path_and_query` into the path; the query string and fragment are not matched.
pub(crate) fn strip_query(path_and_query: &str) -> &str {
    let end = path_and_query
        .find(['?', '#'])
        .unwrap_or(path_and_query.len());
    &path_and_query[..end]
}

/// Candidate spec paths for a request path: without each base path it starts with (at a
/// segment boundary), then as given.
pub(crate) fn candidates<'a>(path: &'a str, base_paths: &'a [String]) -> Vec<&'a str> {
    let mut found: Vec<&str> = base_paths
        .iter()
        .filter_map(|base| {
            let rest = path.strip_prefix(base.as_str())?;
            match rest {
                "" => Some("/"),
                _ if rest.starts_with('/') => Some(rest),
                _ => None,
            }
        })
        .collect();
    found.push(path);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> PathMatcher {
        PathMatcher::new([
            "/users/{id}",
            "/users/me",
            "/users/{id}/contact_methods",
            "/incidents",
            "/files/{name}.json",
            "/",
        ])
    }

    #[test]
    fn literal_segments_win_regardless_of_order() {
        assert_eq!(matcher().find("/users/me"), Some(1));
        assert_eq!(matcher().find("/users/PABC123"), Some(0));
        assert_eq!(
            PathMatcher::new(["/users/me", "/users/{id}"]).find("/users/me"),
            Some(0)
        );
    }

    #[test]
    fn segment_counts_must_agree() {
        assert_eq!(matcher().find("/users/P1/contact_methods"), Some(2));
        assert_eq!(matcher().find("/users"), None);
        assert_eq!(matcher().find("/users/P1/x"), None);
    }

    #[test]
    fn trailing_slash_and_root_are_handled() {
        assert_eq!(matcher().find("/incidents/"), Some(3));
        assert_eq!(matcher().find("/"), Some(5));
    }

    #[test]
    fn mixed_segments_need_their_literal_parts() {
        assert_eq!(matcher().find("/files/a.json"), Some(4));
        assert_eq!(matcher().find("/files/a.yaml"), None);
        assert_eq!(matcher().find("/files/.json"), None);
    }

    #[test]
    fn query_and_fragment_are_stripped() {
        assert_eq!(strip_query("/incidents?limit=1&x=/a"), "/incidents");
        assert_eq!(strip_query("/a#frag"), "/a");
        assert_eq!(strip_query("/a"), "/a");
    }

    #[test]
    fn base_paths_are_stripped_at_segment_boundaries_only() {
        let bases = vec!["/api/v2".to_string()];
        assert_eq!(
            candidates("/api/v2/alerts", &bases),
            vec!["/alerts", "/api/v2/alerts"]
        );
        assert_eq!(candidates("/api/v2", &bases), vec!["/", "/api/v2"]);
        assert_eq!(candidates("/api/v20/x", &bases), vec!["/api/v20/x"]);
    }
}
