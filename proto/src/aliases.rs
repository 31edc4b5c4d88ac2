//! Names that stand for one and the same place or organisation (`data/aliases.txt`: `North
//! Korea | DPRK | Democratic People's Republic of Korea`), the preferred name first. `entities`
//! keys every name on a line by the preferred one, and subscribers' lookups find any of them.

use crate::slug;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The list, one group a line, names separated by ` | `; `#` starts a comment line.
const LIST: &str = include_str!("../data/aliases.txt");

/// Every group of names, the preferred name first.
pub fn groups() -> impl Iterator<Item = Vec<&'static str>> {
    LIST.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| line.split(" | ").map(str::trim).collect())
}

/// The slug of the preferred name of what the name with slug `name` names, when the list has
/// it: `dprk` and `democratic-peoples-republic-of-korea` give `north-korea`.
pub fn preferred(name: &str) -> Option<&'static str> {
    static PREFERRED: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    PREFERRED
        .get_or_init(|| {
            let mut map = HashMap::new();
            for group in groups() {
                // Leaked once per process: the list is small and lives as long as the process.
                let first: &'static str = Box::leak(slug(group[0]).into_boxed_str());
                for name in group {
                    map.entry(slug(name)).or_insert(first);
                }
            }
            map
        })
        .get(name)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_on_a_line_prefers_the_first() {
        assert_eq!(preferred("dprk"), Some("north-korea"));
        assert_eq!(
            preferred("democratic-peoples-republic-of-korea"),
            Some("north-korea")
        );
        assert_eq!(preferred("north-korea"), Some("north-korea"));
        assert_eq!(preferred("u-s"), Some("united-states"));
        assert_eq!(preferred("blinken"), None);
    }

    #[test]
    fn no_name_stands_for_two_things() {
        let mut seen: HashMap<String, String> = HashMap::new();
        for group in groups() {
            for name in &group {
                if let Some(earlier) = seen.insert(slug(name), group[0].to_owned()) {
                    assert_eq!(earlier, group[0], "{name} is on two lines");
                }
            }
        }
    }
}
