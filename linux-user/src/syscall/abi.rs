//! Where the AArch64 and x86-64 Linux ABIs differ, and the translations.
//!
//! Both are LP64 little-endian, and most structures come from the same
//! asm-generic headers, so most system calls pass through unchanged. Checked
//! differences that matter here:
//! - `struct stat`: AArch64 uses the generic 128-byte layout (u32 mode/nlink,
//!   i32 blksize); x86-64 has its own 144-byte one (u64 nlink first).
//! - open flags: AArch64 moves O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE.
//! - `struct epoll_event` is packed (12 bytes) on x86-64, 16 bytes on AArch64.
//!
//! Identical (verified against both architectures' headers): `struct statfs`
//! (120 bytes), `struct termios` and the TC*/TIOC* ioctl numbers, `struct
//! flock` and the F_* commands, mmap flags (AArch64 adds PROT_BTI/PROT_MTE),
//! signal numbers and SA_* flags, rlimit/rusage/utsname/sysinfo/timespec.

/// Open flags that sit at different bit positions: (AArch64, x86-64).
const MOVED_OPEN_FLAGS: [(i32, i32); 4] = [
    (0o40000, 0o200000),  // O_DIRECTORY
    (0o100000, 0o400000), // O_NOFOLLOW
    (0o200000, 0o40000),  // O_DIRECT
    (0o400000, 0o100000), // O_LARGEFILE
];

fn swap_flags(flags: i32, from_guest: bool) -> i32 {
    let mut mask = 0;
    let mut out = 0;
    for (guest, host) in MOVED_OPEN_FLAGS {
        let (from, to) = if from_guest { (guest, host) } else { (host, guest) };
        mask |= from;
        if flags & from != 0 {
            out |= to;
        }
    }
    (flags & !mask) | out
}

/// AArch64 open flags to host flags.
pub fn open_flags_to_host(flags: i32) -> i32 {
    swap_flags(flags, true)
}

/// Host open flags (e.g. from `F_GETFL`) to AArch64 flags.
pub fn open_flags_to_guest(flags: i32) -> i32 {
    swap_flags(flags, false)
}

/// Size of the AArch64 `struct stat`.
pub const GUEST_STAT_SIZE: usize = 128;

/// Encodes a host `struct stat` in the AArch64 layout.
pub fn stat_to_guest(st: &libc::stat) -> [u8; GUEST_STAT_SIZE] {
    let mut out = [0u8; GUEST_STAT_SIZE];
    let mut put = |offset: usize, bytes: &[u8]| out[offset..offset + bytes.len()].copy_from_slice(bytes);
    put(0, &st.st_dev.to_le_bytes());
    put(8, &st.st_ino.to_le_bytes());
    put(16, &st.st_mode.to_le_bytes());
    put(20, &(st.st_nlink.min(u32::MAX as u64) as u32).to_le_bytes());
    put(24, &st.st_uid.to_le_bytes());
    put(28, &st.st_gid.to_le_bytes());
    put(32, &st.st_rdev.to_le_bytes());
    put(48, &st.st_size.to_le_bytes());
    put(56, &(st.st_blksize as i32).to_le_bytes());
    put(64, &st.st_blocks.to_le_bytes());
    put(72, &st.st_atime.to_le_bytes());
    put(80, &(st.st_atime_nsec as u64).to_le_bytes());
    put(88, &st.st_mtime.to_le_bytes());
    put(96, &(st.st_mtime_nsec as u64).to_le_bytes());
    put(104, &st.st_ctime.to_le_bytes());
    put(112, &(st.st_ctime_nsec as u64).to_le_bytes());
    out
}

/// Size of the AArch64 `struct epoll_event` (naturally aligned u64 data).
pub const GUEST_EPOLL_EVENT_SIZE: usize = 16;

/// Converts one AArch64 `epoll_event` to the host's packed layout.
pub fn epoll_event_to_host(b: &[u8]) -> libc::epoll_event {
    let events = u32::from_le_bytes(b[0..4].try_into().unwrap_or([0; 4]));
    let data = u64::from_le_bytes(b[8..16].try_into().unwrap_or([0; 8]));
    libc::epoll_event { events, u64: data }
}

