//! Finding a guest file inside the `-L` root the way the guest would see it
//! after `chroot(root)`: symlinks are followed inside the root, so an
//! absolute target such as `/usr/bin/ld.so -> /lib/ld-linux-aarch64.so.1`
//! names the root's file, not the host's. Used for the files Kestrel itself
//! opens on the guest's behalf (the ELF interpreter, `execve` targets).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Symlinks followed in one lookup at most, as Linux's `MAXSYMLINKS`.
const MAX_SYMLINKS: u32 = 40;

/// The non-empty components of `path`, last first (a stack to pop from).
fn push_components(stack: &mut Vec<Vec<u8>>, path: &[u8]) {
    stack.extend(path.split(|&b| b == b'/').filter(|c| !c.is_empty()).rev().map(<[u8]>::to_vec));
}

fn join(root: &Path, components: &[Vec<u8>]) -> PathBuf {
    let mut p = root.to_path_buf();
    for c in components {
        p.push(OsStr::from_bytes(c));
    }
    p
}

/// The host path of the absolute guest path `guest_path` inside `root`,
/// following every symlink (the last one too) within the root; `..` stops at
/// the root. `None` if the path is relative or some component is missing in
/// the root, a file is used as a directory, or links loop: the caller then
/// looks on the host, as for any path not in the root.
pub fn resolve_in_root(root: &Path, guest_path: &[u8]) -> Option<PathBuf> {
    if !guest_path.starts_with(b"/") {
        return None;
    }
    let mut pending = Vec::new();
    push_components(&mut pending, guest_path);
    let mut resolved: Vec<Vec<u8>> = Vec::new();
    let mut links = 0;
    while let Some(component) = pending.pop() {
        match component.as_slice() {
            b"." => continue,
            b".." => {
                resolved.pop();
                continue;
            }
            _ => {}
        }
        resolved.push(component);
        let here = join(root, &resolved);
        let meta = here.symlink_metadata().ok()?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > MAX_SYMLINKS {
                return None;
            }
            let target = std::fs::read_link(&here).ok()?;
            let target = target.as_os_str().as_bytes();
            resolved.pop();
            if target.starts_with(b"/") {
                resolved.clear();
            }
            push_components(&mut pending, target);
        } else if !pending.is_empty() && !meta.is_dir() {
            return None;
        }
    }
    Some(join(root, &resolved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlinks_stay_inside_the_root() {
        let root = std::env::temp_dir().join(format!("kestrel-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("usr/lib/arch")).unwrap();
        std::fs::create_dir_all(root.join("usr/bin")).unwrap();
        std::fs::write(root.join("usr/lib/arch/ld.so.1"), b"x").unwrap();
        symlink("usr/lib", root.join("lib")).unwrap();
        symlink("arch/ld.so.1", root.join("usr/lib/ld.so")).unwrap();
        // Absolute targets mean the root's files.
        symlink("/lib/ld.so", root.join("usr/bin/ld.so")).unwrap();
        symlink("/nonexistent-in-root", root.join("usr/bin/dangling")).unwrap();
        symlink("loop", root.join("usr/bin/loop")).unwrap();

        let real = root.join("usr/lib/arch/ld.so.1");
        assert_eq!(resolve_in_root(&root, b"/lib/ld.so"), Some(real.clone()));
        assert_eq!(resolve_in_root(&root, b"/usr/bin/ld.so"), Some(real.clone()));
        assert_eq!(resolve_in_root(&root, b"//usr/./bin/../../lib/ld.so"), Some(real.clone()));
        assert_eq!(resolve_in_root(&root, b"/../../lib/ld.so"), Some(real));
        assert_eq!(resolve_in_root(&root, b"/usr/bin"), Some(root.join("usr/bin")));
        assert_eq!(resolve_in_root(&root, b"/"), Some(root.clone()));
        assert_eq!(resolve_in_root(&root, b"/usr/bin/dangling"), None);
        assert_eq!(resolve_in_root(&root, b"/usr/bin/loop"), None);
        assert_eq!(resolve_in_root(&root, b"/lib/ld.so/x"), None);
        assert_eq!(resolve_in_root(&root, b"/missing"), None);
        assert_eq!(resolve_in_root(&root, b"relative"), None);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
