//! The repository's own copy of the shared day, used by `opsdeck demo`.

use super::model::Scenario;

pub const BUNDLED_DAY_YAML: &str = include_str!("../../scenarios/day-in-the-life.yaml");

/// The bundled day, already validated: a test loads it, so this cannot fail in a build whose
/// tests pass.
pub fn bundled_day() -> Scenario {
    match super::parse_str(BUNDLED_DAY_YAML, "day-in-the-life.yaml") {
        Ok(scenario) => scenario,
        Err(e) => panic!("the bundled scenario must load: {e}"),
    }
}