/// Converts a host `epoll_event` to the AArch64 layout.
pub fn epoll_event_to_guest(e: &libc::epoll_event) -> [u8; GUEST_EPOLL_EVENT_SIZE] {
    let mut out = [0u8; GUEST_EPOLL_EVENT_SIZE];
    let (events, data) = (e.events, e.u64);
    out[0..4].copy_from_slice(&events.to_le_bytes());
    out[8..16].copy_from_slice(&data.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_flags_translate_both_ways() {
        // AArch64 O_DIRECTORY|O_CLOEXEC|O_RDONLY as glibc passes it for opendir.
        let guest = 0o40000 | 0o2000000 | 0o4000;
        let host = open_flags_to_host(guest);
        assert_eq!(host, libc::O_DIRECTORY | libc::O_CLOEXEC | libc::O_NONBLOCK);
        assert_eq!(open_flags_to_guest(host), guest);
        assert_eq!(open_flags_to_host(0o100000), libc::O_NOFOLLOW);
        assert_eq!(open_flags_to_host(0o200000), libc::O_DIRECT);
        assert_eq!(open_flags_to_host(0o400000), 0o100000); // x86-64 O_LARGEFILE
        // Flags shared by both pass unchanged.
        let shared = libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC | libc::O_APPEND | libc::O_WRONLY;
        assert_eq!(open_flags_to_host(shared), shared);
        // O_TMPFILE contains O_DIRECTORY.
        assert_eq!(open_flags_to_host(0o20000000 | 0o40000), libc::O_TMPFILE);
    }

    #[test]
    fn stat_layout_matches_aarch64() {
        // SAFETY: all-zero is a valid libc::stat.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        st.st_dev = 0x0102;
        st.st_ino = 0x1122334455;
        st.st_mode = 0o100644;
        st.st_nlink = 3;
        st.st_uid = 1000;
        st.st_gid = 100;
        st.st_rdev = 0x0805;
        st.st_size = 123456789;
        st.st_blksize = 4096;
        st.st_blocks = 248;
        st.st_atime = 1_700_000_000;
        st.st_atime_nsec = 5;
        st.st_mtime = 1_700_000_001;
        st.st_mtime_nsec = 6;
        st.st_ctime = 1_700_000_002;
        st.st_ctime_nsec = 7;
        let g = stat_to_guest(&st);
        let u64_at = |o: usize| u64::from_le_bytes(g[o..o + 8].try_into().unwrap());
        let u32_at = |o: usize| u32::from_le_bytes(g[o..o + 4].try_into().unwrap());
        assert_eq!(u64_at(0), 0x0102);
        assert_eq!(u64_at(8), 0x1122334455);
        assert_eq!(u32_at(16), 0o100644);
        assert_eq!(u32_at(20), 3);
        assert_eq!(u32_at(24), 1000);
        assert_eq!(u32_at(28), 100);
        assert_eq!(u64_at(32), 0x0805);
        assert_eq!(u64_at(40), 0); // __pad1
        assert_eq!(u64_at(48), 123456789);
        assert_eq!(u32_at(56), 4096);
        assert_eq!(u32_at(60), 0); // __pad2
        assert_eq!(u64_at(64), 248);
        assert_eq!((u64_at(72), u64_at(80)), (1_700_000_000, 5));
        assert_eq!((u64_at(88), u64_at(96)), (1_700_000_001, 6));
        assert_eq!((u64_at(104), u64_at(112)), (1_700_000_002, 7));
        assert_eq!(&g[120..128], &[0; 8]);
    }

    #[test]
    fn epoll_events_convert() {
        let mut g = [0u8; 16];
        g[0..4].copy_from_slice(&5u32.to_le_bytes());
        g[8..16].copy_from_slice(&0xdead_beef_u64.to_le_bytes());
        let h = epoll_event_to_host(&g);
        assert_eq!(epoll_event_to_guest(&h), g);
    }
}
