//! Checked access to guest memory from Kestrel's own code.
//!
//! System calls that the host kernel performs on guest pointers need no check:
//! the kernel validates them and returns `EFAULT` itself. But when Kestrel
//! reads or writes guest memory in Rust (translated structs, path strings it
//! must inspect), a bad pointer would crash the emulator. Every such access goes
//! through this module, which consults the guest address-space tracker first.

use crate::mm::{Access, AddressSpace};
use nix::errno::Errno;

/// Longest path accepted (Linux's PATH_MAX, including the NUL).
pub const PATH_MAX: usize = 4096;

/// Copies `len` bytes of guest memory at `addr`.
pub fn read_bytes(mm: &AddressSpace, addr: u64, len: usize) -> Result<Vec<u8>, Errno> {
    if !mm.check(addr, len as u64, Access::Read) {
        return Err(Errno::EFAULT);
    }
    let mut out = vec![0u8; len];
    // SAFETY: the tracker says [addr, addr + len) is mapped readable guest
    // memory; guest memory is identity mapped and never aliased by Rust
    // references.
    unsafe { std::ptr::copy_nonoverlapping(addr as *const u8, out.as_mut_ptr(), len) };
    Ok(out)
}

/// Writes `data` to guest memory at `addr`.
pub fn write_bytes(mm: &AddressSpace, addr: u64, data: &[u8]) -> Result<(), Errno> {
    if !mm.check(addr, data.len() as u64, Access::Write) {
        return Err(Errno::EFAULT);
    }
    // SAFETY: the tracker says the range is mapped writable guest memory, which
    // no Rust reference aliases.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), addr as *mut u8, data.len()) };
    Ok(())
}

/// Reads a little-endian u64.
pub fn read_u64(mm: &AddressSpace, addr: u64) -> Result<u64, Errno> {
    let b = read_bytes(mm, addr, 8)?;
    Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
}

/// Writes a little-endian u64.
pub fn write_u64(mm: &AddressSpace, addr: u64, value: u64) -> Result<(), Errno> {
    write_bytes(mm, addr, &value.to_le_bytes())
}

/// Writes a little-endian u32.
pub fn write_u32(mm: &AddressSpace, addr: u64, value: u32) -> Result<(), Errno> {
    write_bytes(mm, addr, &value.to_le_bytes())
}

/// Reads a NUL-terminated string of at most `max` bytes (NUL included);
/// longer strings give `ENAMETOOLONG`. The NUL is not returned.
pub fn read_cstring(mm: &AddressSpace, addr: u64, max: usize) -> Result<Vec<u8>, Errno> {
    let mut out = Vec::new();
    let mut cursor = addr;
    loop {
        let Some(m) = mm.find(cursor) else { return Err(Errno::EFAULT) };
        if !m.readable() {
            return Err(Errno::EFAULT);
        }
        let room = max - out.len();
        let chunk = (m.end - cursor).min(room as u64) as usize;
        // SAFETY: [cursor, cursor + chunk) lies inside one readable guest mapping.
        let bytes = unsafe { std::slice::from_raw_parts(cursor as *const u8, chunk) };
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            out.extend_from_slice(&bytes[..nul]);
            return Ok(out);
        }
        out.extend_from_slice(bytes);
        if out.len() >= max {
            return Err(Errno::ENAMETOOLONG);
        }
        cursor = m.end;
    }
}

/// Reads a path argument (bounded by PATH_MAX).
pub fn read_path(mm: &AddressSpace, addr: u64) -> Result<Vec<u8>, Errno> {
    read_cstring(mm, addr, PATH_MAX)
}

