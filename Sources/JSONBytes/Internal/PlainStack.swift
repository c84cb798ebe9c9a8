/// A growable stack of plain values in memory the validator owns: pushes, pops and
/// element updates with no uniqueness checks or reference counting, which an `Array`
/// pays on every mutation of the validator's per-token bookkeeping.
/// The owner calls `deallocate()` once (the validator does when it finishes).
struct PlainStack<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count &+= 1
    }

    /// Removes and returns the top; the stack must not be empty.
    @inline(__always)
    mutating func removeLast() -> Element {
        precondition(count > 0, "pop from an empty stack")
        count &-= 1
        return base[count]
    }

    /// Drops every element from `index` on.
    @inline(__always)
    mutating func removeAll(from index: Int) {
        precondition(index >= 0 && index <= count)
        count = index
    }

    var last: Element? { count > 0 ? base[count &- 1] : nil }

    subscript(index: Int) -> Element {
        @inline(__always) get {
            precondition(index >= 0 && index < count)
            return base[index]
        }
        @inline(__always) set {
            precondition(index >= 0 && index < count)
            base[index] = newValue
        }
    }

    /// The elements from `index` on, in place.
    func elements(from index: Int) -> UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base + index, count: count - index)
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }
}
