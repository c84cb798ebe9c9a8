internal import Glibc

/// Seconds on CLOCK_MONOTONIC (never steps back with the wall clock), for waits and deadlines.
/// Read here, in a module that imports no Foundation: in a module that does, the release build
/// (whole-module) resolves `timespec` to CoreFoundation's copy and `MemberImportVisibility`
/// refuses its members.
public enum MonotonicClock {
    public static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
