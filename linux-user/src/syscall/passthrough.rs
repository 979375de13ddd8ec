//! System calls that need no translation: same arguments, same structure
//! layouts on AArch64 and x86-64, and no effect on Kestrel's own state. Only
//! the number differs, so they go straight to the host.
//!
//! A call belongs here only if every structure it touches has been checked to
//! be identical on both architectures (see `abi.rs`) and it cannot hurt the
//! emulator (no memory-map changes, no descriptor Kestrel owns, no signal
//! dispositions). Everything else has its own handler.

use super::numbers as nr;

/// The host system call number for a guest call that passes straight through.
pub fn host_number(guest: u64) -> Option<libc::c_long> {
    use libc::*;
    Some(match guest {
        // Files and directories.
        nr::GETCWD => SYS_getcwd,
        nr::FLOCK => SYS_flock,
        nr::MKNODAT => SYS_mknodat,
        nr::MKDIRAT => SYS_mkdirat,
        nr::UNLINKAT => SYS_unlinkat,
        nr::SYMLINKAT => SYS_symlinkat,
        nr::LINKAT => SYS_linkat,
        nr::RENAMEAT => SYS_renameat,
        nr::RENAMEAT2 => SYS_renameat2,
        nr::STATFS => SYS_statfs,
        nr::FSTATFS => SYS_fstatfs,
        nr::TRUNCATE => SYS_truncate,
        nr::FTRUNCATE => SYS_ftruncate,
        nr::FALLOCATE => SYS_fallocate,
        nr::CHDIR => SYS_chdir,
        nr::FCHDIR => SYS_fchdir,
        nr::CHROOT => SYS_chroot,
        nr::FCHMOD => SYS_fchmod,
        nr::FCHMODAT => SYS_fchmodat,
        nr::FCHMODAT2 => SYS_fchmodat2,
        nr::FCHOWNAT => SYS_fchownat,
        nr::FCHOWN => SYS_fchown,
        nr::GETDENTS64 => SYS_getdents64,
        nr::UTIMENSAT => SYS_utimensat,
        nr::SYNC => SYS_sync,
        nr::FSYNC => SYS_fsync,
        nr::FDATASYNC => SYS_fdatasync,
        nr::SYNC_FILE_RANGE => SYS_sync_file_range,
        nr::SYNCFS => SYS_syncfs,
        nr::FADVISE64 => SYS_fadvise64,
        nr::READAHEAD => SYS_readahead,
        nr::SETXATTR => SYS_setxattr,
        nr::LSETXATTR => SYS_lsetxattr,
        nr::FSETXATTR => SYS_fsetxattr,
        nr::GETXATTR => SYS_getxattr,
        nr::LGETXATTR => SYS_lgetxattr,
        nr::FGETXATTR => SYS_fgetxattr,
        nr::LISTXATTR => SYS_listxattr,
        nr::LLISTXATTR => SYS_llistxattr,
        nr::FLISTXATTR => SYS_flistxattr,
        nr::REMOVEXATTR => SYS_removexattr,
        nr::LREMOVEXATTR => SYS_lremovexattr,
        nr::FREMOVEXATTR => SYS_fremovexattr,
        nr::INOTIFY_INIT1 => SYS_inotify_init1,
        nr::INOTIFY_ADD_WATCH => SYS_inotify_add_watch,
        nr::INOTIFY_RM_WATCH => SYS_inotify_rm_watch,
        nr::MEMFD_CREATE => SYS_memfd_create,
        nr::EVENTFD2 => SYS_eventfd2,
        nr::EPOLL_CREATE1 => SYS_epoll_create1,

        // Reading and writing.
        nr::READ => SYS_read,
        nr::WRITE => SYS_write,
        nr::READV => SYS_readv,
        nr::WRITEV => SYS_writev,
        nr::PREAD64 => SYS_pread64,
        nr::PWRITE64 => SYS_pwrite64,
        nr::PREADV => SYS_preadv,
        nr::PWRITEV => SYS_pwritev,
        nr::PREADV2 => SYS_preadv2,
        nr::PWRITEV2 => SYS_pwritev2,
        nr::LSEEK => SYS_lseek,
        nr::SENDFILE => SYS_sendfile,
        nr::SPLICE => SYS_splice,
        nr::TEE => SYS_tee,
        nr::COPY_FILE_RANGE => SYS_copy_file_range,
        nr::PSELECT6 => SYS_pselect6,
        nr::PPOLL => SYS_ppoll,

        // Sockets (sockaddr, msghdr, iovec and cmsg layouts are identical).
        nr::SOCKET => SYS_socket,
        nr::SOCKETPAIR => SYS_socketpair,
        nr::BIND => SYS_bind,
        nr::LISTEN => SYS_listen,
        nr::ACCEPT => SYS_accept,
        nr::ACCEPT4 => SYS_accept4,
        nr::CONNECT => SYS_connect,
        nr::GETSOCKNAME => SYS_getsockname,
        nr::GETPEERNAME => SYS_getpeername,
        nr::SENDTO => SYS_sendto,
        nr::RECVFROM => SYS_recvfrom,
        nr::SETSOCKOPT => SYS_setsockopt,
        nr::GETSOCKOPT => SYS_getsockopt,
        nr::SHUTDOWN => SYS_shutdown,
        nr::SENDMSG => SYS_sendmsg,
        nr::RECVMSG => SYS_recvmsg,
        nr::SENDMMSG => SYS_sendmmsg,
        nr::RECVMMSG => SYS_recvmmsg,

        // Time.
        nr::CLOCK_GETTIME => SYS_clock_gettime,
        nr::CLOCK_GETRES => SYS_clock_getres,
        nr::CLOCK_NANOSLEEP => SYS_clock_nanosleep,
        nr::NANOSLEEP => SYS_nanosleep,
        nr::GETTIMEOFDAY => SYS_gettimeofday,
        nr::TIMES => SYS_times,
        // Without CAP_SYS_TIME the host says EPERM, as Linux would.
        nr::CLOCK_SETTIME => SYS_clock_settime,
        nr::CLOCK_ADJTIME => SYS_clock_adjtime,
        nr::ADJTIMEX => SYS_adjtimex,
        nr::SETTIMEOFDAY => SYS_settimeofday,
        nr::GETITIMER => SYS_getitimer,
        nr::SETITIMER => SYS_setitimer,
        nr::TIMERFD_CREATE => SYS_timerfd_create,
        nr::TIMERFD_SETTIME => SYS_timerfd_settime,
        nr::TIMERFD_GETTIME => SYS_timerfd_gettime,
        // POSIX timers: struct sigevent and itimerspec are the same; the
        // signals they raise reach the guest like any other host signal.
        nr::TIMER_CREATE => SYS_timer_create,
        nr::TIMER_SETTIME => SYS_timer_settime,
        nr::TIMER_GETTIME => SYS_timer_gettime,
        nr::TIMER_GETOVERRUN => SYS_timer_getoverrun,
        nr::TIMER_DELETE => SYS_timer_delete,

        // Identity and sessions.
        nr::GETPID => SYS_getpid,
        nr::GETPPID => SYS_getppid,
        nr::GETTID => SYS_gettid,
        nr::GETUID => SYS_getuid,
        nr::GETEUID => SYS_geteuid,
        nr::GETGID => SYS_getgid,
        nr::GETEGID => SYS_getegid,
        nr::GETGROUPS => SYS_getgroups,
        nr::SETGROUPS => SYS_setgroups,
        nr::SETUID => SYS_setuid,
        nr::SETGID => SYS_setgid,
        nr::SETREUID => SYS_setreuid,
        nr::SETREGID => SYS_setregid,
        nr::SETRESUID => SYS_setresuid,
        nr::SETRESGID => SYS_setresgid,
        nr::GETRESUID => SYS_getresuid,
        nr::GETRESGID => SYS_getresgid,
        nr::SETFSUID => SYS_setfsuid,
        nr::SETFSGID => SYS_setfsgid,
        nr::SETPGID => SYS_setpgid,
        nr::GETPGID => SYS_getpgid,
        nr::SETSID => SYS_setsid,
        nr::GETSID => SYS_getsid,
        nr::CAPGET => SYS_capget,
        nr::CAPSET => SYS_capset,
        nr::UMASK => SYS_umask,

        // Processes and scheduling.
        nr::WAIT4 => SYS_wait4,
        nr::WAITID => SYS_waitid,
        nr::KILL => SYS_kill,
        nr::TKILL => SYS_tkill,
        nr::TGKILL => SYS_tgkill,
        nr::GETRUSAGE => SYS_getrusage,
        nr::SYSINFO => SYS_sysinfo,
        nr::GETPRIORITY => SYS_getpriority,
        nr::SETPRIORITY => SYS_setpriority,
        nr::SCHED_YIELD => SYS_sched_yield,
        nr::SCHED_GETAFFINITY => SYS_sched_getaffinity,
        nr::SCHED_SETAFFINITY => SYS_sched_setaffinity,
        nr::SCHED_GETPARAM => SYS_sched_getparam,
        nr::SCHED_SETPARAM => SYS_sched_setparam,
        nr::SCHED_GETSCHEDULER => SYS_sched_getscheduler,
        nr::SCHED_SETSCHEDULER => SYS_sched_setscheduler,
        nr::SCHED_GET_PRIORITY_MAX => SYS_sched_get_priority_max,
        nr::SCHED_GET_PRIORITY_MIN => SYS_sched_get_priority_min,
        nr::SCHED_RR_GET_INTERVAL => SYS_sched_rr_get_interval,
        nr::GETCPU => SYS_getcpu,
        nr::GETRANDOM => SYS_getrandom,
        nr::FUTEX => SYS_futex,
        nr::MEMBARRIER => SYS_membarrier,
        nr::PIDFD_OPEN => SYS_pidfd_open,
        nr::PIDFD_SEND_SIGNAL => SYS_pidfd_send_signal,
        nr::SCHED_SETATTR => SYS_sched_setattr,
        nr::SCHED_GETATTR => SYS_sched_getattr,
        nr::IOPRIO_SET => SYS_ioprio_set,
        nr::IOPRIO_GET => SYS_ioprio_get,
        nr::KCMP => SYS_kcmp,
        nr::PROCESS_VM_READV => SYS_process_vm_readv,
        nr::PROCESS_VM_WRITEV => SYS_process_vm_writev,

        // Signals: siginfo_t, signalfd_siginfo and the 8-byte kernel sigset are
        // the same on both; the host mask mirrors the guest's, so signals the
        // guest blocked to wait for them stay queued on the host for these.
        nr::RT_SIGTIMEDWAIT => SYS_rt_sigtimedwait,
        nr::RT_SIGQUEUEINFO => SYS_rt_sigqueueinfo,
        nr::RT_TGSIGQUEUEINFO => SYS_rt_tgsigqueueinfo,
        nr::SIGNALFD4 => SYS_signalfd4,

        // System V IPC (see `ipc.rs` for semctl, shmat and shmdt) and POSIX
        // message queues: struct msqid64_ds, shmid64_ds, sembuf, mq_attr and
        // sigevent are the asm-generic ones on both.
        nr::MSGGET => SYS_msgget,
        nr::MSGCTL => SYS_msgctl,
        nr::MSGSND => SYS_msgsnd,
        nr::MSGRCV => SYS_msgrcv,
        nr::SEMGET => SYS_semget,
        nr::SEMOP => SYS_semop,
        nr::SEMTIMEDOP => SYS_semtimedop,
        nr::SHMGET => SYS_shmget,
        nr::SHMCTL => SYS_shmctl,
        nr::MQ_OPEN => SYS_mq_open,
        nr::MQ_UNLINK => SYS_mq_unlink,
        nr::MQ_TIMEDSEND => SYS_mq_timedsend,
        nr::MQ_TIMEDRECEIVE => SYS_mq_timedreceive,
        nr::MQ_NOTIFY => SYS_mq_notify,
        nr::MQ_GETSETATTR => SYS_mq_getsetattr,
        nr::PIDFD_GETFD => SYS_pidfd_getfd,

        // Namespaces and mounts, for container and chroot tooling.
        nr::MOUNT => SYS_mount,
        nr::UMOUNT2 => SYS_umount2,
        nr::PIVOT_ROOT => SYS_pivot_root,
        nr::UNSHARE => SYS_unshare,
        nr::SETNS => SYS_setns,
        nr::SETHOSTNAME => SYS_sethostname,
        nr::SETDOMAINNAME => SYS_setdomainname,
        nr::VHANGUP => SYS_vhangup,

        // Memory calls that neither map nor unmap.
        nr::MSYNC => SYS_msync,
        nr::MLOCK => SYS_mlock,
        nr::MUNLOCK => SYS_munlock,
        nr::MLOCKALL => SYS_mlockall,
        nr::MUNLOCKALL => SYS_munlockall,
        nr::MINCORE => SYS_mincore,
        nr::MLOCK2 => SYS_mlock2,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_differ_but_map() {
        assert_eq!(host_number(nr::WRITE), Some(libc::SYS_write));
        assert_eq!(host_number(nr::GETPID), Some(libc::SYS_getpid));
        assert_eq!(host_number(nr::MMAP), None);
        assert_eq!(host_number(9999), None);
    }
}