/// Reads a NULL-terminated array of string pointers (argv, envp). A NULL array
/// pointer is an empty list, as Linux treats it.
pub fn read_string_array(mm: &AddressSpace, addr: u64) -> Result<Vec<Vec<u8>>, Errno> {
    const MAX_STRINGS: usize = 0x7fff_ffff;
    const MAX_STRING: usize = 32 * 4096; // Linux's MAX_ARG_STRLEN
    // Linux allows a quarter of the stack limit for all strings; this bound is
    // looser and only keeps a guest from making Kestrel allocate without end.
    const MAX_TOTAL: usize = 64 << 20;
    let mut out = Vec::new();
    let mut total = 0usize;
    if addr == 0 {
        return Ok(out);
    }
    let mut slot = addr;
    loop {
        let ptr = read_u64(mm, slot)?;
        if ptr == 0 {
            return Ok(out);
        }
        if out.len() >= MAX_STRINGS {
            return Err(Errno::E2BIG);
        }
        let s = read_cstring(mm, ptr, MAX_STRING).map_err(|e| {
            if e == Errno::ENAMETOOLONG {
                Errno::E2BIG
            } else {
                e
            }
        })?;
        total += s.len() + 1 + 8;
        if total > MAX_TOTAL {
            return Err(Errno::E2BIG);
        }
        out.push(s);
        slot = slot.checked_add(8).ok_or(Errno::EFAULT)?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::{MappingKind, PROT_READ, PROT_WRITE};

    /// A real page registered in a tracker, so the raw accesses are valid.
    struct Page {
        buf: Box<[u8; 8192]>,
        mm: AddressSpace,
        base: u64,
    }

    fn page(prot: i32) -> Page {
        let mut buf = Box::new([0u8; 8192]);
        let raw = buf.as_mut_ptr() as u64;
        let base = (raw + 4095) & !4095;
        let mut mm = AddressSpace::new();
        mm.insert(base, base + 4096, prot, 0, MappingKind::Anonymous);
        Page { buf, mm, base }
    }

    impl Page {
        fn put(&mut self, off: u64, data: &[u8]) {
            let start = (self.base - self.buf.as_ptr() as u64 + off) as usize;
            self.buf[start..start + data.len()].copy_from_slice(data);
        }
    }

    #[test]
    fn strings_stop_at_nul_or_fault() {
        let mut p = page(PROT_READ);
        p.put(0, b"hello\0");
        assert_eq!(read_path(&p.mm, p.base).unwrap(), b"hello");
        // A string running off the end of the mapping faults.
        p.put(4090, b"abcdef");
        assert_eq!(read_path(&p.mm, p.base + 4090), Err(Errno::EFAULT));
        assert_eq!(read_cstring(&p.mm, p.base + 4090, 3), Err(Errno::ENAMETOOLONG));
        assert_eq!(read_path(&p.mm, 0), Err(Errno::EFAULT));
    }

    #[test]
    fn writes_need_write_permission() {
        let p = page(PROT_READ);
        assert_eq!(write_u64(&p.mm, p.base, 1), Err(Errno::EFAULT));
        let p = page(PROT_READ | PROT_WRITE);
        write_u64(&p.mm, p.base + 8, 0x1122334455667788).unwrap();
        assert_eq!(read_u64(&p.mm, p.base + 8).unwrap(), 0x1122334455667788);
        assert_eq!(write_u32(&p.mm, p.base + 4094, 1), Err(Errno::EFAULT));
    }

    #[test]
    fn string_arrays() {
        let mut p = page(PROT_READ | PROT_WRITE);
        p.put(100, b"one\0two\0");
        let a = p.base + 100;
        let mut table = Vec::new();
        for v in [a, a + 4, 0] {
            table.extend_from_slice(&u64::to_le_bytes(v));
        }
        p.put(0, &table);
        assert_eq!(read_string_array(&p.mm, p.base).unwrap(), vec![b"one".to_vec(), b"two".to_vec()]);
        assert_eq!(read_string_array(&p.mm, 0).unwrap(), Vec::<Vec<u8>>::new());
        assert_eq!(read_string_array(&p.mm, p.base + 4090), Err(Errno::EFAULT));
    }
}
