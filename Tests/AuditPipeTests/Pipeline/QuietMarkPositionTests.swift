import Foundation
import Testing

@testable import AuditPipe

#if canImport(Glibc)
    import Glibc
#endif

/// A followed input's quiet mark says where the input's last batch ended. It once said where an older pause
/// ended when the last batch was sent with the merge's channel full (the file was given back before the
/// send): the merge then took that older point as where to resume after a crash, and a follower killed
/// right after a commit read the records in between twice (records counted twice in their events).
struct QuietMarkPositionTests {
    static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    static func line(_ n: Int) -> String {
        "{\"ts\":\"2026-11-21T10:00:0\(n % 10).000Z\",\"level\":\"info\",\"request_id\":\"r\(n)\",\"msg\":\"m\"}\n"
    }

    @Test func aQuietMarkAfterASendIntoAFullChannelSaysWhereThatBatchEnded() async throws {
        let dir = try AuditPipeBinary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("app.log").path
        Self.append(Self.line(1) + Self.line(2), to: path)
        // A pause counts from the file's last write (`InputStage.pauseStart`); a loaded test run can stall for
        // longer than the idle gap between this write and the read, which would make the input quiet at its first
        // look. A modification time in the future counts the first pause from the read instead.
        var times = [
            timespec(tv_sec: time(nil) + 3600, tv_nsec: 0), timespec(tv_sec: time(nil) + 3600, tv_nsec: 0),
        ]
        _ = utimensat(AT_FDCWD, path, &times, 0)
        let control = RunControl()
        var stage = InputStage(
            spec: InputSpec(path: path), index: 0, options: ParseOptions(), parseWorkers: 1, batchBytes: 1 << 16,
            control: control)
        stage.quietAfter = UTCTime.second / 2
        // One slot: the budget is short, so the input gives its file back before a send that would wait.
        stage.budget = OpenFileBudget(capacity: 1)
        stage.follow = InputStage.FollowStart(files: [], offset: 0, line: 1, progress: FollowProgress())
        let output = BoundedChannel<RecordBatch>(capacity: 1)
        let running = Task { await stage.run(output: output) }

        // The first batch fills the channel (nobody takes it yet); the input pauses at its end (an older
        // pause point) and gives its file back.
        try await Task.sleep(nanoseconds: 150_000_000)
        // More lines, within the idle gap: read and sent while the channel still holds the first batch, so
        // the file is given back before that send.
        Self.append(Self.line(3) + Self.line(4) + Self.line(5), to: path)
        try await Task.sleep(nanoseconds: 150_000_000)
        var batches: [RecordBatch] = []
        while batches.last?.quiet != true {
            guard let b = await output.receive() else { break }
            batches.append(b)
        }
        let size = Int64(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int)
        let quiet = try #require(batches.last)
        #expect(quiet.quiet)
        #expect(
            quiet.handedOnTo.offset == size,
            "the quiet mark hands on to \(quiet.handedOnTo.offset), the file ends at \(size)")
        #expect(quiet.handedOnTo.line == 6)
        let records = batches.reduce(0) { $0 + $1.records.count }
        #expect(records == 5)
        control.requestStop()
        while await output.receive() != nil {}
        _ = await running.value
    }
}
