/// A source whose read failed while its head was being looked at (the binary sniff, a document's start): the
/// bytes read before the failure are yielded first (`PrefixedSource`), then this reports the failure, so the
/// lines before a gzip error are kept and the error is still the input's.
struct FailedReadSource: ByteSource {
    let error: InputError
    /// The source that failed, closed with this one.
    var failed: any ByteSource

    mutating func read(into buffer: inout [UInt8], max: Int) throws(InputError) -> Int { throw error }
    mutating func close() { failed.close() }
    mutating func wouldBlock() -> Bool { false }
}
