// A report allocates and frees a small object per event of every ticket on every core:
// mimalloc's per-thread heaps make that a fraction of the system allocator's cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // A run lives for a fraction of a second and uses each page it touches once: making
    // the kernel find and zero 2 MB pages for it costs more than it saves (a third of a
    // report's time on a busy machine).
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    plaint::run()
}
