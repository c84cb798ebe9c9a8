/// Reads numbers from their JSON text. Numbers are kept as text everywhere (so
/// nothing is lost); these conversions run only when a caller asks for a value.
enum NumberText {
    /// The integer a JSON number denotes, if it is an exact integer within `Int`'s
    /// range ("12", "-0", "1.0", "25e2" all qualify; "1.5" and "1e30" do not).
    /// Returns nil for text that is not a JSON number at all.
    static func int(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = text.count
        let negative = n > 0 && text[0] == ASCII.minus
        if negative { i = 1 }
        let intStart = i
        while i < n && ASCII.isDigit(text[i]) { i += 1 }
        let intEnd = i
        guard intEnd > intStart, text[intStart] != ASCII.zero || intEnd - intStart == 1 else { return nil }
        var fracStart = i
        var fracEnd = i
        if i < n && text[i] == ASCII.dot {
            i += 1
            fracStart = i
            while i < n && ASCII.isDigit(text[i]) { i += 1 }
            fracEnd = i
            guard fracEnd > fracStart else { return nil }
        }
        var exponent = 0
        if i < n && text[i] | 0x20 == ASCII.lowerE {
            i += 1
            var expNegative = false
            if i < n && (text[i] == ASCII.plus || text[i] == ASCII.minus) {
                expNegative = text[i] == ASCII.minus
                i += 1
            }
            let expStart = i
            while i < n && ASCII.isDigit(text[i]) {
                // Saturate: anything this large is out of range (or zero) anyway.
                exponent = min(exponent * 10 + Int(text[i] - ASCII.zero), 100_000)
                i += 1
            }
            guard i > expStart else { return nil }
            if expNegative { exponent = -exponent }
        }
        guard i == n else { return nil }

        // value = digits(int ++ frac) * 10^(exponent - fracCount)
        let digitCount = (intEnd - intStart) + (fracEnd - fracStart)
        @inline(__always) func digit(_ k: Int) -> UInt8 {
            let index = k < intEnd - intStart ? intStart + k : fracStart + k - (intEnd - intStart)
            return text[index] - ASCII.zero
        }
        let scale = exponent - (fracEnd - fracStart)
        var kept = digitCount
        if scale < 0 {
            // Digits shifted behind the decimal point must all be zero.
            kept = max(0, digitCount + scale)
            for k in kept..<digitCount where digit(k) != 0 { return nil }
        }
        var magnitude: UInt64 = 0
        for k in 0..<kept {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(digit(k)))
            if o1 || o2 { return nil }
            magnitude = s
        }
        if scale > 0 && magnitude != 0 {
            for _ in 0..<scale {
                let (m, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                if overflow { return nil }
                magnitude = m
            }
        }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { return nil }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }
}
