/// Time arithmetic that holds at the ends of the range: a log may state any instant an `Int64` of UTC
/// nanoseconds holds (1677-09-21 to 2262-04-11), and a deadline or a window computed from one must not trap
/// or wrap round to the other end.
extension Int64 {
    /// `self + other`, held at `.max` or `.min` instead of overflowing.
    @inlinable
    func plus(saturating other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self - other`, held at `.max` or `.min` instead of overflowing.
    @inlinable
    func minus(saturating other: Int64) -> Int64 {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other > 0 ? .min : .max) : difference
    }

    /// How far apart `self` and `other` are, exact over the whole range (their difference always fits).
    @inlinable
    func gap(to other: Int64) -> UInt64 {
        self >= other ? UInt64(bitPattern: self &- other) : UInt64(bitPattern: other &- self)
    }
}
