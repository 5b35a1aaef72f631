import Synchronization

/// A run's progress, updated by its stages as they go and read by whoever draws a progress line.
public final class PipelineProgress: Sendable {
    /// What the run has done so far.
    public struct Snapshot: Sendable, Equatable {
        /// Bytes read (decompressed).
        public var bytesRead: Int64 = 0
        /// The inputs' size on disk (-1 when any is a stream).
        public var totalBytes: Int64 = 0
        /// Inputs known, and how many of them are read to their end.
        public var inputs = 0
        public var inputsDone = 0
        /// Decompressed and on-disk bytes of the inputs read to their end (how much gzip inflates).
        var doneRead: Int64 = 0
        var doneOnDisk: Int64 = 0
        /// True when some input is gzip (its bytes read are not bytes of the file).
        public var compressed = false
        /// Records merged, and events handed to the sinks.
        public var records: Int64 = 0
        public var events: Int64 = 0

        /// The share of the work done, when the inputs are files: exact for plain files, estimated for gzip
        /// from the inputs read so far; nil for streams or before a gzip input has ended.
        public var fraction: Double? {
            guard totalBytes > 0 else { return nil }
            if !compressed { return min(1, Double(bytesRead) / Double(totalBytes)) }
            guard doneOnDisk > 0, doneRead > 0 else { return nil }
            let ratio = Double(doneRead) / Double(doneOnDisk)
            let onDisk = Double(doneOnDisk) + Double(bytesRead - doneRead) / ratio
            return min(1, onDisk / Double(totalBytes))
        }

        /// The progress line after `seconds`: `auditpipe: 45% of 139 MB, 63 MB read, 48 MB/s, 210331 records,
        /// 41200 events (12034/s), 3/8 inputs, ETA 0:02` for files; without share and ETA for streams.
        public func line(seconds: Double) -> String {
            let t = max(0.001, seconds)
            let mb = Double(bytesRead) / 1e6
            func figure(_ v: Double) -> String {
                v >= 10 ? String(Int(v)) : String(Int(v)) + "." + String(Int(v * 10) % 10)
            }
            var figures =
                "\(figure(mb)) MB read, \(figure(mb / t)) MB/s, \(records) records, \(events) events (\(Int(Double(events) / t))/s)"
            if inputs > 1 { figures += ", \(inputsDone)/\(inputs) inputs" }
            if let f = fraction, f > 0 {
                let eta = Int((t / f - t).rounded())
                figures =
                    "\(Int(f * 100))% of \(totalBytes / 1_000_000) MB, " + figures
                    + ", ETA \(eta / 60):\(eta % 60 < 10 ? "0" : "")\(eta % 60)"
            }
            return "auditpipe: " + figures
        }
    }

    private let state = Mutex(Snapshot())

    /// Creates an empty progress.
    public init() {}

    /// What the run has done so far.
    public func snapshot() -> Snapshot { state.withLock { $0 } }

    /// Counts inputs about to be read, `onDisk` bytes of them (nil for a stream).
    func addInputs(_ count: Int, onDisk: Int64?, compressed: Bool) {
        state.withLock { s in
            s.inputs += count
            if let onDisk, s.totalBytes >= 0 { s.totalBytes += onDisk } else { s.totalBytes = -1 }
            s.compressed = s.compressed || compressed
        }
    }

    /// Counts an input read to its end: `read` bytes from `onDisk` bytes of file.
    func inputDone(read: Int64, onDisk: Int64) {
        state.withLock { s in
            s.inputsDone += 1
            s.doneRead += read
            s.doneOnDisk += onDisk
        }
    }

    /// Sets the bytes and records the merge has taken.
    func merged(bytes: Int64, records: Int64) {
        state.withLock { s in
            s.bytesRead = bytes
            s.records += records
        }
    }

    /// Counts events handed to the sinks.
    func wrote(events: Int) { state.withLock { $0.events += Int64(events) } }
}
