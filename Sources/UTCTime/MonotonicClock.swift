internal import Glibc

/// Seconds on `CLOCK_MONOTONIC`, for measuring intervals. Read here, in a module that
/// does not see Foundation: where Foundation is imported too, `timespec` resolves to
/// CoreFoundation's copy and `MemberImportVisibility` rejects its fields (release builds).
public enum MonotonicClock {
    public static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
