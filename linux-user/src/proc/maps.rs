//! `/proc/self/maps` as the guest sees it: its own mappings only, in the
//! kernel's format.
//!
//! Which ranges are the guest's, and with what protection, comes from the
//! address-space tracker: Kestrel's code cache, heap and stack must not show
//! up, and the host's protections differ from the guest's (code pages need no
//! host `PROT_EXEC`). File offsets, devices and inodes come from the host's
//! own maps at the same addresses — guest memory is identity-mapped, so the
//! host kernel knows exactly which file backs each guest page.

use crate::mm::{Mapping, MappingKind, PROT_EXEC, PROT_READ, PROT_WRITE};

/// One line of the host's `/proc/self/maps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostMapping {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// File offset of `start`.
    pub offset: u64,
    /// `major:minor` as the kernel printed it.
    pub dev: String,
    /// Inode number, 0 for anonymous memory.
    pub inode: u64,
    /// File path or `[name]`, empty for anonymous memory.
    pub path: String,
}

/// Parses the host's maps text; malformed lines are skipped.
pub fn parse_host_maps(text: &str) -> Vec<HostMapping> {
    text.lines().filter_map(parse_host_line).collect()
}

fn parse_host_line(line: &str) -> Option<HostMapping> {
    let mut rest = line;
    let mut field = || {
        let trimmed = rest.trim_start_matches(' ');
        let end = trimmed.find(' ').unwrap_or(trimmed.len());
        let (f, r) = trimmed.split_at(end);
        rest = r;
        f
    };
    let range = field();
    let _perms = field();
    let offset = u64::from_str_radix(field(), 16).ok()?;
    let dev = field().to_string();
    let inode = field().parse().ok()?;
    let (start, end) = range.split_once('-')?;
    let start = u64::from_str_radix(start, 16).ok()?;
    let end = u64::from_str_radix(end, 16).ok()?;
    let path = rest.trim_start_matches(' ').to_string();
    Some(HostMapping { start, end, offset, dev, inode, path })
}

/// One output line before formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    start: u64,
    end: u64,
    perms: [u8; 4],
    offset: u64,
    dev: String,
    inode: u64,
    path: String,
}

impl Line {
    /// True if `next` continues this line as one kernel VMA would.
    fn merges_with(&self, next: &Line) -> bool {
        self.end == next.start
            && self.perms == next.perms
            && self.dev == next.dev
            && self.inode == next.inode
            && self.path == next.path
            && (self.inode == 0 || self.offset + (self.end - self.start) == next.offset)
    }

    /// The kernel's layout (fs/proc/task_mmu.c): the path, if any, starts in
    /// column 73 on 64-bit kernels; nameless lines end in a space.
    fn render(&self, out: &mut String) {
        let perms: String = self.perms.iter().map(|&b| b as char).collect();
        let head = format!(
            "{:08x}-{:08x} {perms} {:08x} {} {} ",
            self.start, self.end, self.offset, self.dev, self.inode
        );
        out.push_str(&head);
        if !self.path.is_empty() {
            for _ in head.len()..72 {
                out.push(' ');
            }
            out.push(' ');
            out.push_str(&self.path);
        }
        out.push('\n');
    }
}

fn perms(m: &Mapping) -> [u8; 4] {
    let bit = |b: i32, c: u8| if m.prot & b != 0 { c } else { b'-' };
    // MAP_SHARED (1) and MAP_SHARED_VALIDATE (3) are shared; MAP_PRIVATE is 2.
    let shared = m.flags & 1 != 0;
    [bit(PROT_READ, b'r'), bit(PROT_WRITE, b'w'), bit(PROT_EXEC, b'x'), if shared { b's' } else { b'p' }]
}

/// The name Linux gives a mapping that no file backs.
fn anonymous_name(kind: &MappingKind) -> &'static str {
    match kind {
        MappingKind::Stack => "[stack]",
        MappingKind::Heap => "[heap]",
        _ => "",
    }
}

/// The line for `[start, end)` of guest mapping `m`, where `host` is the host
/// mapping covering that piece (if any).
fn piece(m: &Mapping, start: u64, end: u64, host: Option<&HostMapping>) -> Line {
    let anonymous = |path: &str| Line {
        start,
        end,
        perms: perms(m),
        offset: 0,
        dev: "00:00".to_string(),
        inode: 0,
        path: path.to_string(),
    };
    match host {
        // A file (or a shared anonymous mapping, which the kernel shows as
        // /dev/zero) backs the guest's pages here.
        Some(h) if h.path.starts_with('/') => Line {
            offset: h.offset + (start - h.start),
            dev: h.dev.clone(),
            inode: h.inode,
            path: h.path.clone(),
            ..anonymous("")
        },
        // Named with prctl(PR_SET_VMA_ANON_NAME), which passes through.
        Some(h) if h.path.starts_with("[anon:") => anonymous(&h.path),
        Some(_) => anonymous(anonymous_name(&m.kind)),
        // No host view at all (no /proc on the host side): name what we know.
        None => match &m.kind {
            MappingKind::Image(name) | MappingKind::File(name) => anonymous(name),
            kind => anonymous(anonymous_name(kind)),
        },
    }
}

