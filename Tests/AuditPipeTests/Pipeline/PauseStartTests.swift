import Testing

@testable import AuditPipe

/// Where a followed input's pause is counted from: when its last bytes were written, not when a reader that
/// waited on the merge got to them (3 files written continuously, `--idle 3s`: the events left 5.8 s after the
/// last write, a whole idle gap late; now 3.0 s).
struct PauseStartTests {
    @Test func aSourceThatCannotTellPausesNow() {
        let before = RunControl.now()
        let start = InputStage.pauseStart(lastWritten: nil, notBefore: before - 5 * UTCTime.second)
        #expect(start >= before && start <= RunControl.now())
    }

    @Test func aFileWrittenBeforeTheReadPausesFromItsLastWrite() {
        let now = RunControl.now()
        let start = InputStage.pauseStart(
            lastWritten: UTCTime.now() - 2 * UTCTime.second, notBefore: now - 10 * UTCTime.second)
        let ago = now - start
        #expect(ago > UTCTime.second * 19 / 10 && ago < UTCTime.second * 21 / 10, "\(ago)")
    }

    @Test func neverBeforeTheBatchBeforeItWasHandedOn() {
        let sentAt = RunControl.now() - UTCTime.second
        let start = InputStage.pauseStart(lastWritten: UTCTime.now() - 60 * UTCTime.second, notBefore: sentAt)
        #expect(start == sentAt)
    }

    @Test func aModificationTimeInTheFutureIsNow() {
        let before = RunControl.now()
        let start = InputStage.pauseStart(
            lastWritten: UTCTime.now() + 60 * UTCTime.second, notBefore: before - UTCTime.second)
        #expect(start >= before && start <= RunControl.now())
    }
}
