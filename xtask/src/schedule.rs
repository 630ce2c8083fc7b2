//! The arithmetic of the teachers' course plans: a plan that says "90
//! minutes" must have sections that add up to 90.
//!
//! A timed part of a plan is a heading that ends in `(N minutes)`. Under
//! it, a table whose first column is minutes lists its sections, and may
//! end with a bold total row (`| **90** | **Total** | |`). For each timed
//! heading:
//!
//! - if a table follows it (before the next heading), the minutes of its
//!   rows add up to N, and its bold total, if there is one, is N;
//! - if timed headings of a deeper level follow it instead (a day and its
//!   sessions), their minutes add up to N.

/// A heading with its minutes, and what its minutes are made of.
#[derive(Debug)]
struct Timed {
    line: usize,
    level: usize,
    title: String,
    minutes: u32,
    /// The minutes of the rows of its table, and the bold total if any.
    rows: Vec<u32>,
    total: Option<u32>,
}

/// What does not add up in the plan `text` (called `name` in messages).
pub fn check(name: &str, text: &str) -> Vec<String> {
    let timed = timed_parts(text);
    let mut problems = Vec::new();
    for (i, part) in timed.iter().enumerate() {
        let here = format!("{name}:{}: {}", part.line, part.title);
        if !part.rows.is_empty() {
            let sum: u32 = part.rows.iter().sum();
            if sum != part.minutes {
                problems.push(format!(
                    "{here}: its sections add up to {sum} minutes, not {}",
                    part.minutes
                ));
            }
            if let Some(total) = part.total.filter(|total| *total != part.minutes) {
                problems.push(format!(
                    "{here}: its table's total says {total} minutes, the heading {}",
                    part.minutes
                ));
            }
            continue;
        }
        // The timed parts below this one, down to the next of its level.
        let children: Vec<&Timed> = timed[i + 1..]
            .iter()
            .take_while(|next| next.level > part.level)
            .collect();
        let nearest = children.iter().map(|c| c.level).min();
        let direct: Vec<&&Timed> = children
            .iter()
            .filter(|c| Some(c.level) == nearest)
            .collect();
        if direct.is_empty() {
            problems.push(format!(
                "{here}: no table of sections and no timed parts under it"
            ));
            continue;
        }
        let sum: u32 = direct.iter().map(|c| c.minutes).sum();
        if sum != part.minutes {
            problems.push(format!(
                "{here}: its parts add up to {sum} minutes, not {}",
                part.minutes
            ));
        }
    }
    problems
}

/// The timed headings of `text`, with the tables that follow them.
fn timed_parts(text: &str) -> Vec<Timed> {
    let mut parts: Vec<Timed> = Vec::new();
    let mut in_fence = false;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(level) = heading_level(trimmed) {
            match minutes_in(trimmed) {
                Some(minutes) => parts.push(Timed {
                    line: n + 1,
                    level,
                    title: trimmed.trim_start_matches('#').trim().to_string(),
                    minutes,
                    rows: Vec::new(),
                    total: None,
                }),
                // An untimed heading ends the table of the one before.
                None => parts.push(Timed {
                    line: n + 1,
                    level,
                    title: String::new(),
                    minutes: 0,
                    rows: Vec::new(),
                    total: None,
                }),
            }
            continue;
        }
        let Some(part) = parts.last_mut() else {
            continue;
        };
        if let Some(first) = trimmed.strip_prefix('|').and_then(|r| r.split('|').next()) {
            let cell = first.trim();
            if let Some(bold) = cell.strip_prefix("**").and_then(|c| c.strip_suffix("**")) {
                part.total = bold.trim().parse().ok();
            } else if let Ok(minutes) = cell.parse::<u32>() {
                part.rows.push(minutes);
            }
        }
    }
    parts.retain(|part| !part.title.is_empty());
    parts
}

/// `Some(level)` for a Markdown heading (`### ...` is 3).
fn heading_level(line: &str) -> Option<usize> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    (hashes > 0 && line[hashes..].starts_with(' ')).then_some(hashes)
}

/// The minutes of a heading that ends in `(N minutes)`.
fn minutes_in(heading: &str) -> Option<u32> {
    let inside = heading.trim_end().strip_suffix(" minutes)")?;
    let (_, number) = inside.rsplit_once('(')?;
    number.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = "\
# Plans

## Five sessions

### Session 1: sockets (90 minutes)

| Minutes | Section | What to do |
|--------:|---------|------------|
| 30 | Run it | show |
| 60 | The loop | show |
| **90** | **Total** | |

Exercises: step01/threads.

### Session 2: HTTP (90 minutes)

| Minutes | Section | What to do |
|--------:|---------|------------|
| 50 | Parsing | |
| 30 | Limits | |
| **90** | **Total** | |

## One day (120 minutes)

### Morning (60 minutes)

| Minutes | Section |
|--------:|---------|
| 60 | All |

### Afternoon (50 minutes)

| Minutes | Section |
|--------:|---------|
| 50 | All |

```text
### Not a heading (5 minutes)
```
";

    /// Each disagreement is found, and only those.
    #[test]
    fn minutes_must_add_up() {
        let problems = check("plan.md", PLAN);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].contains("Session 2") && problems[0].contains("80 minutes, not 90"));
        assert!(problems[1].contains("One day") && problems[1].contains("110 minutes, not 120"));
        let fixed = PLAN
            .replace("| 30 | Limits |", "| 40 | Limits |")
            .replace("(120 minutes)", "(110 minutes)");
        assert!(
            check("plan.md", &fixed).is_empty(),
            "{:#?}",
            check("plan.md", &fixed)
        );
        let wrong_total = fixed.replacen("| **90** | **Total** | |", "| **95** | **Total** | |", 1);
        let problems = check("plan.md", &wrong_total);
        assert!(problems[0].contains("total says 95"), "{problems:#?}");
    }
}
