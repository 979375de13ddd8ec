//! `/proc/self/stat`: the host's line, with the fields that describe the
//! program image replaced by the guest's.
//!
//! Everything about the process as a whole (pid, state, times, memory use,
//! threads) is true of the host process. The addresses of the code, data,
//! stack, heap, arguments and environment would describe Kestrel's own image,
//! so they are replaced. `comm` is right already: start-up sets the host
//! thread name to the guest program's, as the kernel's exec would.

/// The guest's image, as `execve` laid it out (see `proc::StartInfo`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImageFields {
    /// Field 26.
    pub start_code: u64,
    /// Field 27.
    pub end_code: u64,
    /// Field 28: the initial stack pointer.
    pub start_stack: u64,
    /// Field 45.
    pub start_data: u64,
    /// Field 46.
    pub end_data: u64,
    /// Field 47.
    pub start_brk: u64,
    /// Field 48.
    pub arg_start: u64,
    /// Field 49.
    pub arg_end: u64,
    /// Field 50.
    pub env_start: u64,
    /// Field 51.
    pub env_end: u64,
}

/// Rewrites one host stat line; `None` if it does not look like one.
pub fn render(host: &str, image: &ImageFields) -> Option<String> {
    // comm may contain spaces and parentheses; fields resume after the last ')'.
    let close = host.rfind(')')?;
    let (head, tail) = host.split_at(close + 1);
    let mut fields: Vec<String> = tail.split_whitespace().map(str::to_string).collect();
    let replacements = [
        (26, image.start_code),
        (27, image.end_code),
        (28, image.start_stack),
        (45, image.start_data),
        (46, image.end_data),
        (47, image.start_brk),
        (48, image.arg_start),
        (49, image.arg_end),
        (50, image.env_start),
        (51, image.env_end),
    ];
    for (number, value) in replacements {
        // Field 3 is the first one after comm.
        if let Some(slot) = fields.get_mut(number - 3) {
            *slot = value.to_string();
        }
    }
    Some(format!("{head} {}\n", fields.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_image_fields_only() {
        let mut host = String::from("4242 (we (ird) name) R");
        for n in 4..=52 {
            host.push_str(&format!(" {}", n * 1000));
        }
        host.push('\n');
        let image = ImageFields {
            start_code: 1,
            end_code: 2,
            start_stack: 3,
            start_data: 4,
            end_data: 5,
            start_brk: 6,
            arg_start: 7,
            arg_end: 8,
            env_start: 9,
            env_end: 10,
        };
        let out = render(&host, &image).unwrap();
        assert!(out.starts_with("4242 (we (ird) name) R 4000 "), "{out}");
        assert!(out.ends_with(" 52000\n"));
        let fields: Vec<&str> = out.rsplit_once(')').unwrap().1.split_whitespace().collect();
        let field = |n: usize| fields[n - 3];
        assert_eq!((field(25), field(26), field(27), field(28), field(29)), ("25000", "1", "2", "3", "29000"));
        assert_eq!((field(44), field(45), field(51), field(52)), ("44000", "4", "10", "52000"));
    }

    #[test]
    fn short_or_odd_lines() {
        assert_eq!(render("1 (x) S 0\n", &ImageFields::default()).unwrap(), "1 (x) S 0\n");
        assert!(render("no parenthesis", &ImageFields::default()).is_none());
    }
}