/// Renders the guest's mappings. `host` is the host's maps (sorted by
/// address, as the kernel prints them); an empty list means it was not
/// readable and the tracker's names are used instead.
pub fn render(guest: &[Mapping], host: &[HostMapping]) -> String {
    let mut lines: Vec<Line> = Vec::new();
    let mut push = |line: Line| match lines.last_mut() {
        Some(prev) if prev.merges_with(&line) => prev.end = line.end,
        _ => lines.push(line),
    };
    for m in guest {
        if host.is_empty() {
            push(piece(m, m.start, m.end, None));
            continue;
        }
        // The host may split a guest mapping (file pages, then anonymous
        // .bss pages); each part gets its own backing.
        let first = host.partition_point(|h| h.end <= m.start);
        let mut cursor = m.start;
        for h in host[first..].iter().take_while(|h| h.start < m.end) {
            if h.start > cursor {
                push(piece(m, cursor, h.start, Some(&unbacked())));
            }
            let (s, e) = (cursor.max(h.start), h.end.min(m.end));
            push(piece(m, s, e, Some(h)));
            cursor = e;
        }
        if cursor < m.end {
            push(piece(m, cursor, m.end, Some(&unbacked())));
        }
    }
    let mut out = String::new();
    for line in &lines {
        line.render(&mut out);
    }
    out
}

/// Stands in for host memory that the host's maps did not list.
fn unbacked() -> HostMapping {
    HostMapping { start: 0, end: 0, offset: 0, dev: "00:00".into(), inode: 0, path: String::new() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "\
00400000-00410000 r--p 00000000 fe:00 1234                               /bin/prog
00410000-00412000 rw-p 00010000 fe:00 1234                               /bin/prog
00412000-00414000 rw-p 00000000 00:00 0 
00500000-00600000 rw-p 00000000 00:00 0                                  [heap]
7f0000000000-7f0000800000 rw-p 00000000 00:00 0 
7f1000000000-7f1000001000 rw-s 00000000 00:05 99                         /dev/zero (deleted)
";

    fn mapping(start: u64, end: u64, prot: i32, flags: i32, kind: MappingKind) -> Mapping {
        Mapping { start, end, prot, flags, kind }
    }

    fn guest() -> Vec<Mapping> {
        let image = || MappingKind::Image("/bin/prog".into());
        vec![
            mapping(0x400000, 0x410000, PROT_READ | PROT_EXEC, 2, image()),
            // File pages followed by .bss pages, one tracker entry.
            mapping(0x410000, 0x414000, PROT_READ | PROT_WRITE, 2, image()),
            mapping(0x420000, 0x421000, PROT_READ | PROT_WRITE, 2, MappingKind::Heap),
            mapping(0x7f0000000000, 0x7f0000800000, PROT_READ | PROT_WRITE, 0x22, MappingKind::Stack),
            mapping(0x7f1000000000, 0x7f1000001000, PROT_READ, 1 | 0x20, MappingKind::Anonymous),
        ]
    }

    #[test]
    fn parses_host_lines() {
        let host = parse_host_maps(HOST);
        assert_eq!(host.len(), 6);
        assert_eq!(host[1].offset, 0x10000);
        assert_eq!(host[1].dev, "fe:00");
        assert_eq!(host[1].inode, 1234);
        assert_eq!(host[2].path, "");
        assert_eq!(host[5].path, "/dev/zero (deleted)");
        assert!(parse_host_line("garbage").is_none());
    }

    #[test]
    fn guest_view_with_host_backing() {
        let text = render(&guest(), &parse_host_maps(HOST));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6, "{text}");
        assert_eq!(lines[0], format!("00400000-00410000 r-xp 00000000 fe:00 1234{}/bin/prog", " ".repeat(31)));
        assert!(lines[1].starts_with("00410000-00412000 rw-p 00010000 fe:00 1234 "));
        assert_eq!(lines[2], "00412000-00414000 rw-p 00000000 00:00 0 ");
        // The guest heap is not where the host has its own [heap].
        assert!(lines[3].starts_with("00420000-00421000 rw-p 00000000 00:00 0 ") && lines[3].ends_with(" [heap]"));
        assert!(lines[4].ends_with(" [stack]"));
        assert!(lines[5].starts_with("7f1000000000-7f1000001000 r--s 00000000 00:05 99 "));
        for l in lines.iter().filter(|l| l.len() > 73) {
            assert_eq!(l.as_bytes()[72], b' ');
            assert_ne!(l.as_bytes()[73], b' ', "path in column 73: {l}");
        }
    }

    #[test]
    fn adjacent_pieces_merge_like_vmas() {
        let mut g = guest();
        // A protection split and restore leaves two tracker entries.
        g.insert(1, mapping(0x408000, 0x410000, PROT_READ | PROT_EXEC, 2, MappingKind::Image("/bin/prog".into())));
        g[0].end = 0x408000;
        let text = render(&g, &parse_host_maps(HOST));
        assert!(text.starts_with("00400000-00410000 r-xp 00000000 fe:00 1234 "), "{text}");
    }

    #[test]
    fn without_host_maps_names_come_from_the_tracker() {
        let text = render(&guest(), &[]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("00400000-00410000 r-xp 00000000 00:00 0 ") && lines[0].ends_with(" /bin/prog"));
        assert!(lines.iter().any(|l| l.ends_with(" [heap]")));
        assert!(lines.iter().any(|l| l.ends_with(" [stack]")));
    }
}
